"""Tracking codes by fixed vectors (domain/tracking.py): the check character worked by
hand, the groups, and what a typed or scanned code may look like."""

from __future__ import annotations

import pytest

from hall_app.domain.tracking import (
    ALPHABET,
    LENGTH,
    RANDOM_LENGTH,
    format_tracking_code,
    new_tracking_code,
    parse_tracking_code,
)


def drawn(body: str):
    """A ``choice`` that hands out ``body`` one character at a time (and checks what it is offered)."""
    chars = iter(body)

    def choice(alphabet: str) -> str:
        assert alphabet == ALPHABET
        return next(chars)
    return choice


# check = ALPHABET[sum(value × (position + 2)) mod 31], worked by hand
@pytest.mark.parametrize(("body", "check"), [
    ("00000000000", "0"),
    ("10000000000", "2"),           # 1 × 2
    ("01000000000", "3"),           # 1 × 3
    ("00000000001", "C"),           # 1 × 12 = 12 → C
    ("0123456789A", "Y"),           # Σ i(i+2), i = 0..10 = 495 ≡ 30 → Y
    ("YYYYYYYYYYY", "G"),           # 30 × 77 = 2310 ≡ 16 → G
    ("20000000000", "4"),
])
def test_the_check_character_by_hand(body, check):
    assert new_tracking_code(drawn(body)) == body + check
    assert parse_tracking_code(body + check) == body + check
    wrong = ALPHABET[(ALPHABET.index(check) + 1) % 31]
    assert parse_tracking_code(body + wrong) is None


def test_the_alphabet_and_lengths():
    assert ALPHABET == "0123456789ABCDEFGHJKLMNPQRTUWXY" and len(ALPHABET) == 31
    assert (RANDOM_LENGTH, LENGTH) == (11, 12)
    code = new_tracking_code()
    assert len(code) == 12 and parse_tracking_code(code) == code


@pytest.mark.parametrize(("code", "shown"), [
    ("K7P9M2QTX4R1", "K7P9-M2QT-X4R1"),
    ("ABCD", "ABCD"),
    ("ABCDE", "ABCD-E"),
    ("", ""),
])
def test_groups_of_four(code, shown):
    assert format_tracking_code(code) == shown


@pytest.mark.parametrize("typed", [
    "K7P9M2QTX4R1", "k7p9-m2qt-x4r1", " K7P9 M2QT X4R1 ", "K7P9_M2QT_X4R1",
    "ｋ７ｐ９－ｍ２ｑｔ－ｘ４ｒ１",
    "https://zwfw.example.cn/t/K7P9M2QTX4R1", "https://zwfw.example.cn/t/K7P9M2QTX4R1/",
    "HTTPS://ZWFW.EXAMPLE.CN/T/K7P9-M2QT-X4R1", "https://x.cn/t/AAAA/t/K7P9M2QTX4R1",
])
def test_what_is_read_as_a_code(typed):
    assert parse_tracking_code(typed) == "K7P9M2QTX4R1"


def test_a_code_that_starts_or_ends_with_x_keeps_it_in_a_url():
    assert new_tracking_code(drawn("X0000000000")) == "X0000000000U"  # 29 × 2 = 58 ≡ 27 → U
    assert parse_tracking_code("https://x.cn/t/X0000000000U") == "X0000000000U"
    assert parse_tracking_code("https://x.cn/t/x0000000000u/") == "X0000000000U"


@pytest.mark.parametrize("typed", [
    None, "", "K7P9M2QTX4R", "K7P9M2QTX4R11", "K7P9M2QTX4RI", "K7P9M2QTX4R2", "O7P9M2QTX4R1",
    "https://x.cn/t/K7P9M2QTX4R1/t/", "https://x.cn/K7P9M2QTX4R1x",
])
def test_what_is_not(typed):
    assert parse_tracking_code(typed) is None
