"""Pinyin for the need-word search (hall_app/domain/pinyin_match.py), vector by vector
(docs/mutation.md): the sound codes and how a Latin query spells syllables, on syllables
written by hand (no catalog: tests/test_search.py searches the real one)."""

from __future__ import annotations

import pytest

from hall_app.domain import pinyin_match as pm
from hall_app.domain.pinyin_match import abbrev, contextual, readings, sound

GZF = [("gong",), ("zu",), ("fang",)]


@pytest.mark.parametrize(("query", "syllables", "start", "spelled"), [
    ("gzf", GZF, 0, 3), ("gongzufang", GZF, 0, 3), ("gongzf", GZF, 0, 3), ("gzfang", GZF, 0, 3),
    ("gz", GZF, 0, 2), ("g", GZF, 0, 1), ("gon", GZF, 0, 1), ("gongz", GZF, 0, 2),
    ("gx", GZF, 0, 0), ("gzfx", GZF, 0, 0), ("x", GZF, 0, 0), ("gongg", GZF, 0, 0),
    ("zf", GZF, 1, 2), ("f", GZF, 2, 1), ("f", GZF, 3, 0), ("gz", GZF, 1, 0), ("", GZF, 0, 0), ("", GZF, 2, 0),
    # each reading of a character may be spelled
    ("cq", [("zhong", "chong"), ("qing",)], 0, 2), ("zhq", [("zhong", "chong"), ("qing",)], 0, 2),
    ("chongq", [("zhong", "chong"), ("qing",)], 0, 2), ("tq", [("zhong", "chong", "tong"), ("qing",)], 0, 2),
    # a prefix too long for one syllable goes back and gives the next one its share
    ("gan", [("ga",), ("an",)], 0, 2), ("xian", [("xi",), ("an",)], 0, 2), ("xiam", [("xi",), ("an",)], 0, 0),
    ("xia", [("xi",), ("an",)], 0, 2),
    # the longest prefix is tried first: ab is one syllable here, not a + b
    ("ab", [("ab",), ("b",)], 0, 1), ("abb", [("ab",), ("b",)], 0, 2),
    ("aaa", [("a",), ("aa",), ("a",)], 0, 2),
    # out of syllables on one reading: the next reading is still tried
    ("ab", [("a", "ab")], 0, 1), ("abc", [("a", "ab"), ("c",)], 0, 2),
    # the first spelling found counts, even when a longer one exists further on
    ("abc", [("ab", "a"), ("c", "b"), ("c",)], 0, 2),
])
def test_how_many_syllables_a_query_spells(query: str, syllables: list[tuple[str, ...]], start: int,
                                          spelled: int) -> None:
    assert abbrev(query, syllables, start) == spelled


def test_the_same_sound_is_the_same_code() -> None:
    assert sound("公组房") == sound("公租房") != sound("公司")
    assert sound("") == ""
    assert len(sound("重庆市")) == 3 and sound("重庆") == sound("崇庆")  # chong qing, read in context
    assert sound("重庆")[1:] == sound("庆")


def test_a_single_mark_is_its_own_code_and_a_letter_is_a_syllable() -> None:
    assert sound("，") == "，" and sound("1") == "1" and sound("a，b") == sound("a") + "，" + sound("b")
    letter = sound("a")
    assert len(letter) == 1 and letter != "a" and ord(letter) >= 0xF0000
    assert sound("ab") == sound("a") + sound("b") != "ab"  # a Latin run is read letter by letter
    assert pm._sound_code("ab") not in (sound("a"), sound("b"), "ab")


def test_a_new_syllable_takes_the_next_private_use_code() -> None:
    known = dict(pm._SYLLABLE_CODES)
    fresh = "syllable_never_seen_" + str(len(known))
    code = pm._sound_code(fresh)
    assert code == chr(0xF0000 + len(known)) and pm._SYLLABLE_CODES[fresh] == code
    assert pm._sound_code(fresh) == code and len(pm._SYLLABLE_CODES) == len(known) + 1
    other = pm._sound_code(fresh + "x")
    assert other == chr(0xF0000 + len(known) + 1)
    assert {c for c in pm._SYLLABLE_CODES.values()} == {chr(0xF0000 + k) for k in range(len(pm._SYLLABLE_CODES))}


def test_readings_and_context() -> None:
    assert readings("重")[:2] == ("zhong", "chong") and readings("a") == ("a",) and readings("，") == ("，",)
    assert contextual("重庆") == ("chong", "qing") and contextual("a，b") == ("a", "，", "b")
    pm.warm_up()  # the tables are there (no error, nothing returned)
