"""The agent's workbench, continued (issue 13): the authorisation form is written to the
device database as it is typed (back after a restart, dropped when recorded or
discarded), and F9/F10 act only on the case the agent chose in the cases table."""

from __future__ import annotations

import pytest

from hall_app.services.demo import ZHOU_GUIYING
from screens.agent_home import AgentHomeScreen
from tests.ui.helpers import login, press, screen_text, settle, type_text

SIZE = (120, 36)

TYPED = {  # as an agent types them at the door: full-width digits, Chinese punctuation
    "principal_id": "５００１１６１９４２",
    "principal_name": "周桂英（女）",
    "address": "白沙镇高屋村３组，１２号",
    "valid_until": "２０２７年３月１日",
    "attested_by": "高屋村村民委员会。",
}


@pytest.fixture(autouse=True)
def _no_lock_timer(monkeypatch):
    monkeypatch.setattr(AgentHomeScreen, "lock_check_seconds", 0)


async def _type_into(pilot, key: str, text: str) -> None:
    field = pilot.app.screen.query_one(f"#{key}")
    field.focus()
    field.action_end()
    while field.value:
        await press(pilot, "backspace")
    await type_text(pilot, text)


async def test_the_authorisation_form_survives_a_restart_as_typed(hall):
    from screens.app import HallApp

    first = HallApp(hall, cursor_blink=False)
    async with first.run_test(size=SIZE) as pilot:
        await login(pilot, "wangqiang", "demo123")
        await press(pilot, "f6")
        for key, text in TYPED.items():
            await _type_into(pilot, key, text)
        pilot.app.screen.query_one("#relation").focus()
        await press(pilot, "2")
        pilot.app.screen.query_one("#method").focus()
        await press(pilot, "3")
        pilot.app.screen.query_one("#bundles").focus()
        await press(pilot, "space")
        await settle(pilot)
        typed = first.screen.values()
        assert type(first.screen).__name__ == "AuthoriseDialog"
    # the app ends with the form open and nothing recorded: as good as a kill, every change is written

    second = HallApp(hall, cursor_blink=False)
    async with second.run_test(size=SIZE) as pilot:
        await login(pilot, "wangqiang", "demo123")
        await press(pilot, "f6")
        dialog = second.screen
        assert type(dialog).__name__ == "AuthoriseDialog"
        assert dialog.values() == typed
        for key, text in TYPED.items():
            assert dialog.query_one(f"#{key}").value == text
        assert typed["method"] == "村（居）委会代为证明" and len(typed["bundles"]) == 1

        await press(pilot, "escape")  # closing keeps it too
        await press(pilot, "f6")
        await press(pilot, "f8")
        assert "清空本表已填写的全部内容" in screen_text(second)
        await press(pilot, "n")  # not discarded
        assert second.screen.query_one("#principal_id").value == TYPED["principal_id"]
        await press(pilot, "f8", "y")
        await settle(pilot)
        assert isinstance(second.screen, AgentHomeScreen)
        assert hall.authorisations.draft_of(second.user) == {}
        await press(pilot, "f6")
        assert second.screen.query_one("#principal_id").value == ""


async def test_a_recorded_authorisation_drops_its_draft(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "wangqiang", "demo123")
        await press(pilot, "f6", "escape")  # opened and closed untouched: no draft (its dates would go stale)
        await settle(pilot)
        assert hall.authorisations.draft_of(app.user) == {}
        await press(pilot, "f6")
        await type_text(pilot, ZHOU_GUIYING)
        app.screen.query_one("#bundles").focus()
        await press(pilot, "space")
        await settle(pilot)
        assert hall.authorisations.draft_of(app.user)["principal_id"] == ZHOU_GUIYING
        await press(pilot, "f10")
        await settle(pilot)
        assert isinstance(app.screen, AgentHomeScreen) and "已录入 周桂英 的授权委托书" in screen_text(app)
        assert hall.authorisations.draft_of(app.user) == {}
        await press(pilot, "f6")
        assert app.screen.query_one("#principal_id").value == ""


async def test_delivery_and_follow_up_act_only_on_the_cases_table(app, hall):
    """F9/F10 with the focus in "my principals" say where to go and open nothing, even
    with a case under the (unfocused) cursor of "my cases"; there they act on that case."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "sync"))
    from agent_harness import authorise, file_case

    auth = authorise(hall, ZHOU_GUIYING, bundles=("newborn",))
    state = file_case(hall, auth, "newborn")
    hall.cases.dispatch(state.case_id, "wangqiang")
    for item in hall.cases.get(state.case_id).items:
        hall.cases.record_item_result(state.case_id, "dept-system", item, "completed")
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "wangqiang", "demo123")
        cases = app.screen.query_one("#agent-cases")
        cases.move_cursor(row=cases.case_ids.index(state.case_id))
        app.screen.query_one("#principals").focus()
        await settle(pilot)
        for key in ("f9", "f10"):
            await press(pilot, key)
            assert isinstance(app.screen, AgentHomeScreen), key  # no dialog for a case not chosen here
            assert "请按 Tab 转到“我的办件”" in screen_text(app)
        assert not hall.cases.get(state.case_id).handed_over
        cases.focus()
        await press(pilot, "f9")
        assert "上门送达" in screen_text(app) and type(app.screen).__name__ == "ReasonDialog"


async def test_a_character_that_cannot_be_kept_is_said_and_the_text_stays(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "wangqiang", "demo123")
        await press(pilot, "f6")
        await type_text(pilot, "５００１")
        field = app.screen.query_one("#address")
        field.value = "高屋\x00村"  # pasted from somewhere odd
        await settle(pilot)
        assert "输入含有" in screen_text(app) and field.value == "高屋\x00村"
        assert hall.authorisations.draft_of(app.user)["principal_id"] == "５００１"


async def test_a_draft_left_overnight_gets_todays_default_dates(hall):
    """An authorisation draft kept yesterday: the dates the form filled in are today's when
    it opens again the next day; a date the agent typed stays as typed."""
    import datetime as dt

    from screens.app import HallApp
    from tests.ui.helpers import FIXED_NOW

    first = HallApp(hall, cursor_blink=False)
    async with first.run_test(size=SIZE) as pilot:
        await login(pilot, "wangqiang", "demo123")
        await press(pilot, "f6")
        await _type_into(pilot, "principal_id", TYPED["principal_id"])
        await _type_into(pilot, "attested_by", TYPED["attested_by"])
        await settle(pilot)
        assert first.screen.query_one("#valid_from").value == "2026-11-21"
        await press(pilot, "escape")
        await settle(pilot)
    tomorrow = FIXED_NOW + dt.timedelta(days=1)
    hall.clock = lambda: tomorrow
    second = HallApp(hall, cursor_blink=False)
    async with second.run_test(size=SIZE) as pilot:
        await login(pilot, "wangqiang", "demo123")
        await press(pilot, "f6")
        dialog = second.screen
        assert dialog.query_one("#principal_id").value == TYPED["principal_id"]  # what was typed: kept
        assert dialog.query_one("#valid_from").value == "2026-11-22"  # the defaults: today's
        assert dialog.query_one("#valid_until").value == "2027-02-20"
        await _type_into(pilot, "valid_until", TYPED["valid_until"])
        await settle(pilot)
        await press(pilot, "escape")
        await settle(pilot)
    hall.clock = lambda: tomorrow + dt.timedelta(days=1)
    third = HallApp(hall, cursor_blink=False)
    async with third.run_test(size=SIZE) as pilot:
        await login(pilot, "wangqiang", "demo123")
        await press(pilot, "f6")
        dialog = third.screen
        assert dialog.query_one("#valid_from").value == "2026-11-23"
        assert dialog.query_one("#valid_until").value == TYPED["valid_until"]  # typed: never replaced
        assert dialog.query_one("#attested_by").value == TYPED["attested_by"]
