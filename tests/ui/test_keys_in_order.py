"""Keys typed ahead act in the order they were typed, whatever has the focus: a step key
(F8, F7, Esc) pressed in a text field is done before the keys typed after it, which go
to the next step, never into the field the clerk has left (issue 8)."""

from __future__ import annotations

from hall_app.services.demo import LIU_YANG
from tests.ui.helpers import KEYS_SIZE, current_case, login, press, settle, type_text, typed_ahead


async def test_f8_typed_in_the_id_field_goes_before_the_answers_typed_after_it(app):
    async with app.run_test(size=KEYS_SIZE) as pilot:
        await login(pilot)
        await press(pilot, "f2")
        await type_text(pilot, "生孩子")
        await press(pilot, "enter", "enter")
        typed_ahead(app, *LIU_YANG, "f8", "1", "1")
        await settle(pilot)
        state = current_case(app)
        assert state.applicant.get("id_number") == LIU_YANG  # not LIU_YANG + "11"
        assert app.screen.step == "questions"
        assert len(state.answers) == 2, state.answers


async def test_escape_typed_in_a_field_leaves_before_the_keys_after_it(app):
    async with app.run_test(size=KEYS_SIZE) as pilot:
        await login(pilot)
        await press(pilot, "f2")
        await type_text(pilot, "生孩子")
        await press(pilot, "enter", "enter")
        field = app.screen.query_one("#id_number")
        typed_ahead(app, *"5001", "escape", "x")
        await settle(pilot)
        assert type(app.screen).__name__ == "WorkbenchScreen"
        assert field.value == "5001"  # the "x" typed after Esc is not in the field left behind …
        assert app.screen.query_one("#search").value == "x"  # … but where the clerk now is
