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


async def test_a_scroll_queued_for_after_the_refresh_finds_the_questions_gone(app):
    # seen in CI (test_a_draft_taken_over_meanwhile_sends_the_first_clerk_back): the questions
    # step queues a scroll to its cursor for after the next refresh; the case was taken over,
    # the intake left, and the scroll ran on a step whose list was gone: NoMatches, app dead
    async with app.run_test(size=SIZE) as pilot:
        await _at_questions(pilot)
        pane = app.screen.pane
        await pane.query_one("#question-list").remove()
        pane._scroll_to_cursor()  # raised NoMatches('#question-list')
        app.pop_screen()
        await settle(pilot)
        pane._scroll_to_cursor()  # detached: nothing to do
        assert type(app.screen).__name__ == "WorkbenchScreen"
