"""Payload and envelope checks (hall_app/domain/event_types.py), message by message.

The messages are what a clerk or a hall's administrator reads when the server refuses a
push, so each vector checks the whole sentence and the field it names (docs/mutation.md).
"""

from __future__ import annotations

import pytest

from hall_app.domain.event_types import (
    MAX_DEVICE_SEQ,
    EventInvalid,
    check_envelope,
    check_event,
    extra_schema,
    replay_checked,
    typed_event,
    validate_event,
)
from hall_app.domain.event_types_queue import QUEUE_SCHEMAS
from hall_app.domain.events import Event

P = "事件 {kind} 的字段 {field} 不合格：{why}"
PAYLOAD_VECTORS = [
    # kind, payload -> field, why
    ("case.rated", {"level": 0}, "payload.level", "数值过小（界限 1）"),
    ("case.rated", {"level": 6}, "payload.level", "数值过大（界限 5）"),
    ("case.rated", {"level": "3"}, "payload.level", "应为整数"),
    ("case.rated", {"level": 3, "dimensions": {"服务态度": "5"}}, "payload.dimensions.服务态度", "应为整数"),
    ("case.item_result", {"item": "x", "status": "done"}, "payload.status",
     "取值无效，应为 'received', 'in_progress', 'needs_material', 'approved', 'rejected' or 'completed'"),
    ("case.handed_over", {"collector": "me"}, "payload.collector", "取值无效，应为 '', 'applicant' or 'proxy'"),
    ("case.refused", {"reason": ""}, "payload.reason", "不能为空"),
    ("case.refused", {}, "payload.reason", "缺少此项"),
    ("case.refused", {"reason": "a", "x": 1}, "payload.x", "不允许的字段"),
    ("case.refused", {"reason": "a", "k" * 50: 1}, f"payload.{'k' * 40}…", "不允许的字段"),
    ("case.refused", {"reason": "a\x07b"}, "payload.reason", "含有不可见的控制字符（U+0007），位置 2"),
    ("case.proxy_set", {"proxy": {"name": 5}}, "payload.proxy.name", "应为文字"),
    ("case.proxy_set", {"proxy": "abc"}, "payload.proxy", "应为对象"),
    ("case.applicant_set", {"key": "name", "value": 5}, "payload.value", "应为文字"),
    ("case.applicant_set", {"key": "name", "value": "a\x00b"}, "payload.value", "含有空字符（NUL），位置 2"),
    ("case.applicant_set", {"key": "name", "value": "a\nb"}, "payload.value", "含有换行，位置 2"),
    ("case.applicant_set", {"key": "name", "value": "张\ud800"}, "payload.value", "含有无法编码的字符（半个代理字符）"),
    ("case.field_set", {"key": "k", "value": "字" * 2001}, "payload.value", "过长（2001 字，最多 2000 字）"),
    ("case.notice_issued", {"missing": ["m"] * 501}, "payload.missing", "项目过多"),
    ("case.notice_issued", {"missing": 5}, "payload.missing", "应为列表"),
    ("case.accepted", {"items": ["a"]}, "payload.items", "应为对象"),
    ("queue.ticket_issued", {}, "payload.ticket", "缺少此项"),
]


@pytest.mark.parametrize(("kind", "payload", "field", "why"), PAYLOAD_VECTORS)
def test_a_payload_refused_says_the_field_and_why(kind, payload, field, why):
    with pytest.raises(EventInvalid) as err:
        validate_event(kind, payload)
    assert (str(err.value), err.value.field) == (P.format(kind=kind, field=field, why=why), field)


@pytest.mark.parametrize(("kind", "payload", "version", "message", "field"), [
    ("case.voided", {"reason": "x"}, 2, "不支持的事件格式版本 2（支持 (1,)）", "schema_version"),
    ("case.voided", {"reason": "x"}, "1", "不支持的事件格式版本 1（支持 (1,)）", "schema_version"),
    ("case.voided", {"reason": "x"}, True, "不支持的事件格式版本 True（支持 (1,)）", "schema_version"),
    ("case.voided", {"reason": "x"}, "9" * 30, f"不支持的事件格式版本 {'9' * 20}（支持 (1,)）", "schema_version"),
    ("case.nope", {}, 1, "未知的事件类型 'case.nope'", "type"),
    ("x" * 50, {}, 1, f"未知的事件类型 '{'x' * 40}'", "type"),
    (5, {}, 1, "未知的事件类型 'int'", "type"),
    (None, {}, 1, "未知的事件类型 'NoneType'", "type"),
    ("register.nope", {}, 1, "未知的事件类型 'register.nope'", "type"),
    ("queue.nope", {}, 1, "未知的事件类型 'queue.nope'", "type"),
    ("case.voided", [], 1, "事件 case.voided 的内容应为一个对象", "payload"),
    ("case.voided", None, 1, "事件 case.voided 的内容应为一个对象", "payload"),
    ("case.notice_issued", {"warnings": ["字" * 2000] * 40}, 1,
     "事件 case.notice_issued 的内容过大（234 KB，最多 64 KB）", "payload"),
])
def test_versions_types_and_sizes_refused(kind, payload, version, message, field):
    with pytest.raises(EventInvalid) as err:
        validate_event(kind, payload, version)
    assert (str(err.value), err.value.field) == (message, field)


def test_what_passes_is_returned_as_sent():
    payload = {"reason": "重复"}
    assert validate_event("case.voided", payload) is payload
    big = {"warnings": ["字" * 2000] * 10}  # 60 KB: under the limit
    assert validate_event("case.notice_issued", big) is big


START = {"event_id": "e1", "case_id": "c1", "device_id": "d1", "device_seq": 1, "actor": "zhangli",
         "type": "case.voided", "payload": {"reason": "重复"}, "device_time": "", "schema_version": 1}


@pytest.mark.parametrize(("change", "message", "field"), [
    ({"schema_version": 2}, "不支持的事件格式版本 2（支持 (1,)）", "schema_version"),
    ({"schema_version": True}, "事件的字段 schema_version 不合格：应为整数", "schema_version"),
    ({"type": "case.nope"}, "未知的事件类型 'case.nope'", "type"),
    ({"type": 5}, "事件的字段 type 不合格：应为文字", "type"),
    ({"event_id": 5}, "事件的字段 event_id 不合格：应为文字", "event_id"),
    ({"device_seq": 0}, "事件的字段 device_seq 不合格：数值过小（界限 1）", "device_seq"),
    ({"payload": {"reason": ""}}, "事件 case.voided 的字段 payload.reason 不合格：不能为空", "payload.reason"),
    ({"type": "case.applicant_set", "payload": {"key": "address", "value": "a\x00"}},
     "事件 case.applicant_set 的字段 payload.value（address） 不合格：含有空字符（NUL），位置 2", "payload.value"),
    ({"type": "case.answer_set", "payload": {"question": "q1", "value": 5}},
     "事件 case.answer_set 的字段 payload.value（q1） 不合格：应为文字", "payload.value"),
    ({"type": "case.answer_set", "payload": {"question": 7, "value": 5}},
     "事件 case.answer_set 的字段 payload.question 不合格：应为文字", "payload.question"),
    ({"type": "case.notice_issued", "payload": {"warnings": ["字" * 2000] * 40}},
     "事件 case.notice_issued 的内容过大（234 KB，最多 64 KB）", "payload"),
])
def test_a_whole_event_refused(change, message, field):
    with pytest.raises(EventInvalid) as err:
        check_event(START | change)
    assert (str(err.value), err.value.field) == (message, field)


def test_a_whole_event_that_passes_is_returned_as_sent():
    for raw in (dict(START), {k: v for k, v in START.items() if k != "schema_version"},
                START | {"type": "case.notice_issued", "payload": {"missing": ["m"]}}):
        assert check_event(raw) is raw
    with pytest.raises(EventInvalid) as err:
        check_event([START])
    assert (str(err.value), err.value.field) == ("事件应为一个对象", "")


def test_the_envelope_alone():
    assert check_envelope(START).device_seq == 1
    for raw, message, field in [
        ("x", "事件应为一个对象", ""),
        (START | {"device_seq": MAX_DEVICE_SEQ + 1}, f"事件的字段 device_seq 不合格：数值过大（界限 {MAX_DEVICE_SEQ}）",
         "device_seq"),
        (START | {"payload": []}, "事件的字段 payload 不合格：应为对象", "payload"),
    ]:
        with pytest.raises(EventInvalid) as err:
            check_envelope(raw)
        assert (str(err.value), err.value.field) == (message, field)


def test_typed_events_and_extra_schemas(monkeypatch):
    import hall_app.domain.event_types as event_types

    monkeypatch.setattr(event_types, "TYPED_EVENTS", {})  # built here, not taken from an earlier test
    model = typed_event(1, "case.voided")
    assert model is not None and model.__name__ == "Event_case_voided_v1" and typed_event(1, "case.voided") is model
    event = model.model_validate(START)
    assert (event.event_id, event.payload.reason) == ("e1", "重复")  # the envelope with its payload typed
    assert typed_event(1, "queue.ticket_issued").__name__ == "Event_queue_ticket_issued_v1"
    assert typed_event(True, "case.voided") is None and typed_event("1", "case.voided") is None
    assert typed_event(1, 5) is None and typed_event(2, "case.voided") is None and typed_event(1, "case.x") is None
    assert extra_schema(1, "queue.ticket_issued") is QUEUE_SCHEMAS["queue.ticket_issued"]
    assert extra_schema(2, "queue.ticket_issued") is None
    assert extra_schema(1, "register.x") is None and extra_schema(1, "other.x") is None
    from hall_app.domain.event_types_agents import REGISTER_SCHEMAS

    kind, schema = next(iter(REGISTER_SCHEMAS.items()))
    assert extra_schema(1, kind) is schema


def test_the_message_and_field_are_kept_sendable():
    err = EventInvalid("坏\x00" * 300, "f\x00")
    assert "\x00" not in str(err) and err.field == "f\\u0000"
    assert EventInvalid("好").field == ""
    assert str(EventInvalid("长" * 500)) == "长" * 400 + "…"  # a message quoting what was sent is cut


def test_replay_lists_a_refused_event_as_an_anomaly_and_applies_the_rest():
    started = Event("e0", "c1", "A", 1, "zhangli", "case.started",
                    {"tracking_code": "K7P9M2QTX4RH", "bundle_code": "newborn"}, "t")
    bad = Event("p1", "c1", "B", 7, "x", "case.proxy_set", {"proxy": "abc"}, "t")
    step = Event("p2", "c1", "B", 8, "x", "case.step_set", {"step": "form"}, "t")
    state = replay_checked([started, bad, step])
    assert state is not None and state.step == "form" and state.needs_review
    assert state.anomalies == [
        "case.proxy_set（B#7）：内容不合格，未采用：事件 case.proxy_set 的字段 payload.proxy 不合格：应为对象"]
    clean = replay_checked([started, step])
    assert clean is not None and clean.anomalies == [] and not clean.needs_review
    assert replay_checked([bad]) is None


def test_the_text_rule_as_a_type():
    """text_rule and Text (used by the server's request bodies) applied here at test time."""
    from typing import Annotated

    from pydantic import TypeAdapter, ValidationError

    from hall_app.domain.event_types import Text, text_rule

    def passes(kind: object, value: str) -> bool:
        try:
            TypeAdapter(kind).validate_python(value)
        except ValidationError:
            return False
        return True

    for kind in (Annotated[str, text_rule(3)], Text(3)):
        assert passes(kind, "") and passes(kind, "abc") and not passes(kind, "abcd")
        assert not passes(kind, "a\nb") and not passes(kind, "a\x00") and not passes(kind, "\x9f")
    for kind in (Annotated[str, text_rule(3, True)], Text(3, True)):
        assert passes(kind, "a\nb") and not passes(kind, "a\rb") and not passes(kind, "a\x00")
    for kind in (Annotated[str, text_rule(3, min_length=2)], Text(3, min_length=2)):
        assert not passes(kind, "a") and passes(kind, "ab") and not passes(kind, "a\nb")
    for kind in (Annotated[str, text_rule(4, False, 1)], Text(4, False, 1)):
        assert not passes(kind, "") and passes(kind, "abcd") and not passes(kind, "abcde")


def test_replay_checks_each_event_at_its_own_version_and_applies_leniently():
    started = Event("e0", "c1", "A", 1, "zhangli", "case.started",
                    {"tracking_code": "K7P9M2QTX4RH", "bundle_code": "newborn"}, "t")
    future = Event("f1", "c1", "D" * 70, 2, "x", "case." + "y" * 50, {}, "t", schema_version=2)
    early = Event("h1", "c1", "B", 3, "x", "case.handed_over", {}, "t")  # valid, but not in a draft
    step = Event("p2", "c1", "B", 4, "x", "case.step_set", {"step": "form"}, "t")
    state = replay_checked([started, future, early, step])
    assert state is not None and state.step == "form" and state.needs_review and len(state.anomalies) == 2
    assert state.anomalies[1] == (f"case.{'y' * 35}…（{'D' * 64}…#2）：内容不合格，未采用："
                                  "不支持的事件格式版本 2（支持 (1,)）")


def _notice_of(size: int) -> dict[str, list[str]]:
    """A case.notice_issued payload of exactly ``size`` bytes as compact UTF-8 JSON."""
    import json

    def measured(payload: dict[str, list[str]]) -> int:
        return len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())

    payload: dict[str, list[str]] = {"warnings": ["字" * 2000] * (size // 6100)}
    while (rest := size - measured({"warnings": [*payload["warnings"], ""]})) > 2000:
        payload["warnings"].append("a" * 1000)
    payload["warnings"].append("a" * rest)
    assert measured(payload) == size
    return payload


def test_the_size_limit_to_the_byte():
    exact = _notice_of(64 * 1024)
    assert validate_event("case.notice_issued", exact) is exact
    for size, shown in ((64 * 1024 + 1, 64), (100 * 1024, 100), (100 * 1024 - 1, 99)):
        with pytest.raises(EventInvalid) as err:
            validate_event("case.notice_issued", _notice_of(size))
        assert str(err.value) == f"事件 case.notice_issued 的内容过大（{shown} KB，最多 64 KB）"


def test_the_slot_is_named_only_for_a_bad_value():
    base = START | {"type": "case.applicant_set"}
    with pytest.raises(EventInvalid) as err:
        check_event(base | {"payload": {"key": "name", "value": "x", "base": 5}})
    assert str(err.value) == "事件 case.applicant_set 的字段 payload.base 不合格：应为文字"
    with pytest.raises(EventInvalid) as err:
        check_event(base | {"payload": {"key": "k" * 50, "value": 5}})
    assert str(err.value) == f"事件 case.applicant_set 的字段 payload.value（{'k' * 40}…） 不合格：应为文字"
    with pytest.raises(EventInvalid) as err:  # a slot's name that is not a text is not shown
        check_event(START | {"type": "case.answer_set", "payload": {"question": "q1", "value": 5, "key": 5}})
    assert str(err.value) == "事件 case.answer_set 的字段 payload.value 不合格：应为文字"


def test_reasons_from_any_error_record():
    """_reason reads pydantic's error records defensively: a record without its context
    still gives a sentence."""
    from hall_app.domain.event_types import _reason

    assert _reason({}) == "格式不符（）"
    assert _reason({"type": "string_too_long", "input": "abc"}) == "过长（3 字，最多 None 字）"
    assert _reason({"type": "literal_error"}) == "取值无效，应为 "
    assert _reason({"type": "greater_than_equal"}) == "数值过小（界限 None）"
    assert _reason({"type": "less_than_equal", "ctx": {"le": 5}}) == "数值过大（界限 5）"


@pytest.mark.parametrize(("payload", "why"), [
    ({"reason": "a\nb\x07"}, "含有不可见的控制字符（U+0007），位置 4"),  # a newline is fine in a multi-line field
    ({"reason": "字" * 100 + "\x07"}, "含有不可见的控制字符（U+0007），位置 101"),  # found however far in
])
def test_the_character_named_in_a_long_or_multi_line_text(payload, why):
    with pytest.raises(EventInvalid) as err:
        validate_event("case.refused", payload)
    assert str(err.value) == f"事件 case.refused 的字段 payload.reason 不合格：{why}"
