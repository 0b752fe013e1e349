"""User management (用户管理, admin only): the users on file and a form to add one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from screens.strings import Users as T
from screens.widgets.bars import MessageLine, StatusBar, TitleBar
from screens.widgets.choice import ChoiceInput
from screens.widgets.inputs import HallInput
from screens.widgets.keybar import KeyBar
from screens.widgets.tables import add_fixed_columns

if TYPE_CHECKING:
    from screens.app import HallApp

ORDER = ("new-username", "new-name", "new-role", "new-window", "new-password")


def users_in_thread(ctx):
    from hall_app.services.counter import list_users

    return list_users(ctx)


def create_in_thread(ctx, username: str, password: str, role: str, name: str, window: str):
    user = ctx.users.create(username, password, role, name, window=window)
    return user, users_in_thread(ctx)


class UsersScreen(Screen):
    CSS_PATH = "users.tcss"
    BINDINGS = [Binding("escape", "back", T.back, id="users.back")]

    @property
    def hall_app(self) -> "HallApp":
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        from hall_app.services.users import ROLES

        self.roles = list(ROLES)
        yield TitleBar(T.title)
        yield DataTable(id="users", cursor_type="row", zebra_stripes=True)
        yield Static(T.create, classes="heading")
        with Vertical(id="new-user"):
            for key, label in (("new-username", T.username), ("new-name", T.display_name)):
                with Horizontal(classes="field-row"):
                    yield Label(label, classes="field-label")
                    yield HallInput(id=key)
            with Horizontal(classes="field-row"):
                yield Label(T.role, classes="field-label")
                yield ChoiceInput([ROLES[r] for r in self.roles], ROLES["clerk"], id="new-role")
            for key, label, password in (("new-window", T.window, False), ("new-password", T.password, True)):
                with Horizontal(classes="field-row"):
                    yield Label(label, classes="field-label")
                    yield HallInput(id=key, password=password)
        yield MessageLine(id="message")
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        add_fixed_columns(self.query_one("#users", DataTable), T.cols, (12, 10, 10, 6, 6))
        self.query_one("#new-username", HallInput).focus()
        self.hall_app.db.submit(users_in_thread, self.hall_app.ctx, done=self._fill, name="users")

    def _fill(self, users) -> None:
        from hall_app.services.users import ROLES

        table = self.query_one("#users", DataTable)
        table.clear()
        for u in users:
            table.add_row(u.username, u.display_name, ROLES.get(u.role, u.role), u.window,
                          T.active if u.active else T.inactive)

    def on_input_submitted(self, event: HallInput.Submitted) -> None:
        event.stop()
        key = event.input.id or ""
        if key != ORDER[-1]:
            self.query_one(f"#{ORDER[ORDER.index(key) + 1]}").focus()
            return
        self._create()

    def on_choice_input_changed(self, event: ChoiceInput.Changed) -> None:
        event.stop()

    def on_choice_input_submitted(self, event: ChoiceInput.Submitted) -> None:
        event.stop()
        self.query_one(f"#{ORDER[ORDER.index('new-role') + 1]}").focus()

    def _create(self) -> None:
        from hall_app.services.users import ROLES

        labels = {v: k for k, v in ROLES.items()}
        role = labels.get(self.query_one("#new-role", ChoiceInput).value, "clerk")
        values = {k: self.query_one(f"#{k}", HallInput).value for k in ORDER if k != "new-role"}
        self.hall_app.db.submit(create_in_thread, self.hall_app.ctx, values["new-username"], values["new-password"],
                                role, values["new-name"], values["new-window"].strip().upper(),
                                done=self._created,
                                error=lambda m: self.query_one("#message", MessageLine).say(m, "error"))

    def _created(self, result) -> None:
        user, users = result
        self._fill(users)
        self.query_one("#message", MessageLine).say(T.created.format(user=user.username, role=user.role_label),
                                                    "success")
        for key in ORDER:
            widget = self.query_one(f"#{key}")
            if isinstance(widget, HallInput):
                widget.set_quietly("")
        self.query_one("#new-username", HallInput).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
