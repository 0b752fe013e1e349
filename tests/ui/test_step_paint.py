"""A key that changes what a step shows but not its size repaints in place: no layout of
the screen (issue 8: a layout of the intake screen is most of what a key costs)."""

from __future__ import annotations

from textual.screen import Screen

from hall_app.services.demo import LIU_YANG
from tests.ui.helpers import NEWBORN_ALL_YES, answer, applicant, fill_newborn_form, login, press, start_newborn

SIZE = (100, 32)


async def test_a_material_tick_and_a_decision_move_lay_nothing_out(app, hall, fake_printer, monkeypatch):
    layouts: list[str] = []
    real = Screen._refresh_layout

    def counting(self, *args, **kwargs):
        layouts.append(type(self).__name__)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counting)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await start_newborn(pilot)
        await press(pilot, "enter")
        await applicant(pilot, LIU_YANG)
        await answer(pilot, NEWBORN_ALL_YES)
        assert app.screen.step == "materials"
        table = app.screen.pane.query_one("#materials")
        while "电子证照" in str(table.get_row_at(table.cursor_row)[3]):  # on file: nothing to tick
            await press(pilot, "down")
        before = str(table.get_row_at(table.cursor_row)[3])
        layouts.clear()
        await press(pilot, "space")  # the material under the cursor: its next status
        assert str(table.get_row_at(table.cursor_row)[3]) != before  # the tick is shown …
        assert layouts == []  # … without laying the screen out
        await press(pilot, "a", "enter")
        await fill_newborn_form(pilot)
        await press(pilot, "enter")
        assert app.screen.step == "decision"
        options = [str(w.render()) for w in app.screen.pane.query(".decision-option")]
        layouts.clear()
        await press(pilot, "down")
        assert [str(w.render()) for w in app.screen.pane.query(".decision-option")] != options
        assert layouts == []
