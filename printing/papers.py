"""Paper sizes and the typographic scale that goes with each."""

from __future__ import annotations

from dataclasses import dataclass

MM = 72 / 25.4  # points per millimetre
PRINTER_DPI = 203  # thermal printers: 8 dots per mm
DOT = 72 / PRINTER_DPI  # one printer dot in points


@dataclass(frozen=True)
class Paper:
    key: str
    width: float  # points
    height: float | None  # points; None = a roll, height follows the content
    margin_x: float
    margin_y: float
    body: float  # body font size (points)
    title: float
    qr_target: float  # wanted QR side (points), snapped to whole printer dots
    dots: int = 0  # printable width in printer dots (rolls)

    @property
    def is_roll(self) -> bool:
        return self.height is None

    @property
    def frame_width(self) -> float:
        """Text width. On a roll, closing punctuation may hang past the line end
        (CJK 禁则), so keep room for it inside the printable dots."""
        hang = 0.6 * self.body if self.is_roll else 0
        return self.width - 2 * self.margin_x - hang


PAPERS = {
    # 五号字 (10.5 pt) is the body size of Chinese official documents.
    "a4": Paper("a4", 210 * MM, 297 * MM, 20 * MM, 15 * MM, 10.5, 20, 30 * MM),
    # Printable width: 72 mm = 576 dots (80 mm roll), 48 mm = 384 dots (58 mm roll);
    # one dot more of margin so anti-aliased edges never fall outside those dots.
    "80mm": Paper("80mm", 80 * MM, None, 4 * MM + DOT, 4 * MM, 9, 14, 26 * MM, dots=576),
    "58mm": Paper("58mm", 58 * MM, None, 5 * MM + DOT, 3 * MM, 8, 12, 24 * MM, dots=384),
}

# Longest single roll page: PDF viewers stop at 200 inches; we flow onto a new page
# (printed straight after, so the paper stays continuous) well before that.
MAX_ROLL_HEIGHT = 2000 * MM


def get_paper(key: str) -> Paper:
    try:
        return PAPERS[key.lower()]
    except KeyError:
        raise ValueError(f"unknown paper {key!r}; choose one of {sorted(PAPERS)}") from None
