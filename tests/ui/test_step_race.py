"""A step built ahead (hidden, while the clerk works on the one before) may still be
composing when the clerk moves to it: the move waits for its widgets instead of
focusing a field that does not exist yet (NoMatches('#id_number') in loaded runs)."""

from __future__ import annotations

import asyncio

from hall_app.services.demo import LIU_YANG
from tests.ui.helpers import login, press, settle, start_newborn, type_text

SIZE = (100, 32)


async def test_moving_to_a_step_still_being_built_ahead_waits_for_its_widgets(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await start_newborn(pilot)
        screen = app.screen
        assert screen.step == "flow"
        ahead = screen.panes.pop("applicant", None)
        if ahead is not None:  # the timer built it already: build it again, and be quick this time
            await ahead.remove()
        building = asyncio.ensure_future(screen._premount("applicant"))
        await asyncio.sleep(0)  # the pane is registered and mounting, its children not composed yet
        assert "applicant" in screen.panes and not screen.panes["applicant"].built.is_set()
        await screen.goto("applicant")
        await building
        await settle(pilot)
        assert screen.step == "applicant"
        assert app.screen.focused is screen.query_one("#id_number")
        await type_text(pilot, LIU_YANG)  # and it works as ever
        await press(pilot, "enter")
        assert screen.step == "questions"
