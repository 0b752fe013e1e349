"""Snapshots of the supervisor's screens (issue 11): the dashboard at 160x48, 100x32
and 80x24, on the demo hall with a fixed clock.

Update after an intended change: pytest tests/ui/test_snapshots_supervise.py --snapshot-update
"""

from __future__ import annotations

import pytest

from screens.app import HallApp
from tests.ui.helpers import login, press, settle


@pytest.fixture
def counter_app(hall):
    from tests.test_ratings_service import handed_over_case

    hall.ratings.rate(handed_over_case(hall), "zhangli", 1, ["态度恶劣"], comment="窗口人员态度差")
    return HallApp(hall, cursor_blink=False)


async def _dashboard(pilot) -> None:
    await login(pilot, "chenjing")
    await press(pilot, "ctrl+f")
    await settle(pilot)
    pilot.app.clear_notifications()
    await settle(pilot)


@pytest.mark.parametrize("size", [(160, 48), (100, 32), (80, 24)], ids=["160x48", "100x32", "80x24"])
def test_dashboard(snap_compare, counter_app, size):
    assert snap_compare(counter_app, terminal_size=size, run_before=_dashboard)


@pytest.fixture
def pad_app(hall):
    return HallApp(hall, cursor_blink=False)


@pytest.mark.parametrize("size", [(100, 32), (80, 24)], ids=["100x32", "80x24"])
def test_rate_pad_bad_level_with_a_reason(snap_compare, hall, pad_app, size):
    from tests.test_ratings_service import handed_over_case

    case_id = handed_over_case(hall)

    async def run_before(pilot) -> None:
        await login(pilot)
        await settle(pilot)
        pilot.app.clear_notifications()  # the welcome toast (top right) would race the snapshot
        pilot.app.open_case(case_id)
        await settle(pilot)
        for key in ("v", "1", "b"):
            await press(pilot, key)
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(pad_app, terminal_size=size, run_before=run_before)


@pytest.fixture
def queue_app(hall):
    """The demo hall with its demo morning of queue traffic (fixed clock: 09:30)."""
    from hall_app.services.queue_demo import seed_demo_queue

    seed_demo_queue(hall.queue, hall.now())
    return HallApp(hall, cursor_blink=False)


async def _live_hall(pilot) -> None:
    await _dashboard(pilot)
    await pilot.pause(0.1)  # the tables sized to their rows (an idle callback) before the scrollbar is drawn
    await settle(pilot)


@pytest.mark.parametrize("size", [(160, 48), (100, 32)], ids=["160x48", "100x32"])
def test_dashboard_with_the_live_hall(snap_compare, queue_app, size):
    assert snap_compare(queue_app, terminal_size=size, run_before=_live_hall)


async def _follow_up_dialog(pilot) -> None:
    """The dashboard's 差评整改 list on the demo morning's bad visit rating, F6, a step and a note."""
    from textual.widgets import DataTable

    await _live_hall(pilot)
    screen = pilot.app.screen
    table = screen.query_one("#follow-ups", DataTable)
    table.focus()
    table.move_cursor(row=next(n for n, f in enumerate(screen.follow_lines) if f.visit_label))
    await settle(pilot)
    await press(pilot, "f6")
    for ch in "调取录像，属实。":
        await press(pilot, ch)
    pilot.app.clear_notifications()
    await settle(pilot)


@pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["160x48", "80x24"])
def test_follow_up_step_dialog(snap_compare, queue_app, size):
    assert snap_compare(queue_app, terminal_size=size, run_before=_follow_up_dialog)
