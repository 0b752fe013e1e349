"""The handlers of the events after the counter (domain/case_handlers_after.py) by what
they store, whole, and every refusal in words (strictly and on replay)."""

from __future__ import annotations

import pytest

from hall_app.domain.case import apply
from tests.test_case_handlers_vectors import changed
from tests.test_case_rules import ACCEPT, DISPATCH, at, ev, refused

NEEDS = ("case.item_result", {"item": "a", "status": "needs_material", "note": "请补交结婚证原件"})
COMMITTED = ("case.accepted", {**ACCEPT[1], "commitments": {"a": "2026-12-20"}})


def test_a_supplement_is_kept_whole_and_sends_the_item_back():
    before = at("dispatched", NEEDS)
    event = ev("case.supplemented", {"item": "a", "materials": ["m1", "m2"], "note": "原件", "due": "2026-12-01"},
               actor="lisi")
    after = apply(before, event)
    assert changed(before, after) == {"items": {**before.items, "a": {
        **before.items["a"], "status": "supplemented", "at": event.device_time, "due": "2026-12-01",
        "supplements": [{"materials": ["m1", "m2"], "note": "原件", "at": event.device_time, "by": "lisi"}]}}}
    again = apply(apply(after, ev(*NEEDS)), ev("case.supplemented", {"item": "a", "materials": ["m3"]}))
    assert [s["materials"] for s in again.items["a"]["supplements"]] == [["m1", "m2"], ["m3"]]
    assert again.items["a"]["supplements"][1]["note"] == "" and again.items["a"]["due"] == "2026-12-01"


def test_a_supplement_on_an_ended_case_is_refused_in_words():
    voided = at("accepted", NEEDS, ("case.voided", {"reason": "重复"}))
    refused(voided, "case.supplemented", {"item": "a", "materials": ["m1"]}, "办件当前状态为“已作废”，不能登记补正")
    refused(at("dispatched"), "case.supplemented", {"item": "a", "materials": ["m1"]},
            "事项 a 当前为“已分发”，没有待补正的材料")


def test_a_termination_is_kept_whole():
    before = at("accepted")
    event = ev("case.terminated", {"kind": "terminate", "reason": "逾期未补交", "basis": "承诺书第三条"}, actor="lisi")
    after = apply(before, event)
    assert changed(before, after) == {"status": "terminated", "termination": {
        "kind": "terminate", "reason": "逾期未补交", "basis": "承诺书第三条", "at": event.device_time, "by": "lisi"}}
    assert apply(before, ev("case.terminated", {"kind": "revoke", "reason": "r"})).termination["basis"] == ""
    refused(before, "case.terminated", {"kind": "stop", "reason": "r"},
            "终止方式应为 terminate（终止办理）或 revoke（撤销）")


@pytest.mark.parametrize(("payload", "message"), [
    ({"item": "z", "result": "passed"}, "本办件没有事项 z"),
    ({"item": "b", "result": "passed"}, "事项 b 不是告知承诺办理，没有事后核查"),
    ({"item": "a", "result": "ok"}, "核查结果应为 passed（核查通过）或 failed（核查不实）"),
    ({"item": "a", "result": "failed", "note": " "}, "核查不实须写明情况"),
])
def test_a_check_is_refused_in_words(payload, message):
    refused(at("draft", COMMITTED, DISPATCH), "case.check_recorded", payload, message)


def test_a_check_is_kept_whole_and_only_once():
    before = at("draft", COMMITTED, DISPATCH)
    event = ev("case.check_recorded", {"item": "a", "result": "passed"}, actor="lisi")
    after = apply(before, event)
    assert changed(before, after) == {"checks": {"a": {"result": "passed", "note": "", "at": event.device_time,
                                                       "by": "lisi"}}}
    refused(after, "case.check_recorded", {"item": "a", "result": "failed", "note": "x"}, "事项 a 已登记过核查结果")
