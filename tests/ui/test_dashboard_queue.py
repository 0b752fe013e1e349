"""The live hall on the supervisor's dashboard (issue 11) in the pilot, on the demo hall
with its demo morning of queue traffic (hall_app/services/queue_demo_day.py) and the
fixed clock (Saturday 2026-11-21 09:30): the figures from the queue's events, the
alerts, F9 accepting the tidal switch, the poll re-armed only after a poll ends, and
"离线" with the last figures kept when the queue cannot be reached."""

from __future__ import annotations

import pytest

from screens.dashboard import DashboardScreen
from screens.dashboard_queue import QueuePanel
from tests.ui.helpers import login, press, screen_text, settle


@pytest.fixture
def queue_app(hall):
    from hall_app.services.queue_demo import seed_demo_queue
    from screens.app import HallApp

    seed_demo_queue(hall.queue, hall.now())
    return HallApp(hall, cursor_blink=False)


async def _open(pilot) -> DashboardScreen:
    await login(pilot, "chenjing")
    await press(pilot, "ctrl+f")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DashboardScreen)
    return screen


async def test_the_live_hall_shows_the_queue_and_accepts_a_tidal_switch(queue_app, hall):
    async with queue_app.run_test(size=(160, 60)) as pilot:
        screen = await _open(pilot)
        panel = screen.query_one(QueuePanel)
        assert panel.polls == 1 and panel.hall is not None
        text = screen_text(queue_app)
        assert "实时大厅（等候目标 15 分钟）  数据更新于 09:30:00" in text
        assert "排队叫号  数据更新于 09:30:00" in text and "需处理提醒" in text
        assert "不动产 最长已等 30 分钟（目标 15 分钟），等候 6 人" in text
        assert "5号综合窗口 已暂停 30 分钟" in text
        assert "建议 1号综合窗口 改为优先办理不动产" in text
        assert "空闲·有人等候" in text and "张丽" in text  # zhangli called at W03 this morning
        estate = next(x for x in panel.hall.lines if x.line == "estate")
        assert (estate.waiting, estate.called, estate.served) == (6, 6, 6) and estate.series[-1] == 6
        # the wait through the day beside the waiting count: one character a step, blank without a call
        from screens.dashboard_queue import SPARK_POINTS, wait_sparkline

        assert len(estate.wait_series) == len(estate.series) and any(v is not None for v in estate.wait_series)
        top = max(v for x in panel.hall.lines for v in x.wait_series[-SPARK_POINTS:] if v is not None)
        chart = wait_sparkline(estate.wait_series, top)
        assert "平均等候走势" in text and chart.strip() in text and "█" in "".join(
            wait_sparkline(x.wait_series, top) for x in panel.hall.lines)
        # the poll is re-armed only once a poll has ended, and stops while the screen is hidden
        assert panel._timer is not None and panel.poll_seconds == 5.0
        await press(pilot, "f9")
        await settle(pilot)
        assert "已切换：1号综合窗口 改为优先办理不动产" in screen_text(queue_app)
        assert hall.queue.window_view("W01").skills == {"estate": 1, "personal": 2, "complaint": 3}
        assert not [a for a in panel.hall.alerts if a.kind == "tidal"] and panel.polls == 2
        switches = [e for e in hall.queue.events() if e.type == "queue.window_switched"]
        assert [e.payload["window"] for e in switches] == ["W01"] and switches[0].actor == "chenjing"
        await press(pilot, "f9")  # nothing more to accept
        await settle(pilot)
        assert "当前没有潮汐切换建议" in screen_text(queue_app)
        await press(pilot, "escape")
        await settle(pilot)
        assert panel._timer is None and not panel._running


async def test_offline_keeps_the_last_figures(queue_app, monkeypatch):
    from hall_app.domain.queue import QueueOffline

    async with queue_app.run_test(size=(160, 60)) as pilot:
        screen = await _open(pilot)
        panel = screen.query_one(QueuePanel)
        before = panel.hall

        def away(*args, **kwargs):
            raise QueueOffline("无法连接排队服务器（ConnectError）")

        monkeypatch.setattr(type(panel.queue), "live", away)
        await panel.poll_once()
        await settle(pilot)
        text = screen_text(queue_app)
        assert "离线（保留 09:30:00 的数据）" in text and panel.offline and panel.hall is before
        assert "不动产 最长已等 30 分钟" in text  # the last figures stay on screen
        monkeypatch.undo()
        await panel.poll_once()
        await settle(pilot)
        assert "离线" not in screen_text(queue_app) and not panel.offline


async def test_every_window_shows_its_clerk_by_name(queue_app):
    """The live hall named W03's clerk (张丽) but showed the other windows' usernames
    (wangfang, liuwei …): the demo morning's clerks had no name. Now every clerk is named;
    a username shows only when no name is known."""
    import re

    async with queue_app.run_test(size=(160, 60)) as pilot:
        screen = await _open(pilot)
        table = screen.query_one("#queue-windows")
        clerks = {str(table.get_row_at(i)[0]): str(table.get_row_at(i)[4]) for i in range(table.row_count)}
        named = {w: c for w, c in clerks.items() if c != "—"}
        assert len(named) >= 5, clerks
        assert not [c for c in named.values() if re.search(r"[A-Za-z]", c)], clerks
        assert "张丽" in named.values() and "王芳" in named.values()
