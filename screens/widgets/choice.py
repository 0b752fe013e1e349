"""A pick-one field: ``1 男  2 女``; number keys or ←/→ choose.

Where a choice also moves the focus on by itself (``moves_on``: the intake's form and
its proxy relation, which jump to the next field still to fill), a Tab typed right
after it (habit) is taken as part of that move and moves nothing more: one digit plus
Tab lands one field further on every screen, whether its choices move on or not.

Options flow onto more lines when the field is too narrow for all of them, breaking
between options (an option too long for a whole line wraps on its own): every
option's text is always on screen, never cut to an empty "2"."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class ChoiceInput(Widget, can_focus=True):
    BINDINGS = [
        Binding("left", "move(-1)", "←", id="choice.prev", show=False),
        Binding("right", "move(1)", "→", id="choice.next", show=False),
        Binding("space", "move(1)", "切换", id="choice.toggle", show=False),
        Binding("enter", "submit", "确认", id="choice.submit", show=False),
    ] + [Binding(str(n), f"pick({n})", id=f"choice.pick_{n}", show=False) for n in range(1, 10)]

    value: reactive[str] = reactive("", layout=False)

    class Changed(Message):
        def __init__(self, choice: "ChoiceInput", value: str) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> "ChoiceInput":
            return self.choice

    class Submitted(Message):
        def __init__(self, choice: "ChoiceInput", value: str) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> "ChoiceInput":
            return self.choice

    def __init__(self, options: list[str] | tuple[str, ...], value: str = "", *, id: str | None = None,
                 classes: str | None = None, moves_on: bool = False) -> None:
        super().__init__(id=id, classes=classes)
        self.options = list(options)
        self.moves_on = moves_on  # the screen moves the focus on at each choice (Changed)
        self.set_reactive(ChoiceInput.value, value)

    def _pieces(self) -> list[tuple[str, str]]:
        pieces = [(f" {n} {option} ", "reverse bold" if option == self.value else "")
                  for n, option in enumerate(self.options, start=1)]
        if self.value and self.value not in self.options:
            pieces.append((f"（现值：{self.value}）", "italic"))
        return pieces

    def _lines(self, width: int) -> list[list[tuple[str, str]]]:
        """The options laid out on lines of ``width`` cells, broken between options."""
        from screens.widgets.cjk import wrap_cjk

        lines: list[list[tuple[str, str]]] = [[]]
        used = 0
        for label, style in self._pieces():
            size = cell_len(label)
            if size > width:  # an option longer than a line: lines of its own, broken by the Chinese rules
                parts = wrap_cjk(label.strip(), width)
                lines = [line for line in lines if line] + [[(part, style)] for part in parts]
                lines.append([])
                used = 0
                continue
            if lines[-1] and used + 1 + size > width:
                lines.append([])
                used = 0
            if lines[-1]:
                lines[-1].append((" ", ""))
                used += 1
            lines[-1].append((label, style))
            used += size
        return lines

    def render(self) -> Text:
        width = max(1, self.content_region.width or self.size.width)
        text = Text(no_wrap=True, overflow="fold")
        for n, line in enumerate(line for line in self._lines(width) if line):
            if n:
                text.append("\n")
            for label, style in line:
                text.append(label, style=style)
        return text

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len([line for line in self._lines(max(1, width)) if line]))

    def set_quietly(self, value: str) -> None:
        old = self.value
        self.set_reactive(ChoiceInput.value, value)
        self.watch_value(old, value)

    def watch_value(self, old: str, value: str) -> None:
        # Only the "现值" note changes the size; a highlight moving repaints in place.
        self.refresh(layout=self._foreign(old) != self._foreign(value))

    def _foreign(self, value: str) -> bool:
        return bool(value) and value not in self.options

    def choose(self, value: str) -> None:
        self.value = value
        app: Any = self.app
        if self.moves_on and hasattr(app, "tab_after_choice"):
            app.tab_after_choice = True  # the next key, if a Tab, is part of this move (screens/app.py)
        self.post_message(self.Changed(self, value))

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self, self.value))

    def action_pick(self, n: int) -> None:
        if 1 <= n <= len(self.options):
            self.choose(self.options[n - 1])

    def action_move(self, step: int) -> None:
        if not self.options:
            return
        index = self.options.index(self.value) if self.value in self.options else -1
        self.choose(self.options[(index + step) % len(self.options)])
