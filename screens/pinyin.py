"""Pinyin matching for the command palette: ``xb``, ``xinban``, ``xinb`` and ``xban``
all find 新办 (each query letter run is the start of one syllable, in order).

pypinyin is imported off the main thread when the palette first opens (the provider's
``startup``), never at start-up (it takes about 0.5 s). Polyphonic characters match any of their
readings (重新 is ``cx`` and ``zx``), so the phrase dictionary is not needed; it is
not loaded (``PYPINYIN_NO_PHRASES``), which halves the import.
"""

from __future__ import annotations

import os
import threading
from functools import cache, lru_cache

_lock = threading.Lock()


def _pinyin():
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    with _lock:
        import pypinyin

    return pypinyin


@lru_cache(maxsize=4096)
def syllables(text: str) -> tuple[tuple[str, ...], ...]:
    """For each character of ``text``, its possible syllables (lower case, no tones).
    A Latin letter or digit is its own syllable; anything else gives an empty tuple."""
    pypinyin = _pinyin()
    out: list[tuple[str, ...]] = []
    for char in text:
        if char.isascii():
            out.append((char.lower(),) if char.isalnum() else ())
            continue
        readings = pypinyin.pinyin(char, style=pypinyin.Style.NORMAL, heteronym=True, errors=lambda _c: [""])[0]
        out.append(tuple(dict.fromkeys(r.lower() for r in readings if r)))
    return tuple(out)


def match(query: str, text: str) -> tuple[int, int] | None:
    """The span of characters of ``text`` that ``query`` spells in pinyin, or None.

    ``query`` is consumed by successive syllables from any start: each syllable gives a
    non-empty prefix of itself (``xb``, ``xinb``, ``xinban``). Spaces in the query are
    ignored. Only letters and digits are matched.
    """
    q = "".join(query.lower().split())
    if not q or not q.isascii() or not q.isalnum():
        return None
    chars = syllables(text)

    @cache
    def consume(pos: int, index: int) -> int | None:
        """End index if q[pos:] can be spelled from chars[index:]."""
        if pos == len(q):
            return index
        if index == len(chars):
            return None
        for reading in chars[index]:
            for size in range(min(len(reading), len(q) - pos), 0, -1):
                if q[pos:pos + size] == reading[:size]:
                    end = consume(pos + size, index + 1)
                    if end is not None:
                        return end
        return None

    for start in range(len(chars)):
        if chars[start]:
            end = consume(0, start)
            if end is not None:
                return start, end
    return None
