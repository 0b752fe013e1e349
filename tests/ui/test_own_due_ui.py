"""The clerk's own due and overdue cases on the workbench's 待跟进 list at 80x24 (issue
11, 限时办结): the count in the heading, 已超期 N 个工作日 with the item and department
late, Enter opens the case."""

from __future__ import annotations

from screens.case_view import CaseViewScreen
from tests.ui.helpers import login, press, screen_text

SIZE = (80, 24)


async def test_f9_shows_the_clerks_overdue_case_and_enter_opens_it(app, hall):
    late = hall.cases.by_tracking_code("1L8F2YQ19NHC")  # 张丽's, taken at W02: not on W03's list before
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await press(pilot, "f9")
        table = app.screen.query_one("#followups")
        assert app.screen.focused is table
        while table.case_at(table.cursor_row) != late.case_id:
            assert table.cursor_row < table.row_count - 1, "the overdue case is not on the list"
            await press(pilot, "down")
        text = screen_text(app)
        assert "本人办件到期 6 件" in text, text
        line = next(x for x in text.splitlines() if "1L8F-2YQ1-9NHC" in x)
        assert "已超期 17 个工作日：市卫生健康委（" in line, line  # the department to chase first
        assert table.cursor_row == 1  # most urgent first: after 4WY7… (late since 10-26)
        await press(pilot, "enter")
        assert isinstance(app.screen, CaseViewScreen) and app.screen.case_id == late.case_id
