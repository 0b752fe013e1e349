"""Normalising what a clerk types or pastes, and the rules every stored string obeys.

Chinese input methods produce full-width digits and letters (５００, ＡＢＣ) and an
ideographic space; scanners and copy-paste leave stray blanks. Every value that is
checked or compared goes through here first.

``text_problem`` is the one rule for text that goes into an event (checked on the
device before anything is written and again by the server): no NUL or other control
characters (a newline only where a field is genuinely multi-line), no lone UTF-16
surrogates (they cannot be stored as UTF-8), and a length limit.
"""

from __future__ import annotations

import re
import unicodedata

_FULLWIDTH_OFFSET = 0xFEE0

# C0 and C1 control characters, DEL, and lone surrogates. A newline is allowed only
# in multi-line fields (second pattern).
_BAD_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_BAD_MULTI_LINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


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


def describe_char(ch: str) -> str:
    """A Chinese description of a character that may not be stored."""
    code = ord(ch)
    if code == 0:
        return "空字符（NUL）"
    if 0xD800 <= code <= 0xDFFF:
        return f"无法编码的半个代理字符（U+{code:04X}）"
    if ch == "\n":
        return "换行"
    return f"不可见的控制字符（U+{code:04X}）"


def printable(value: str, max_length: int = 80) -> str:
    """``value`` safe to show and to send as UTF-8: what may not be stored becomes an escape."""
    value = value if len(value) <= max_length else value[:max_length] + "…"
    return _BAD_SINGLE_LINE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def text_problem(value: str, max_length: int, multiline: bool = False) -> str:
    """Why ``value`` may not be stored ("" if it may)."""
    bad = (_BAD_MULTI_LINE if multiline else _BAD_SINGLE_LINE).search(value)
    if bad is not None:
        return f"含有{describe_char(bad.group())}，位置 {bad.start() + 1}"
    if len(value) > max_length:
        return f"过长（{len(value)} 字，最多 {max_length} 字）"
    return ""
