"""Vectors for hall_app/domain/text.py: what free text and codes become, how pasted
lines are joined, and every refusal of ``text_problem`` in words, at the edges of
each character range and of the length limit. Pure, no I/O."""

from __future__ import annotations

import pytest

from hall_app.domain.text import (
    clean,
    compact,
    describe_char,
    join_lines,
    needs_space,
    printable,
    text_problem,
    to_halfwidth,
)


@pytest.mark.parametrize(("typed", "half"), [
    ("０１２ＡＢＣａｚ！～", "012ABCaz!~"),
    ("\uff00", "\uff00"),  # just below the full-width ASCII block: kept
    ("\uff01", "!"),  # its first character
    ("\uff5e", "~"),  # its last character
    ("\uff5f", "\uff5f"),  # just above: kept
    ("甲\u3000乙", "甲 乙"),  # the ideographic space
    ("\u3001\u2000", "\u3001\u2000"),  # 、 and another blank: kept
    ("", ""),
])
def test_to_halfwidth(typed, half):
    assert to_halfwidth(typed) == half


@pytest.mark.parametrize(("typed", "kept"), [
    (None, ""),
    ("", ""),
    ("  张三 \n\t 李四\u3000 ", "张三 李四"),
    ("经营范围：软件开发；咨询（不含中介）", "经营范围：软件开发；咨询（不含中介）"),
    ("ＡＢＣ　１２３", "ＡＢＣ 123".replace("123", "１２３")),  # full-width kept, the ideographic space folded
    ("e\u0301", "\u00e9"),  # NFC
    (123, "123"),
])
def test_clean(typed, kept):
    assert clean(typed) == kept


@pytest.mark.parametrize(("pasted", "joined"), [
    ("重庆市江津区\n几江街道18号", "重庆市江津区几江街道18号"),
    ("Room 3\nBuilding 5", "Room 3 Building 5"),
    ("  Room 3 \r\n\r\n   \n Building 5  ", "Room 3 Building 5"),
    ("北京市\nRoom 3", "北京市Room 3"),
    ("Room 3\n北京市", "Room 3北京市"),
    ("中ab中\nx", "中ab中x"),  # the last character of what came before decides, not another one
    ("ab\nx中", "ab x中"),  # the first character of the next line decides
    ("\n\n", ""),
    ("", ""),
    ("一行", "一行"),
])
def test_join_lines(pasted, joined):
    assert join_lines(pasted) == joined


@pytest.mark.parametrize(("before", "after", "space"), [
    ("a", "b", True),
    ("3", "B", True),
    ("中", "b", False),
    ("a", "中", False),
    ("中", "文", False),
    ("Ａ", "b", False),  # full-width (F) counts as wide
    ("a", "Ａ", False),
    ("\uff61", "a", True),  # half-width katakana (H) is not wide
])
def test_needs_space(before, after, space):
    assert needs_space(before, after) is space


@pytest.mark.parametrize(("typed", "code"), [
    (None, ""),
    (" 110101-1990_0307 ００１Ｘ ", "11010119900307001X"),
    ("１２３－４５６＿７８９", "123456789"),  # full-width hyphen and low line go too
    ("a\tb\nc\u3000d", "abcd"),
    ("e\u0301", "\u00e9"),
    (12345, "12345"),
    ("A.B/C", "A.B/C"),
])
def test_compact(typed, code):
    assert compact(typed) == code


@pytest.mark.parametrize(("ch", "words"), [
    ("\x00", "空字符（NUL）"),
    ("\ud800", "无法编码的半个代理字符（U+D800）"),
    ("\udfff", "无法编码的半个代理字符（U+DFFF）"),
    ("\ud7ff", "不可见的控制字符（U+D7FF）"),
    ("\ue000", "不可见的控制字符（U+E000）"),
    ("\n", "换行"),
    ("\x01", "不可见的控制字符（U+0001）"),
    ("\x1f", "不可见的控制字符（U+001F）"),
    ("\x9f", "不可见的控制字符（U+009F）"),
])
def test_describe_char(ch, words):
    assert describe_char(ch) == words


@pytest.mark.parametrize(("value", "limit", "shown"), [
    ("张三", 80, "张三"),
    ("a\x00b\nc\x7f\x9f\xa0d", 80, "a\\u0000b\\u000ac\\u007f\\u009f\xa0d"),
    ("\ud800x", 80, "\\ud800x"),
    ("x" * 80, 80, "x" * 80),
    ("x" * 81, 80, "x" * 80 + "…"),
    ("abcdef", 5, "abcde…"),
    ("abcde", 5, "abcde"),
    ("abcd\x00f", 5, "abcd\\u0000…"),
    ("abcde\x00", 5, "abcde…"),  # what is cut off is not shown
])
def test_printable(value, limit, shown):
    assert printable(value, limit) == shown


def test_printable_cuts_at_80_by_default():
    assert printable("字" * 81) == "字" * 80 + "…"
    assert printable("字" * 80) == "字" * 80


@pytest.mark.parametrize(("value", "limit", "multiline", "problem"), [
    ("张三", 10, False, ""),
    ("a\x00", 10, False, "含有空字符（NUL），位置 2"),
    ("a\nb", 10, False, "含有换行，位置 2"),
    ("a\nb", 10, True, ""),
    ("a\tb", 10, False, "含有不可见的控制字符（U+0009），位置 2"),
    ("a\tb", 10, True, "含有不可见的控制字符（U+0009），位置 2"),
    ("\x0b", 10, True, "含有不可见的控制字符（U+000B），位置 1"),
    ("ab\x1f", 10, False, "含有不可见的控制字符（U+001F），位置 3"),
    ("ab\x1f", 10, True, "含有不可见的控制字符（U+001F），位置 3"),
    ("\x7f", 10, True, "含有不可见的控制字符（U+007F），位置 1"),
    ("\x80", 10, False, "含有不可见的控制字符（U+0080），位置 1"),
    ("\x9f", 10, True, "含有不可见的控制字符（U+009F），位置 1"),
    ("\x20\x7e\xa0", 10, False, ""),
    ("\ud7ff\ue000", 10, True, ""),
    ("x\ud800", 10, False, "含有无法编码的半个代理字符（U+D800），位置 2"),
    ("x\udfff", 10, True, "含有无法编码的半个代理字符（U+DFFF），位置 2"),
    ("a\x00\x01", 10, False, "含有空字符（NUL），位置 2"),  # the first one found
    ("abcde", 5, False, ""),
    ("abcdef", 5, False, "过长（6 字，最多 5 字）"),
    ("第一行\n第二行", 6, True, "过长（7 字，最多 6 字）"),
    ("abcdef\x00", 5, False, "含有空字符（NUL），位置 7"),  # what may not be stored goes first
])
def test_text_problem(value, limit, multiline, problem):
    assert text_problem(value, limit, multiline) == problem


def test_text_problem_is_single_line_unless_told():
    assert text_problem("a\nb", 10) == "含有换行，位置 2"
