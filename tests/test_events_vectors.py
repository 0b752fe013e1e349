"""Vectors for hall_app/domain/events.py: the canonical text and hash on the fast path
(orjson) and on each way to the slow one (a float, an integer beyond 64 bits, a key
that is not a string, a float in the envelope), and an event's dict both ways with
every default. The hash is held to its definition: SHA-256 of the whole event as JSON
with sorted keys, no spaces, UTF-8. Pure, no I/O."""

from __future__ import annotations

import hashlib
import json

import pytest

from hall_app.domain.events import SCHEMA_VERSION, Event, _enc, _encoded_fast, _num


def plain_hash(event: Event) -> str:
    raw = json.dumps(event.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def ev(payload, **kw) -> Event:
    base = {"event_id": "e1", "case_id": "c1", "device_id": "d1", "device_seq": 7, "actor": "张丽",
            "type": "case.field_set", "payload": payload, "device_time": "2026-12-02T09:00:00+08:00",
            "schema_version": 1}
    return Event(**(base | kw))


FAST = [
    ev({"value": "软件开发；咨询", "key": "经营范围"}),
    ev({"b": [1, {"d": None, "c": True}], "a": "\"\\\n\x00"}),
    ev({}),
    ev({"n": -(2 ** 63), "m": 2 ** 64 - 1}),
]
SLOW = [
    (ev({"x": 1e-05, "a": 1}), '{"a":1,"x":1e-05}'),
    (ev({"x": [0.5]}), '{"x":[0.5]}'),
    (ev({"big": 2 ** 70, "a": "二"}), '{"a":"二","big":1180591620717411303424}'),
    (ev({2: "a", 1: "b"}), '{"1":"b","2":"a"}'),
    (ev({"a": 1}, device_time=1.5), '{"a":1}'),
    (ev({"a": 1}, device_seq=2 ** 70), '{"a":1}'),
    (ev({"a": 1.0}, device_seq=True, actor=None, schema_version=1.0), '{"a":1.0}'),
]


@pytest.mark.parametrize("event", FAST)
def test_the_fast_path_gives_the_canonical_text_and_hash(event):
    text = json.dumps(event.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert _encoded_fast(event) == (text, plain_hash(event))
    assert event.encoded() == (text, plain_hash(event))
    assert event.content_hash() == plain_hash(event)


@pytest.mark.parametrize(("event", "text"), SLOW)
def test_the_slow_path_gives_the_same_as_json(event, text):
    assert _encoded_fast(event) is None
    assert event.encoded() == (text, plain_hash(event))
    assert event.content_hash() == plain_hash(event)


def test_a_known_event_keeps_its_hash_on_both_paths():
    fast = ev({"key": "经营范围", "value": "软件开发；咨询"})
    assert fast.content_hash() == "748cd0ba96b1a8734bfafceebd74b92fedb0f96fe65beef34ba2ab22e16d1c0c"
    assert fast.content_hash() == plain_hash(fast)
    slow = ev({"key": "经营范围", "value": "软件开发；咨询", "w": 0.25})
    assert slow.encoded()[0] == '{"key":"经营范围","value":"软件开发；咨询","w":0.25}'
    assert slow.content_hash() == plain_hash(slow) != fast.content_hash()


@pytest.mark.parametrize(("value", "text"), [
    ("张\"丽\n", '"张\\"丽\\n"'),
    (None, "null"),
    (True, "true"),
    (7, "7"),
    (1.5, "1.5"),
    ({"b": 1, "a": "二"}, '{"a":"二","b":1}'),
])
def test_enc(value, text):
    assert _enc(value) == text


@pytest.mark.parametrize(("value", "text"), [(7, "7"), (-3, "-3"), (2 ** 70, "1180591620717411303424"),
                                             (True, "true"), (1.0, "1.0"), ("7", '"7"'), (None, "null")])
def test_num(value, text):
    assert _num(value) == text


def test_to_dict_and_back():
    event = ev({"key": "姓名", "value": "张三"})
    as_dict = event.to_dict()
    assert as_dict == {"event_id": "e1", "case_id": "c1", "device_id": "d1", "device_seq": 7, "actor": "张丽",
                       "type": "case.field_set", "payload": {"key": "姓名", "value": "张三"},
                       "device_time": "2026-12-02T09:00:00+08:00", "schema_version": 1}
    assert list(as_dict) == ["event_id", "case_id", "device_id", "device_seq", "actor", "type", "payload",
                             "device_time", "schema_version"]
    assert Event.from_dict(as_dict) == event


def test_from_dict_fills_the_defaults_and_reads_numbers():
    minimal = {"event_id": "e2", "case_id": "c2", "device_id": "d2", "device_seq": "12", "actor": "a",
               "type": "case.voided"}
    event = Event.from_dict(minimal)
    assert event == Event("e2", "c2", "d2", 12, "a", "case.voided", {}, "", SCHEMA_VERSION)
    assert SCHEMA_VERSION == 1
    assert type(event.device_seq) is int
    none_payload = Event.from_dict(minimal | {"payload": None, "device_time": "t", "schema_version": "2"})
    assert (none_payload.payload, none_payload.device_time, none_payload.schema_version) == ({}, "t", 2)


def test_from_dict_copies_the_payload():
    payload = {"reason": "重复受理"}
    event = Event.from_dict({"event_id": "e", "case_id": "c", "device_id": "d", "device_seq": 1, "actor": "a",
                             "type": "case.voided", "payload": payload})
    assert event.payload == {"reason": "重复受理"}
    payload["reason"] = "changed"
    assert event.payload == {"reason": "重复受理"}


@pytest.mark.parametrize("key", ["event_id", "case_id", "device_id", "device_seq", "actor", "type"])
def test_from_dict_needs_the_envelope(key):
    full = {"event_id": "e", "case_id": "c", "device_id": "d", "device_seq": 1, "actor": "a", "type": "case.voided"}
    del full[key]
    with pytest.raises(KeyError):
        Event.from_dict(full)


class JsonSpy:
    """Stands in for the json module inside events.py, counting what it encodes."""

    def __init__(self):
        import json as real

        self.real, self.calls = real, []

    def dumps(self, value, **kw):
        self.calls.append(value)
        return self.real.dumps(value, **kw)


def test_the_fast_ways_are_taken_where_they_give_the_same_text(monkeypatch):
    """Strings and ints of the envelope are written without json.dumps, and a plain event
    is hashed by orjson: the speed the module exists for (the same text either way is
    held above)."""
    import hall_app.domain.events as events

    spy = JsonSpy()
    monkeypatch.setattr(events, "json", spy)
    assert (_enc("张\"丽"), _num(7), _num(-3)) == ('"张\\"丽"', "7", "-3")
    assert spy.calls == []
    event = ev({"key": "姓名", "value": "张三"})
    assert event.encoded() == ('{"key":"姓名","value":"张三"}', plain_hash(event))
    assert spy.calls == []
    slow = ev({"w": 0.5}, actor="张丽", device_seq=8)
    assert slow.encoded()[0] == '{"w":0.5}'
    assert spy.calls == [{"w": 0.5}]  # the payload only: the envelope's strings and ints the fast way
