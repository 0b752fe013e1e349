"""A ticket number in large 3×3 characters (A012, K1003, …).

Textual's ``Digits`` draws 0–9 and A–F only; any other letter would come out as a
small character on the bottom row. Ticket prefixes may be any Latin letter, so the
letters Digits lacks get 3×3 glyphs here in the same thin box-drawing style, and
everything else is drawn by Digits itself.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.renderables.digits import DIGITS
from textual.renderables.digits import Digits as DigitsRenderable
from textual.widgets import Digits

LETTERS: dict[str, tuple[str, str, str]] = {
    "G": ("╭─╴", "│╶╮", "╰─╯"),
    "H": ("╷ ╷", "├─┤", "╵ ╵"),
    "I": ("╶┬╴", " │ ", "╶┴╴"),
    "J": ("  ╷", "  │", "╰─╯"),
    "K": ("╷╭╴", "├┤ ", "╵╰╴"),
    "L": ("╷  ", "│  ", "╰─╴"),
    "M": ("╭┬╮", "│││", "╵╵╵"),
    "N": ("╭╮╷", "│││", "╵╰╯"),
    "O": ("╭─╮", "│ │", "╰─╯"),
    "P": ("┌─╮", "├─╯", "╵  "),
    "Q": ("╭─╮", "│ │", "╰─┼"),
    "R": ("┌─╮", "├┬╯", "╵╰╴"),
    "S": ("╭─╴", "╰─╮", "╶─╯"),
    "T": ("╶┬╴", " │ ", " ╵ "),
    "U": ("╷ ╷", "│ │", "╰─╯"),
    "V": ("╷ ╷", "╲ ╱", " ╵ "),
    "W": ("╷╷╷", "│││", "╰┴╯"),
    "X": ("╲ ╱", " ╳ ", "╱ ╲"),
    "Y": ("╲ ╱", " │ ", " ╵ "),
    "Z": ("╶─┐", " ╱ ", "└─╴"),
}


def width_of(text: str) -> int:
    return sum(3 if (ch in DIGITS or ch in LETTERS) else 1 for ch in text.upper())


class TicketRenderable(DigitsRenderable):
    """Digits' renderable with the missing letters added."""

    def render(self, style: Style):
        if not any(ch in LETTERS for ch in self._text.upper()):
            yield from super().render(style)
            return
        rows: list[list[str]] = [[], [], []]
        for ch in self._text.upper():
            if ch in LETTERS:
                for row, piece in zip(rows, LETTERS[ch]):
                    row.append(piece)
            else:
                pieces = list(DigitsRenderable(ch).render(style))
                lines = [seg.text for seg in pieces if seg.text != "\n"]
                for row, piece in zip(rows, lines):
                    row.append(piece)
        for row in rows:
            yield Segment("".join(row), style + Style(meta={"offset": (0, 0)}))
            yield Segment.line()


class TicketDigits(Digits):
    """``Digits`` that also draws the letters G–Z (ticket prefixes)."""

    def render(self):
        from typing import cast

        from rich.align import Align, AlignMethod

        rich_style = self.rich_style
        text_align = self.styles.text_align
        align = "left" if text_align not in {"left", "center", "right"} else text_align
        return Align(TicketRenderable(self.value.upper(), rich_style), cast(AlignMethod, align), rich_style)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return width_of(self.value)

    def update(self, value: str) -> None:
        if value != self.value:
            super().update(value)
            self.refresh(layout=True)
