"""CaseTable (screens/widgets/tables.py): when a reload moves the selected case to
another row (the agent's list is sorted by stage; a delivery moves the case on), the
cursor follows the case, so the next key (F10 回访 right after F9 送达) acts on it and
not on whichever case now sits where it was."""

from __future__ import annotations

from textual.app import App, ComposeResult

from screens.widgets.tables import CaseTable


class TableApp(App):
    def compose(self) -> ComposeResult:
        yield CaseTable(("跟踪码", "委托人", "阶段"), (16, 10, None), ((2, 1),), id="cases")


def rows(*pairs: tuple[str, str]) -> list[tuple[str, tuple[str, str, str]]]:
    return [(case_id, (case_id, "周桂英", stage)) for case_id, stage in pairs]


async def test_the_cursor_follows_its_case_when_the_rows_are_reordered():
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(CaseTable)
        table.show_rows(rows(("A", "受理"), ("B", "送达"), ("C", "办理")))
        await pilot.pause()
        table.move_cursor(row=1)
        assert table.selected_key() == "B"
        table.show_rows(rows(("B", "归档"), ("A", "受理"), ("C", "办理")))  # B delivered: sorted first
        await pilot.pause()
        assert table.selected_key() == "B" and table.cursor_row == 0
        table.show_rows(rows(("A", "受理"), ("C", "办理")))  # B gone (archived elsewhere): stays in place
        await pilot.pause()
        assert table.selected_key() in ("A", "C")
