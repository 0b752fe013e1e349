"""The one-line bars: title, intake stepper, message line and status bar."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from screens.strings import CIRCLED, STEP_TITLES


class TitleBar(Static):
    """The screen's name and what it is about, on one line."""

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(text, id=id, markup=False)


class Stepper(Static):
    """①需求 ②流程图 … with the current step highlighted."""

    def __init__(self, steps: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.steps = steps
        self.current = steps[0]
        self.decided = False

    def show(self, current: str, decided: bool = False) -> None:
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

    def say(self, text: str, kind: str = "info") -> None:
        self.set_classes(f"-{kind}")
        self.update(text)


class StatusBar(Static):
    """Who is signed in, at which window, and the sync state (refreshed on a timer)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id or "status-bar", markup=False)

    def on_mount(self) -> None:
        self.watch(self.app, "status_line", self._show, init=True)

    def _show(self, line: str) -> None:
        self.update(line)
