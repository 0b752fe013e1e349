"""Chinese line breaking (禁则, after W3C clreq and GB/T 15834) for reportlab paragraphs.

reportlab's CJK wrapper cuts "like a knife" and hangs at most one character that
may not start a line; two closing marks in a row (``》）``) leave the second alone
on the next line, and nothing stops a line from ending with ``（`` or ``《``. Here a
line break is only made where:

- the next line does not start with closing punctuation (``），。；：！？、》」』】`` …),
- the line does not end with opening punctuation (``（《「『【`` …),
- it does not split ``……`` or ``——``, a Latin word or a number (``023-47521234``).

When the character that overflows may not start a line, the break moves back
(推出: the last character of the line goes down with the punctuation), so no ink
ever leaves the frame. Only a run with no legal break point at all is cut where
it overflows.
"""

from __future__ import annotations

from collections.abc import Sequence

# Must not start a line: closing brackets and quotes, stops, pauses, and the like.
CANNOT_START = frozenset(
    "）〕］｝〉》」』】〗〙〛”’"  # closing brackets and quotes
    "，。、；：！？．"  # full-width stops and pauses
    "…‥·・—～%‰℃°′″々ゝゞヽヾー"  # continuation marks and units
    ")]}>,.;:!?"  # their ASCII forms
)
# Must not end a line: opening brackets and quotes.
CANNOT_END = frozenset("（〔［｛〈《「『【〖〘〚“‘([{<")
_NO_SPLIT_PAIRS = frozenset("…—‥")  # …… and —— are one mark each
FUZZ = 1e-6


def _latin(ch: str) -> bool:
    """Part of a word or number that must stay together (ASCII letters, digits, - . / @ …)."""
    return ord(ch) < 0x2E80 and not ch.isspace() and ch not in CANNOT_START and ch not in CANNOT_END


def can_break(text: Sequence[str], k: int) -> bool:
    """May a line end before ``text[k]``?"""
    a, b = text[k - 1], text[k]
    if not a or not b:
        return True
    if b in CANNOT_START or a in CANNOT_END:
        return False
    if a.isspace():
        return True
    if b.isspace():
        return False
    if a == b and a in _NO_SPLIT_PAIRS:
        return False
    return not (_latin(a) and _latin(b))


def plan_lines(text: Sequence[str], widths: Sequence[float], max_widths: Sequence[float],
               hard_breaks: frozenset[int] = frozenset()) -> list[tuple[int, int, float, bool]]:
    """Lines as ``(start, end, used width, ends with a hard break)``.

    ``text`` is a sequence of one-character strings (an empty string for a forced
    line break, whose index is in ``hard_breaks``); ``max_widths`` the width of
    each line (the last one repeats).
    """
    n = len(text)
    lines: list[tuple[int, int, float, bool]] = []
    start = 0
    while start < n:
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        used, i, hard = 0.0, start, False
        while i < n:
            if used + widths[i] > max_width + FUZZ and i > start:
                break
            used += widths[i]
            i += 1
            if i - 1 in hard_breaks:
                hard = True
                break
        if i < n and not hard:
            k = i
            while k > start + 1 and not can_break(text, k):
                k -= 1
            if not can_break(text, k):
                # No legal point on this line: let up to two closing marks hang
                # rather than start the next line with them, else cut.
                k = i
                while k < n and k - i < 2 and text[k] in CANNOT_START:
                    k += 1
            used = sum(widths[start:k])
            i = k
        lines.append((start, i, used, hard))
        start = i
        while start < n and text[start].isspace() and not hard:  # a space never starts a line
            start += 1
    return lines
