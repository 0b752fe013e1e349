"""Case lists: a DataTable that shows one page at a time (never a whole table)."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from screens.strings import Workbench as T


def add_fixed_columns(table: DataTable, labels: tuple[str, ...], widths: tuple[int, ...]) -> None:
    """Columns of fixed width (in cells: a CJK character is two): they never jump about
    as rows arrive, and nothing waits for the table to measure its content."""
    for label, width in zip(labels, widths):
        table.add_column(label, width=width)


class CaseTable(DataTable):
    """Rows keyed by case id. Page keys ask the screen for another page."""

    BINDINGS = [
        Binding("pageup", "page(-1)", T.prev_page, id="cases.prev_page"),
        Binding("pagedown", "page(1)", T.next_page, id="cases.next_page"),
        Binding("v", "view", T.view, id="cases.view"),
    ]

    class PageRequest(Message):
        def __init__(self, table: "CaseTable", delta: int) -> None:
            super().__init__()
            self.table = table
            self.delta = delta

    class ViewRequest(Message):
        def __init__(self, table: "CaseTable", case_id: str) -> None:
            super().__init__()
            self.table = table
            self.case_id = case_id

    def __init__(self, columns: tuple[str, ...], widths: tuple[int, ...], *, id: str | None = None,
                 paged: bool = False) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._columns = columns
        self._widths = widths
        self.paged = paged

    def on_mount(self) -> None:
        add_fixed_columns(self, self._columns, self._widths)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "page" and not self.paged:
            return False
        return True

    def action_page(self, delta: int) -> None:
        self.post_message(self.PageRequest(self, delta))

    def selected_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - empty or stale cursor
            return None
        return key.value

    def action_view(self) -> None:
        key = self.selected_key()
        if key:
            self.post_message(self.ViewRequest(self, key))
