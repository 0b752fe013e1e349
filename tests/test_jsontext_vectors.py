"""Vectors for hall_app/domain/jsontext.py: what ``plain`` calls plain (table), and
which decoder ``loads`` uses for what (orjson for the ordinary body, json for a run
of 19 digits, for what orjson refuses, and for text that is not bytes). Which decoder
ran is the module's point (orjson is 3-10x faster); that both give the same value is
tests/test_jsontext.py's."""

from __future__ import annotations

import json
from collections import OrderedDict

import pytest

from hall_app.domain import jsontext
from hall_app.domain.jsontext import loads, plain


class Key(str):
    pass


@pytest.mark.parametrize(("value", "is_plain"), [
    ({}, True),
    ([], True),
    ({"a": 1, "b": "二", "c": None, "d": True, "e": [1, {"f": False}]}, True),
    ({1: "a"}, False),
    ({Key("a"): 1}, False),  # a str subclass as a key
    ({"a": 1.5}, False),
    ({"a": [1, 1.5]}, False),
    ({"a": {"b": {"c": 0.0}}}, False),
    ({"a": (1, 2)}, False),
    ({"a": b"x"}, False),
    ({"a": OrderedDict(b=1)}, False),  # not exactly a dict
    ({"a": [{"b": [None]}]}, True),
    ({"a": [{2: "x"}]}, False),
    ([1, "a", None, True, [2], {"c": 3}], True),
    ([None], True),
    ([False], True),
    ([1.0], False),
    (["a", {"b": (1,)}], False),
    ([[[[1.5]]]], False),
    ([{"a": 1}, {1: "a"}], False),
    ("s", True),
    (3, True),
    (2 ** 70, True),  # plain: orjson raises on it, and the caller goes the slow way
    (None, True),
    (False, True),
    (1.0, False),
    ((1,), False),
    (b"x", False),
    ({1, 2}, False),
])
def test_plain(value, is_plain):
    assert plain(value) is is_plain


class Spy:
    """Stands in for the json module inside jsontext, counting what it decodes."""

    def __init__(self):
        self.calls = 0

    def loads(self, body):
        self.calls += 1
        return json.loads(body)


@pytest.mark.parametrize(("body", "by_json"), [
    (b'{"a": [1, 2, "\xe4\xba\x8c"]}', False),
    (b'[123456789012345678]', False),  # 18 digits: orjson reads it exactly
    (b'[1234567890123456789]', True),  # 19 digits in a row: json
    (b'{"id": "1234567890123456789"}', True),  # also inside a string (the check is on the bytes)
    (b'[123456789, 0123456789]', True),  # refused by orjson (and by json: its error)
    (b'{"a": NaN}', True),
    (b'\xef\xbb\xbf{"a": 1}', True),
    ('{"a": 1}', True),  # text, not bytes
    (bytearray(b'{"a": 1}'), True),
])
def test_which_decoder_reads_what(monkeypatch, body, by_json):
    spy = Spy()
    monkeypatch.setattr(jsontext, "json", spy)
    try:
        expected = json.loads(body)
    except json.JSONDecodeError as exc:
        with pytest.raises(json.JSONDecodeError) as raised:
            loads(body)
        assert str(raised.value) == str(exc)
    else:
        value = loads(body)
        assert value == expected and type(value) is type(expected)
    assert spy.calls == int(by_json)
