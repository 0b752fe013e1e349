"""The supervisor's dashboard (监督看板) in the pilot: opened with Ctrl+F by a supervisor only,
figures from the events on screen, its own refresh timer stopped when hidden, Enter on
a deadline opens the case. Refreshes are driven by calling refresh_now (no sleeping)."""

from __future__ import annotations

from screens.dashboard import DashboardScreen
from tests.ui.helpers import login, press, screen_text, settle


async def test_supervisor_opens_the_dashboard_and_sees_the_day(app, hall):
    async with app.run_test(size=(120, 40)) as pilot:
        await login(pilot, "chenjing")
        await press(pilot, "ctrl+f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen) and screen.refreshes == 1
        text = screen_text(app)
        assert "监督看板 · 2026-11-21（周六）" in text
        assert "数据更新于 09:30:00" in text
        assert "今日办件" in text and "本大厅未启用排队叫号" in text  # the demo template has no queue file
        assert "即将到期" in text and "已逾期" in text  # due Monday; one dispatched in October
        assert "待整改差评 3 件" in text and "其中逾期 2 件" in text  # the demo's earlier weeks
        assert screen.timer_running

        # a rating given now shows at the next refresh
        from tests.test_ratings_service import handed_over_case

        case_id = handed_over_case(hall)
        hall.ratings.rate(case_id, "zhangli", 1, ["态度恶劣"])
        screen.refresh_now()
        await settle(pilot)
        assert screen.refreshes == 2 and "刷新失败" not in screen_text(app)
        text = screen_text(app)
        assert "待整改差评 4 件" in text and "非常不满意 1" in text and "待核实" in text

        # Enter on a follow-up opens its case; the dashboard's timer stops while hidden
        table = screen.query_one("#follow-ups")
        table.focus()
        await press(pilot, "enter")
        await settle(pilot)
        from screens.case_view import CaseViewScreen

        assert isinstance(app.screen, CaseViewScreen) and not screen.timer_running
        assert app.screen.case_id == screen.data.day.follow_ups[0].case_id
        await press(pilot, "escape")
        await settle(pilot)
        assert app.screen is screen and screen.timer_running


async def test_a_clerk_has_no_dashboard(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await login(pilot, "zhangli")
        await press(pilot, "ctrl+f")
        await settle(pilot)
        assert not isinstance(app.screen, DashboardScreen)
        assert "监督看板" not in screen_text(app)


async def test_a_failed_refresh_keeps_the_last_figures(app, monkeypatch):
    """The refresh period comes from the settings; a refresh that fails says so and leaves
    the figures of the last one on screen."""
    import hall_app.services.dashboard as service

    async with app.run_test(size=(120, 40)) as pilot:
        await login(pilot, "chenjing")
        await press(pilot, "ctrl+f")
        await settle(pilot)
        screen = app.screen
        assert screen.period == 30.0 and screen.timer_running  # [deadlines] dashboard_refresh
        before = screen.query_one("#today-box").render()

        def broken(self, today=None, period=None):
            raise OSError("磁盘读取失败")

        monkeypatch.setattr(service.DashboardService, "snapshot", broken)
        screen.refresh_now()
        await settle(pilot)
        text = screen_text(app)
        assert "刷新失败（保留上次数据）" in text and "磁盘读取失败" in text
        assert screen.query_one("#today-box").render() == before and "合计 11 件" in text
        assert screen.refreshes == 1
        monkeypatch.undo()
        screen.refresh_now()  # and the next one works again
        await settle(pilot)
        assert screen.refreshes == 2 and "刷新失败" not in screen_text(app)
