"""Modal dialogs: confirm, tell, and ask for a reason (refusal, second notice)."""

from __future__ import annotations

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
