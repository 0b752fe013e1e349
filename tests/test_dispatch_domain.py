"""Issue 12 on the domain alone: the item-by-item life after acceptance (legal and
illegal steps), 补正 back to the department, termination and revocation, the
告知承诺 post-check, waybill numbers, minimal packages and the clerk's flags."""

from __future__ import annotations

import datetime as dt

import pytest

from hall_app.domain.case import CaseError, apply, replay
from hall_app.domain.dispatch import check_waybill, departments, follow_up_flags, package, package_status
from hall_app.domain.event_types import EventInvalid, validate_event
from tests.test_case_rules import ACCEPT, DEFER, DISPATCH, DONE_A, DONE_B, at, ev

A_NEEDS = ("case.item_result", {"item": "a", "status": "needs_material", "note": "请补交结婚证原件"})
A_SUPPLIED = ("case.supplemented", {"item": "a", "materials": ["m1"], "note": "", "due": "2026-11-30"})


def result(item: str, status: str, note: str = "") -> tuple[str, dict]:
    return "case.item_result", {"item": item, "status": status, "note": note}


@pytest.mark.parametrize("steps", [
    ["received", "in_progress", "approved", "completed"],
    ["in_progress", "completed"],
    ["received", "needs_material*", "in_progress", "completed"],
    ["received", "needs_material*", "needs_material", "rejected"],
    ["received", "received", "approved", "approved", "completed"],  # a resent report changes nothing
])
def test_legal_item_lives(steps):
    state = at("dispatched")
    for step in steps:
        status = step.rstrip("*")
        state = apply(state, ev(*result("a", status, "说明")))
        if step.endswith("*"):  # the window records the supplement; the item goes back
            state = apply(state, ev(*A_SUPPLIED))
            assert state.items["a"]["status"] == "supplemented" and state.items["a"]["due"] == "2026-11-30"
    assert state.items["a"]["status"] == steps[-1]


@pytest.mark.parametrize(("steps", "message"), [
    (["approved", "received"], "不能退回"),
    (["in_progress", "received"], "不能退回"),
    (["needs_material", "completed"], "正等待申请人补正"),
    (["needs_material", "in_progress"], "正等待申请人补正"),
    (["completed", "in_progress"], "已有最终结果"),
    (["rejected", "approved"], "已有最终结果"),
])
def test_illegal_item_steps_are_refused_and_flagged_on_replay(steps, message):
    state = at("dispatched")
    for status in steps[:-1]:
        state = apply(state, ev(*result("a", status, "说明")))
    bad = ev(*result("a", steps[-1], "说明"))
    with pytest.raises(CaseError, match=message):
        apply(state, bad)
    replayed = apply(state, bad, strict=False)
    assert replayed.needs_review and replayed.items["a"]["status"] == steps[-2]


def test_a_return_for_supplement_needs_what_to_bring_and_a_supplement_needs_a_waiting_item():
    with pytest.raises(CaseError, match="退回补正须写明"):
        apply(at("dispatched"), ev(*result("a", "needs_material")))
    with pytest.raises(CaseError, match="没有待补正的材料"):
        apply(at("dispatched"), ev(*A_SUPPLIED))
    waiting = apply(at("dispatched"), ev(*A_NEEDS))
    with pytest.raises(CaseError, match="本办件没有事项"):
        apply(waiting, ev("case.supplemented", {"item": "zz", "materials": ["m1"]}))
    with pytest.raises(EventInvalid):
        validate_event("case.supplemented", {"item": "a", "materials": []})
    assert follow_up_flags(waiting, dt.date(2026, 11, 22)) == ["事项 a 需补正：请补交结婚证原件"]


def test_the_case_completes_only_when_every_item_is_final_and_not_while_one_waits_for_material():
    state = at("dispatched", A_NEEDS, DONE_B)
    assert state.status == "dispatched"
    state = apply(apply(state, ev(*A_SUPPLIED)), ev(*DONE_A))
    assert state.status == "completed"


def test_an_overdue_deferral_is_flagged_then_terminated_and_nothing_more_is_accepted():
    deferred = at("accepted_deferred")
    assert follow_up_flags(deferred, dt.date(2026, 11, 24)) == ["容缺材料待补交（期限 2026-12-04）：m1、m2"]
    late = follow_up_flags(deferred, dt.date(2026, 12, 5))
    assert "容缺材料逾期未补交（期限 2026-12-04）：m1、m2" in late and "事项 a 已超过承诺期限（2026-11-25）" in late
    ended = apply(deferred, ev("case.terminated", {"kind": "terminate", "reason": "逾期未补交"}))
    assert ended.status == "terminated" and ended.termination["kind"] == "terminate"
    assert follow_up_flags(ended, dt.date(2026, 12, 5)) == []
    for later in (DISPATCH, ("case.deferred_supplied", {"material": "m1"}), ("case.handed_over", {})):
        with pytest.raises(CaseError):
            apply(ended, ev(*later))
    with pytest.raises(CaseError, match="必须写明理由"):
        apply(deferred, ev("case.terminated", {"kind": "terminate", "reason": " "}))
    with pytest.raises(CaseError):
        apply(at("draft"), ev("case.terminated", {"kind": "terminate", "reason": "x"}))


def test_commitment_items_take_one_post_check_and_a_failed_one_can_revoke():
    accept = ("case.accepted", {**ACCEPT[1], "commitments": {"a": "2026-12-20"}})
    state = replay([ev("case.started", {"tracking_code": "BKW37DX2F2AD", "bundle_code": "newborn"}),
                    ev(*accept), ev(*DISPATCH)], strict=True)
    assert state is not None and state.items["a"]["commitment"] == "2026-12-20"
    with pytest.raises(CaseError, match="不是告知承诺"):
        apply(state, ev("case.check_recorded", {"item": "b", "result": "passed"}))
    with pytest.raises(CaseError, match="核查不实须写明"):
        apply(state, ev("case.check_recorded", {"item": "a", "result": "failed"}))
    failed = apply(state, ev("case.check_recorded", {"item": "a", "result": "failed", "note": "场地与承诺不符"}))
    with pytest.raises(CaseError, match="已登记过"):
        apply(failed, ev("case.check_recorded", {"item": "a", "result": "passed"}))
    assert "事项 a 告知承诺核查不实：场地与承诺不符" in follow_up_flags(failed, dt.date(2026, 12, 1))
    revoked = apply(failed, ev("case.terminated", {"kind": "revoke", "reason": "承诺不实"}))
    assert revoked.status == "terminated" and revoked.termination["kind"] == "revoke"


@pytest.mark.parametrize(("typed", "kept"), [
    ("EA123456785CN", "EA123456785CN"), (" ea123456785cn ", "EA123456785CN"),
    ("ＥＡ１２３４５６７８５ＣＮ", "EA123456785CN"),
    ("1234567890123", "1234567890123"),
])
def test_waybill_numbers_as_typed(typed, kept):
    assert check_waybill(typed) == kept


@pytest.mark.parametrize(("typed", "message"), [
    ("EA123456784CN", "校验位"), ("EA12345678CN", "格式"), ("", "格式"), ("EA1234567８4CN", "校验位"),
    ("EA123456785CN\x00", "格式"), ("𠮷A123456785CN", "格式"), (None, "格式"),
])
def test_bad_waybill_numbers_are_refused_in_chinese(typed, message):
    with pytest.raises(CaseError, match=message):
        check_waybill(typed)


def test_hand_over_by_mail_keeps_the_waybill_and_refuses_a_bad_one():
    done = at("completed")
    over = apply(done, ev("case.handed_over", {"method": "mail", "waybill": "EA123456785CN"}))
    assert over.handed_over["waybill"] == "EA123456785CN"
    with pytest.raises(CaseError, match="校验位"):
        apply(done, ev("case.handed_over", {"method": "mail", "waybill": "EA123456784CN"}))
    with pytest.raises(CaseError, match="不能变为"):
        apply(at("dispatched"), ev("case.handed_over", {"method": "elicence"}))


def test_packages_hold_only_what_the_departments_items_use():
    from bundles.loader import load_catalog

    bundle = load_catalog().entry("newborn").bundle
    state = at("dispatched")
    state.items = {i.code: {"status": "dispatched", "due": "2026-12-01"} for i in bundle.items}
    state.fields = {f.key: "x" for f in bundle.fields}
    state.marks = {"bank_card": "handed_in", "baby_photo": "handed_in"}
    split = departments(bundle, list(state.items))
    assert split["市公安局"] == ["household_registration"]
    police = package(bundle, state, "市公安局")
    used = {f.key for f in bundle.fields if "household_registration" in f.items}
    assert set(police["fields"]) == used and "insurance_grade" not in police["fields"]
    assert "bank_card" not in {m["code"] for m in police["materials"]}
    insurance = package(bundle, state, "市医保局")
    assert "insurance_grade" in insurance["fields"] and "bank_card" in {m["code"] for m in insurance["materials"]}
    assert package_status(state, {"household_registration"}) == "sent"


def test_results_back_put_the_case_on_the_hand_over_list():
    assert follow_up_flags(at("completed"), dt.date(2026, 11, 22)) == ["办理结果已全部返回，待送达"]
    late = at("dispatched")
    assert follow_up_flags(late, dt.date(2026, 11, 26)) == ["事项 a 已超过承诺期限（2026-11-25）"]
    assert follow_up_flags(at("accepted_deferred", DISPATCH, ("case.deferred_supplied", {"material": "m1"}),
                              ("case.deferred_supplied", {"material": "m2"})), dt.date(2026, 11, 22)) == []
    assert DEFER  # the deferred path above starts from DEFER


def test_server_and_device_times_read_in_the_halls_time():
    from hall_app.domain.dispatch import hall_time

    assert hall_time("2026-12-01T16:18:05.123+00:00") == "2026-12-02T00:18:05+08:00"
    assert hall_time("2026-12-02T00:19:00+08:00") == "2026-12-02T00:19:00+08:00"
    assert hall_time("") == "" and hall_time("坏") == "坏"
