"""The window's queue keys' dialogs: one field (a ticket number to call, or where to
transfer), checked in place (``check`` returns a Chinese message or None; on a mistake
the dialog stays open with what was typed), and a choice (F10 on a visit with a draft)."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

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


class ChoiceDialog(ModalScreen[str | None]):
    """A message and a few choices (↑↓ or the number, Enter); Esc chooses nothing."""

    BINDINGS = [Binding("escape", "cancel", TD.no, id="dialog.cancel")]

    def __init__(self, title: str, message: str, choices: list[tuple[str, str]]) -> None:
        super().__init__(classes="dialog")
        self.title_text, self.message, self.choices = title, message, choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.message, markup=False, id="dialog-message")
            yield OptionList(*(Option(f"{n} {label}", id=key) for n, (key, label) in enumerate(self.choices, 1)),
                             id="choices")

    def on_mount(self) -> None:
        self.query_one("#choices", OptionList).focus()

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(self.choices):
            event.stop()
            self.dismiss(self.choices[int(event.character) - 1][0])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
