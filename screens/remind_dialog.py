"""提醒补交: the window records that it reminded the applicant of the deferred materials
still due (services/dispatch.py ``remind``; what the 容缺受理承诺书 promises before
终止/撤销). Opened from the workbench's 待跟进 list on a case whose next step is the
reminder. The channel is picked from the list (or by its number); a refusal (too early,
already reminded) is shown in place and nothing changes. Dismissed with the new state."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from hall_app.domain.deferral import REMINDER_CHANNELS
from screens.after_strings import Remind as T
from screens.dialogs import RecordingDialog
from screens.keymap import prose
from screens.widgets.tables import add_fixed_columns


def remind_in_thread(ctx, case_id: str, username: str, channel: str):
    return ctx.dispatch.remind(case_id, username, channel)


class RemindDialog(RecordingDialog):
    CSS_PATH = "remind_dialog.tcss"
    BINDINGS = [
        Binding("enter", "record", T.record, id="remind.record"),
        Binding("escape", "cancel", T.cancel, id="remind.cancel"),
        *(Binding(str(n), f"pick({n - 1})", show=False, id=f"remind.pick{n}") for n in range(1, 5)),
    ]

    def __init__(self, case_id: str, code: str, what: str) -> None:
        super().__init__(classes="dialog")
        self.case_id, self.code, self.what = case_id, code, what

    def compose(self) -> ComposeResult:
        with Vertical(id="remind-box"):
            yield Static(T.title.format(code=self.code), classes="dialog-title", markup=False)
            yield Static(self.what, markup=False, id="remind-what")
            yield Static(T.channel, markup=False)
            yield DataTable(id="remind-channels", cursor_type="row", show_header=False)
            yield Static("", id="dialog-error", classes="error", markup=False)
            yield Static(T.keys.format(no=prose(self.app, self.BINDINGS, "remind.cancel")), classes="dialog-keys",
                         markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#remind-channels", DataTable)
        add_fixed_columns(table, ("", ""), (3, 12))
        for n, (code, label) in enumerate(REMINDER_CHANNELS.items(), start=1):
            table.add_row(str(n), label, key=code)
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_record()

    def action_pick(self, index: int) -> None:
        self.query_one("#remind-channels", DataTable).move_cursor(row=index)
        self.action_record()

    def action_record(self) -> None:
        table = self.query_one("#remind-channels", DataTable)
        if self.busy or not table.row_count:
            return
        channel = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        self.record(remind_in_thread, channel, name="remind", working=T.working)
