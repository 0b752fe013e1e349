"""The next step is built, hidden, a moment after this one is ready (the premount). A
clerk may leave the intake, or close the app, while it is still being built: nothing
may fail then, and nothing the premount does may land on a key's frame."""

from __future__ import annotations

import pytest

from hall_app.services.demo import LIU_YANG
from tests.ui.helpers import applicant, login, press, settle, start_newborn

SIZE = (100, 32)


@pytest.fixture(autouse=True)
def no_timed_premount(monkeypatch):
    """The tests start the premount themselves, at the moment they choose."""
    from screens.intake.screen import IntakeScreen

    def not_now(self) -> None:
        self.premount_due = False

    monkeypatch.setattr(IntakeScreen, "_premount_next", not_now)


async def _at_questions(pilot) -> None:
    await login(pilot)
    await start_newborn(pilot)
    await press(pilot, "enter")
    await applicant(pilot, LIU_YANG)
    assert pilot.app.screen.step == "questions"


async def test_leaving_while_the_next_step_is_built_fails_nothing(app):
    async with app.run_test(size=SIZE) as pilot:
        await _at_questions(pilot)
        intake = app.screen
        assert "materials" not in intake.panes
        intake.run_worker(intake._premount("materials"), group="premount")
        app.pop_screen()  # Esc at once: its children go while it is still composing
        await settle(pilot)
        assert type(app.screen).__name__ == "WorkbenchScreen"


async def test_closing_the_app_while_the_next_step_is_built_fails_nothing(app):
    async with app.run_test(size=SIZE) as pilot:
        await _at_questions(pilot)
        intake = app.screen
        assert "materials" not in intake.panes
        intake.run_worker(intake._premount("materials"), group="premount")
    # leaving the block closes the app: an exception in a handler would be raised here
