"""A one-field dialog of the window's queue keys: a ticket number to call, or where to
transfer. The entry is checked in place (``check`` returns a Chinese message or None);
on a mistake the dialog stays open with what was typed."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from screens.keymap import prose
from screens.strings import Dialog as TD
from screens.widgets.inputs import HallInput

MAX_ENTRY = 24


class EntryDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", TD.no, id="dialog.cancel")]

    def __init__(self, title: str, label: str, check: Callable[[str], str | None] | None = None,
                 hint: str = "") -> None:
        super().__init__(classes="dialog")
        self.title_text, self.label, self.check, self.hint = title, label, check, hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Label(self.label)
            yield HallInput(id="entry", max_length=MAX_ENTRY)
            if self.hint:
                yield Static(self.hint, classes="muted", markup=False)
            yield Static("", id="dialog-error", classes="error", markup=False)
            yield Static(TD.reason_keys.format(no=prose(self.app, self.BINDINGS, "dialog.cancel")),
                         classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#entry", HallInput).focus()

    def on_input_submitted(self, event: HallInput.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        problem = TD.required.format(label=self.label) if not value else (self.check(value) if self.check else None)
        if problem:
            self.query_one("#dialog-error", Static).update(problem)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
