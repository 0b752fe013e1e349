"""LiveTable (screens/widgets/live_table.py): rows rewritten in place show their new cells,
rows left alone keep their cached renders, and a row changed while scrolled out of view
shows its new cells once scrolled to."""

from __future__ import annotations

from textual.app import App, ComposeResult

from screens.widgets.live_table import LiveTable
from tests.ui.helpers import screen_text


class TableApp(App):
    CSS = "LiveTable { height: 8; }"

    def compose(self) -> ComposeResult:
        yield LiveTable(id="t", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(LiveTable)
        table.add_columns("窗口", "等候", "走势")
        for n in range(20):
            table.add_row(f"{n}号窗口", f"{n}分", "▁▂▃", key=f"W{n}")


def cell_keys(table: LiveTable) -> list:
    return list(table._cell_render_cache.keys())  # an LRUCache: no iteration of its own


def cached_rows(table: LiveTable) -> set:
    return {k[0].value for k in cell_keys(table)}


async def test_changed_rows_are_drawn_anew_and_the_others_from_the_cache():
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(LiveTable)
        await pilot.pause()
        assert "2分" in screen_text(app)
        before = cached_rows(table)
        assert {"W0", "W1", "W2", "W3"} <= before
        count = table._update_count
        table.set_rows({2: ["2号窗口", "17分", "▃▅█"], 3: ["3号窗口", "3分", "▁▂▃"]})  # row 3 is unchanged
        assert table._update_count == count  # the whole table is not invalidated
        stale = {(k[0].value, k[1]) for k in cell_keys(table)}
        waits, names = (table.ordered_columns[c].key for c in (1, 0))
        assert ("W2", waits) not in stale and ("W2", names) in stale  # only the changed cells are dropped
        assert cached_rows(table) == before and ("W3", waits) in stale
        await pilot.pause()
        text = screen_text(app)
        assert "17分" in text and "▃▅█" in text and "3分" in text and "2分 " not in text
        assert table.get_row_at(2) == ["2号窗口", "17分", "▃▅█"]


async def test_a_row_changed_out_of_view_shows_its_new_cells_when_scrolled_to():
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(LiveTable)
        await pilot.pause()
        table.move_cursor(row=18)  # drawn once (and cached), then scrolled away
        await pilot.pause()
        assert "18分" in screen_text(app)
        table.move_cursor(row=0)
        await pilot.pause()
        assert "18号窗口" not in screen_text(app)
        table.set_rows({18: ["18号窗口", "99分", "████"]})
        table.move_cursor(row=18)
        await pilot.pause()
        text = screen_text(app)
        assert "18号窗口" in text and "99分" in text and "18分" not in text


async def test_nothing_changed_repaints_nothing():
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(LiveTable)
        await pilot.pause()
        before = set(cell_keys(table))
        table.set_rows({1: ["1号窗口", "1分", "▁▂▃"]})
        assert set(cell_keys(table)) == before


async def test_remembered_row_styles_are_the_data_tables_own_through_focus_and_theme_changes():
    """LiveTable remembers each row's style (header, odd, even) instead of working it out from
    the CSS for every line drawn; it must give what DataTable itself gives, with and without
    the focus (the header's tint) and after the theme changes (dark / light even rows)."""
    from textual.widgets import DataTable

    class Zebra(App):  # even rows that change colour with the focus (a hall may style them so)
        CSS = "LiveTable { height: 8; } LiveTable:focus > .datatable--even-row { background: darkred; }"

        def compose(self) -> ComposeResult:
            yield LiveTable(id="t", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="other")

        def on_mount(self) -> None:
            table = self.query_one(LiveTable)
            table.add_columns("窗口", "等候")
            for n in range(6):
                table.add_row(f"{n}号窗口", f"{n}分", key=f"W{n}")

    from rich.style import Style

    base = Style()  # one base style throughout: the remembered styles must not stay stale

    def check(table: LiveTable) -> None:
        table._pseudo_class_state = table.get_pseudo_class_state()  # as render_lines sets it
        for row in (-1, 0, 1, 2, 3):
            assert table._get_row_style(row, base) == DataTable._get_row_style(table, row, base), row

    app = Zebra()
    async with app.run_test(size=(60, 14)) as pilot:
        table = app.query_one(LiveTable)
        app.query_one("#other").focus()
        await pilot.pause()
        check(table)
        unfocused = table._get_row_style(0, base)
        table.focus()
        await pilot.pause()
        check(table)
        assert table._get_row_style(0, base) != unfocused
        before = table._get_row_style(0, base)
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        check(table)
        assert table._get_row_style(0, base) != before  # the even rows' colour follows the theme
        assert "3号窗口" in screen_text(app)
