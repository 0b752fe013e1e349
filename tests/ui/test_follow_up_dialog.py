"""Issue 11: the supervisor records a bad rating's follow-up steps on the dashboard's
差评整改 list (F6, screens/follow_up_dialog.py) — a visit rated 不满意 on the rate pad (the
demo morning's) and a case's, with the same keys: only the steps allowed next are
offered, the note is kept as typed (Chinese punctuation), a refusal is said in the
dialog with the note kept and nothing recorded."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from screens.dashboard import DashboardScreen
from screens.follow_up_dialog import FollowUpDialog
from tests.ui.helpers import login, press, screen_text, settle, type_text


@pytest.fixture
def queue_app(hall):
    from hall_app.services.queue_demo import seed_demo_queue
    from screens.app import HallApp

    seed_demo_queue(hall.queue, hall.now())
    return HallApp(hall, cursor_blink=False)


async def _on_follow_ups(pilot, visit: bool) -> DashboardScreen:
    await login(pilot, "chenjing")
    await press(pilot, "ctrl+f")
    screen = pilot.app.screen
    assert isinstance(screen, DashboardScreen)
    table = screen.query_one("#follow-ups", DataTable)
    table.focus()
    await settle(pilot)
    row = next(n for n, f in enumerate(screen.follow_lines) if bool(f.visit_label) == visit
               and f.follow_up.state == "opened")
    for _ in range(row):
        await press(pilot, "down")
    assert table.cursor_row == row
    return screen


async def test_a_visit_follow_up_stepped_from_the_dashboard(queue_app, hall):
    async with queue_app.run_test(size=(120, 40)) as pilot:
        screen = await _on_follow_ups(pilot, visit=True)
        [visit] = hall.ratings.visit_follow_ups()
        await press(pilot, "f6")
        dialog = pilot.app.screen
        assert isinstance(dialog, FollowUpDialog)
        text = screen_text(queue_app)
        assert f"差评整改回访：服务 {visit.label}" in text and "当前“待核实”" in text and "2026-12-11" in text
        assert [r.value for r in dialog.query_one("#follow-up-steps", DataTable).rows] == ["verified"]
        # one way on: chosen already, the note has the focus, so no "press a digit" (it would be text)
        assert "只有这一步" in text and "直接填写说明" in text and "数字键选择" not in text
        await press(pilot, "enter")  # no note: refused in place, nothing recorded
        assert isinstance(pilot.app.screen, FollowUpDialog)
        assert "请填写本步骤的情况说明" in screen_text(queue_app)
        assert hall.ratings.visit_follow_ups()[0].follow_up.state == "opened"
        await type_text(pilot, "调取录像，属实：等候 1 小时 20 分。")
        await press(pilot, "enter")
        assert pilot.app.screen is screen
        [after] = hall.ratings.visit_follow_ups()
        last = after.follow_up.steps[-1]
        assert (last.step, last.actor, last.note) == ("verified", "chenjing", "调取录像，属实：等候 1 小时 20 分。")
        assert f"已登记“核实”：服务 {visit.label}（已核实）" in screen_text(queue_app)
        # again: the three ways on, a number picks one, and Escape leaves it as it is
        row = next(n for n, f in enumerate(screen.follow_lines) if f.visit_label == visit.label)
        screen.query_one("#follow-ups", DataTable).move_cursor(row=row)
        await press(pilot, "f6")
        steps = pilot.app.screen.query_one("#follow-up-steps", DataTable)
        assert [r.value for r in steps.rows] == ["rectified", "explained", "appealed"]
        assert "数字键选择步骤" in screen_text(queue_app)
        await press(pilot, "3")
        await type_text(pilot, "群众认可，撤回")
        await press(pilot, "escape")
        assert pilot.app.screen is screen and hall.ratings.visit_follow_ups()[0].follow_up.state == "verified"
        await press(pilot, "f6", "2")
        await type_text(pilot, "已向群众解释排队规则。")
        await press(pilot, "enter")
        assert hall.ratings.visit_follow_ups()[0].follow_up.state == "explained"


async def test_a_case_follow_up_with_the_same_keys(queue_app, hall):
    async with queue_app.run_test(size=(120, 40)) as pilot:
        screen = await _on_follow_ups(pilot, visit=False)
        line = screen.follow_lines[screen.query_one("#follow-ups", DataTable).cursor_row]
        await press(pilot, "f6")
        assert isinstance(pilot.app.screen, FollowUpDialog)
        await type_text(pilot, "核实属实。")
        await press(pilot, "enter")
        assert pilot.app.screen is screen
        steps = hall.cases.get(line.case_id).rating["follow_up"]["steps"]
        assert (steps[-1]["step"], steps[-1]["actor"], steps[-1]["note"]) == ("verified", "chenjing", "核实属实。")


async def test_f6_elsewhere_goes_to_the_follow_up_list(queue_app):
    """From anywhere on the dashboard, F6 moves to the 差评整改 list and says how to go on;
    F6 again on the row chosen opens the dialog."""
    async with queue_app.run_test(size=(120, 40)) as pilot:
        await login(pilot, "chenjing")
        await press(pilot, "ctrl+f", "f6")
        screen = pilot.app.screen
        assert isinstance(screen, DashboardScreen) and screen.focused is screen.query_one("#follow-ups", DataTable)
        assert "已转到“差评整改”：用 ↑↓ 选择一行，再按 F6 登记整改回访" in screen_text(queue_app)
        await press(pilot, "f6")
        assert isinstance(pilot.app.screen, FollowUpDialog)
