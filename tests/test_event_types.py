"""Payload schemas (hall_app/domain/event_types.py): every event type has one, what the
app writes passes, what an attacker sends is refused with the field named, and the
device refuses to write an event the server would refuse."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import func, select

from hall_app.domain.case import CaseState, apply, review_lines
from hall_app.domain.event_types import SCHEMAS, EventInvalid, check_envelope, replay_checked, validate_event
from hall_app.domain.events import EVENT_TYPES, SCHEMA_VERSION, Event
from hall_app.services.intake import IntakeError
from hall_app.store.models import EventRow
from hall_app.store.repository import row_event

START = Event("e0", "c1", "A", 1, "zhangli", "case.started",
              {"tracking_code": "K7P9M2QTX4RH", "bundle_code": "newborn"}, "2026-11-21T10:00:00+08:00")


def test_every_event_type_has_a_schema():
    assert set(SCHEMAS[SCHEMA_VERSION]) == set(EVENT_TYPES)


def test_every_event_the_demo_hall_writes_passes(demo_ctx):
    """The demo seeds cases through every path (notice, acceptance, deferral, refusal,
    dispatch, results, hand-over, rating, void, printing): all its events pass."""
    with demo_ctx.read() as session:
        rows = list(session.scalars(select(EventRow)))
    assert {r.type for r in rows} >= {"case.started", "case.accepted", "case.dispatched", "case.item_result"}
    for row in rows:
        event = row_event(row)
        check_envelope(event.to_dict())
        validate_event(event.type, event.payload, event.schema_version)


@pytest.mark.parametrize(("kind", "payload", "field", "why"), [
    ("case.proxy_set", {"proxy": "abc"}, "payload.proxy", "对象"),
    ("case.accepted", {"items": ["a", "b"]}, "payload.items", "对象"),
    ("case.rated", {"level": "abc"}, "payload.level", "整数"),
    ("case.rated", {"level": True}, "payload.level", "整数"),
    ("case.rated", {"level": 7}, "payload.level", "过大"),
    ("case.rated", {"level": float("nan")}, "payload.level", "整数"),
    ("case.applicant_set", {"key": "address", "value": "重庆\x00江津"}, "payload.value", "NUL"),
    ("case.applicant_set", {"key": "name", "value": "张\ud800三"}, "payload.value", "代理"),
    ("case.applicant_set", {"key": "name", "value": "张\x1b[31m三"}, "payload.value", "控制字符"),
    ("case.applicant_set", {"key": "name", "value": "张三\n李四"}, "payload.value", "换行"),
    ("case.field_set", {"key": "k", "value": "字" * 2001}, "payload.value", "过长"),
    ("case.field_set", {"key": "k", "value": "v", "hall": "*"}, "payload.hall", "不允许"),
    ("case.started", {"bundle_code": "newborn"}, "payload.tracking_code", "缺少"),
    ("case.started", {"bundle_code": "newborn", "tracking_code": 12345}, "payload.tracking_code", "文字"),
    ("case.item_result", {"item": "x", "status": "done"}, "payload.status", "取值无效"),
    ("case.refused", {"reason": ""}, "payload.reason", "不能为空"),
    ("case.notice_issued", {"missing": ["m"] * 501}, "payload.missing", "过多"),
    ("case.accepted", {"items": {"a\x00": "2026-12-01"}}, "payload.items", "NUL"),
    ("case.unknown", {}, "type", "未知"),
])
def test_bad_payloads_are_refused_with_the_field_named(kind, payload, field, why):
    with pytest.raises(EventInvalid) as err:
        validate_event(kind, payload)
    assert err.value.field.startswith(field) and why in str(err.value), str(err.value)
    str(err.value).encode("utf-8")  # a message may quote the input, and must still be sendable


def test_multi_line_only_where_free_text_is():
    validate_event("case.refused", {"reason": "材料不全\n申请人不符合条件", "basis": ""})
    validate_event("case.item_result", {"item": "x", "status": "rejected", "note": "第一行\n第二行"})
    with pytest.raises(EventInvalid):
        validate_event("case.refused", {"reason": "a\r\nb"})


@pytest.mark.parametrize("version", [0, 2, 10**30, "1", True, None])
def test_unknown_schema_versions_are_invalid(version):
    with pytest.raises(EventInvalid, match="版本"):
        validate_event("case.voided", {"reason": "重复"}, version)


@pytest.mark.parametrize(("raw", "field"), [
    ({"event_id": 1}, "event_id"),
    ({"event_id": ["x"]}, "event_id"),
    ({"actor": 5}, "actor"),
    ({"device_seq": 2**63}, "device_seq"),
    ({"device_seq": 0}, "device_seq"),
    ({"device_seq": float("inf")}, "device_seq"),
    ({"device_seq": "3"}, "device_seq"),
    ({"schema_version": 10**40}, "schema_version"),
    ({"case_id": "c\x00"}, "case_id"),
    ({"payload": []}, "payload"),
    ({"extra": 1}, "extra"),
])
def test_malformed_envelopes_are_refused(raw, field):
    good = START.to_dict()
    with pytest.raises(EventInvalid) as err:
        check_envelope(good | raw)
    assert err.value.field == field


def test_a_nul_typed_into_an_address_is_refused_locally_and_nothing_is_written(demo_ctx):
    from hall_app.services.demo import LIU_YANG

    case_id = demo_ctx.cases.start("newborn", "zhangli").case_id
    demo_ctx.cases.set_applicant_id(case_id, "zhangli", LIU_YANG)
    before = count_events(demo_ctx)
    state = demo_ctx.cases.get(case_id)
    with pytest.raises(IntakeError) as err:
        demo_ctx.cases.set_applicant(case_id, "zhangli", "address", "重庆市江津区\x00几江街道")
    assert "空字符" in str(err.value) and "value" in str(err.value)
    assert count_events(demo_ctx) == before  # nothing written
    assert demo_ctx.cases.get(case_id).to_dict() == state.to_dict()  # the projection untouched
    demo_ctx.cases.set_applicant(case_id, "zhangli", "address", "重庆市江津区几江街道")  # a clean one goes in
    assert count_events(demo_ctx) == before + 1


def test_a_form_field_with_a_lone_surrogate_is_refused(demo_ctx):
    from hall_app.services.demo import LIU_YANG

    case_id = demo_ctx.cases.start("newborn", "zhangli").case_id
    demo_ctx.cases.set_applicant_id(case_id, "zhangli", LIU_YANG)
    before = count_events(demo_ctx)
    with pytest.raises(IntakeError, match="代理字符"):
        demo_ctx.cases.set_field(case_id, "zhangli", "baby_name", "刘\ud800")
    assert count_events(demo_ctx) == before


def count_events(ctx) -> int:
    with ctx.read() as session:
        return session.scalar(select(func.count()).select_from(EventRow))


def test_replay_turns_any_failing_event_into_an_anomaly():
    """Old payloads that broke replay with KeyError / ValueError / AttributeError."""
    poison = [Event("p1", "c1", "B", 1, "x", "case.proxy_set", {"proxy": "abc"}, "t"),
              Event("p2", "c1", "B", 2, "x", "case.applicant_set", {"value": "no key"}, "t"),
              Event("p3", "c1", "B", 3, "x", "case.rated", {"level": "abc"}, "t")]
    for event in poison:  # apply itself: never strict on replay, whatever the exception
        state = apply(apply(None, START), event, strict=False)
        assert state.needs_review and len(state.anomalies) == 1
        with pytest.raises(Exception) as err:
            apply(apply(None, START), event, strict=True)
        assert "事件内容无法处理" in str(err.value) or err.type.__name__ == "CaseError"
    state = replay_checked([START, *poison, Event("ok", "c1", "B", 4, "x", "case.step_set", {"step": "form"}, "t")])
    assert isinstance(state, CaseState) and state.step == "form" and state.needs_review
    assert len(state.anomalies) == 3 and all("内容不合格" in line for line in state.anomalies)
    assert len(review_lines(state)) == 3


def test_the_app_starts_without_pydantic():
    """The schemas are imported on the first write, not at start-up."""
    code = ("import sys\nimport hall_app.services.context, hall_app.store.repository, hall_app.domain.case\n"
            "import hall_app.sync.runner, hall_app.sync.status\nprint('pydantic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


def test_an_event_without_its_payload_is_refused_not_a_crash():
    from hall_app.domain.event_types import EventInvalid, check_event

    raw = {"event_id": "e1", "case_id": "c1", "device_id": "d1", "device_seq": 1, "actor": "zhangli",
           "type": "case.started", "device_time": "", "schema_version": 1}
    with pytest.raises(EventInvalid, match="payload"):
        check_event(raw)
