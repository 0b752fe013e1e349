"""登记整改回访: the supervisor records the next step of a bad rating's follow-up (issue 11)
from the dashboard's 差评整改 list — a case's (``case.follow_up``, services/ratings.py
``advance``) and a visit's on the rate pad (``queue.visit_follow_up``, ``advance_visit``)
alike, with the same keys. Only the steps the rules allow next are offered
(domain/rating.py NEXT_STEPS); the note is typed as is. A refusal (the rules, the role,
the queue away) is shown in place with the note kept; nothing is recorded. Dismissed with
the follow-up's new state label."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from hall_app.domain.dashboard import FollowUpLine
from hall_app.domain.rating import NEXT_STEPS, STEP_LABELS
from screens.dialogs import RecordingDialog
from screens.keymap import prose
from screens.supervise_strings import FollowUpStep as T
from screens.widgets.inputs import HallInput
from screens.widgets.tables import add_fixed_columns

STEP_ORDER = tuple(s for s in STEP_LABELS if s != "opened")


def step_in_thread(ctx, key: str, username: str, step: str, note: str, visit: bool) -> str:
    """Record the step; ``key`` the case id, or the visit's ticket. The new state's label."""
    if visit:
        return ctx.ratings.advance_visit(key, username, step, note).follow_up.state_label
    state = ctx.ratings.advance(key, username, step, note)
    from hall_app.domain.rating import follow_up_of

    follow = follow_up_of(state.rating)
    return follow.state_label if follow is not None else ""


class FollowUpDialog(RecordingDialog):
    CSS_PATH = "follow_up_dialog.tcss"
    BINDINGS = [
        Binding("escape", "cancel", T.cancel, id="follow_up.cancel"),
        *(Binding(str(n), f"pick({n - 1})", show=False, id=f"follow_up.pick{n}") for n in range(1, 4)),
    ]

    def __init__(self, line: FollowUpLine, ref: str) -> None:
        super().__init__(classes="dialog")
        self.line, self.ref = line, ref
        self.visit = bool(line.visit_label)
        # the record's key: the visit's ticket (the follow-up is keyed by it), or the case
        self.case_id = line.follow_up.rating_id if self.visit else line.case_id
        self.allowed = [s for s in STEP_ORDER if s in NEXT_STEPS[line.follow_up.state]]

    def compose(self) -> ComposeResult:
        f = self.line.follow_up
        with Vertical(id="follow-up-box"):
            yield Static(T.title.format(ref=self.ref), classes="dialog-title", markup=False)
            yield Static(T.about.format(level=self.line.level_label, state=f.state_label, due=f.due.isoformat(),
                                        late=T.late if self.line.overdue else ""), markup=False, id="follow-up-about")
            one = len(self.allowed) == 1  # chosen already: the note has the focus, a digit typed is text
            yield Static(T.closed if not self.allowed else T.step_only if one else T.steps, markup=False)
            yield DataTable(id="follow-up-steps", cursor_type="row", show_header=False)
            yield Label(T.note)
            yield HallInput(id="follow-up-note", free_text=True)
            yield Static("", id="dialog-error", classes="error", markup=False)
            yield Static((T.keys_only if one else T.keys).format(no=prose(self.app, self.BINDINGS, "follow_up.cancel")),
                         classes="dialog-keys", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#follow-up-steps", DataTable)
        add_fixed_columns(table, ("", "", ""), (3, 8, 24))
        for n, step in enumerate(self.allowed, start=1):
            table.add_row(str(n), T.step_labels[step], T.step_hints[step], key=step)
        table.display = bool(self.allowed)
        (table if len(self.allowed) > 1 else self.query_one("#follow-up-note", HallInput)).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.query_one("#follow-up-note", HallInput).focus()

    def action_pick(self, index: int) -> None:
        if index < len(self.allowed):
            self.query_one("#follow-up-steps", DataTable).move_cursor(row=index)
            self.query_one("#follow-up-note", HallInput).focus()

    def on_input_submitted(self, event: HallInput.Submitted) -> None:
        event.stop()
        self.action_record()

    def action_record(self) -> None:
        table = self.query_one("#follow-up-steps", DataTable)
        if self.busy or not table.row_count:
            return
        step = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        note = self.query_one("#follow-up-note", HallInput).value
        self.record(step_in_thread, step, note, self.visit, name="follow-up", working=T.working,
                    answer=lambda state: (T.step_labels[step], state))
