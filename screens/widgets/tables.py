"""Case lists: a DataTable that shows one page at a time (never a whole table).

Rows are keyed by position and updated cell by cell: a new page, a refresh or a
search changes only the cells that differ (a repaint, no layout), and an unchanged
list costs nothing. Column widths follow the table's width (two columns stretch), so
a list stays readable from 80 to 200 columns.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

from screens.strings import Workbench as T
from screens.widgets.cjk import clip

CELL_PADDING = 2  # DataTable pads each cell by one on either side


def add_fixed_columns(table: DataTable, labels: tuple[str, ...], widths: tuple[int, ...]) -> None:
    """Columns of fixed width (in cells: a CJK character is two): they never jump about
    as rows arrive, and nothing waits for the table to measure its content."""
    for label, width in zip(labels, widths):
        table.add_column(label, width=width)


def fit_widths(total: int, fixed: Sequence[int | None], shares: Sequence[tuple[int, int]]) -> list[int]:
    """Column widths for a table ``total`` cells wide: ``fixed`` holds a width per column
    or None for a stretching one; ``shares`` holds (minimum, maximum) for each stretching
    column, in order. What is left is shared out in proportion to the maxima."""
    free = total - CELL_PADDING * len(fixed) - 2 - sum(w for w in fixed if w is not None)
    want = sum(hi for _, hi in shares) or 1
    stretch = [max(lo, min(hi, free * hi // want)) for lo, hi in shares]
    out, k = [], 0
    for w in fixed:
        if w is None:
            out.append(stretch[k])
            k += 1
        else:
            out.append(w)
    return out


class CaseTable(DataTable):
    """One page of cases. Page keys ask the screen for another page; ``x`` asks to void
    a draft (the screen decides whether it may)."""

    BINDINGS = [
        Binding("pageup", "page(-1)", T.prev_page, id="cases.prev_page"),
        Binding("pagedown", "page(1)", T.next_page, id="cases.next_page"),
        Binding("v", "view", T.view, id="cases.view"),
        Binding("x", "void", T.void, id="cases.void"),
    ]

    class PageRequest(Message):
        def __init__(self, table: "CaseTable", delta: int) -> None:
            super().__init__()
            self.table = table
            self.delta = delta

    class HeightChanged(Message):
        """A paged table got taller or shorter (a panel above it came or went): the
        screen sizes its page to the rows that fit, so no scrollbar appears."""

        def __init__(self, table: "CaseTable") -> None:
            super().__init__()
            self.table = table

    class ViewRequest(Message):
        def __init__(self, table: "CaseTable", case_id: str) -> None:
            super().__init__()
            self.table = table
            self.case_id = case_id

    class VoidRequest(Message):
        def __init__(self, table: "CaseTable", case_id: str) -> None:
            super().__init__()
            self.table = table
            self.case_id = case_id

    def __init__(self, columns: tuple[str, ...], fixed: Sequence[int | None], shares: Sequence[tuple[int, int]],
                 *, id: str | None = None, paged: bool = False, voidable: bool = False) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._labels = columns
        self._fixed = tuple(fixed)
        self._shares = tuple(shares)
        self.widths: list[int] = []
        self.paged = paged
        self._height = -1  # the height the page was last sized for (paged tables)
        self.voidable = voidable
        self.case_ids: list[str] = []  # the case on each row, by position
        self._cells: list[tuple[str, ...]] = []  # the raw (unclipped) values on each row

    def on_mount(self) -> None:
        self._set_columns(fit_widths(max(self.size.width, 80), self._fixed, self._shares))

    def on_resize(self) -> None:
        widths = fit_widths(max(self.size.width, 40), self._fixed, self._shares)
        if widths != self.widths:
            self._set_columns(widths)
        if self.paged and self.size.height != self._height:
            self._height = self.size.height
            self.post_message(self.HeightChanged(self))

    def _set_columns(self, widths: list[int]) -> None:
        cells, ids, row = self._cells, self.case_ids, self.cursor_row
        self.clear(columns=True)
        self.widths = widths
        for label, width in zip(self._labels, widths):
            self.add_column(clip(label, width), width=width)
        self._cells, self.case_ids = [], []
        self.show_rows(list(zip(ids, cells)))
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1), animate=False)

    def show_rows(self, rows: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Show ``rows`` (case id, cell values): only what differs is touched. The cursor
        stays on the case it was on when that case moved to another row (a list sorted
        by stage reloads after an action: the next key must act on the same case)."""
        if not self.widths:
            self._cells = [tuple(cells) for _, cells in rows]
            self.case_ids = [case_id for case_id, _ in rows]
            return
        selected = self.selected_key()
        self._show_rows(rows)
        if selected is not None and self.selected_key() != selected and selected in self.case_ids:
            self.move_cursor(row=self.case_ids.index(selected), animate=False)

    def _show_rows(self, rows: Sequence[tuple[str, Sequence[str]]]) -> None:
        for index, (case_id, cells) in enumerate(rows):
            cells = tuple(cells)
            clipped = [clip(value, width) for value, width in zip(cells, self.widths)]
            if index < len(self._cells):
                if self._cells[index] != cells:
                    for column, value in enumerate(clipped):
                        if self.get_cell_at(Coordinate(index, column)) != value:
                            self.update_cell_at(Coordinate(index, column), value)
                    self._cells[index] = cells
                self.case_ids[index] = case_id
            else:
                self.add_row(*clipped, key=f"row-{index}")
                self._cells.append(cells)
                self.case_ids.append(case_id)
        while len(self._cells) > len(rows):
            self.remove_row(f"row-{len(self._cells) - 1}")
            self._cells.pop()
            self.case_ids.pop()

    def case_at(self, row: int) -> str | None:
        return self.case_ids[row] if 0 <= row < len(self.case_ids) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "page" and not self.paged:
            return False
        if action == "void" and not self.voidable:  # noqa: SIM103 - one guard per action, like the one above
            return False
        return True

    def action_page(self, delta: int) -> None:
        self.post_message(self.PageRequest(self, delta))

    def selected_key(self) -> str | None:
        return self.case_at(self.cursor_row) if self.row_count else None

    def action_view(self) -> None:
        key = self.selected_key()
        if key:
            self.post_message(self.ViewRequest(self, key))

    def action_void(self) -> None:
        key = self.selected_key()
        if key:
            self.post_message(self.VoidRequest(self, key))
