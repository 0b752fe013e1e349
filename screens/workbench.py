"""Workbench (工作台): today's cases at this window (paged), drafts to resume, and
one search box for a tracking code, a scanned QR URL, an ID number, a USCC or a name.

The search box has the focus: a barcode scanner types fast and ends with Enter, and
the case opens. Actions use F-keys so that typing never triggers them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Label, Static

from hall_app.domain.tracking import format_tracking_code
from screens.enquiry_strings import Enquiry as EnquiryText
from screens.followup_panel import SCREEN_BINDING as FOLLOW_UP_BINDING
from screens.followup_panel import FollowUpPanel
from screens.roles import can
from screens.strings import STEP_TITLES
from screens.strings import Workbench as T
from screens.supervise_strings import Dashboard as DashboardText
from screens.widgets.bars import MessageLine, StatusBar, TitleBar
from screens.widgets.cjk import clip
from screens.widgets.inputs import HallInput
from screens.widgets.keybar import KeyBar
from screens.widgets.paint import repaint
from screens.widgets.tables import CaseTable
from screens.window_queue import SCREEN_BINDINGS as QUEUE_BINDINGS
from screens.window_queue import WindowQueuePanel

if TYPE_CHECKING:
    from hall_app.services.counter import CaseLine
    from screens.app import HallApp


def _time(iso: str) -> str:
    return iso[11:16] if len(iso) >= 16 else iso


def _when(iso: str) -> str:
    return f"{iso[5:10]} {iso[11:16]}" if len(iso) >= 16 else iso


def search_in_thread(ctx, query: str) -> tuple[list["CaseLine"], str, bool]:
    """Lines found, a hint about the query (a bad check digit…), whether it was a code."""
    from hall_app.domain.text import compact
    from hall_app.domain.tracking import parse_tracking_code
    from hall_app.services.cases import identify
    from hall_app.services.counter import find_lines

    lines = find_lines(ctx, query)
    is_code = parse_tracking_code(query) is not None
    hint = ""
    key = compact(query).upper()
    if not lines and len(key) == 18 and key.isalnum():
        check = identify(key)
        hint = check.error or ""
    return lines, hint, is_code


def lists_in_thread(ctx, window: str | None, page: int, size: int, drafts: bool = True):
    """A page of today's cases; with ``drafts`` (a reload, not a page turn) also the count
    and the drafts."""
    from hall_app.services.counter import draft_lines, today_page

    lines, total = today_page(ctx, window, page, size, count=drafts)
    return lines, total, (draft_lines(ctx, window) if drafts else None)


def void_in_thread(ctx, case_id: str, username: str, reason: str):
    return ctx.cases.void(case_id, username, reason)


class SearchBox(HallInput):
    """The search box. ``/`` focuses it from anywhere on the workbench; typed into the
    box it is text once something is there (a scanned URL has slashes), and nothing in
    an empty box (no query starts with one: the clerk meant "search")."""

    async def _on_key(self, event) -> None:
        if event.character == "/" and not self.value:
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)


# Column widths (None: stretches) and the stretching columns' (minimum, maximum).
TODAY_COLUMNS = ((14, 5, None, None, 12, 9), ((6, 16), (10, 40)))
DRAFT_COLUMNS = ((14, None, None, 12, 9, 11), ((6, 16), (10, 40)))


class WorkbenchScreen(Screen):
    # the key bar's words that go first when a narrow terminal has no room for them all
    # (a supervisor at 80 columns): the keys stay, the call/serve/finish words stay longest
    KEYBAR_MINOR = ("bundles", "toggle_windows", "users", "sign_out", "refresh", "dashboard")
    CSS_PATH = "workbench.tcss"
    AUTO_FOCUS = "#search"
    BINDINGS = [
        Binding("f2,ctrl+n", "new_intake", T.new, id="workbench.new"),
        Binding("f5", "refresh", T.refresh, id="workbench.refresh"),
        Binding("slash", "focus_search", T.focus_search, id="workbench.search", show=False),
        Binding("escape", "clear_search", T.clear, id="workbench.clear", show=False),
        Binding("down", "to_list", id="workbench.to_list", show=False),
        Binding("f3", "toggle_windows", T.all_windows, id="workbench.all_windows"),
        Binding("f4", "users", T.users, id="workbench.users"),
        Binding("ctrl+s", "bundles", T.bundles, id="workbench.bundles"),
        Binding("ctrl+l", "sign_out", T.logout, id="workbench.logout"),
        *QUEUE_BINDINGS,  # the window's queue (screens/window_queue.py)
        Binding("ctrl+f", "dashboard", DashboardText.open_key, id="workbench.dashboard"),  # supervise (issue 11)
        # 咨询 / 首问负责 (issue 12): in the palette and F1 help; the bar has no room left at 80 columns
        Binding("f11", "enquiries", EnquiryText.open_key, id="workbench.enquiries", show=False),
        FOLLOW_UP_BINDING,  # 待跟进 (screens/followup_panel.py): named in the list's heading, not the bar
    ]

    def __init__(self) -> None:
        super().__init__()
        self.page = 0
        self.page_size = 10
        self.total = 0
        self.all_windows = False
        self.searching: str | None = None
        self.lines: dict[str, CaseLine] = {}
        self._today_title = ""
        self._drafts_title = ""
        self._left_for_screen = False  # a full screen (not a dialog) is on top of this one

    @property
    def hall_app(self) -> "HallApp":
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield TitleBar(T.title, id="workbench-title")
        with Horizontal(id="search-row"):
            yield Label(T.search_label, id="search-label")
            yield SearchBox(placeholder=T.search_placeholder, id="search")
        yield MessageLine(id="message")
        if self._has_queue():
            yield WindowQueuePanel(self.hall_app.ctx.settings.window_queue_poll_seconds if self.hall_app.ctx else 0)
        with Vertical(id="today-pane"):
            yield Static(T.today, id="today-title", classes="heading")
            yield CaseTable(T.cols_today, *TODAY_COLUMNS, id="today", paged=True)
        with Vertical(id="drafts-pane"):
            yield Static(T.drafts, id="drafts-title", classes="heading")
            yield CaseTable(T.cols_drafts, *DRAFT_COLUMNS, id="drafts", voidable=True)
        if can(self.hall_app.user.role if self.hall_app.user else None, "intake"):
            yield FollowUpPanel()  # after the drafts: Tab Tab Enter still reopens the newest draft
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        self.watch(self.app, "window_name", self._show_window, init=True)

    def _show_window(self, name: str) -> None:
        user = self.hall_app.user
        self.query_one("#workbench-title", TitleBar).update(f"{T.title} · {name or (user.window if user else '')}")

    def on_screen_resume(self) -> None:
        if self._left_for_screen:
            # Back from a case view or an intake opened from a list: the search box has the
            # focus again, so a scanned code or a typed name goes there, not into a list
            # (where "v" views and "x" voids). A dialog closing leaves the focus where it was.
            self._left_for_screen = False
            if isinstance(self.focused, CaseTable):
                self.query_one("#search", HallInput).focus()
        self.reload()
        for panel in self.query(WindowQueuePanel):
            panel.wake()

    def on_screen_suspend(self) -> None:
        from textual.screen import ModalScreen

        self._left_for_screen = not isinstance(self.app.screen, ModalScreen)
        for panel in self.query(WindowQueuePanel):
            panel.stop()  # its refresh runs only while the workbench is shown

    def _has_queue(self) -> bool:
        user = self.hall_app.user
        return user is not None and bool(user.window) and can(user.role, "intake")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        role = self.hall_app.user.role if self.hall_app.user else None
        if action == "new_intake":
            return can(role, "intake")
        if action == "toggle_windows":
            return can(role, "all_windows")
        if action == "users":
            return can(role, "users")
        if action == "bundles":
            return can(role, "bundle_review")
        if action == "queue":  # the keys show once the queue answered (a hall without one never sees them)
            return any(panel.display for panel in self.query(WindowQueuePanel))
        if action == "dashboard":
            return can(role, "dashboard")
        if action == "follow_ups":
            return bool(self.query(FollowUpPanel))
        return True

    # -- loading --------------------------------------------------------------------------
    def reload(self, drafts: bool = True) -> None:
        """Today's page, and (unless only the page turned) the count and the drafts."""
        ctx, user = self.hall_app.ctx, self.hall_app.user
        if ctx is None or user is None:
            return
        window = None if self.all_windows else user.window
        self.hall_app.db.submit(lists_in_thread, ctx, window, self.page, self.page_size, drafts,
                                done=self._lists_loaded, coalesce=("workbench", id(self), drafts), name="workbench")
        for panel in self.query(FollowUpPanel) if drafts else ():
            panel.load(window or None)

    def _lists_loaded(self, result) -> None:
        if not self.is_attached:
            return
        lines, total, drafts = result
        if total is not None:
            self.total = total
        pages = max(1, -(-self.total // self.page_size))
        if self.page >= pages and self.page:
            self.page = pages - 1
            self.reload()
            return
        if self.searching is None:
            head = T.today_all if self.all_windows else T.today
            title = f"{head}（{T.page.format(page=self.page + 1, pages=pages, total=self.total)}）"
            if title != self._today_title:
                self._today_title = title
                repaint(self.query_one("#today-title", Static), title)
            self._fill_today(lines)
        if drafts is not None:
            self._fill_drafts(drafts)

    def _fill_today(self, lines: list["CaseLine"]) -> None:
        for ln in lines:
            self.lines[ln.case_id] = ln
        self.query_one("#today", CaseTable).show_rows([
            (ln.case_id, (format_tracking_code(ln.tracking_code), _time(ln.created_at), ln.applicant or "—",
                          ln.bundle_name, ln.status_label, ln.claimed_by or ln.created_by)) for ln in lines])
        if not lines:
            message = self.query_one("#message", MessageLine)
            if self.searching is not None:
                if message.kind == "info":
                    message.say("", "info")
            elif not message.said or message.said == T.no_cases:
                # a reload (the workbench shown again after a dialog, 提醒 from 待跟进) must not
                # hide what was said meanwhile: a queue refusal from that dialog would be gone
                message.say(T.no_cases, "info")

    def _fill_drafts(self, drafts: list["CaseLine"]) -> None:
        for ln in drafts:
            self.lines[ln.case_id] = ln
        self.query_one("#drafts", CaseTable).show_rows([
            (ln.case_id, (format_tracking_code(ln.tracking_code), ln.applicant or "—", ln.bundle_name,
                          STEP_TITLES.get(ln.step, ln.step) if ln.status == "draft" else ln.status_label,
                          ln.claimed_by, _when(ln.updated_at))) for ln in drafts])
        title = T.drafts if drafts else T.no_drafts
        if title != self._drafts_title:
            self._drafts_title = title
            repaint(self.query_one("#drafts-title", Static), title)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_page)

    def on_case_table_height_changed(self, event: CaseTable.HeightChanged) -> None:
        event.stop()  # the queue panel or the 待跟进 list arrived after the page was sized
        self.call_after_refresh(self._fit_page)

    def _fit_page(self) -> None:
        table = self.query_one("#today", CaseTable)
        size = max(3, table.size.height - 1)
        if size != self.page_size:
            self.page_size = size
            self.page = 0
            if self.searching is None:
                self.reload()

    # -- search -----------------------------------------------------------------------------
    def on_input_submitted(self, event: HallInput.Submitted) -> None:
        event.stop()
        query = event.value.strip()
        if not query:
            self.action_clear_search()
            return
        ctx = self.hall_app.ctx
        if ctx is None:
            return
        self.query_one("#message", MessageLine).say(T.searching)
        self.hall_app.hold_keys()  # a scanner's next code, or Enter to open, waits for the result

        def failed(message: str) -> None:
            self.hall_app.release_keys()
            self.query_one("#message", MessageLine).say(message, "error")

        self.hall_app.db.submit(search_in_thread, ctx, query, done=lambda r: self._found(query, r), error=failed,
                                name="search")

    def _found(self, query: str, result) -> None:
        self.hall_app.release_keys()
        if not self.is_attached:
            return
        lines, hint, is_code = result
        message = self.query_one("#message", MessageLine)
        if is_code and len(lines) == 1:
            self.query_one("#search", HallInput).set_quietly("")
            message.say("")
            self._open(lines[0])
            return
        self.searching = query
        self._today_title = T.results.format(query=clip(query, 30), count=len(lines))
        repaint(self.query_one("#today-title", Static), self._today_title)
        self._fill_today(lines)
        if lines:
            message.say(T.results.format(query=clip(query, 30), count=len(lines)), "success")
            self.query_one("#today", CaseTable).focus()
        else:
            message.say(T.no_results.format(query=clip(query, 30)) + (T.id_hint.format(error=hint) if hint else ""),
                        "error")

    def action_clear_search(self) -> None:
        search = self.query_one("#search", HallInput)
        search.set_quietly("")
        search.focus()
        if self.searching is not None:
            self.searching = None
            self.query_one("#message", MessageLine).say("")
            self.reload()

    def action_focus_search(self) -> None:
        search = self.query_one("#search", HallInput)
        search.focus()
        search.cursor_position = len(search.value)

    def action_to_list(self) -> None:
        if self.focused is self.query_one("#search"):
            self.query_one("#today", CaseTable).focus()

    # -- opening ----------------------------------------------------------------------------
    def _open(self, ln: "CaseLine") -> None:
        role = self.hall_app.user.role if self.hall_app.user else None
        if ln.editable and can(role, "intake"):
            self.hall_app.resume_case(ln.case_id)
        else:
            self.hall_app.open_case(ln.case_id)

    def on_data_table_row_selected(self, event: CaseTable.RowSelected) -> None:
        event.stop()
        table = event.data_table
        case_id = table.case_at(event.cursor_row) if isinstance(table, CaseTable) else None
        ln = self.lines.get(case_id or "")
        if ln is not None:
            self._open(ln)

    def on_case_table_view_request(self, event: CaseTable.ViewRequest) -> None:
        self.hall_app.open_case(event.case_id)

    def on_case_table_page_request(self, event: CaseTable.PageRequest) -> None:
        if self.searching is not None:
            return
        pages = max(1, -(-self.total // self.page_size))
        new = min(max(0, self.page + event.delta), pages - 1)
        if new != self.page:
            self.page = new
            self.reload(drafts=False)  # a page turn: the count and the drafts have not changed

    # -- voiding an abandoned draft --------------------------------------------------------
    def on_case_table_void_request(self, event: CaseTable.VoidRequest) -> None:
        from screens.dialogs import ReasonDialog

        ln = self.lines.get(event.case_id)
        role = self.hall_app.user.role if self.hall_app.user else None
        if ln is None or not can(role, "intake"):
            return
        message = self.query_one("#message", MessageLine)
        if not ln.editable:
            message.say(T.not_voidable.format(status=ln.status_label), "warning")
            return
        code = format_tracking_code(ln.tracking_code)
        title = T.void_title.format(code=code, applicant=ln.applicant or "—")

        def reasoned(answer: tuple[str, str] | None) -> None:
            if not answer or self.hall_app.ctx is None:
                return
            reason = answer[0]

            def voided(_state) -> None:
                message.say(T.voided.format(code=code, reason=reason), "success")
                self.reload()

            self.hall_app.db.submit(void_in_thread, self.hall_app.ctx, ln.case_id, self.hall_app.user.username,
                                    reason, done=voided, error=lambda m: message.say(m, "error"), name="void")

        self.app.push_screen(ReasonDialog(title, T.void_reason), reasoned)

    # -- actions ----------------------------------------------------------------------------
    def action_new_intake(self) -> None:
        self.hall_app.new_intake()

    def action_refresh(self) -> None:
        self.reload()
        self.hall_app.refresh_status()

    def action_toggle_windows(self) -> None:
        self.all_windows = not self.all_windows
        self.page = 0
        self.reload()

    def action_users(self) -> None:
        from screens.users import UsersScreen

        self.app.push_screen(UsersScreen())

    def action_bundles(self) -> None:
        from screens.bundle_review import BundleReviewScreen

        self.app.push_screen(BundleReviewScreen())

    def action_sign_out(self) -> None:
        self.hall_app.sign_out()

    def action_queue(self, name: str) -> None:
        for panel in self.query(WindowQueuePanel):
            panel.act(name)

    def action_follow_ups(self) -> None:  # after the counter (issue 12)
        for panel in self.query(FollowUpPanel):
            panel.focus_list()

    def action_dashboard(self) -> None:  # supervise (issue 11)
        from screens.dashboard import DashboardScreen

        self.app.push_screen(DashboardScreen())

    def action_enquiries(self) -> None:  # 咨询 / 首问负责 / 办不成事 (screens/enquiry.py)
        from screens.enquiry import EnquiryScreen

        self.app.push_screen(EnquiryScreen())
