"""补交容缺材料: the case's materials, the deferred ones first; Enter records the one
under the cursor as handed in (services/dispatch.py ``supply``), ``e`` as its e-licence
fetched from the applicant's file instead of paper (电子证照已调取; offered on the
list when the file holds it now). A material the case
does not wait for gets the service's message here and nothing changes; the dialog
stays open on it. Dismissed with the new case state once one is recorded."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from screens.after_strings import Supply as T
from screens.dialogs import RecordingDialog
from screens.keymap import prose
from screens.widgets.cjk import clip
from screens.widgets.tables import add_fixed_columns


def supply_in_thread(ctx, case_id: str, username: str, material: str, elicence: bool = False):
    return ctx.dispatch.supply(case_id, username, material, elicence=elicence)


class SupplyDialog(RecordingDialog):
    CSS_PATH = "supply_dialog.tcss"
    BINDINGS = [
        Binding("enter", "record", T.record, id="supply.record"),
        Binding("e", "record(True)", T.fetch, id="supply.elicence"),
        Binding("escape", "cancel", T.cancel, id="supply.cancel"),
    ]

    def __init__(self, case_id: str, code: str, choices: list[tuple[str, str, str]], deadline: str) -> None:
        super().__init__(classes="dialog")
        self.case_id, self.code, self.choices, self.deadline = case_id, code, choices, deadline

    def compose(self) -> ComposeResult:
        with Vertical(id="supply-box"):
            yield Static(T.title.format(code=self.code), classes="dialog-title", markup=False)
            yield Static(T.hint.format(e=prose(self.app, self.BINDINGS, "supply.elicence")), markup=False)
            if self.deadline:
                yield Static(T.deadline.format(date=self.deadline), markup=False)
            yield DataTable(id="supply-list", cursor_type="row")
            yield Static("", id="dialog-error", classes="error", markup=False)
            yield Static(T.keys.format(e=prose(self.app, self.BINDINGS, "supply.elicence"),
                                       no=prose(self.app, self.BINDINGS, "supply.cancel")), classes="dialog-keys",
                         markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#supply-list", DataTable)
        add_fixed_columns(table, T.cols, (32, 20))
        for code, name, status in self.choices:
            label = T.status.get(status, status)
            style = "bold green" if status == "deferred_elicence" else "bold yellow" if status == "deferred" else "dim"
            table.add_row(clip(name, 32), Text(label, style=style), key=code)
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_record()

    def action_record(self, elicence: bool = False) -> None:
        """Record the material under the cursor as handed in on paper, or (``elicence``)
        as its e-licence fetched from the applicant's file (电子证照已调取)."""
        table = self.query_one("#supply-list", DataTable)
        if self.busy or not table.row_count:
            return
        material = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        self.record(supply_in_thread, material, elicence, name="supply")

