"""hall_app/domain/jsontext.py and the orjson paths built on it: every input gives what
the standard library gives (value, error, hash, body), byte for byte where it is hashed.

Each fallback is pinned by an input orjson alone gets wrong: an integer beyond 64 bits
read as a float, NaN refused, a float written ``0.00001`` or ``1e-7`` where json writes ``1e-05`` or
``1e-07``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall_app.domain import jsontext
from hall_app.domain.events import Event, _encoded_fast


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (1 == 1.0 == True in Python)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return b != b
    return a == b


def outcome(decode, body: bytes) -> tuple[str, Any]:
    try:
        return "value", decode(body)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return type(exc).__name__, str(exc)


def assert_decodes_like_json(body: bytes) -> None:
    mine, theirs = outcome(jsontext.loads, body), outcome(json.loads, body)
    assert mine[0] == theirs[0], (body[:80], mine, theirs)
    assert same(mine[1], theirs[1]) if mine[0] == "value" else mine[1] == theirs[1], (body[:80], mine, theirs)


TRICKY = [
    b'{"events": [{"device_seq": 18446744073709551616}]}',  # beyond u64: orjson reads a float
    b'{"device_seq": -9223372036854775809}',  # below i64: orjson reads a float
    b'[9223372036854775808, 18446744073709551615, 1234567890123456789]',
    b'{"a": NaN}', b'[Infinity, -Infinity]', b'[1e400]', b'[-1e400]',
    b'{"a": "\\ud800"}', b'{"a": "\\udc00x\\ud83d\\ude00"}',  # a lone surrogate; a pair
    b'\xef\xbb\xbf{"a": 1}',  # a byte-order mark
    '{"a": "二"}'.encode("utf-16"), '{"a": 1}'.encode("utf-16-le"), '{"a": 1}'.encode("utf-32"),
    b'{"a": "\xff"}', b'{"a": "\xe4\xba"}',  # not UTF-8
    b"[" * 5000 + b"]" * 5000, b"[" * 1100 + b"]" * 1100,  # deeper than orjson (and json) go
    b'{"a": 1, "a": 2}', b'{"a": "\\u0000\\n\\t\\"\\\\\\/"}', b'  {"a" : [ 1 , 2 ] }\r\n',
    b'{"a": 1} x', b"", b"   ", b"{", b'{"a": 01}', b"[1.0, -0.0, 0.1e1, 1E2, -0]", b'"\x01"', b"[1,]",
    b'{"id": "1101011990030712345678901234"}',  # 19+ digits inside a string: json reads it (same value)
]


@pytest.mark.parametrize("body", TRICKY, ids=range(len(TRICKY)))
def test_tricky_bodies_decode_as_json_decodes_them(body):
    assert_decodes_like_json(body)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=100, deadline=None)
@given(JSON, st.booleans())
def test_any_json_decodes_as_json_decodes_it(value, ascii_only):
    assert_decodes_like_json(json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass"))


def test_orjson_alone_would_differ_on_the_pinned_inputs():
    """The fallbacks are needed: without them these tests would fail."""
    assert type(orjson.loads(TRICKY[0])["events"][0]["device_seq"]) is float
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(b'{"a": NaN}')
    assert orjson.dumps(1e-05) == b"0.00001" and json.dumps(1e-05) == "1e-05"
    assert orjson.dumps(1e-07) == b"1e-7" and json.dumps(1e-07) == "1e-07"
    assert orjson.dumps(float("nan")) == b"null" and json.dumps(float("nan")) == "NaN"


def plain_hash(event: Event) -> str:
    raw = json.dumps(event.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


NO_FLOATS = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.text(),
                         lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                         max_leaves=12)


@settings(max_examples=100, deadline=None)
@given(st.text(), st.integers(-2**70, 2**70), st.text(), st.dictionaries(st.text(), NO_FLOATS), st.text())
def test_the_orjson_hash_is_the_canonical_json_hash(case_id, device_seq, actor, payload, device_time):
    event = Event("e1", case_id, "d1", device_seq, actor, "case.field_set", payload, device_time, 1)
    payload_json, digest = event.encoded()
    assert digest == plain_hash(event)
    assert payload_json == json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def test_the_fast_hash_is_taken_for_plain_events_and_refused_for_the_rest():
    event = Event("e1", "c1", "d1", 7, "张丽", "case.field_set", {"key": "k\x1f", "value": ["二", 3, None, True]},
                  "2026-11-21T10:00:00+08:00", 1)
    assert _encoded_fast(event) is not None and _encoded_fast(event)[1] == plain_hash(event)
    for payload in ({"minutes": 1e-05}, {"n": 2**64}, {"t": "\ud800"}, {"x": (1, 2)}, {"nan": float("nan")}):
        odd = Event("e1", "c1", "d1", 7, "a", "queue.x", payload)
        assert _encoded_fast(odd) is None
        if "t" not in payload:  # a lone surrogate has no UTF-8: no hash, as before (the schema refuses it)
            assert odd.content_hash() == plain_hash(odd)


def test_push_body_fast_and_slow_give_the_same_events():
    from hall_app.sync.client import RawJSON, _push_body_fast, push_body

    raw = {"event_id": "e1", "device_seq": 3, "actor": "张丽", "payload": RawJSON('{"key":"地址","value":"a\\"b"}'),
           "device_time": "", "schema_version": 1}
    assert _push_body_fast([raw]) is not None
    for other in ({"x": 1e-05}, {"n": 2**64}, {"nan": float("nan")}):
        events = [raw, raw | {"event_id": "e2", "payload": other}]
        assert _push_body_fast(events) is None  # the slow way, as json.dumps would
        decoded = json.loads(push_body(events))
        assert same(decoded["events"][1]["payload"], json.loads(json.dumps(other)))
    assert json.loads(push_body([raw]))["events"][0]["payload"] == {"key": "地址", "value": 'a"b'}


def test_batch_json_is_the_same_rows_with_orjson_or_json():
    from hall_app.server.writes import COLUMNS, batch_json

    row = {c: f"{c}值\n\"" for c in COLUMNS} | {"device_seq": 2**63 - 1, "schema_version": 1,
                                                  "payload": {"a": [1, "二"]}, "payload_json": '{"a":[1,"二"]}'}
    other = row | {"payload_json": None, "payload": {"m": 1e-05}}  # encoded by json here
    text = batch_json([row, other])
    assert json.loads(text) == json.loads(json.dumps(
        [[r["payload_json"] or json.dumps(r["payload"], ensure_ascii=False) if c == "payload" else r[c]
          for c in COLUMNS] for r in (row, other)], ensure_ascii=False))
    assert batch_json([row | {"device_seq": 2**64}]) == json.dumps(
        [[row["payload_json"] if c == "payload" else (2**64 if c == "device_seq" else row[c]) for c in COLUMNS]],
        ensure_ascii=False)
