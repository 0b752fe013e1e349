"""The idle lock of an agent's laptop (issue 13): after ``idle_lock_minutes`` without
a key the screen is covered (opaque: nothing under it is drawn, so no name or ID number
stays on a laptop left open) and asks for the signed-in user's password again. The
screen underneath is left exactly as it was, so everything typed is still there.

The lock is put up by ``HallApp.check_idle_lock``: at the first key after the idle
time (event-driven, every screen) and by the agent home's own timer; no app-wide timer.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from screens.agent_strings import Lock as T
from screens.widgets.inputs import HallInput


class LockScreen(ModalScreen[bool]):
    CSS_PATH = "lock.tcss"

    def __init__(self, name: str, minutes: int) -> None:
        super().__init__()
        self.user_name, self.minutes = name, minutes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(T.title, classes="lock-title", markup=False)
            yield Static(T.hint.format(name=self.user_name, minutes=self.minutes), markup=False)
            yield Label(T.password)
            yield HallInput(id="lock-password", password=True)
            yield Static("", id="lock-error", classes="error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#lock-password", HallInput).focus()

    def on_input_submitted(self, event: HallInput.Submitted) -> None:
        event.stop()
        app: Any = self.app
        if app.ctx is None or app.user is None:
            return
        field = self.query_one("#lock-password", HallInput)
        password = field.value
        field.set_quietly("")

        def refused(message: str) -> None:
            self.query_one("#lock-error", Static).update(message or T.wrong)
            field.focus()

        app.db.submit(app.ctx.users.authenticate, app.user.username, password,
                      done=lambda _user: self.dismiss(True), error=refused, name="unlock")
