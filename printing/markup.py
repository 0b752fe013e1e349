"""Plain text → reportlab paragraph markup, one character at a time.

Every character is checked against the main font. One it lacks is drawn with a
fallback font that has it (``<font name=…>`` around the run), or, when no font
has it, replaced by a visible mark and reported as a warning: a name is never
printed with a silently missing character. Full citizen ID numbers that slipped
into any text are masked here as a last line of defence.
"""

from __future__ import annotations

import re
import unicodedata
from xml.sax.saxutils import escape

from hall_app.domain.ids import mask_citizen_id
from printing import labels
from printing.fonts import FontSet

_FULL_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")


def _invisible(ch: str) -> bool:
    """Zero-width format characters and variation selectors: nothing to draw."""
    code = ord(ch)
    return (unicodedata.category(ch) == "Cf" or 0xFE00 <= code <= 0xFE0F
            or 0xE0100 <= code <= 0xE01EF)


class Markup:
    """Builds markup for one document; collects that document's warnings."""

    def __init__(self, fonts: FontSet) -> None:
        self.fonts = fonts
        self.warnings: list[str] = list(fonts.warnings)
        self._warned: set[str] = set()

    def _warn(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            self.warnings.append(message)

    def mask_ids(self, text: str) -> str:
        def repl(match: re.Match) -> str:
            masked = mask_citizen_id(match.group(0))
            self._warn(labels.W_UNMASKED_ID.format(masked=masked))
            return masked

        return _FULL_ID.sub(repl, text)

    def __call__(self, text: object) -> str:
        """Markup for ``text``; newlines become line breaks."""
        raw = self.mask_ids(unicodedata.normalize("NFC", str(text)))
        cmap = self.fonts.main_cmap
        if all(ord(ch) in cmap for ch in raw) and not any(ch in "\n\t\r" or _invisible(ch)
                                                          for ch in raw if not ch.isalnum()):
            return escape(raw)  # the common case: one font, nothing to replace
        runs: list[tuple[str | None, list[str]]] = []
        for ch in raw:
            font: str | None = None
            if ch == "\n":
                piece = "<br/>"
            elif ch in "\t\r" or (ch.isspace() and not self.fonts.has(ch)):
                piece = " "
            elif _invisible(ch):
                continue
            elif self.fonts.has(ch):
                piece = escape(ch)
            else:
                font = self.fonts.font_for(ch)
                if font is None:
                    self._warn(labels.W_MISSING_GLYPH.format(
                        char=ch, code=ord(ch), mark=labels.MISSING_GLYPH))
                    piece = labels.MISSING_GLYPH
                else:
                    piece = escape(ch)
            if runs and runs[-1][0] == font:
                runs[-1][1].append(piece)
            else:
                runs.append((font, [piece]))
        out = []
        for font, pieces in runs:
            body = "".join(pieces)
            out.append(f'<font name="{font}">{body}</font>' if font else body)
        return "".join(out)
