"""The content hash: what a conflict is judged by, so it must never drift.

``Event.encoded`` builds the canonical text around the payload's own encoding (the
push path encodes each payload once); these tests hold it to the plain definition:
SHA-256 of the whole event as JSON with sorted keys, no spaces, UTF-8.
"""

from __future__ import annotations

import hashlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from hall_app.domain.events import Event


def plain_hash(event: Event) -> str:
    raw = json.dumps(event.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=12)
SCALAR = st.one_of(st.text(), st.integers(), st.none(), st.booleans(), st.floats(allow_nan=False))


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text(), st.text(), SCALAR, SCALAR, st.text(), st.dictionaries(st.text(), JSON), SCALAR, SCALAR)
def test_hash_is_the_canonical_json_of_the_whole_event(event_id, case_id, device_id, device_seq, actor, kind,
                                                       payload, device_time, version):
    event = Event(event_id, case_id, device_id, device_seq, actor, kind, payload, device_time, version)
    payload_json, digest = event.encoded()
    assert digest == plain_hash(event) == event.content_hash()
    assert json.loads(payload_json) == json.loads(json.dumps(payload))


def test_a_known_event_keeps_its_hash():
    # Pinned: stored hashes on every server and device were made this way; a change here
    # would turn every resend into a conflict.
    event = Event("e1", "c1", "d1", 7, "张丽", "case.field_set", {"key": "经营范围", "value": "软件开发；咨询"},
                  "2026-11-21T10:00:00+08:00", 1)
    assert event.content_hash() == plain_hash(event) == \
        "4d6841e726cedaf5f18fad9ad8a0241187e1538a9b95604ffa5761ff3d837bc4"
    assert event.encoded()[0] == '{"key":"经营范围","value":"软件开发；咨询"}'
    changed = Event("e1", "c1", "d1", 7, "张丽", "case.field_set", {"key": "经营范围", "value": "软件开发;咨询"},
                    "2026-11-21T10:00:00+08:00", 1)
    assert changed.content_hash() != event.content_hash()


def test_push_body_with_raw_payloads_is_the_same_json():
    from hall_app.sync.client import RawJSON, push_body

    events = [{"event_id": "e1", "device_seq": 3, "actor": "张丽", "payload": RawJSON('{"key":"地址","value":"a\\"b"}'),
               "device_time": "", "schema_version": 1},
              {"event_id": "e2", "device_seq": 4, "actor": None, "payload": {"x": [1, "二"]}, "device_time": "t",
               "schema_version": 1}]
    decoded = json.loads(push_body(events))
    assert decoded == {"events": [
        {"event_id": "e1", "device_seq": 3, "actor": "张丽", "payload": {"key": "地址", "value": 'a"b'},
         "device_time": "", "schema_version": 1},
        {"event_id": "e2", "device_seq": 4, "actor": None, "payload": {"x": [1, "二"]}, "device_time": "t",
         "schema_version": 1}]}
