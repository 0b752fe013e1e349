"""Each case handler (domain/case_handlers.py) by what it writes, whole: the state's
changed fields compared as dicts, every refusal in words (strictly and on replay).

The transitions themselves are in test_case_rules.py; this file holds what each handler
stores, so that a default, a key or a copy changed in a handler fails here.
"""

from __future__ import annotations

import pytest

from hall_app.domain.case import CaseError, CaseState, apply
from tests.test_case_rules import DEFER, DISPATCH, DONE_A, DONE_B, START, at, ev, refused

RATE_BAD = ("case.rated", {"level": 1, "reasons": ["等候时间长"], "follow_up_due": "2026-12-20"})


def changed(before: CaseState, after: CaseState) -> dict:
    """The fields ``after`` differs in (version and updated_at aside)."""
    old, new = before.to_dict(), after.to_dict()
    return {k: v for k, v in new.items() if old.get(k) != v and k not in ("version", "updated_at")}


# -- started, claimed, step ---------------------------------------------------------------------

def test_a_start_stores_every_field_of_its_payload():
    event = ev("case.started", {"tracking_code": "T1", "bundle_code": "b", "bundle_version": "3",
                                "bundle_hash": "h", "hall": "h1", "window": "w2", "channel": "online",
                                "ticket": "t9", "ticket_label": "A012"}, actor="lisi")
    state = apply(None, event)
    assert changed(CaseState(case_id="c1"), state) == {
        "tracking_code": "T1", "bundle_code": "b", "bundle_version": 3, "bundle_hash": "h", "hall": "h1",
        "window": "w2", "channel": "online", "ticket": "t9", "ticket_label": "A012", "created_by": "lisi",
        "created_at": event.device_time, "claimed_by": "lisi"}
    assert state.updated_at == event.device_time and state.version == 1
    bare = apply(None, ev("case.started", {"tracking_code": "T1", "bundle_code": "b"}))
    assert (bare.ticket, bare.ticket_label, bare.bundle_version) == ("", "", 1)


@pytest.mark.parametrize(("payload", "message"), [
    ({"bundle_code": "b"}, "开始办件须有跟踪码和套餐"),
    ({"tracking_code": "T1"}, "开始办件须有跟踪码和套餐"),
    ({"tracking_code": "", "bundle_code": "b"}, "开始办件须有跟踪码和套餐"),
    ({"tracking_code": "T1", "bundle_code": ""}, "开始办件须有跟踪码和套餐"),
])
def test_a_start_needs_a_code_and_a_bundle(payload, message):
    with pytest.raises(CaseError) as error:
        apply(None, ev("case.started", payload))
    assert str(error.value) == message


def test_a_second_start_and_an_empty_claim_are_refused():
    refused(at("draft"), "case.started", START[1], "办件已开始，不能重复开始")
    refused(at("draft"), "case.claimed", {"user": ""}, "接手须写明办理人")
    refused(at("draft"), "case.claimed", {}, "接手须写明办理人")
    refused(at("draft"), "case.step_set", {"step": "nowhere"}, "未知步骤 nowhere")


# -- the slots ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "payload", "where", "slot", "what"), [
    ("case.applicant_set", {"key": "name", "value": "刘洋"}, "applicant", "applicant:name", "修改申请人"),
    ("case.answer_set", {"question": "q1", "value": "是"}, "answers", "answer:q1", "修改情形答案"),
    ("case.material_marked", {"material": "m1", "status": "missing"}, "marks", "material:m1", "修改材料状态"),
    ("case.field_set", {"key": "k", "value": "v"}, "fields", "field:k", "修改表单"),
])
def test_a_slot_event_sets_its_value_and_its_setter_and_only_while_editable(kind, payload, where, slot, what):
    before = at("draft")
    event = ev(kind, payload, actor="lisi")
    after = apply(before, event)
    value = payload.get("value", payload.get("status"))
    key = slot.split(":", 1)[1]
    assert changed(before, after) == {where: {key: value}, "changed_since_notice": True,
                                      "setters": {**before.setters, slot: [event.event_id, "lisi", event.device_time]}}
    refused(at("accepted"), kind, payload, f"办件当前为“已受理”，不能再{what}")


def test_a_proxy_is_copied_tracked_and_only_while_editable():
    before = at("draft")
    proxy = {"name": "刘一", "relation": "子女", "id_number": ""}
    event = ev("case.proxy_set", {"proxy": proxy})
    after = apply(before, event)
    proxy["name"] = "changed after"  # the state holds its own copy
    assert changed(before, after) == {"proxy": {"name": "刘一", "relation": "子女", "id_number": ""},
                                      "changed_since_notice": True,
                                      "setters": {"proxy": [event.event_id, "zhangli", event.device_time]}}
    assert apply(after, ev("case.proxy_set", {"proxy": {}})).proxy is None
    refused(at("accepted"), "case.proxy_set", {"proxy": None}, "办件当前为“已受理”，不能再修改代办人")


def test_an_authorisation_is_copied_cleared_and_refused_incomplete():
    before = at("draft")
    data = {"auth_id": "A1", "principal_id": "P1", "scope": "全部"}
    after = apply(before, ev("case.authorisation_set", {"authorisation": data}))
    data["scope"] = "changed after"
    assert changed(before, after) == {"authorisation": {"auth_id": "A1", "principal_id": "P1", "scope": "全部"},
                                      "changed_since_notice": True}
    cleared = apply(after, ev("case.authorisation_set", {"authorisation": None}))
    assert cleared.authorisation is None
    for bad in ("A1", [], {"auth_id": "A1"}, {"principal_id": "P1"}, {"auth_id": "", "principal_id": "P1"},
                {"auth_id": "A1", "principal_id": ""}):
        refused(before, "case.authorisation_set", {"authorisation": bad}, "授权委托书信息不完整")
    refused(at("accepted"), "case.authorisation_set", {"authorisation": None}, "办件当前为“已受理”，不能再修改授权委托")


def test_a_duplicate_is_listed_once_with_every_field_and_flags_the_case():
    before = at("accepted")
    full = {"other_case_id": "c2", "other_tracking_code": "T2", "other_agent": "wang", "other_window": "w1",
            "principal_name": "刘洋", "bundle_name": "出生一件事", "ignored": "x"}
    event = ev("case.duplicate_flagged", full)
    after = apply(before, event)
    assert changed(before, after) == {"needs_review": True, "duplicates": [
        {k: v for k, v in full.items() if k != "ignored"} | {"at": event.device_time}]}
    reviewed = apply(after, ev("case.reviewed", {"note": "已核对"}))
    again = apply(reviewed, ev("case.duplicate_flagged", {"other_case_id": "c2"}))
    assert again.duplicates == after.duplicates and not again.needs_review  # known already: nothing
    bare = ev("case.duplicate_flagged", {"other_case_id": "c3"})
    assert apply(after, bare).duplicates[-1] == {
        "other_case_id": "c3", "other_tracking_code": "", "other_agent": "", "other_window": "",
        "principal_name": "", "bundle_name": "", "at": bare.device_time}
    for other in ("", None, "c1"):
        refused(before, "case.duplicate_flagged", {"other_case_id": other}, "重复办件标记缺少另一办件")


# -- decisions ----------------------------------------------------------------------------------

def test_an_acceptance_stores_items_commitments_and_its_decision():
    before = at("draft")
    event = ev("case.accepted", {"items": {"a": "d1", "b": "d2"}, "commitments": {"b": "c2", "x": "c9"},
                                 "warnings": ("w",)}, actor="lisi")
    after = apply(before, event)
    assert changed(before, after) == {
        "status": "accepted", "decided_at": event.device_time,
        "items": {"a": {"status": "pending", "due": "d1", "note": "", "document": ""},
                  "b": {"status": "pending", "due": "d2", "note": "", "document": "", "commitment": "c2"}},
        "decision": {"type": "case.accepted", "by": "lisi", "warnings": ["w"]}}


def test_a_deferral_then_its_acceptance_keeps_the_items_it_had():
    deferred = at("accepted_deferred")
    assert deferred.decision == {"type": "case.accepted_deferred", "by": "zhangli", "warnings": [],
                                 "deferred": ["m1", "m2"]}
    items = deferred.items
    later = apply(deferred, ev("case.accepted", {"items": {"z": "d"}, "commitments": {"a": "c"}}))
    assert later.status == "accepted" and later.items == items and later.deferred == ["m1", "m2"]


def test_a_supplied_material_records_how_and_who():
    before = at("accepted_deferred")
    paper = ev("case.deferred_supplied", {"material": "m1"}, actor="lisi")
    after = apply(before, paper)
    assert changed(before, after) == {"deferred": ["m2"], "marks": {"m1": "handed_in"},
                                      "supplied": {"m1": {"via": "paper", "licence": "", "at": paper.device_time,
                                                          "by": "lisi"}}}
    fetched = ev("case.deferred_supplied", {"material": "m2", "via": "elicence", "licence": "出生医学证明"})
    done = apply(after, fetched)
    assert done.supplied["m2"] == {"via": "elicence", "licence": "出生医学证明", "at": fetched.device_time,
                                   "by": "zhangli"}
    assert done.status == "accepted"
    refused(after, "case.deferred_supplied", {"material": "m2", "via": "elicence"},
            "以电子证照补交须写明所调取的电子证照")
    refused(after, "case.deferred_supplied", {"material": "m2", "via": "fax"}, "补交方式应为纸质材料或电子证照")


def test_a_refusal_stores_reason_basis_who_and_when():
    before = at("notice_issued")
    event = ev("case.refused", {"reason": "不属于受理范围", "basis": "第三十二条"}, actor="lisi")
    after = apply(before, event)
    assert changed(before, after) == {"status": "refused", "decided_at": event.device_time, "decision": {
        "type": "case.refused", "by": "lisi", "reason": "不属于受理范围", "basis": "第三十二条"}}


def test_a_dispatch_sends_only_pending_items_and_keeps_the_departments():
    before = at("accepted", ("case.item_result", {"item": "a", "status": "received"}))
    event = ev("case.dispatched", {"items": ["a", "b"], "departments": {"公安": ("a",), "卫健": ["b"]}})
    after = apply(before, event)
    assert changed(before, after) == {
        "status": "dispatched",
        "items": {"a": before.items["a"],
                  "b": {**before.items["b"], "status": "dispatched", "sent": event.device_time}},
        "decision": {**before.decision, "departments": {"公安": ["a"], "卫健": ["b"]}}}
    assert "departments" not in apply(at("accepted"), ev("case.dispatched", {"departments": {}})).decision


def test_an_item_result_stores_note_document_and_time():
    before = at("dispatched")
    event = ev("case.item_result", {"item": "a", "status": "rejected", "note": "不符", "document": "D1"})
    after = apply(before, event)
    assert changed(before, after) == {"items": {**before.items, "a": {
        **before.items["a"], "status": "rejected", "note": "不符", "document": "D1", "at": event.device_time}}}
    assert apply(at("dispatched", DONE_A), ev(*DONE_B)).status == "completed"


def test_a_hand_over_by_mail_keeps_its_waybill_and_collector():
    before = at("completed")
    event = ev("case.handed_over", {"method": "mail", "waybill": "EA123456785CN", "collector": "P1",
                                    "collector_name": "刘洋", "note": ""}, actor="lisi")
    after = apply(before, event)
    assert changed(before, after) == {"status": "handed_over", "handed_over": {
        "method": "mail", "note": "", "at": event.device_time, "by": "lisi", "waybill": "EA123456785CN",
        "collector": "P1", "collector_name": "刘洋"}}
    blank = apply(before, ev("case.handed_over", {"method": "window", "waybill": "", "collector": ""}))
    assert set(blank.handed_over) == {"method", "note", "at", "by"}
    refused(before, "case.handed_over", {"method": "mail", "waybill": "EA123456786CN"},
            "邮件号 EA123456786CN 的校验位不对，请核对面单")


# -- rating and its follow-up -------------------------------------------------------------------

def test_a_bad_rating_opens_its_follow_up_and_a_good_one_does_not():
    before = at("handed_over")
    event = ev("case.rated", {**RATE_BAD[1], "comment": "慢", "dimensions": {"服务效率": 1}, "channel": "kiosk"},
               actor="lisi")
    after = apply(before, event)
    assert changed(before, after) == {"status": "rated", "rating": {
        "level": 1, "label": "非常不满意", "comment": "慢", "at": event.device_time, "reasons": ["等候时间长"],
        "dimensions": {"服务效率": 1}, "channel": "kiosk", "by": "lisi",
        "follow_up": {"due": "2026-12-20", "steps": [{"step": "opened", "actor": "lisi", "at": event.device_time,
                                                      "note": ""}]}}}
    assert "follow_up" not in apply(before, ev("case.rated", {"level": 3})).rating
    no_due = apply(before, ev("case.rated", {"level": 2, "reasons": ["态度生硬"]}))
    assert no_due.rating["follow_up"]["due"] == ""
    refused(before, "case.rated", {"level": 6}, "评价等级应为1至5")
    # make_rating's own words
    refused(before, "case.rated", {"level": 2, "reasons": ["态度差"]}, "“不满意”不能选择理由：态度差")


def test_a_follow_up_step_is_appended_with_its_note():
    rated = at("handed_over", RATE_BAD)
    event = ev("case.follow_up", {"step": "verified", "note": "已核实"}, actor="wangwu")
    after = apply(rated, event)
    assert after.rating["follow_up"]["steps"][1:] == [
        {"step": "verified", "actor": "wangwu", "at": event.device_time, "note": "已核实"}]
    refused(at("handed_over", ("case.rated", {"level": 5})), "case.follow_up", {"step": "verified", "note": "x"},
            "该办件没有需要整改回访的差评")
    refused(rated, "case.follow_up", {"note": "x"}, "未知的整改步骤：")
    refused(rated, "case.follow_up", {"step": "verified"}, "请填写本步骤的情况说明")
    refused(rated, "case.follow_up", {"step": "closed", "note": "x"}, "当前为“待核实”，下一步应为：核实")


# -- review, void, print ------------------------------------------------------------------------

def test_a_review_records_what_it_cleared():
    flagged = at("draft", ("case.duplicate_flagged", {"other_case_id": "c2"}))
    event = ev("case.reviewed", {"note": "已核对"}, actor="boss")
    after = apply(flagged, event)
    assert changed(flagged, after) == {"needs_review": False, "reviews": [
        {"note": "已核对", "by": "boss", "at": event.device_time, "conflicts": 0, "anomalies": 0}]}
    refused(at("draft"), "case.reviewed", {"note": "x"}, "该办件没有待核对的冲突")


def test_a_void_keeps_its_reason():
    before = at("accepted")
    after = apply(before, ev("case.voided", {"reason": "重复受理"}))
    assert changed(before, after) == {"status": "voided", "void_reason": "重复受理"}
    refused(before, "case.voided", {"reason": " "}, "作废必须写明原因")


def test_deferral_paths_used_here_still_hold():
    assert at("accepted_deferred", DISPATCH).status == "dispatched"
    assert at("draft", DEFER).deferred == ["m1", "m2"]


@pytest.mark.parametrize(("kind", "first", "second", "slot", "label"), [
    ("case.applicant_set", {"key": "name", "value": "刘一"}, {"key": "name", "value": "刘二"}, "applicant:name",
     "申请人"),
    ("case.answer_set", {"question": "q1", "value": "是"}, {"question": "q1", "value": "否"}, "answer:q1", "情形答案"),
    ("case.material_marked", {"material": "m1", "status": "missing"}, {"material": "m1", "status": "handed_in"},
     "material:m1", "材料状态"),
    ("case.field_set", {"key": "k", "value": "1"}, {"key": "k", "value": "2"}, "field:k", "表单字段"),
])
def test_two_writes_unaware_of_each_other_conflict_with_both_values(kind, first, second, slot, label):
    a = ev(kind, {**first, "base": ""}, actor="zhangli")
    b = ev(kind, {**second, "base": ""}, actor="chenjing")
    state = apply(apply(at("draft"), a), b)
    kept, other = [p.get("value", p.get("status")) for p in (second, first)]
    assert state.conflicts == [{
        "slot": slot, "label": label,
        "kept": {"value": kept, "event_id": b.event_id, "actor": "chenjing", "device": "dev1", "at": b.device_time},
        "other": {"value": other, "event_id": a.event_id, "actor": "zhangli", "at": a.device_time}}]
    assert state.needs_review
    same = apply(apply(at("draft"), a), ev(kind, {**first, "base": ""}))  # the same value twice: no conflict
    assert same.conflicts == [] and not same.needs_review


def test_clearing_a_slot_never_set_is_no_error_and_a_notice_keeps_its_deadline():
    before = at("draft")
    for kind, payload in [("case.applicant_set", {"key": "phone", "value": ""}),
                          ("case.field_set", {"key": "k", "value": None}),
                          ("case.material_marked", {"material": "m9", "status": ""})]:
        after = apply(before, ev(kind, payload))
        assert after.applicant == {} and after.fields == {} and after.marks == {} and after.changed_since_notice
    notice = ev("case.notice_issued", {"missing": ["m1"], "deadline": "2026-11-27", "reason": "r"})
    assert apply(before, notice).notices == [{"missing": ["m1"], "deadline": "2026-11-27", "reason": "r",
                                              "at": notice.device_time, "by": "zhangli", "added": []}]


# -- case.apply: what it does with a handler's failure ------------------------------------------

def test_a_payload_missing_a_key_is_refused_in_words():
    refused(at("draft"), "case.answer_set", {"value": "x"}, "事件内容不完整或格式有误（KeyError: 'question'）")


def test_an_error_no_rule_names_is_refused_strictly_and_an_anomaly_on_a_fresh_case():
    payload = {"tracking_code": "T1", "bundle_code": "b", "bundle_version": float("inf")}
    with pytest.raises(CaseError) as error:
        apply(None, ev("case.started", payload))
    assert str(error.value) == "事件内容无法处理（OverflowError）"
    event = ev("case.started", payload)
    state = apply(None, event, strict=False)
    assert state.to_dict() == {**CaseState(case_id="c1").to_dict(), "needs_review": True, "version": 1,
                               "updated_at": event.device_time, "anomalies": [
        f"case.started（dev1#{event.device_seq}）：事件内容无法处理（OverflowError: cannot convert float infinity to "
        "integer）"]}


def test_an_anomaly_line_cuts_a_long_type_and_a_long_message(monkeypatch):
    from hall_app.domain import case_handlers

    def fails(s, e):
        raise RuntimeError("长" * 100)
    monkeypatch.setitem(case_handlers.HANDLERS, "case.claimed", fails)
    before = at("draft")
    event = ev("case.claimed", {"user": "lisi"})
    after = apply(before, event, strict=False)
    assert after.anomalies == [
        f"case.claimed（dev1#{event.device_seq}）：事件内容无法处理（RuntimeError: {'长' * 80}）"]
    assert after.claimed_by == before.claimed_by and after.version == before.version + 1
    odd = ev("case." + "x" * 60, {})
    assert apply(before, odd, strict=False).anomalies == [
        f"{('case.' + 'x' * 60)[:40]}（dev1#{odd.device_seq}）：未知的事件类型 case.{'x' * 60}"]


def test_an_event_without_a_device_time_keeps_the_last_update_time():
    from hall_app.domain.events import Event

    before = at("draft")
    quiet = Event("q1", "c1", "dev1", 999, "zhangli", "case.step_set", {"step": "materials"}, "")
    after = apply(before, quiet)
    assert (after.step, after.updated_at, after.version) == ("materials", before.updated_at, before.version + 1)


@pytest.mark.parametrize("payload", ["oops", ["a"], 3])
def test_a_payload_that_is_not_an_object_is_refused_in_words(payload):
    refused(at("draft"), "case.answer_set", payload, "事件内容格式有误")
