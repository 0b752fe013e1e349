"""The payload schemas of the queue, enquiry, agents and after-the-counter events
(hall_app/domain/event_types_queue.py, event_types_enquiry.py, event_types_agents.py,
event_types_dispatch.py): each schema's own rules — required fields, bounds, choices,
lengths — refused with the field and the reason, and a full valid payload of each kind
accepted. mutmut makes no mutants of these modules (it changes code inside functions
only, and they are declarations), so these vectors are what guards them."""

from __future__ import annotations

import pytest

from hall_app.domain.event_types import EventInvalid, validate_event

P = "事件 {kind} 的字段 {field} 不合格：{why}"
AUTH = {"auth_id": "a1", "principal_id": "500101199001011234", "principal_name": "张三", "agent": "agent01",
        "relation": "子女", "bundles": ["newborn"], "valid_from": "2026-12-01", "valid_until": "2027-11-30"}

VALID = [
    ("queue.ticket_issued", {"ticket": "T1", "line": "A", "prefix": "A", "number": 1, "sort_at": "t"}),
    ("queue.ticket_called", {"ticket": "T1", "window": "W01", "line": "A", "how": "direct", "streak": 1000}),
    ("queue.ticket_no_show", {"ticket": "T1", "auto": True}),
    ("queue.window_set", {"window": "W01", "skills": {"A": 1, "B": 99},
                          "schedule": [{"from": "09:00", "to": "11:00", "lines": {"B": 1}}]}),
    ("queue.window_switched", {"window": "W01", "lines": None}),
    ("queue.line_set", {"line": "A", "name": "个人", "prefix": "ABCD", "slot_minutes": 5, "slot_capacity": 0}),
    ("queue.visit_rated", {"ticket": "T1", "window": "W01", "level": None}),
    ("enquiry.opened", {"kind": "referral", "topic": "问\n路", "target_kind": "hall"}),
    ("enquiry.closed", {"result": "已答复"}),
    ("case.authorisation_set", {"authorisation": None}),
    ("case.authorisation_set", {"authorisation": AUTH}),
    ("register.authorisation_saved", {"authorisation": AUTH, "scan_mime": "image/png", "scan_sha256": "a" * 64}),
    ("case.duplicate_flagged", {"other_case_id": "c2"}),
    ("case.supplemented", {"item": "x", "materials": ["m1"]}),
    ("case.terminated", {"kind": "revoke", "reason": "核查不实"}),
    ("case.check_recorded", {"item": "x", "result": "passed"}),
    ("case.deferral_reminded", {"materials": ["m1"], "deadline": "2026-12-10", "channel": "sms"}),
]


@pytest.mark.parametrize(("kind", "payload"), VALID)
def test_a_valid_payload_of_each_kind_passes(kind, payload):
    validate_event(kind, payload)


REFUSED = [
    # queue
    ("queue.ticket_issued", {"ticket": "", "line": "A", "prefix": "A", "number": 1, "sort_at": "t"},
     "payload.ticket", "不能为空"),
    ("queue.ticket_issued", {"ticket": "T1", "line": "A", "prefix": "ABCDE", "number": 1, "sort_at": "t"},
     "payload.prefix", "过长（5 字，最多 4 字）"),
    ("queue.ticket_issued", {"ticket": "T1", "line": "A", "prefix": "A", "number": 0, "sort_at": "t"},
     "payload.number", "数值过小（界限 1）"),
    ("queue.ticket_issued", {"ticket": "T1", "line": "A", "prefix": "A", "number": 1_000_000, "sort_at": "t"},
     "payload.number", "数值过大（界限 999999）"),
    ("queue.ticket_issued", {"ticket": "T1", "line": "A", "prefix": "A", "number": 1, "sort_at": "t",
                             "priority": "VIP"},
     "payload.priority", "取值无效，应为 '', '老年人', '残疾人', '孕妇', '军人及优抚对象' or '其他'"),
    ("queue.ticket_called", {"ticket": "T1", "line": "A", "streak": 1001}, "payload.streak", "数值过大（界限 1000）"),
    ("queue.ticket_called", {"ticket": "T1", "line": "A", "how": "skip"}, "payload.how",
     "取值无效，应为 'next' or 'direct'"),
    ("queue.ticket_recalled", {"ticket": "T1", "calls": 0}, "payload.calls", "数值过小（界限 1）"),
    ("queue.ticket_expired", {"ticket": "T1", "from_state": "finished"}, "payload.from_state",
     "取值无效，应为 'waiting', 'called', 'serving' or 'held'"),
    ("queue.window_set", {"window": "W01", "skills": {"A": 100}}, "payload.skills.A", "数值过大（界限 99）"),
    ("queue.window_set", {"window": "W01", "skills": {"A": 0}}, "payload.skills.A", "数值过小（界限 1）"),
    ("queue.window_set", {"window": "W01", "skills": {}, "schedule": [{"from": "9", "to": "10:00", "lines": {}}]},
     "payload.schedule.0.from", "过短（1 字，至少 4 字）"),
    ("queue.line_set", {"line": "A", "name": "个人", "prefix": "A", "slot_minutes": 4}, "payload.slot_minutes",
     "数值过小（界限 5）"),
    ("queue.line_set", {"line": "A", "name": "个人", "prefix": "A", "service_minutes": 0}, "payload.service_minutes",
     "数值应大于 0"),
    ("queue.visit_rated", {"ticket": "T1", "window": "W01", "level": 6}, "payload.level", "数值过大（界限 5）"),
    ("queue.appointment_booked", {"appointment": "P1", "code": "123", "line": "A", "day": "2026-12-1",
                                  "slot": "09:00"}, "payload.day", "过短（9 字，至少 10 字）"),
    ("queue.block_reserved", {"kiosk": "", "prefix": "A", "start": 1, "end": 50}, "payload.kiosk", "不能为空"),
    # enquiry
    ("enquiry.opened", {"kind": "chat", "topic": "问"}, "payload.kind",
     "取值无效，应为 'consult', 'referral' or 'unresolved'"),
    ("enquiry.opened", {"kind": "consult", "topic": ""}, "payload.topic", "不能为空"),
    ("enquiry.opened", {"kind": "consult", "topic": "问", "phone": "1" * 21}, "payload.phone",
     "过长（21 字，最多 20 字）"),
    ("enquiry.opened", {"kind": "consult", "topic": "问", "target_kind": "moon"}, "payload.target_kind",
     "取值无效，应为 '', 'department', 'window', 'hall' or 'other'"),
    ("enquiry.closed", {}, "payload.result", "缺少此项"),
    # agents
    ("case.authorisation_set", {"authorisation": {**AUTH, "bundles": []}}, "payload.authorisation.bundles",
     "项目过少（至少 1 项）"),
    ("case.authorisation_set", {"authorisation": {**AUTH, "method": "oral"}}, "payload.authorisation.method",
     "取值无效，应为 'signed', 'fingerprint' or 'attested'"),
    ("case.authorisation_set", {"authorisation": {**AUTH, "principal_id": "1" * 19}},
     "payload.authorisation.principal_id", "过长（19 字，最多 18 字）"),
    ("register.authorisation_saved", {"authorisation": AUTH, "scan_sha256": "A" * 64}, "payload.scan_sha256",
     "含有不允许的字符"),
    ("register.authorisation_saved", {"authorisation": AUTH, "scan_size": -1}, "payload.scan_size",
     "数值过小（界限 0）"),
    ("case.duplicate_flagged", {"other_case_id": ""}, "payload.other_case_id", "不能为空"),
    # after the counter
    ("case.supplemented", {"item": "x", "materials": []}, "payload.materials", "项目过少（至少 1 项）"),
    ("case.terminated", {"kind": "cancel", "reason": "x"}, "payload.kind", "取值无效，应为 'terminate' or 'revoke'"),
    ("case.check_recorded", {"item": "x", "result": "ok"}, "payload.result", "取值无效，应为 'passed' or 'failed'"),
    ("case.deferral_reminded", {"materials": ["m"], "deadline": "2026-12-10", "channel": "email"}, "payload.channel",
     "取值无效，应为 'phone', 'sms', 'in_person' or 'letter'"),
]


@pytest.mark.parametrize(("kind", "payload", "field", "why"), REFUSED)
def test_each_schema_refuses_in_words(kind, payload, field, why):
    with pytest.raises(EventInvalid) as err:
        validate_event(kind, payload)
    assert (str(err.value), err.value.field) == (P.format(kind=kind, field=field, why=why), field)


def test_exclusive_bounds_and_short_texts_in_words():
    from hall_app.domain.event_types import _reason

    assert _reason({"type": "less_than", "ctx": {"lt": 5}}) == "数值应小于 5"
    assert _reason({"type": "greater_than", "ctx": {"gt": 0.5}}) == "数值应大于 0.5"
    assert _reason({"type": "string_too_short", "input": "", "ctx": {"min_length": 1}}) == "不能为空"
    assert _reason({"type": "string_too_short", "ctx": {"min_length": 1}}) == "不能为空"
    assert _reason({"type": "string_too_short", "input": "ab", "ctx": {"min_length": 4}}) == "过短（2 字，至少 4 字）"
    assert _reason({"type": "too_short", "ctx": {"min_length": 2}}) == "项目过少（至少 2 项）"
