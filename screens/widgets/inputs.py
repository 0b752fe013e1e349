"""Text input used everywhere: cursor blink follows the app (off in tests), no
select-all on focus (typing never wipes a prefilled value by surprise)."""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input

MAX_CHARS = 2000  # a paste of anything longer is cut here; the field check reports the length


class HallInput(Input):
    def __init__(self, value: str = "", placeholder: str = "", *, id: str | None = None,
                 password: bool = False, classes: str | None = None, max_length: int = MAX_CHARS) -> None:
        super().__init__(value="", placeholder=placeholder, id=id, password=password, classes=classes,
                         max_length=max_length, select_on_focus=False)
        self._initial = value

    def on_mount(self) -> None:
        self.cursor_blink = bool(getattr(self.app, "cursor_blink_enabled", True))
        if self._initial:
            self.set_quietly(self._initial)  # Input posts Changed for a constructor value: loading is not typing

    def set_quietly(self, value: str) -> None:
        """Change the value without posting Changed (loading is not typing)."""
        with self.prevent(Input.Changed):
            self.value = value
            self.cursor_position = len(value)

    def _watch_value(self, value: str) -> None:
        # Input sets its virtual size (the text's width) through a reactive that lays the
        # whole screen out again on every keystroke. A field's box never changes size with
        # its text: set the virtual size without the layout, then do what Input does.
        if not self.styles.auto_dimensions:
            self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
            self.refresh()
        super()._watch_value(value)
