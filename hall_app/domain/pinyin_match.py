"""Pinyin for the need-word search: every reading of a character, the reading in
context, a sound code per syllable (homophone typos), and spelling a term from what a
clerk types fast (gzf, gongzufang, gongzf). Uses pypinyin, imported on first use."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache


def warm_up() -> None:
    """Import the pinyin tables now (the first pinyin query otherwise pays ~0.3 s)."""
    import pypinyin  # noqa: F401


@lru_cache(maxsize=8192)
def readings(ch: str) -> tuple[str, ...]:
    """Every toneless reading of one character ('重' → zhong, chong); itself if not Chinese."""
    from pypinyin import Style, pinyin

    if ch.isascii():
        return (ch,)
    # pypinyin takes an ``errors`` callable returning a list too; its annotation says str only.
    found = pinyin(ch, style=Style.NORMAL, heteronym=True, errors=lambda s: list(s))  # type: ignore[arg-type,return-value]
    out: list[str] = []
    for reading in found[0] if found else [ch]:
        if reading and reading not in out:
            out.append(reading)
    return tuple(out) or (ch,)


@lru_cache(maxsize=4096)
def contextual(text: str) -> tuple[str, ...]:
    """The reading of each character in context (重庆 → chong qing), one per character."""
    from pypinyin import lazy_pinyin

    out = lazy_pinyin(text, errors=lambda s: list(s))  # type: ignore[arg-type,return-value]  # see readings()
    return tuple(out) if len(out) == len(text) else tuple(readings(ch)[0] for ch in text)


_SYLLABLE_CODES: dict[str, str] = {}
_CODES_LOCK = threading.Lock()  # a worker thread prepares the index while the screen may search


def _sound_code(syllable: str) -> str:
    """One private-use character per syllable, so sound strings compare like text."""
    if len(syllable) == 1 and not syllable.isalpha():
        return syllable
    code = _SYLLABLE_CODES.get(syllable)
    if code is None:
        with _CODES_LOCK:
            code = _SYLLABLE_CODES.setdefault(syllable, chr(0xF0000 + len(_SYLLABLE_CODES)))
    return code


def sound(text: str) -> str:
    """The text as a string of syllable codes: 公组房 and 公租房 give the same string."""
    return "".join(_sound_code(s) for s in contextual(text)) if text else ""


def abbrev(query: str, syllables: Sequence[tuple[str, ...]], start: int) -> int:
    """How many syllables from ``start`` the Latin query spells, each as a prefix of one of
    its readings (gzf, gongzufang, gongzf); 0 if it cannot be spelled to the end."""
    best = 0

    def walk(qi: int, si: int) -> bool:
        nonlocal best
        if qi == len(query):
            best = max(best, si - start)
            return True
        if si == len(syllables):
            return False
        for reading in syllables[si]:
            n = 0
            while n < len(reading) and qi + n < len(query) and reading[n] == query[qi + n]:
                n += 1
            for length in range(n, 0, -1):
                if walk(qi + length, si + 1):
                    return True
        return False

    walk(0, start)
    return best
