"""Normalising what a clerk types or pastes.

Chinese input methods produce full-width digits and letters (５００, ＡＢＣ) and an
ideographic space; scanners and copy-paste leave stray blanks. Every value that is
checked or compared goes through here first.
"""

from __future__ import annotations

import unicodedata

_FULLWIDTH_OFFSET = 0xFEE0


def to_halfwidth(value: str) -> str:
    """Full-width ASCII (U+FF01..U+FF5E) and U+3000 become their ASCII forms."""
    out = []
    for ch in value:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - _FULLWIDTH_OFFSET))
        elif code == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def clean(value: str | None) -> str:
    """Half-width, NFC, trimmed, inner runs of blanks folded to one space."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", to_halfwidth(str(value)))
    return " ".join(text.split())


def compact(value: str | None) -> str:
    """Like :func:`clean` but with every blank and hyphen removed (codes, numbers)."""
    text = clean(value)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-_")
