"""补正: a department sent an item back for material; the applicant brought it. The
clerk picks the item (when several wait), ticks what was handed in among the bundle's
materials for that item (Space), and Enter records it (services/dispatch.py
``supplement``): the item goes back to its department, its promised date moved by the
days it waited. What the service refuses is said here; the ticks stay."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from screens.after_strings import Supplement as T
from screens.dialogs import RecordingDialog
from screens.keymap import prose
from screens.widgets.choice import ChoiceInput
from screens.widgets.cjk import clip

Choice = tuple[str, str, str, list[tuple[str, str]]]  # item code, name, the department's note, materials


def supplement_in_thread(ctx, case_id: str, username: str, item: str, materials: list[str]):
    return ctx.dispatch.supplement(case_id, username, item, materials)


class SupplementDialog(RecordingDialog):
    CSS_PATH = "supplement_dialog.tcss"
    BINDINGS = [
        Binding("space", "tick", T.tick, id="supplement.tick"),
        Binding("enter", "record", T.record, id="supplement.record"),
        Binding("escape", "cancel", T.cancel, id="supplement.cancel"),
    ]

    def __init__(self, case_id: str, code: str, choices: list[Choice]) -> None:
        super().__init__(classes="dialog")
        self.case_id, self.code, self.choices = case_id, code, choices
        self.item = choices[0][0] if choices else ""
        self.ticked: dict[str, set[str]] = {c[0]: set() for c in choices}  # per item, kept across switches

    def compose(self) -> ComposeResult:
        with Vertical(id="supplement-box"):
            yield Static(T.title.format(code=self.code), classes="dialog-title", markup=False)
            if len(self.choices) > 1:
                yield Label(T.item)
                yield ChoiceInput([c[1] for c in self.choices], self.choices[0][1], id="supplement-item")
            yield Static("", id="supplement-note", markup=False)
            yield DataTable(id="supplement-list", cursor_type="row")
            yield Static("", id="dialog-error", classes="error", markup=False)
            yield Static(T.keys.format(no=prose(self.app, self.BINDINGS, "supplement.cancel")),
                         classes="dialog-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#supplement-list", DataTable).add_columns(*T.cols)
        self._fill()
        self.query_one("#supplement-list", DataTable).focus()

    def _choice(self) -> Choice:
        return next(c for c in self.choices if c[0] == self.item)

    def _fill(self) -> None:
        code, name, note, materials = self._choice()
        self.query_one("#supplement-note", Static).update(T.asked.format(item=name, note=note or "—"))
        table = self.query_one("#supplement-list", DataTable)
        row = table.cursor_row
        table.clear()
        for material, label in materials:
            table.add_row("☑" if material in self.ticked[code] else "☐", clip(label, 44), key=material)
        if table.row_count:
            table.move_cursor(row=min(max(row, 0), table.row_count - 1), animate=False)

    def on_choice_input_changed(self, event: ChoiceInput.Changed) -> None:
        event.stop()
        self.item = next(c[0] for c in self.choices if c[1] == event.value)
        self.query_one("#dialog-error", Static).update("")
        self._fill()

    def on_choice_input_submitted(self, event: ChoiceInput.Submitted) -> None:
        event.stop()
        self.query_one("#supplement-list", DataTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_record()

    def action_tick(self) -> None:
        table = self.query_one("#supplement-list", DataTable)
        if not table.row_count or self.focused is not table:
            return
        material = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        self.ticked[self.item] ^= {material}
        self._fill()

    def action_record(self) -> None:
        if self.busy:
            return
        order = [m for m, _ in self._choice()[3]]
        materials = [m for m in order if m in self.ticked[self.item]]
        item = self.item
        self.record(supplement_in_thread, item, materials, name="supplement", answer=lambda state: (item, state))

