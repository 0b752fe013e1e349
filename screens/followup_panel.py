"""The workbench's follow-up list (待跟进) for the clerk's window: results all back and
waiting for hand-over, items a department rejected or sent back for material,
deferrals and one-time notices due or overdue, items past their promised date and
failed post-checks, and the signed-in clerk's own cases whose items are due today,
due within the at-risk working days or overdue (the deadline board's rule: domain/
dashboard.py ``clerk_due``); most urgent first (services/dispatch.py ``follow_ups``).
Enter opens the case view, where 补交 and 送达 are one key each.

The panel sits under the drafts, last in the Tab order (``Tab Tab Enter`` after
signing in still reopens the newest draft), keeps its height whatever it holds (the
today list's page size is fitted to the room left), and touches only the cells that
changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from screens.after_strings import FollowUps as T
from screens.after_strings import Remind as R
from screens.widgets.paint import repaint
from screens.widgets.tables import CaseTable

if TYPE_CHECKING:
    from hall_app.services.dispatch import FollowUp

COLUMNS = ((14, None, 12, None), ((6, 16), (20, 90)))
# The workbench's key to the list (F9 is free there: F6-F8, F10, F12 are the queue's, F11
# the enquiries'). Named in the list's heading and found in the palette and F1 help: the key
# bar has no room left at 80 columns (it would push out F1 帮助).
SCREEN_BINDING = Binding("f9", "follow_ups", T.focus, id="workbench.follow_ups", show=False)


def follow_ups_in_thread(ctx, window: str | None, clerk: str | None) -> list["FollowUp"]:
    return ctx.dispatch.follow_ups(window, named=True, clerk=clerk)


def due_text(row: "FollowUp") -> str:
    """今日到期 / N个工作日内到期 / 已超期 N 个工作日, with the items and departments late."""
    due = row.due
    if due is None:
        return ""
    date, what = due.due.isoformat()[5:], row.due_what
    if due.urgency == "today":
        return T.due_today.format(what=what)
    if due.urgency == "at_risk":
        return T.due_soon.format(n=due.days_left, what=what)
    if due.days_late:
        return T.due_late.format(n=due.days_late, what=what)
    return T.due_late_weekend.format(date=date, what=what)


def what_to_do(flags: tuple[str, ...], due: str = "", step_first: bool = False) -> str:
    """The first thing to act on, and how many more: the case's own deadline first, unless
    ``step_first`` (a deferral with a step to take now: its flag leads ``flags``)."""
    things = list(flags)
    if due:
        things.insert(1 if step_first and things else 0, due)
    if not things:
        return ""
    return things[0] + (T.more.format(n=len(things) - 1) if len(things) > 1 else "")


REMIND_BINDING = Binding("r", "remind", R.key, id="followups.remind", show=False)


class FollowUpPanel(Vertical):
    # 记录提醒 on the case under the cursor, when its deferral's next step is the reminder
    # (domain/deferral.py); 终止/撤销 is the case view's ``t`` (Enter opens it).
    BINDINGS = [REMIND_BINDING]

    def __init__(self) -> None:
        super().__init__(id="followup-pane")
        self._title = ""
        self.rows: list["FollowUp"] = []
        self._window: str | None = None  # the window last listed (None: every window)

    def compose(self) -> ComposeResult:
        yield Static("", id="followup-title", classes="heading", markup=False)
        yield CaseTable(T.cols, *COLUMNS, id="followups")

    def load(self, window: str | None) -> None:
        app = self.app
        ctx = getattr(app, "ctx", None)
        if ctx is None:
            return
        self._window = window
        user = getattr(app, "user", None)
        clerk = user.username if user is not None else None
        app.db.submit(follow_ups_in_thread, ctx, window, clerk, done=lambda rows: self._show(rows, window is None),  # type: ignore[attr-defined]
                      coalesce=("followups", id(self)), name="followups")

    def _show(self, rows: list["FollowUp"], every_window: bool) -> None:
        if not self.is_attached:
            return
        from hall_app.domain.case import STATUS_LABELS
        from hall_app.domain.tracking import format_tracking_code

        self.rows = rows
        self.query_one("#followups", CaseTable).show_rows([
            (row.case_id, (format_tracking_code(row.tracking_code), row.applicant_name or "—",
                           STATUS_LABELS.get(row.status, row.status),
                           what_to_do(row.flags, due_text(row), bool(row.deferral_action))))
            for row in rows])
        from screens.keymap import prose_by_id

        key = prose_by_id("workbench.follow_ups", SCREEN_BINDING.key)
        due = sum(row.due is not None for row in rows)
        title = (T.heading_all if every_window else T.heading).format(
            count=len(rows), key=key, due=T.heading_due.format(n=due) if due else "") if rows else T.none
        if any(row.deferral_action == "remind" for row in rows):
            title += R.hint.format(key=prose_by_id(REMIND_BINDING.id or "", REMIND_BINDING.key))
        if title != self._title:
            self._title = title
            repaint(self.query_one("#followup-title", Static), title)

    def focus_list(self) -> None:
        self.query_one("#followups", CaseTable).focus()

    def on_data_table_row_selected(self, event: CaseTable.RowSelected) -> None:
        event.stop()  # the case view, never the intake: 补交 and 送达 are there
        table = event.data_table
        case_id = table.case_at(event.cursor_row) if isinstance(table, CaseTable) else None
        if case_id:
            self.app.open_case(case_id)  # type: ignore[attr-defined]

    def _row(self) -> "FollowUp | None":
        table = self.query_one("#followups", CaseTable)
        case_id = table.case_at(table.cursor_row) if table.row_count else None
        return next((row for row in self.rows if row.case_id == case_id), None)

    def action_remind(self) -> None:
        from hall_app.domain.tracking import format_tracking_code
        from screens.remind_dialog import RemindDialog
        from screens.widgets.bars import MessageLine

        row = self._row()
        if row is None:
            return
        code = format_tracking_code(row.tracking_code)
        message = self.screen.query_one("#message", MessageLine)
        if row.deferral_action != "remind":
            message.say(R.not_due.format(code=code, stage=row.deferral_stage or "—"), "error")
            return
        flag = next((f for f in row.flags if f.startswith("容缺材料")), "")

        def done(state) -> None:
            if state is None or not self.is_attached:
                return
            message.say(R.done.format(code=code, stage=R.what.format(
                deadline=state.deferred_deadline, materials="、".join(state.deferred))), "success")
            self.app.poke_sync()  # type: ignore[attr-defined]
            self.load(self._window)

        self.app.push_screen(RemindDialog(row.case_id, code, flag), done)
