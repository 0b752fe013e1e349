"""Login (登录). First run with no users: create the administrator instead.

Passwords are checked in a worker (scrypt is deliberately slow). After repeated
failures the form waits before the next try (1 s, 2 s, 4 s … up to 30 s) on top of
the account lock the user service applies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from screens.strings import App as TA
from screens.strings import Login as T
from screens.styled_once import StyledOnce
from screens.widgets.bars import StatusBar, TitleBar
from screens.widgets.inputs import HallInput

if TYPE_CHECKING:
    from screens.app import HallApp


OPEN_DELAY = 0.1  # seconds after the first frame before the database is opened


def retry_delay(failures: int) -> int:
    """Seconds the form waits after ``failures`` wrong passwords in a row."""
    return 0 if failures < 2 else min(2 ** (failures - 2), 30)


def _probe(ctx, supervisor: bool = False) -> tuple[int, tuple[str, str] | None, str]:
    """Users on file, the demo login if the demo hall is present (its supervisor's for
    ``hall-app dashboard``, which only a supervisor may open), the hall's name."""
    from hall_app.services.demo import DEMO_LOGIN, DEMO_SUPERVISOR_LOGIN, HALL, DemoSeeder

    demo = (DEMO_SUPERVISOR_LOGIN if supervisor else DEMO_LOGIN) if DemoSeeder(ctx).exists() else None
    return ctx.users.count(), demo, HALL[1] if demo else f"政务服务中心（{ctx.settings.hall}）"


class LoginScreen(StyledOnce, Screen):
    # its styles (login.tcss) are part of the app stylesheet: see HallApp.CSS_PATH
    BINDINGS = [Binding("enter", "submit", T.submit, id="login.submit")]
    AUTO_FOCUS = "#username"

    def __init__(self) -> None:
        super().__init__()
        self.first_run = False
        self.failures = 0
        self._wait_left = 0
        self.submit_waiting = False
        self.probed = False
        self._holding = False  # keys typed while signing in wait for the screen that follows

    @property
    def hall_app(self) -> "HallApp":
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield TitleBar(TA.title)
        with Vertical(id="login-area"), Vertical(id="login-box"):
            yield Static("", id="hall-name")
            yield Static(T.title, id="mode", classes="heading")
            with Horizontal(classes="row", id="user-row"):
                yield Static(T.username, classes="label")
                yield HallInput(id="username")
            with Horizontal(classes="row", id="password-row"):
                yield Static(T.password, classes="label")
                yield HallInput(id="password", password=True)
            yield Static(TA.opening, id="login-message", markup=False)
            yield Static("", id="demo-hint", markup=False)
        yield StatusBar()
        yield Static(self._keys(), id="login-keys")  # not a Footer: it would double the time to the first frame

    def _keys(self) -> str:
        from screens.app import HallApp
        from screens.keymap import prose

        app = HallApp.BINDINGS
        return T.keys.format(submit=prose(self.app, self.BINDINGS, "login.submit"),
                             help=prose(self.app, app, "app.help"), palette=prose(self.app, app, "app.palette"),
                             quit=prose(self.app, app, "app.quit"))

    def on_mount(self) -> None:
        if self.hall_app.needs_unlock:
            from screens.agent_strings import Lock

            self.call_after_refresh(lambda: self._say(Lock.db_locked, "muted"))
        # The database opens behind the first frame (a worker importing SQLAlchemy would
        # hold the GIL and delay it); the form takes typing at once.
        self.call_after_refresh(lambda: self.set_timer(OPEN_DELAY, self.hall_app.start_opening))
        self.hall_app.when_ready(self._db_ready)

    def _db_ready(self) -> None:
        self.hall_app.db.submit(_probe, self.hall_app.ctx, self.hall_app.start_on_dashboard,
                                done=self._probed, name="login-probe")

    async def _probed(self, result: tuple[int, tuple[str, str] | None, str]) -> None:
        count, demo, hall = result
        self.probed = True
        self.first_run = count == 0
        if self.first_run:  # mounted only when needed: the first frame stays light
            box = self.query_one("#login-box")
            await box.mount(Static(T.first_run_hint, id="first-run-hint", classes="muted"), after="#mode")
            await box.mount(self._row("display-name", T.display_name), after="#user-row")
            await box.mount(self._row("password2", T.password_again, True), after="#password-row")
        self.set_class(self.first_run, "-first-run")
        self.query_one("#hall-name", Static).update(hall)
        self.query_one("#mode", Static).update(T.first_run_title if self.first_run else T.title)
        if self.first_run:
            self.query_one("#username", HallInput).set_quietly("admin")
        if demo and not self.first_run:
            self.query_one("#demo-hint", Static).update(T.demo_hint.format(user=demo[0], password=demo[1]))
        self._say("")
        self._set_enabled(True)
        if self.first_run:
            self.query_one("#display-name", HallInput).focus()
        if self.submit_waiting:
            self.submit_waiting = False
            self.action_submit()

    @staticmethod
    def _row(key: str, label: str, password: bool = False) -> Horizontal:
        return Horizontal(Static(label, classes="label"), HallInput(id=key, password=password), classes="row")

    # -- input ---------------------------------------------------------------------------
    def _set_enabled(self, enabled: bool) -> None:
        for field in self.query(HallInput):
            field.disabled = not enabled

    def _say(self, text: str, kind: str = "") -> None:
        message = self.query_one("#login-message", Static)
        message.set_classes(kind)
        message.update(text)

    def on_input_submitted(self, event: HallInput.Submitted) -> None:
        event.stop()
        order = ["username", "display-name", "password", "password2"] if self.first_run else ["username", "password"]
        current = event.input.id or ""
        if current in order and current != order[-1] and not (current == "username" and not event.value.strip()):
            self.query_one(f"#{order[order.index(current) + 1]}", HallInput).focus()
            return
        self.action_submit()

    def action_submit(self) -> None:
        if self._wait_left:
            self._say(T.wait.format(seconds=self._wait_left), "error")
            return
        if self.hall_app.needs_unlock:  # an encrypted laptop (issue 13): the password unlocks it first
            self._unlock()
            return
        if self.hall_app.ctx is None or not self.probed:
            self.submit_waiting = True  # signed in as soon as the database is open
            return
        username = self.query_one("#username", HallInput).value.strip()
        password = self.query_one("#password", HallInput).value
        if not username:
            self._say(T.empty_username, "error")
            self.query_one("#username", HallInput).focus()
            return
        if not password:
            self._say(T.empty_password, "error")
            self.query_one("#password", HallInput).focus()
            return
        ctx = self.hall_app.ctx
        if self.first_run:
            if password != self.query_one("#password2", HallInput).value:
                self._say(T.mismatch, "error")
                self.query_one("#password2", HallInput).focus()
                return
            name = self.query_one("#display-name", HallInput).value.strip()
            self._busy()
            self.hall_app.db.submit(ctx.users.create, username, password, "admin", name,
                                    done=self._signed_in, error=self._refused, name="create-admin")
        else:
            self._busy()
            self.hall_app.db.submit(ctx.users.authenticate, username, password,
                                    done=self._signed_in, error=self._refused, name="login")

    def _unlock(self) -> None:
        username = self.query_one("#username", HallInput).value.strip()
        password = self.query_one("#password", HallInput).value
        if not (username and password):
            self._say(T.empty_password if username else T.empty_username, "error")
            return
        self._busy()
        self.submit_waiting = True  # once open, the same name and password sign in
        self.hall_app.unlock_database(username, password, error=self._refused)

    def _busy(self) -> None:
        self._set_enabled(False)
        self._say(T.checking, "muted")
        if not self._holding:  # what is typed while the password is checked goes to the workbench
            self._holding = True
            self.hall_app.hold_keys()

    def _let_keys_go(self) -> None:
        if self._holding:
            self._holding = False
            self.hall_app.release_keys()

    def _signed_in(self, user) -> None:
        self.failures = 0
        self.notify(T.welcome.format(name=user.display_name, role=user.role_label), timeout=3)
        held, self._holding = self._holding, False
        self.hall_app.signed_in(user, keys_held=held)  # released once the next screen has its focus

    def _refused(self, message: str) -> None:
        self._let_keys_go()
        if not self.is_attached:
            return
        self.failures += 1 if not self.first_run else 0
        password = self.query_one("#password", HallInput)
        password.set_quietly("")
        delay = retry_delay(self.failures)
        self._say(message if not delay else f"{message}　{T.wait.format(seconds=delay)}", "error")
        if delay:
            self._wait_left = delay
            self.set_interval(1.0, self._tick, repeat=delay, name="login-wait")
        else:
            self._set_enabled(True)
            password.focus()

    def _tick(self) -> None:
        self._wait_left -= 1
        if self._wait_left <= 0:
            self._wait_left = 0
            self._set_enabled(True)
            self._say("")
            self.query_one("#password", HallInput).focus()
        else:
            text = str(self.query_one("#login-message", Static).render())
            head = text.split("　")[0]
            self._say(f"{head}　{T.wait.format(seconds=self._wait_left)}", "error")
