"""Text input used everywhere: cursor blink follows the app (off in tests), no
select-all on focus (typing never wipes a prefilled value by surprise), and pastes
that keep everything.

Pastes. A bracketed paste (the terminal says "this is a paste") arrives as one
``Paste`` event: every line is kept, joined for this one-line field as Chinese is
written (next to a Chinese character with nothing, between Latin words with a
space). A terminal without bracketed paste types the text as keys, its line breaks
as Enter: in a free-text field (an address, a reason) an Enter that arrives inside
such a burst (keys closer together than any hand can type, from one read of the
terminal) and is followed by more of it is a line break of the pasted text, not
"record and go on". What does not fit the field is said, never dropped silently.
"""

from __future__ import annotations

from textual import events
from textual.geometry import Size
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input

from hall_app.domain.text import join_lines, needs_space
from screens.strings import Inputs as T

MAX_CHARS = 2000  # a paste of anything longer is cut here, and the clerk is told
BURST_GAP = 0.002  # s: keys closer than this came from one terminal read, not a hand
LINE_BREAK_WAIT = 0.02  # s: how long an Enter inside a burst waits for the rest of it
LINE_KEYS = ("enter", "ctrl+j")


class HallInput(Input):
    def __init__(self, value: str = "", placeholder: str = "", *, id: str | None = None,
                 password: bool = False, classes: str | None = None, max_length: int = MAX_CHARS,
                 free_text: bool = False) -> None:
        super().__init__(value="", placeholder=placeholder, id=id, password=password, classes=classes,
                         max_length=max_length, select_on_focus=False)
        self._initial = value
        # Free text (an address, a reason): an Enter inside a burst of keys is a pasted line
        # break. Elsewhere (a user name, an ID, the search box) Enter is always Enter: a
        # scanner or a clerk typing ahead sends "code Enter more" in one burst too.
        self.free_text = free_text
        self._last_char_at = -1.0  # when the last printable key was made
        self._burst = 0  # printable keys in the current burst
        self._break_at = -1.0  # an Enter inside a burst, waiting: when it was made
        self._break_timer: Timer | None = None

    def on_mount(self) -> None:
        self.cursor_blink = bool(getattr(self.app, "cursor_blink_enabled", True))
        if self._initial:
            self.set_quietly(self._initial)  # Input posts Changed for a constructor value: loading is not typing

    def set_quietly(self, value: str) -> None:
        """Change the value without posting Changed (loading is not typing)."""
        with self.prevent(Input.Changed):
            self.value = value
            self.cursor_position = len(value)

    # -- pastes ------------------------------------------------------------------------------
    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # Input's own handler keeps the first line only
        self.insert_pasted(event.text)

    def insert_pasted(self, text: str) -> None:
        """Insert ``text`` (all of its lines) at the cursor; say what did not fit."""
        line = join_lines(text) if ("\n" in text or "\r" in text) else text
        if not line:
            return
        selection = self.selection
        start, end = sorted((selection.start, selection.end))
        room = (self.max_length or MAX_CHARS) - (len(self.value) - (end - start))
        if len(line) > room:
            kept, dropped = line[:max(0, room)], len(line) - max(0, room)
            self.app.notify(T.paste_cut.format(limit=self.max_length, kept=len(kept), dropped=dropped),
                            severity="warning", timeout=8)
            line = kept
        if not line:
            return
        if selection.is_empty:
            self.insert_text_at_cursor(line)
        else:
            self.replace(line, start, end)

    # -- a paste typed as keys (no bracketed paste) -------------------------------------------------
    async def _on_key(self, event: events.Key) -> None:
        in_burst = event.time - self._last_char_at < BURST_GAP
        if self._break_at >= 0:
            if event.is_printable and event.time - self._break_at < BURST_GAP:
                self._cancel_break()
                before = self.value[:self.cursor_position][-1:]
                if before and needs_space(before, event.character or ""):
                    self.insert_text_at_cursor(" ")  # the pasted line break, as one-line text has it
            elif event.key in LINE_KEYS and event.time - self._break_at < BURST_GAP:
                self._break_at = event.time  # a blank line in the paste
                event.stop()
                event.prevent_default()
                return
            else:
                self._submit_break()
        if event.is_printable:
            self._burst = self._burst + 1 if in_burst else 1
            self._last_char_at = event.time
            return
        if event.key in LINE_KEYS and in_burst and self._burst >= 2 and self.free_text:
            # Keys this close together are a paste (or a scanner): wait a moment to see
            # whether more of it follows before taking the Enter as "record and go on".
            event.stop()
            event.prevent_default()
            self._break_at = event.time
            self._break_timer = self.set_timer(LINE_BREAK_WAIT, self._submit_break)
            return
        self._burst = 0

    def _cancel_break(self) -> None:
        self._break_at = -1.0
        if self._break_timer is not None:
            self._break_timer.stop()
            self._break_timer = None

    def _submit_break(self) -> None:
        """The burst ended with the Enter: it was meant (a scanner's Enter after a code)."""
        if self._break_at < 0:
            return
        held = getattr(self.app, "held", None) or []  # keys the app keeps until the screen is quiet
        if held and isinstance(held[0], events.Key) and held[0].time - self._break_at < BURST_GAP:
            self._break_timer = self.set_timer(LINE_BREAK_WAIT, self._submit_break)  # the rest is on its way
            return
        self._cancel_break()
        self._burst = 0
        self.call_later(self.action_submit)

    def _watch_value(self, value: str) -> None:
        # Input sets its virtual size (the text's width) through a reactive that lays the
        # whole screen out again on every keystroke. A field's box never changes size with
        # its text: set the virtual size without the layout, then do what Input does.
        if not self.styles.auto_dimensions:
            self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
            self.refresh()
        super()._watch_value(value)
