"""Keys typed at a switch of screens land where the clerk meant them (issue 8): typed
while signing in, they reach the workbench's search box; typed after a case view opened
from a list, they reach the search box again, not the list (where "v" opens a case)."""

from __future__ import annotations

from hall_app.services.demo import LIU_YANG
from screens.case_view import CaseViewScreen
from tests.ui.helpers import KEYS_SIZE, login, press, settle, type_text, typed_ahead


async def test_keys_typed_while_signing_in_reach_the_workbench_search_box(app):
    async with app.run_test(size=KEYS_SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, "zhangli")
        await press(pilot, "enter")
        typed_ahead(app, *"demo123", "enter", *"王伟")  # the name typed before the workbench is up
        await settle(pilot)
        assert type(app.screen).__name__ == "WorkbenchScreen"
        search = app.screen.query_one("#search")
        assert search.value == "王伟" and app.focused is search


async def test_a_refused_sign_in_lets_the_keys_typed_after_it_through(app):
    async with app.run_test(size=KEYS_SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, "zhangli")
        await press(pilot, "enter")
        typed_ahead(app, *"wrong", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "LoginScreen"
        typed_ahead(app, *"demo123")
        await settle(pilot)
        assert app.screen.query_one("#password").value == "demo123"


async def test_after_a_case_view_from_the_follow_up_list_a_typed_id_goes_to_the_search_box(app):
    async with app.run_test(size=KEYS_SIZE) as pilot:
        await login(pilot)
        await press(pilot, "f9", "enter")
        assert isinstance(app.screen, CaseViewScreen)
        await press(pilot, "escape")
        await type_text(pilot, LIU_YANG)
        search = app.screen.query_one("#search")
        assert app.focused is search and search.value == LIU_YANG
