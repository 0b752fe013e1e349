"""Agent workbench (issue 13 leftovers): F2, F7 and F8 act on what the focused table
points at. With the focus in "my cases" they acted on the principal under the
principals' cursor (another person); now on the selected case's principal."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hall_app.services.demo import HE_DEGUI, ZHOU_GUIYING
from screens.agent_home import AgentHomeScreen
from tests.ui.helpers import login, press, screen_text, settle

sys.path.insert(0, str(Path(__file__).parents[1] / "sync"))
from agent_harness import AGENT, authorise

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def _no_lock_timer(monkeypatch):
    monkeypatch.setattr(AgentHomeScreen, "lock_check_seconds", 0)


async def _cursor_on_zhou_focus_on_hes_case(pilot, hall, zhou, case_id) -> None:
    screen = pilot.app.screen
    principals = screen.query_one("#principals")
    principals.move_cursor(row=principals.case_ids.index(zhou.auth_id))
    cases = screen.query_one("#agent-cases")
    cases.focus()
    cases.move_cursor(row=cases.case_ids.index(case_id))
    await settle(pilot)


async def test_f2_f7_f8_act_on_the_selected_cases_principal(app, hall):
    zhou = authorise(hall, ZHOU_GUIYING, bundles=("newborn",))
    he = authorise(hall, HE_DEGUI, bundles=("newborn",), received=False)
    case = hall.agent_day.start_for(AGENT, he.auth_id, "newborn")  # a draft, his signed paper still out
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "wangqiang", "demo123")
        assert isinstance(app.screen, AgentHomeScreen)
        await _cursor_on_zhou_focus_on_hes_case(pilot, hall, zhou, case.case_id)

        await press(pilot, "f7")  # the signed paper back: 何德贵's, not 周桂英's
        text = screen_text(app)
        assert "收回 何德贵 签署的授权委托书" in text and "周桂英 签署" not in text
        await press(pilot, "escape")
        await settle(pilot)

        await press(pilot, "f2")  # 何德贵's need is filed already: refused as a duplicate, by his name
        await settle(pilot)
        assert isinstance(app.screen, AgentHomeScreen), screen_text(app)
        assert "何德贵" in screen_text(app) and "请勿重复代办" in screen_text(app)

        await _cursor_on_zhou_focus_on_hes_case(pilot, hall, zhou, case.case_id)
        printed = []
        original = hall.authorisations.print_blank
        hall.authorisations.print_blank = lambda auth_id: printed.append(auth_id) or original(auth_id)
        await press(pilot, "f8")
        await settle(pilot)
        assert printed == [he.auth_id], printed
        assert "授权委托书已生成" in screen_text(app)

        principals = app.screen.query_one("#principals")  # from the principals' table: its cursor, as before
        principals.focus()
        await settle(pilot)
        await press(pilot, "f7")
        assert "收回 周桂英 签署的授权委托书" in screen_text(app)
