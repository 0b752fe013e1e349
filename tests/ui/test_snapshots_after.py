"""Snapshots after the counter (issue 12): the 送达 dialog refusing a collector who is
neither the applicant nor a proxy (what was typed stays), and the 补交 dialog, at
100x32, on the demo hall with a fixed clock.

Update after an intended change: pytest tests/ui/test_snapshots_after.py --snapshot-update
"""

from __future__ import annotations

from hall_app.services.demo import LI_NA
from screens.app import HallApp
from tests.ui.helpers import login, press, settle, type_text
from tests.ui.test_after_counter_ui import case_at

SIZE = (100, 32)


def _opened(case_id: str, *keys: str, typed: str = ""):
    async def run_before(pilot) -> None:
        await login(pilot)
        pilot.app.clear_notifications()  # the welcome toast (top right) would race the snapshot
        pilot.app.open_case(case_id)
        await settle(pilot)
        for key in keys:
            await press(pilot, key)
        if typed:
            await type_text(pilot, typed)
            await press(pilot, "enter")
        pilot.app.clear_notifications()
        await settle(pilot)

    return run_before


def test_hand_over_wrong_collector(snap_compare, hall):
    case_id = case_at(hall, "completed").case_id
    app = HallApp(hall, cursor_blink=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=_opened(case_id, "h", typed=LI_NA))


def test_supply_dialog(snap_compare, hall):
    case_id = case_at(hall, "accepted_deferred").case_id
    app = HallApp(hall, cursor_blink=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=_opened(case_id, "s"))
