"""Tracking codes (跟踪码): short, readable, checkable, random, no personal data.

Twelve characters from a 31-letter alphabet without look-alikes (no I O Z S V, as in
the USCC), written in three groups: ``K7P9-M2QT-X4RH``. Eleven characters are drawn
from the operating system's CSPRNG (about 54 bits, so knowing one code tells nothing
of another); the twelfth is a MOD 31 check character over the other eleven, which
catches any single mistyped character and most swapped neighbours.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from hall_app.domain.text import compact

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
RANDOM_LENGTH = 11
LENGTH = RANDOM_LENGTH + 1


def _check_char(body: str) -> str:
    total = 0
    for position, char in enumerate(body):
        total += ALPHABET.index(char) * (position + 2)  # position-weighted: catches swaps
    return ALPHABET[total % 31]


def new_tracking_code(choice: Callable[[str], str] = secrets.choice) -> str:
    """A fresh code; ``choice`` is replaceable only for the deterministic demo data."""
    body = "".join(choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + _check_char(body)


def format_tracking_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def parse_tracking_code(raw: str | None) -> str | None:
    """The canonical code from what was typed or scanned, or None if it is not one.

    Accepts grouping dashes and blanks, lower case, full-width characters, and a whole
    tracking URL (``https://…/t/K7P9M2QTX4RH``) as a barcode scanner types it.
    """
    text = compact(raw).upper()
    if "/T/" in text:
        text = text.rsplit("/T/", 1)[1].strip("/")
    text = text.replace("-", "")
    if len(text) != LENGTH or any(c not in ALPHABET for c in text):
        return None
    if _check_char(text[:-1]) != text[-1]:
        return None
    return text
