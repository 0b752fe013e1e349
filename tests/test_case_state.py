"""The case's vocabulary and conflict bookkeeping (domain/case_state.py), straight on
the functions: which slot an event sets, the ``base`` a device stamps, when two writes
conflict, and the Chinese lines the case view shows for them."""

from __future__ import annotations

import pytest

from hall_app.domain.case_state import (
    STATUS_LABELS,
    TRANSITIONS,
    CaseState,
    review_lines,
    slot_of,
    stamp_base,
    track,
)
from hall_app.domain.events import Event


def ev(kind: str, payload: dict, n: int = 1, actor: str = "zhangli") -> Event:
    return Event(f"e{n}", "c1", f"dev{n}", n, actor, kind, payload, f"2026-11-21T10:00:0{n}+08:00")


@pytest.mark.parametrize(("kind", "payload", "slot"), [
    ("case.applicant_set", {"key": "phone", "value": "1"}, "applicant:phone"),
    ("case.answer_set", {"question": "q1", "value": "是"}, "answer:q1"),
    ("case.material_marked", {"material": "m1", "status": "handed_in"}, "material:m1"),
    ("case.field_set", {"key": "baby_name", "value": "x"}, "field:baby_name"),
    ("case.proxy_set", {"proxy": None}, "proxy"),
    ("case.step_set", {"step": "need"}, None),
    ("case.accepted", {}, None),
    ("case.applicant_set", {}, "applicant:None"),
])
def test_the_slot_an_event_sets(kind, payload, slot):
    assert slot_of(kind, payload) == slot


def test_stamp_base_names_the_write_being_replaced():
    state = CaseState(case_id="c1")
    payload = {"key": "phone", "value": "1"}
    assert stamp_base(None, "case.field_set", payload) == {**payload, "base": ""}
    assert stamp_base(state, "case.field_set", payload) == {**payload, "base": ""}
    state.setters["field:phone"] = ["e7", "zhangli", "t"]
    assert stamp_base(state, "case.field_set", payload) == {**payload, "base": "e7"}
    assert stamp_base(state, "case.field_set", {"key": "other"}) == {"key": "other", "base": ""}
    # a payload that already has its base, or an event that sets no slot, is left as it is
    assert stamp_base(state, "case.field_set", {**payload, "base": "e1"}) == {**payload, "base": "e1"}
    assert stamp_base(state, "case.accepted", {"items": {}}) == {"items": {}}
    assert "base" not in payload  # the caller's dict is not changed


def test_a_write_that_did_not_see_the_current_one_conflicts_and_both_values_are_kept():
    state = CaseState(case_id="c1")
    first = ev("case.field_set", {"key": "k", "value": "a", "base": ""}, 1, "zhangli")
    track(state, first, "field:k", None, "a")
    assert state.setters == {"field:k": ["e1", "zhangli", first.device_time]}
    assert not state.needs_review and state.conflicts == []
    second = ev("case.field_set", {"key": "k", "value": "b", "base": ""}, 2, "chenjing")
    track(state, second, "field:k", "a", "b")
    assert state.needs_review
    assert state.conflicts == [{
        "slot": "field:k", "label": "表单字段",
        "kept": {"value": "b", "event_id": "e2", "actor": "chenjing", "device": "dev2", "at": second.device_time},
        "other": {"value": "a", "event_id": "e1", "actor": "zhangli", "at": first.device_time},
    }]
    assert state.setters["field:k"] == ["e2", "chenjing", second.device_time]


@pytest.mark.parametrize(("payload", "old", "new"), [
    ({"key": "k", "value": "b", "base": "e1"}, "a", "b"),  # it saw the current write: an overwrite
    ({"key": "k", "value": "a", "base": ""}, "a", "a"),  # the same value twice is no conflict
    ({"key": "k", "value": "b"}, "a", "b"),  # no base at all (an old device): no conflict
])
def test_no_conflict(payload, old, new):
    state = CaseState(case_id="c1")
    state.setters["field:k"] = ["e1", "zhangli", "t1"]
    track(state, ev("case.field_set", payload, 2), "field:k", old, new)
    assert not state.needs_review and state.conflicts == []
    assert state.setters["field:k"][0] == "e2"


def test_a_missing_base_value_counts_as_empty():
    state = CaseState(case_id="c1")
    state.setters["field:k"] = ["", "zhangli", "t1"]  # a setter recorded with an empty id
    track(state, ev("case.field_set", {"key": "k", "value": "b", "base": None}, 2), "field:k", "a", "b")
    assert state.conflicts == []


def test_an_unknown_slot_keeps_its_name_as_the_label():
    state = CaseState(case_id="c1")
    state.setters["odd"] = ["e1", "zhangli", "t1"]
    track(state, ev("case.field_set", {"base": ""}, 2), "odd", 1, 2)
    assert state.conflicts[0]["label"] == "odd"


def test_review_lines_show_both_values_and_who_wrote_them():
    state = CaseState(case_id="c1")
    state.conflicts = [
        {"slot": "field:baby_name", "label": "表单字段", "kept": {"value": "刘思源", "actor": "chenjing"},
         "other": {"value": "刘一", "actor": "zhangli"}},
        {"slot": "proxy", "label": "代办人", "kept": {"value": None, "actor": "a"},
         "other": {"value": {"name": "赵小红"}, "actor": "b"}},
        {"slot": "applicant:phone", "label": "申请人", "kept": {"value": "", "actor": "a"},
         "other": {"value": {"relation": "子女"}, "actor": "b"}},
        {"slot": "answer:q1", "label": "情形答案", "kept": {"value": 0, "actor": "a"},
         "other": {"value": {"name": ""}, "actor": "b"}},
    ]
    state.anomalies = ["case.refused（dev1#3）：不予受理必须写明理由"]
    assert review_lines(state) == [
        "表单字段 baby_name 被两台设备同时修改：保留“刘思源”（chenjing），另一值“刘一”（zhangli）",
        "代办人 proxy 被两台设备同时修改：保留“（清空）”（a），另一值“赵小红”（b）",
        "申请人 phone 被两台设备同时修改：保留“（清空）”（a），另一值“{'relation': '子女'}”（b）",
        "情形答案 q1 被两台设备同时修改：保留“0”（a），另一值“{'name': ''}”（b）",
        "case.refused（dev1#3）：不予受理必须写明理由",
    ]
    assert review_lines(CaseState(case_id="c2")) == []


def test_state_labels_and_copies():
    state = CaseState(case_id="c1", applicant={"name": "刘洋"})
    assert state.status_label == "草稿" and state.applicant_name == "刘洋"
    assert CaseState(case_id="c1").applicant_name == ""
    state.status = "mystery"
    assert state.status_label == "mystery"
    copied = state.to_dict()
    copied["applicant"]["name"] = "x"
    assert state.applicant["name"] == "刘洋" and copied["case_id"] == "c1"
    assert set(STATUS_LABELS) == set(TRANSITIONS)


def test_defaults_of_a_new_case():
    s = CaseState(case_id="c1")
    assert (s.tracking_code, s.bundle_code, s.bundle_version, s.bundle_hash) == ("", "", 0, "")
    assert (s.hall, s.window) == ("", "")
    assert (s.channel, s.status, s.step, s.claimed_by, s.created_by, s.created_at) == ("window", "draft", "need", "",
                                                                                       "", "")
    assert (s.changed_since_notice, s.needs_review, s.version, s.void_reason, s.proxy) == (False, False, 0, "", None)
    assert (s.deferred_deadline, s.decided_at, s.updated_at) == ("", "", "")
    assert s.applicant == s.answers == s.marks == s.fields == s.items == s.decision == s.handed_over == s.rating == {}
    assert s.notices == s.deferred == s.documents == s.anomalies == s.conflicts == s.reviews == []
    assert s.setters == {}


def test_a_slot_name_with_a_colon_is_shown_whole():
    state = CaseState(case_id="c1")
    state.conflicts = [{"slot": "material:a:b:c", "label": "材料状态", "kept": {"value": "x", "actor": "a"},
                        "other": {"value": "y", "actor": "b"}}]
    assert review_lines(state) == ["材料状态 a:b:c 被两台设备同时修改：保留“x”（a），另一值“y”（b）"]
