"""A one-line pick-one field: ``1 男  2 女``; number keys or ←/→ choose."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from rich.text import Text


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
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.options = list(options)
        self.set_reactive(ChoiceInput.value, value)

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for n, option in enumerate(self.options, start=1):
            label = f" {n} {option} "
            if option == self.value:
                text.append(label, style="reverse bold")
            else:
                text.append(label)
            text.append(" ")
        if self.value and self.value not in self.options:
            text.append(f"（现值：{self.value}）", style="italic")
        return text

    def set_quietly(self, value: str) -> None:
        self.set_reactive(ChoiceInput.value, value)
        self.refresh()

    def choose(self, value: str) -> None:
        self.value = value
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
