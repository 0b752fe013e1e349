"""A digit plus a habitual Tab (issue 13): a choice of the intake's form moves the focus
on by itself, so the Tab typed right after it must not move it once more (a date ended
in the wrong field). A second Tab, or a Tab after any other key, still moves."""

from __future__ import annotations

from hall_app.services.demo import LIU_YANG
from tests.ui.helpers import NEWBORN_ALL_YES, answer, current_case, login, press, start_newborn, type_text

SIZE = (100, 32)


async def _to_the_sex_field(pilot):
    await login(pilot)
    await start_newborn(pilot)
    await press(pilot, "enter")
    await type_text(pilot, LIU_YANG)
    await press(pilot, "enter")
    await answer(pilot, NEWBORN_ALL_YES)
    await press(pilot, "a", "enter")
    await type_text(pilot, "刘思远")
    await press(pilot, "enter")
    assert type(pilot.app.screen.focused).__name__ == "ChoiceInput"
    return pilot.app.screen.focused.id


async def test_a_tab_right_after_a_digit_choice_does_not_skip_a_field(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        choice = await _to_the_sex_field(pilot)
        await press(pilot, "1")  # picks and moves on to the birth date
        after = app.screen.focused.id
        assert after != choice
        await press(pilot, "tab")  # habit: taken as part of that move
        assert app.screen.focused.id == after
        await type_text(pilot, "20261115")
        await press(pilot, "enter")
        assert current_case(app).fields.get(after.removeprefix("f-")) == "2026-11-15"
        app.screen.query_one(f"#{choice}").focus()
        await press(pilot, "2", "tab", "tab")  # a second Tab is the clerk's own: it moves
        assert app.screen.focused.id not in (choice, after)
        app.screen.query_one(f"#{choice}").focus()
        await press(pilot, "1")
        landed = app.screen.focused.id
        await type_text(pilot, "2")  # a Tab after any other key is the clerk's own too
        await press(pilot, "tab")
        assert app.screen.focused.id not in (choice, landed)
