"""A DataTable whose rows are rewritten in place, repainting only the cells that changed.

DataTable's own ``update_cell`` bumps the table's update count, which every render cache
(cells, rows, lines) is keyed on: one changed cell makes the whole visible table render
again, cell by cell. A live panel changes a few cells in many rows every poll (idle
minutes, waits), so ``set_rows`` drops only the changed cells' cached renders and the
lines of their rows, and repaints only those rows (when visible); the cells that did not
change are drawn from the cache. No layout either: the cells keep the table's fixed
column widths.

It reaches into DataTable's caches (textual 0.80 … 8.x); when they are not there, it falls
back to ``update_cell_at`` (correct, only slower). tests/ui/test_live_table.py checks that
what is drawn is the new value and the rows left alone are unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.style import Style
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widgets import DataTable


class LiveTable(DataTable):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._row_styles: dict[tuple[Any, ...], Style] = {}

    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        """The row's style (header, fixed, odd or even row), remembered: DataTable works it out
        from the CSS for every line it draws (a quarter of a live refresh's drawing), though it
        changes only with the table's pseudo-classes (focus, hover…) and the stylesheet
        (``notify_style_update`` forgets it)."""
        kind = "header" if row_index == -1 else "fixed" if row_index < self.fixed_rows else \
            ("odd" if row_index % 2 else "even") if self.zebra_stripes else "plain"
        key = (kind, base_style, self._pseudo_class_state)
        style = self._row_styles.get(key)
        if style is None:
            if len(self._row_styles) > 64:
                self._row_styles.clear()
            style = self._row_styles[key] = super()._get_row_style(row_index, base_style)
        return style

    def notify_style_update(self) -> None:
        self._row_styles.clear()
        super().notify_style_update()

    def set_rows(self, changes: dict[int, Sequence[Any]]) -> None:
        """Put new cells in the rows at these indexes (each a full row); repaint what changed."""
        if not changes:
            return
        try:
            columns = [self._column_locations.get_key(c) for c in range(len(self.columns))]
            keys = {r: self._row_locations.get_key(r) for r in changes}
            caches = (self._row_render_cache, self._cell_render_cache, self._row_renderable_cache, self._line_cache)
            heights = [row.height for row in self.ordered_rows]
        except (AttributeError, KeyError):
            for r, cells in changes.items():
                for c, value in enumerate(cells):
                    self.update_cell_at(Coordinate(r, c), value)
            return
        stale_cells: set[tuple[Any, Any]] = set()
        for r, cells in changes.items():
            data = self._data[keys[r]]
            for column, value in zip(columns, cells):
                if data.get(column) != value:
                    data[column] = value
                    stale_cells.add((keys[r], column))
        if not stale_cells:
            return
        stale_rows = {row for row, _column in stale_cells}
        stale_indexes = {r for r, key in keys.items() if key in stale_rows}
        top = self.header_height if self.show_header else 0
        starts, y = [], top
        for height in heights:
            starts.append(y)
            y += height
        lines = {y for r in stale_indexes for y in range(starts[r], starts[r] + heights[r])}
        rows, cells_cache, renderables, line_cache = caches
        for cache, stale in ((rows, lambda k: k[0] in stale_rows), (cells_cache, lambda k: (k[0], k[1]) in stale_cells),
                             (renderables, lambda k: k[1] in stale_indexes), (line_cache, lambda k: k[0] in lines)):
            for key in list(filter(stale, cache.keys())):  # an LRUCache: no iteration of its own
                cache.discard(key)
        # one repaint: the band from the first to the last changed line in view (content coordinates)
        window = self.window_region
        shown = [y for y in lines if window.y <= y < window.bottom]
        if shown:
            top, bottom = min(shown), max(shown) + 1
            self.refresh(Region(0, top - window.y, window.width, bottom - top))
