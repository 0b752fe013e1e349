"""The one-line bars: title, intake stepper, message line and status bar.

Each bar is touched only when what it shows changes, and asks for a layout only when
its height changes (never, for the one-line bars): a key press that leaves a bar as it
was costs nothing, one that changes it costs a repaint of one line.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from screens.strings import CIRCLED, STEP_TITLES
from screens.widgets.paint import repaint


class OneLine(Static):
    """A bar (one line high by its CSS): an update with what it already shows does nothing,
    any other repaints it, and lays the screen out only if its height changes (never, while
    the CSS keeps it one line high)."""

    _shown: Any = None

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        key = (content.plain, tuple(content.spans)) if isinstance(content, Text) else content
        if key == self._shown:
            return
        self._shown = key
        width = self.content_size.width
        if not width or not self.display:
            super().update(content, layout=True)
            return
        before = self.get_content_height(self.size, self.size, width)
        super().update(content, layout=False)
        if self.get_content_height(self.size, self.size, width) != before:
            self.refresh(layout=True)


class TitleBar(OneLine):
    """The screen's name and what it is about, on one line."""

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(text, id=id, markup=False)


class Stepper(OneLine):
    """①需求 ②流程图 … with the current step highlighted."""

    def __init__(self, steps: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.steps = steps
        self.current = steps[0]
        self.decided = False

    def show(self, current: str, decided: bool = False) -> None:
        if (current, decided) == (self.current, self.decided) and self._shown is not None:
            return
        self.current, self.decided = current, decided
        text = Text(no_wrap=True, overflow="ellipsis")
        index = self.steps.index(current)
        for n, step in enumerate(self.steps):
            label = f"{CIRCLED[n]}{STEP_TITLES[step]}"
            if n == index:
                text.append(f" {label} ", style="reverse bold")
            elif n < index or decided:
                text.append(f" {label} ", style="green")
            else:
                text.append(f" {label} ", style="dim")
            if n < len(self.steps) - 1:
                text.append("›", style="dim")
        self.update(text)


class MessageLine(Static):
    """The last thing the app has to say (an error, a plan change, a hint)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._said = ("", "info")

    @property
    def said(self) -> str:
        """What the line shows now."""
        return self._said[0]

    @property
    def kind(self) -> str:
        """What the line says now: info, success, error … ("info" when empty)."""
        return self._said[1] if self._said[0] else "info"

    def say(self, text: str, kind: str = "info") -> None:
        if (text, kind) == self._said:
            return
        if kind != self._said[1] or not self.has_class(f"-{kind}"):
            self.set_classes(f"-{kind}")
        self._said = (text, kind)
        repaint(self, text)  # up to three lines: a layout only when the height changes


class StatusBar(OneLine):
    """Who is signed in, at which window, and the sync state (refreshed on a timer)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id or "status-bar", markup=False)

    def on_mount(self) -> None:
        self.watch(self.app, "status_line", self._show, init=True)

    def _show(self, line: str) -> None:
        self.update(line)
