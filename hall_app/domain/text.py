"""Normalising what a clerk types or pastes, and the rules every stored string obeys.

Chinese input methods produce full-width digits and letters (５００, ＡＢＣ) and an
ideographic space; scanners and copy-paste leave stray blanks and line breaks.

Two levels, chosen by what a value *is*:

- :func:`clean` for free text (names, addresses, 经营范围, a refusal reason): Unicode
  NFC, trimmed, every run of blanks or line breaks folded to one space. Nothing else
  changes: Chinese punctuation (，；：（）) and full-width letters stay as typed.
- :func:`compact` for codes and numbers (citizen ID, USCC, phone, date, number,
  tracking code): full-width ASCII becomes ASCII, blanks and hyphens go. Only a field
  whose type is a code may use it.

``text_problem`` is the one rule for text that goes into an event (checked on the
device before anything is written and again by the server): no NUL or other control
characters (a newline only where a field is genuinely multi-line), no lone UTF-16
surrogates (they cannot be stored as UTF-8), and a length limit.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_FULLWIDTH_OFFSET = 0xFEE0


@cache
def _bad(multiline: bool = False) -> re.Pattern[str]:
    """C0 and C1 control characters, DEL, and lone surrogates; a newline is allowed only
    in multi-line fields. Compiled at first use, not at import: a class reaching the
    surrogates makes ``re`` build a 65,536-entry map (~2 ms of CPU, 9M instructions),
    which the app's first frame does not need (it imports this module for pastes)."""
    return re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]" if multiline
                      else "[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def to_halfwidth(value: str) -> str:
    """Full-width ASCII (U+FF01..U+FF5E) and U+3000 become their ASCII forms.

    For codes only: in free text this would rewrite Chinese punctuation (；→;)."""
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
    """Free text: NFC, trimmed, inner runs of blanks (and line breaks) folded to one
    space. Punctuation and full-width characters are kept as typed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return " ".join(text.split())


def join_lines(value: str) -> str:
    """A multi-line paste for a one-line field: the lines joined as Chinese writes them
    (next to a Chinese character by nothing: 重庆市江津区 / 几江街道18号 → 重庆市江津区几江街道18号;
    between two Latin words or numbers by a space: Room 3 / Building 5)."""
    lines = [line.strip() for line in value.splitlines()]
    out = ""
    for line in lines:
        if not line:
            continue
        if out and needs_space(out[-1], line[0]):
            out += " "
        out += line
    return out


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def needs_space(before: str, after: str) -> bool:
    """Whether two pasted lines ending in ``before`` and starting with ``after`` are
    joined with a space (Latin words and numbers) or without (Chinese)."""
    return not (_wide(before) or _wide(after))


def compact(value: str | None) -> str:
    """A code or number: half-width, NFC, every blank and hyphen removed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", to_halfwidth(str(value)))
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
    return _bad().sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def text_problem(value: str, max_length: int, multiline: bool = False) -> str:
    """Why ``value`` may not be stored ("" if it may)."""
    bad = _bad(multiline).search(value)
    if bad is not None:
        return f"含有{describe_char(bad.group())}，位置 {bad.start() + 1}"
    if len(value) > max_length:
        return f"过长（{len(value)} 字，最多 {max_length} 字）"
    return ""
