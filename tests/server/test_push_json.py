"""The push body is decoded by orjson where it reads what json reads (jsontext.loads):
a body the two would read differently gets the answer it got when json read every body."""

from __future__ import annotations

import json

import pytest
from test_push_hardening import device_token, envelope, post_raw, started

from hall_app.domain import jsontext

pytestmark = pytest.mark.postgres


def events_body(dev: str, *extra: str) -> bytes:
    """A start and one more event of ``dev``, with ``extra`` JSON members spliced into the second."""
    second = json.dumps(envelope(dev, 2), ensure_ascii=False)[:-1] + "".join(", " + e for e in extra) + "}"
    return f'{{"events": [{json.dumps(started(dev, 1))}, {second}]}}'.encode()


BODIES = {
    # orjson reads an integer beyond 64 bits as a float (json: the integer, refused for its size)
    "u64+1 device_seq": lambda dev: events_body(dev).replace(b'"device_seq": 2', b'"device_seq": 18446744073709551617'),
    "huge version": lambda dev: events_body(dev, '"schema_version": 100000000000000000000000'),
    "below i64 in payload": lambda dev: events_body(dev).replace(b'"need"', b"-9223372036854775809"),
    # orjson refuses these; json reads them (the event is then refused on its own) or refuses the body
    "NaN": lambda dev: events_body(dev).replace(b'"need"', b"NaN"),
    "1e400": lambda dev: events_body(dev).replace(b'"need"', b"1e400"),
    "lone surrogate": lambda dev: events_body(dev).replace(b'"need"', b'"\\ud800"'),
    "BOM": lambda dev: b"\xef\xbb\xbf" + events_body(dev),
    "UTF-16": lambda dev: events_body(dev).decode().encode("utf-16"),
    "not UTF-8": lambda dev: events_body(dev).replace(b'"need"', b'"\xff"'),
    "deep": lambda dev: events_body(dev).replace(b'"need"', b"[" * 3000 + b"]" * 3000),
    "cut": lambda dev: events_body(dev)[:-7],
    # both read these the same (orjson or json): answered as before
    "19 digits in a string": lambda dev: events_body(dev).replace(b'"need"', b'"1234567890123456789012"'),
    "duplicate key": lambda dev: events_body(dev, '"actor": "lisi"'),
}


def answer(server, engine, make) -> tuple[int, object]:
    dev, token = device_token(engine)
    response = post_raw(server.url, token, make(dev))
    body = response.json()
    if "results" in body:  # feed positions differ from run to run; the verdicts must not
        body = [(r["status"], r["code"], r["error"]) for r in body["results"]]
    return response.status_code, body


def test_every_body_gets_the_answer_json_gave(server_engine, server, monkeypatch):
    mine = {name: answer(server, server_engine, make) for name, make in BODIES.items()}
    monkeypatch.setattr(jsontext, "loads", json.loads)  # as before: json reads every body
    theirs = {name: answer(server, server_engine, make) for name, make in BODIES.items()}
    assert mine == theirs
    assert all(status < 500 for status, _ in mine.values())
    assert mine["u64+1 device_seq"][1][1][:2] == ("rejected", "invalid")  # not stored, not a 500
    assert mine["duplicate key"][1][1][0] == "stored"
