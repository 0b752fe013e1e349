"""JSON on the sync path with orjson where it gives exactly what the standard library
gives, and the standard library everywhere else.

orjson encodes and decodes 3-10x faster than ``json``, but the two disagree on a few
inputs, and on the sync path a disagreement would be a bug: the content hash is
compared with hashes stored by older versions (a different byte turns a resend into
a conflict), and a body the server decoded differently could be answered differently.
Where they disagree:

- encoding floats: ``json`` writes ``1e-05`` and ``1e-07``, orjson ``0.00001`` and
  ``1e-7`` (about 1 double in 100 is spelt differently); NaN and infinities are
  ``NaN`` / ``Infinity`` in ``json``, ``null`` in orjson. So values with a float anywhere are encoded by ``json``.
- encoding integers beyond 64 bits, lone surrogates, non-string keys: orjson raises
  (``TypeError``), and ``json`` does the work.
- decoding: orjson refuses NaN, ``1e400``, lone surrogate escapes, a byte-order mark,
  non-UTF-8 text and nesting deeper than 1024 (``json`` accepts or raises its own
  error), and it reads an integer outside the 64-bit range as a float where ``json``
  keeps the integer. A body orjson refuses, or with a run of 19 or more digits (the
  only way to write such an integer), is decoded by ``json``.

Everything else (strings with any escape, the order of keys, duplicate keys, ints,
nesting) comes out the same byte for byte; tests/test_jsontext.py holds both to it.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# A run of 19 digits, found as a run of 19 zeros once every digit is a zero (two C passes;
# a regular expression takes 20x longer on a 150 KB body).
_DIGITS_TO_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_NINETEEN_DIGITS = b"0" * 19


def plain(value: Any) -> bool:
    """True if ``value`` holds only strings, ints, booleans, None, lists and dicts with
    string keys: what orjson encodes exactly as ``json`` does (an int too large for it
    makes it raise, which callers handle)."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            kind = type(item)
            if kind is not str and kind is not int and not _plain_other(item, kind):
                return False
        return True
    if kind is list:
        for item in value:
            kind = type(item)
            if kind is not str and kind is not int and not _plain_other(item, kind):
                return False
        return True
    return kind is str or kind is int or _plain_other(value, kind)


def _plain_other(value: Any, kind: type) -> bool:
    return value is None or kind is bool or ((kind is dict or kind is list) and plain(value))


def loads(body: bytes) -> Any:
    """``json.loads(body)``: the same value, or the same ``json.JSONDecodeError``
    (raised by ``json`` itself: whatever orjson refuses goes to it)."""
    if isinstance(body, bytes) and _NINETEEN_DIGITS not in body.translate(_DIGITS_TO_ZERO):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    return json.loads(body)
