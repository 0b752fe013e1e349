"""Modal dialogs: confirm, tell, ask for a reason (refusal, second notice), and the base of
the dialogs that record one thing on a case (补交, 补正, 送达)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from screens.keymap import prose
from screens.strings import Dialog as T
from screens.widgets.inputs import HallInput


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS = [
        Binding("enter,y", "answer(True)", T.yes, id="dialog.yes"),
        Binding("escape,n", "answer(False)", T.no, id="dialog.no"),
    ]

    def __init__(self, message: str, title: str = "") -> None:
        super().__init__(classes="dialog")
        self.message, self.title_text = message, title

    def compose(self) -> ComposeResult:
        with Vertical():
            if self.title_text:
                yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.message, markup=False, id="dialog-message")
            yield Static(T.keys.format(yes=prose(self.app, self.BINDINGS, "dialog.yes"),
                                       no=prose(self.app, self.BINDINGS, "dialog.no")), classes="dialog-keys")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class MessageDialog(ModalScreen[None]):
    BINDINGS = [Binding("enter,escape", "close", T.ok, id="dialog.ok")]

    def __init__(self, message: str, title: str = "") -> None:
        super().__init__(classes="dialog")
        self.message, self.title_text = message, title

    def compose(self) -> ComposeResult:
        with Vertical():
            if self.title_text:
                yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.message, markup=False, id="dialog-message")
            yield Static(T.ok_keys.format(ok=prose(self.app, self.BINDINGS, "dialog.ok")), classes="dialog-keys")

    def action_close(self) -> None:
        self.dismiss(None)


class ReasonDialog(ModalScreen[tuple[str, str] | None]):
    """Ask for a required reason and an optional second line (the legal basis)."""

    BINDINGS = [Binding("escape", "cancel", T.no, id="dialog.cancel")]

    def __init__(self, title: str, reason_label: str, basis_label: str | None = None, *,
                 required: bool = True, value: str = "", error: str = "") -> None:
        super().__init__(classes="dialog")
        self.title_text, self.reason_label, self.basis_label = title, reason_label, basis_label
        self.required, self.value, self.error = required, value, error  # reopened after a refusal: as typed

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Label(self.reason_label)
            yield HallInput(self.value, id="reason", free_text=True)
            if self.basis_label:
                yield Label(self.basis_label)
                yield HallInput(id="basis", free_text=True)
            yield Static(self.error, id="dialog-error", classes="error", markup=False)
            yield Static(T.reason_keys.format(no=prose(self.app, self.BINDINGS, "dialog.cancel")),
                         classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#reason", HallInput).focus()

    def on_input_submitted(self, event: HallInput.Submitted) -> None:
        event.stop()
        reason = self.query_one("#reason", HallInput).value.strip()
        if not reason and self.required:
            self.query_one("#dialog-error", Static).update(T.required.format(label=self.reason_label))
            self.query_one("#reason", HallInput).focus()
            return
        if self.basis_label and event.input.id == "reason":
            self.query_one("#basis", HallInput).focus()
            return
        basis = self.query_one("#basis", HallInput).value.strip() if self.basis_label else ""
        self.dismiss((reason, basis))

    def action_cancel(self) -> None:
        self.dismiss(None)


class RecordingDialog(ModalScreen[Any]):
    """A dialog that records one thing on ``case_id`` through a service, in the database
    thread: one request at a time; a refusal shows the service's message in
    ``#dialog-error`` and the dialog stays open with what was typed; success dismisses
    it with ``answer(state)``; Escape closes it unless a request is in flight. Keys typed
    while a request is in flight are held and applied, in order, once it is answered (an
    Enter typed after a refused one is not lost)."""

    case_id: str
    busy = False

    def record(self, fn: Callable[..., Any], *args: Any, name: str, working: str = "",
               answer: Callable[[Any], Any] = lambda state: state) -> None:
        """Run ``fn(ctx, case_id, username, *args)``; nothing while one is in flight."""
        if self.busy:
            return
        app: Any = self.app
        self.busy = True
        app.hold_keys()  # released by the answer, either way
        self.query_one("#dialog-error", Static).update(working)
        user = app.user.username if app.user else ""

        def done(state: Any) -> None:
            self.busy = False
            self.dismiss(answer(state))
            app.release_keys()

        app.db.submit(fn, app.ctx, self.case_id, user, *args, done=done, error=self._refused, name=name)

    def _refused(self, message: str) -> None:
        self.busy = False
        if self.is_attached:
            self.query_one("#dialog-error", Static).update(message)
        self.app.release_keys()  # type: ignore[attr-defined]  # HallApp's key hold

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)
