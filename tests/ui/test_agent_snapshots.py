"""What an agent sees (issue 13): the agent's workbench and the authorisation form, as
SVG snapshots at 100x32 (fixed clock, demo data, cursor blink off).

Update after an intended change: pytest tests/ui/test_agent_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest

from hall_app.domain.authorisation import Draft
from hall_app.services.demo import HE_DEGUI, ZHOU_GUIYING
from screens.agent_home import AgentHomeScreen
from screens.app import HallApp
from tests.ui.helpers import login, press, settle, type_text

SIZE = (100, 32)


@pytest.fixture(autouse=True)
def _no_lock_timer(monkeypatch):
    monkeypatch.setattr(AgentHomeScreen, "lock_check_seconds", 0)


@pytest.fixture
def agent_app(hall):
    agent = hall.users.authenticate("wangqiang", "demo123")
    auth = hall.authorisations.record(agent, Draft(ZHOU_GUIYING, "帮代办员", ("newborn",), "2026-11-21",
                                                   "2027-02-20"))
    hall.agent_day.receive(agent, auth.auth_id)
    hall.authorisations.record(agent, Draft(HE_DEGUI, "村（社区）干部", ("newborn",), "2026-11-21", "2026-11-30",
                                            "attested", "东海村村民委员会"))
    hall.agent_day.start_for(agent, auth.auth_id, "newborn")
    return HallApp(hall, cursor_blink=False)


async def _home(pilot) -> None:
    await login(pilot, "wangqiang", "demo123")
    pilot.app.clear_notifications()
    await settle(pilot)


def test_agent_home(snap_compare, agent_app):
    assert snap_compare(agent_app, terminal_size=SIZE, run_before=_home)


def test_agent_home_small(snap_compare, agent_app):
    assert snap_compare(agent_app, terminal_size=(80, 24), run_before=_home)


def test_agent_authorise_form(snap_compare, agent_app):
    async def run_before(pilot) -> None:
        await _home(pilot)
        await press(pilot, "f6")
        await type_text(pilot, "50011619420611")

    assert snap_compare(agent_app, terminal_size=SIZE, run_before=run_before)
