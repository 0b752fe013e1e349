"""帮代办工作台: the township agent's own home (issue 13), instead of a window's.

The sync state and the age of the offline data on top; "my principals" (the
authorisation register with each one's validity); "my cases" by stage of the proxy
process 委托 → 受理 → 办理 → 送达 → 归档 → 回访 with the next thing to do, what waits
to be uploaded and what came back. Authorisation first: F6 records one, F8 prints the
blank form for the visit, F7 records the signed paper back, F2 starts a case for the
selected principal (refused without a valid authorisation, outside the agent's
township, or for a need already filed) and opens it in the ordinary intake.

No polling: the lists load when the screen is shown, after each action and on F5.
The one timer is the idle-lock check, owned by this screen, paused while it is hidden,
its period ``lock_check_seconds`` (0: none; tests call ``HallApp.check_idle_lock``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from hall_app.domain.ids import mask_citizen_id
from hall_app.domain.tracking import format_tracking_code
from screens.agent_strings import AgentHome as T
from screens.widgets.bars import MessageLine, StatusBar, TitleBar
from screens.widgets.keybar import KeyBar
from screens.widgets.paint import repaint
from screens.widgets.tables import CaseTable

if TYPE_CHECKING:
    from hall_app.services.agent_day import AgentDayView
    from screens.app import HallApp

PRINCIPAL_COLUMNS = ((8, 20, 12, None, 12, None, 10), ((10, 40), (8, 20)))
CASE_COLUMNS = ((14, 8, None, 6, None, 6, None), ((8, 24), (10, 40), (6, 20)))


def view_in_thread(ctx, user) -> "AgentDayView":
    return ctx.agent_day.view(user)


def start_in_thread(ctx, user, auth_id: str, bundle: str):
    return ctx.agent_day.start_for(user, auth_id, bundle)


def receive_in_thread(ctx, user, auth_id: str, scan: str = ""):
    from pathlib import Path

    from hall_app.domain.authorisation import AuthorisationError
    from hall_app.services.intake import IntakeError

    try:
        return ctx.agent_day.receive(user, auth_id, Path(scan) if scan else None)
    except AuthorisationError as exc:
        raise IntakeError(str(exc)) from None


def print_in_thread(ctx, auth_id: str) -> tuple[str, str | None]:
    from hall_app.domain.authorisation import AuthorisationError
    from hall_app.services.intake import IntakeError

    try:
        return ctx.authorisations.print_blank(auth_id)
    except AuthorisationError as exc:
        raise IntakeError(str(exc)) from None


def deliver_in_thread(ctx, user, case_id: str, received_by: str, _unused: str = ""):
    return ctx.agent_day.deliver(user, case_id, received_by)


def follow_up_in_thread(ctx, user, case_id: str, level: str, comment: str = ""):
    from hall_app.domain.text import to_halfwidth
    from hall_app.services.intake import IntakeError

    digits = to_halfwidth(level).strip()
    if not digits.isdigit():
        raise IntakeError(T.level_wrong)
    return ctx.agent_day.follow_up(user, case_id, int(digits), comment)


class AgentHomeScreen(Screen):
    CSS_PATH = "agent_home.tcss"
    AUTO_FOCUS = "#principals"
    BINDINGS = [
        Binding("f2", "new_case", T.new, id="agent.new"),
        Binding("f6", "authorise", T.authorise, id="agent.authorise"),
        Binding("f7", "received", T.received, id="agent.received"),
        Binding("f8", "print_form", T.print_form, id="agent.print"),
        Binding("f9", "deliver", T.deliver, id="agent.deliver"),
        Binding("f10", "follow_up", T.follow_up, id="agent.follow_up"),
        Binding("f5", "refresh", T.refresh, id="agent.refresh"),
        Binding("ctrl+l", "sign_out", T.logout, id="agent.logout"),
    ]
    lock_check_seconds = 30.0

    def __init__(self) -> None:
        super().__init__()
        self.view: AgentDayView | None = None
        self._lock_timer: Any = None

    @property
    def hall_app(self) -> "HallApp":
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield TitleBar(T.title, id="agent-title")
        yield Static(T.loading, id="agent-sync", markup=False)
        yield Static("", id="agent-fresh", markup=False)
        yield MessageLine(id="message")
        with Vertical(id="principals-pane"):
            yield Static(T.principals, id="principals-title", classes="heading")
            yield CaseTable(T.cols_principals, *PRINCIPAL_COLUMNS, id="principals")
        with Vertical(id="cases-pane"):
            yield Static(T.cases, id="cases-title", classes="heading")
            yield Static("", id="agent-stages", markup=False)
            yield CaseTable(T.cols_cases, *CASE_COLUMNS, id="agent-cases")
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        user = self.hall_app.user
        if user is not None:
            self.query_one("#agent-title", TitleBar).update(
                T.title_of.format(name=user.display_name, township=user.township or T.no_township))
        if self.lock_check_seconds:
            self._lock_timer = self.set_interval(self.lock_check_seconds, self.hall_app.check_idle_lock,
                                                 name="idle-lock")

    def on_screen_resume(self) -> None:
        if self._lock_timer is not None:
            self._lock_timer.resume()
        self.reload()

    def on_screen_suspend(self) -> None:
        if self._lock_timer is not None:
            self._lock_timer.pause()

    # -- loading ----------------------------------------------------------------------------
    def reload(self) -> None:
        ctx, user = self.hall_app.ctx, self.hall_app.user
        if ctx is None or user is None:
            return
        self.hall_app.db.submit(view_in_thread, ctx, user, done=self._loaded, coalesce=("agent-home", id(self)),
                                name="agent-home")

    def _loaded(self, view: "AgentDayView") -> None:
        if not self.is_attached:
            return
        self.view = view
        self._show_sync(view)
        principals = self.query_one("#principals", CaseTable)
        principals.show_rows([(p.auth.auth_id, (
            p.auth.principal_name, mask_citizen_id(p.auth.principal_id), p.auth.relation,
            "、".join(p.bundle_names), p.auth.valid_until, p.status, p.file.text if p.file else ""))
            for p in view.principals])
        from hall_app.services.person_extracts import summary

        files = summary([p.file for p in view.principals if p.file is not None])
        repaint(self.query_one("#principals-title", Static),
                (T.principals + (f"　{files}" if files else "")) if view.principals else T.no_principals)
        self.query_one("#agent-cases", CaseTable).show_rows([(c.case_id, (
            format_tracking_code(c.tracking_code), c.principal or "—", c.bundle_name, c.stage, c.next_step,
            str(c.waiting) if c.waiting else "", c.came_back)) for c in view.cases])
        counts = " ".join(f"{stage}{n}" for stage, n in view.stages.items())
        repaint(self.query_one("#agent-stages", Static),
                T.stages.format(counts=counts, drafts=len(view.drafts), waiting=view.waiting,
                                back=len(view.came_back)) if view.cases else T.no_cases)

    def _show_sync(self, view: "AgentDayView") -> None:
        sync = view.sync
        if sync.revoked:
            line = T.revoked
        elif not sync.configured:
            line = T.sync_single
        else:
            last = sync.last_success[5:16].replace("T", " ") if sync.last_success else T.sync_never
            line = T.sync_line.format(label=sync.label, last=last)
            if sync.last_error:
                line += T.sync_failed.format(error=sync.last_error[:60])
        widget = self.query_one("#agent-sync", Static)
        widget.set_class(sync.revoked or bool(sync.last_error), "error")
        repaint(widget, line)
        fresh = self.query_one("#agent-fresh", Static)
        fresh.set_class(view.freshness.stale, "warning")
        repaint(fresh, view.freshness.line())

    # -- what is selected ---------------------------------------------------------------------
    def _selected_principal(self):
        """The principal F2/F7/F8 act on: the one the focused table points at: under the
        principals' cursor, or, from "my cases", the selected case's principal (its
        authorisation, else that person's first one), never a cursor left in the other table."""
        if self.view is None:
            return None
        if self.focused is self.query_one("#agent-cases", CaseTable):
            case = self._selected_case()
            if case is None:
                return None
            return next((p for p in self.view.principals if case.auth_id and p.auth.auth_id == case.auth_id),
                        None) or next((p for p in self.view.principals
                                       if case.principal_id and p.auth.principal_id == case.principal_id), None)
        auth_id = self.query_one("#principals", CaseTable).selected_key()
        if auth_id is None:
            return None
        return next((p for p in self.view.principals if p.auth.auth_id == auth_id), None)

    def _say(self, text: str, kind: str = "info") -> None:
        self.query_one("#message", MessageLine).say(text, kind)

    def _failed(self, message: str) -> None:
        self._say(message, "error")

    # -- actions ------------------------------------------------------------------------------
    def action_new_case(self) -> None:
        line = self._selected_principal()
        if line is None:
            self._say(T.pick_principal, "warning")
            return
        bundles = list(zip(line.auth.bundles, line.bundle_names))
        if len(bundles) == 1:
            self._start(line, bundles[0][0], bundles[0][1])
            return
        from screens.agent_pick import PickDialog

        def picked(code: str | None) -> None:
            if code:
                self._start(line, code, dict(bundles)[code])

        self.app.push_screen(PickDialog(T.pick_bundle.format(name=line.auth.principal_name), bundles), picked)

    def _start(self, line, code: str, name: str) -> None:
        ctx, user = self.hall_app.ctx, self.hall_app.user
        if ctx is None or user is None:
            return

        def started(state) -> None:
            self._say(T.started.format(name=line.auth.principal_name, bundle=name), "success")
            self.hall_app.resume_case(state.case_id)

        self.hall_app.db.submit(start_in_thread, ctx, user, line.auth.auth_id, code, done=started,
                                error=self._failed, name="agent-start")

    def action_authorise(self) -> None:
        from screens.agent_authorise import AuthoriseDialog, draft_in_thread

        def closed(auth) -> None:
            if auth is not None:
                self._say(T.recorded.format(name=auth.principal_name, until=auth.valid_until), "success")
                self.reload()

        def loaded(draft: dict[str, Any]) -> None:  # what was typed last time, kept in the device database
            if self.is_attached and self.app.screen is self:
                self.app.push_screen(AuthoriseDialog(draft), closed)

        ctx, user = self.hall_app.ctx, self.hall_app.user
        if ctx is not None and user is not None:
            self.hall_app.db.submit(draft_in_thread, ctx, user, done=loaded, error=self._failed,
                                    coalesce=("authorise-open", id(self)), name="authorise-open")

    def action_received(self, typed: str = "", error: str = "") -> None:
        """F7: the signed paper is back, with the path of its scan or photo if there is
        one (kept in the device database, sent at the next sync). A refused file opens
        the question again with the path as typed and the reason."""
        from screens.dialogs import ReasonDialog

        line = self._selected_principal()
        ctx, user = self.hall_app.ctx, self.hall_app.user
        if line is None or ctx is None or user is None:
            self._say(T.pick_principal, "warning")
            return

        def answered(answer: tuple[str, str] | None) -> None:
            if answer is None:
                return
            path = answer[0]

            def done(auth) -> None:
                self._say(T.received_ok.format(name=auth.principal_name) + (T.scan_kept if path else ""), "success")
                self.reload()

            def failed(message: str) -> None:
                self._failed(message)
                self.action_received(path, message)

            self.hall_app.db.submit(receive_in_thread, ctx, user, line.auth.auth_id, path, done=done,
                                    error=failed, name="agent-received")

        self.app.push_screen(ReasonDialog(T.receive_title.format(name=line.auth.principal_name), T.scan_path,
                                          required=False, value=typed, error=error), answered)

    def action_print_form(self) -> None:
        line = self._selected_principal()
        ctx = self.hall_app.ctx
        if line is None or ctx is None:
            self._say(T.pick_principal, "warning")
            return

        def done(result: tuple[str, str | None]) -> None:
            path, error = result
            if error:
                self._say(T.print_failed.format(path=path, error=error), "error")
            else:
                self._say(T.printed.format(path=path), "success")

        self.hall_app.db.submit(print_in_thread, ctx, line.auth.auth_id, done=done, error=self._failed,
                                name="agent-print")

    def on_data_table_row_selected(self, event: CaseTable.RowSelected) -> None:
        event.stop()
        table = event.data_table
        if not isinstance(table, CaseTable):
            return
        key = table.case_at(event.cursor_row)
        if table.id == "principals" or key is None or self.view is None:
            return
        line = next((c for c in self.view.cases if c.case_id == key), None)
        if line is not None and line.editable:
            self.hall_app.resume_case(key)
        else:
            self.hall_app.open_case(key)

    def on_case_table_view_request(self, event: CaseTable.ViewRequest) -> None:
        if event.table.id == "agent-cases":
            self.hall_app.open_case(event.case_id)

    # -- hand-over and the 回访 call ----------------------------------------------------------
    def _selected_case(self):
        key = self.query_one("#agent-cases", CaseTable).selected_key()
        if self.view is None or key is None:
            return None
        return next((c for c in self.view.cases if c.case_id == key), None)

    def _case_action(self, title: str, first: str, second: str | None, run, done_text: str) -> None:
        from screens.dialogs import ReasonDialog

        table = self.query_one("#agent-cases", CaseTable)
        if self.focused is not table:  # only the case the agent chose in "my cases", never a cursor left there
            self._say(T.go_to_cases, "warning")
            return
        line = self._selected_case()
        ctx, user = self.hall_app.ctx, self.hall_app.user
        if line is None or ctx is None or user is None:
            self._say(T.pick_case, "warning")
            return

        def answered(answer: tuple[str, str] | None) -> None:
            if not answer:
                return

            def done(_state) -> None:
                self._say(done_text.format(code=format_tracking_code(line.tracking_code)), "success")
                self.reload()

            self.hall_app.db.submit(run, ctx, user, line.case_id, *answer, done=done, error=self._failed,
                                    name="agent-case")

        self.app.push_screen(ReasonDialog(title.format(code=format_tracking_code(line.tracking_code),
                                                       name=line.principal), first, second), answered)

    def action_deliver(self) -> None:
        self._case_action(T.deliver_title, T.received_by, None, deliver_in_thread, T.delivered)

    def action_follow_up(self) -> None:
        self._case_action(T.follow_up_title, T.level, T.comment, follow_up_in_thread, T.followed_up)

    def action_refresh(self) -> None:
        self.reload()
        self.hall_app.refresh_status()

    def action_sign_out(self) -> None:
        self.hall_app.sign_out()
