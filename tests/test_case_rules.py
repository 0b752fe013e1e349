"""Every case transition and its refusals, straight on the domain (no services).

Each refusal is checked twice: strictly (the service's path: CaseError, nothing
changes) and on replay (the sync path: an anomaly on the case, the rest unchanged).
"""

from __future__ import annotations

import itertools

import pytest

from hall_app.domain.case import STATUS_LABELS, TRANSITIONS, CaseError, CaseState, apply, replay
from hall_app.domain.case_handlers import HANDLERS
from hall_app.domain.case_rules import check_claim, claimed_by_other, rating_level
from hall_app.domain.events import EVENT_TYPES, Event

_seq = itertools.count(1)
ITEMS = {"a": "2026-11-25", "b": "2026-11-26"}


def ev(kind: str, payload: dict | None = None, actor: str = "zhangli") -> Event:
    n = next(_seq)
    return Event(f"e{n}", "c1", "dev1", n, actor, kind, payload if payload is not None else {},
                 f"2026-11-21T10:{n // 60 % 60:02d}:{n % 60:02d}+08:00")


START = ("case.started", {"tracking_code": "BKW37DX2F2AD", "bundle_code": "newborn", "hall": "h1"})
NOTICE = ("case.notice_issued", {"missing": ["m1"], "deadline": "2026-11-27"})
ACCEPT = ("case.accepted", {"items": ITEMS, "warnings": []})
DEFER = ("case.accepted_deferred", {"items": ITEMS, "deferred": ["m1", "m2"], "deadline": "2026-12-04"})
DISPATCH = ("case.dispatched", {"items": list(ITEMS)})
DONE_A = ("case.item_result", {"item": "a", "status": "completed"})
DONE_B = ("case.item_result", {"item": "b", "status": "completed"})
HAND = ("case.handed_over", {"method": "window"})
RATE = ("case.rated", {"level": 5})
REFUSE = ("case.refused", {"reason": "不属于受理范围"})
VOID = ("case.voided", {"reason": "重复受理"})
ANSWER = ("case.answer_set", {"question": "q1", "value": "是"})

PATHS: dict[str, list[tuple[str, dict]]] = {
    "draft": [START],
    "notice_issued": [START, NOTICE],
    "accepted": [START, ACCEPT],
    "accepted_deferred": [START, DEFER],
    "dispatched": [START, ACCEPT, DISPATCH],
    "completed": [START, ACCEPT, DISPATCH, DONE_A, DONE_B],
    "handed_over": [START, ACCEPT, DISPATCH, DONE_A, DONE_B, HAND],
    "rated": [START, ACCEPT, DISPATCH, DONE_A, DONE_B, HAND, RATE],
    "refused": [START, REFUSE],
    "voided": [START, VOID],
}


def at(status: str, *more: tuple[str, dict]) -> CaseState:
    state = None
    for kind, payload in [*PATHS[status], *more]:
        state = apply(state, ev(kind, payload))
    assert state is not None and state.status == (status if not more else state.status)
    return state


def refused(state: CaseState, kind: str, payload: dict, message: str) -> None:
    """Strictly refused with exactly ``message``; on replay an anomaly saying so, nothing else."""
    event = ev(kind, payload)
    with pytest.raises(CaseError) as info:
        apply(state, event, strict=True)
    assert str(info.value) == message
    after = apply(state, event, strict=False)
    assert after.needs_review and len(after.anomalies) == len(state.anomalies) + 1
    assert after.anomalies[-1] == f"{kind}（dev1#{event.device_seq}）：{message}"
    unchanged = {k: v for k, v in after.to_dict().items() if k not in ("anomalies", "needs_review", "version",
                                                                         "updated_at")}
    assert unchanged == {k: v for k, v in state.to_dict().items() if k in unchanged}
    assert after.version == state.version + 1


def test_paths_reach_their_status():
    for status in PATHS:
        assert at(status).status == status


# -- the transition matrix: every status × every event that moves a case -------------------------
MOVES = {"notice_issued": ("case.notice_issued", {"missing": ["m1"], "reason": "补充材料后情况变化"}),
         "accepted": ACCEPT, "accepted_deferred": DEFER, "refused": REFUSE, "voided": VOID,
         "dispatched": DISPATCH, "handed_over": HAND, "rated": RATE}


@pytest.mark.parametrize(("status", "target"), [(s, t) for s in PATHS for t in MOVES])
def test_transition_matrix(status, target):
    state = at(status, ANSWER) if status == "notice_issued" else at(status)  # facts changed since
    kind, payload = MOVES[target]
    if target in TRANSITIONS[status]:
        assert apply(state, ev(kind, payload)).status == target
    else:
        refused(state, kind, payload,
                f"办件当前状态为“{STATUS_LABELS[status]}”，不能变为“{STATUS_LABELS[target]}”")


def test_results_complete_the_case_only_when_every_item_is_final():
    state = at("dispatched", DONE_A)
    assert state.status == "dispatched" and state.items["a"]["status"] == "completed"
    state = apply(state, ev("case.item_result", {"item": "b", "status": "rejected", "note": "照片不合格"}))
    assert state.status == "completed" and state.items["b"]["note"] == "照片不合格"
    received = at("accepted", ("case.item_result", {"item": "a", "status": "received"}))
    assert received.status == "accepted" and received.items["a"]["status"] == "received"
    # all final before dispatch: the case is not completed until it is dispatched
    early = at("accepted", DONE_A, DONE_B)
    assert early.status == "accepted"
    assert apply(early, ev(*DISPATCH)).status == "dispatched"


def test_supplying_every_deferred_material_accepts_the_case():
    state = at("accepted_deferred", ("case.deferred_supplied", {"material": "m1"}))
    assert state.status == "accepted_deferred" and state.deferred == ["m2"] and state.marks["m1"] == "handed_in"
    state = apply(state, ev("case.deferred_supplied", {"material": "m2"}))
    assert state.status == "accepted" and state.deferred == []
    dispatched = at("accepted_deferred", DISPATCH, ("case.deferred_supplied", {"material": "m2"}))
    assert dispatched.status == "dispatched" and dispatched.deferred == ["m1"]
    assert apply(dispatched, ev("case.deferred_supplied", {"material": "m1"})).status == "dispatched"


def test_a_refused_case_may_be_rated():
    state = at("refused", ("case.rated", {"level": 1, "comment": "不满意"}))
    assert state.status == "rated" and {k: state.rating[k] for k in ("level", "label", "comment", "channel")} == {
        "level": 1, "label": "非常不满意", "comment": "不满意", "channel": "window"}
    assert [s["step"] for s in state.rating["follow_up"]["steps"]] == ["opened"]  # a bad rating is followed up


@pytest.mark.parametrize(("level", "label"), [(1, "非常不满意"), (2, "不满意"), (3, "基本满意"), (4, "满意"),
                                              (5, "非常满意"), ("4", "满意")])
def test_rating_levels(level, label):
    state = at("handed_over", ("case.rated", {"level": level}))
    assert state.rating["label"] == label and state.rating["level"] == int(level)


# -- refusals: (status, event, payload, what the clerk is told) ----------------------------------
RESULT_WORDS = "办理结果应为：received、in_progress、needs_material、approved、rejected、completed"
REFUSALS = [
    ('notice_issued', 'case.notice_issued', {'missing': ['m1'], 'reason': '情况变化'},
     '已出具过一次性告知书；只有情况变化后才能再次告知'),
    ('notice_issued', 'case.notice_issued', {'missing': ['m1']}, '已出具过一次性告知书；只有情况变化后才能再次告知'),
    ('notice_issued', 'case.notice_issued', {'missing': 'm1', 'reason': '情况变化'}, '告知书的材料清单格式有误'),
    ('draft', 'case.notice_issued', {'missing': [1]}, '告知书的材料清单格式有误'),
    ('draft', 'case.refused', {'reason': ''}, '不予受理必须写明理由'),
    ('draft', 'case.refused', {'reason': ' \u3000'}, '不予受理必须写明理由'),
    ('draft', 'case.refused', {}, '不予受理必须写明理由'),
    ('accepted', 'case.voided', {'reason': ''}, '作废必须写明原因'),
    ('accepted', 'case.voided', {}, '作废必须写明原因'),
    ('draft', 'case.voided', {'reason': '  '}, '作废必须写明原因'),
    ('handed_over', 'case.rated', {'level': 0}, '评价等级应为1至5'),
    ('handed_over', 'case.rated', {'level': 6}, '评价等级应为1至5'),
    ('handed_over', 'case.rated', {'level': -1}, '评价等级应为1至5'),
    ('handed_over', 'case.rated', {'level': 'abc'}, '评价等级应为1至5'),
    ('handed_over', 'case.rated', {'level': 2.5}, '评价等级应为1至5'),
    ('handed_over', 'case.rated', {'level': True}, '评价等级应为1至5'),
    ('handed_over', 'case.rated', {}, '评价等级应为1至5'),
    ('refused', 'case.rated', {'level': 9}, '评价等级应为1至5'),
    ('dispatched', 'case.item_result', {'item': 'a', 'status': 'rejected'}, '不予批准须写明理由'),
    ('dispatched', 'case.item_result', {'item': 'a', 'status': 'rejected', 'note': ' '}, '不予批准须写明理由'),
    ('dispatched', 'case.item_result', {'item': 'a', 'status': 'pending'}, RESULT_WORDS),
    ('dispatched', 'case.item_result', {'item': 'a', 'status': 'dispatched'}, RESULT_WORDS),
    ('dispatched', 'case.item_result', {'item': 'a', 'status': 'done'}, RESULT_WORDS),
    ('dispatched', 'case.item_result', {'item': 'zz', 'status': 'completed'}, '本办件没有事项 zz'),
    ('draft', 'case.item_result', {'item': 'a', 'status': 'completed'}, '本办件没有事项 a'),
    ('completed', 'case.item_result', {'item': 'a', 'status': 'received'}, '办件当前状态为“已办结”，不能登记办理结果'),
    ('voided', 'case.deferred_supplied', {'material': 'm1'}, '办件当前状态为“已作废”，不能登记补交容缺材料'),
    ('accepted', 'case.deferred_supplied', {'material': 'm1'}, '办件当前状态为“已受理”，不能登记补交容缺材料'),
    ('accepted_deferred', 'case.deferred_supplied', {'material': 'm9'}, '该材料不在容缺补交清单中'),
    ('draft', 'case.claimed', {}, '接手须写明办理人'),
    ('draft', 'case.step_set', {'step': 'nowhere'}, '未知步骤 nowhere'),
    ('draft', 'case.applicant_set', {'key': 'salary', 'value': '1'}, '未知的申请人信息 salary'),
    ('draft', 'case.proxy_set', {'proxy': {'name': '', 'relation': '子女'}}, '请填写代办人姓名'),
    ('draft', 'case.proxy_set', {'proxy': {'name': '刘一', 'relation': '邻居'}},
     '关系请从以下选择：配偶、子女、父母、其他亲属、帮代办员、村（社区）干部'),
    ('draft', 'case.proxy_set', {'proxy': 'abc'}, '代办人信息格式有误'),
    ('draft', 'case.material_marked', {'material': 'm1', 'status': 'lost'}, '材料状态应为：已收、缺、容缺后补'),
    ('accepted', 'case.applicant_set', {'key': 'name', 'value': '刘洋'}, '办件当前为“已受理”，不能再修改申请人'),
    ('accepted', 'case.proxy_set', {'proxy': None}, '办件当前为“已受理”，不能再修改代办人'),
    ('refused', 'case.answer_set', {'question': 'q1', 'value': '是'}, '办件当前为“不予受理”，不能再修改情形答案'),
    ('dispatched', 'case.material_marked', {'material': 'm1', 'status': 'handed_in'},
     '办件当前为“办理中”，不能再修改材料状态'),
    ('voided', 'case.field_set', {'key': 'k', 'value': 'v'}, '办件当前为“已作废”，不能再修改表单'),
    ('draft', 'case.reviewed', {'note': '已核实'}, '该办件没有待核对的冲突'),
    ('draft', 'case.started', START[1], '办件已开始，不能重复开始'),
    ('draft', 'case.teleported', {}, '未知的事件类型 case.teleported'),
    ('draft', 'case.answer_set', {'value': '是'}, "事件内容不完整或格式有误（KeyError: 'question'）"),
    ('draft', 'case.accepted', {'items': ['a', 'b']},
     "事件内容不完整或格式有误（AttributeError: 'list' object has no attribute 'items'）"),
]


@pytest.mark.parametrize(("status", "kind", "payload", "fragment"), REFUSALS,
                         ids=[f"{s}-{k.split('.')[1]}-{i}" for i, (s, k, _, _) in enumerate(REFUSALS)])
def test_refusals(status, kind, payload, fragment):
    refused(at(status), kind, payload, fragment)


def test_final_item_results_cannot_be_overwritten():
    state = at("dispatched", DONE_A)
    refused(state, "case.item_result", {"item": "a", "status": "received"}, "事项 a 已有最终结果，不能改写")
    rejected = at("dispatched", ("case.item_result", {"item": "a", "status": "rejected", "note": "不符"}))
    refused(rejected, "case.item_result", {"item": "a", "status": "completed"}, "事项 a 已有最终结果，不能改写")
    interim = at("dispatched", ("case.item_result", {"item": "a", "status": "received"}))
    assert apply(interim, ev("case.item_result", {"item": "a", "status": "approved"})).items["a"]["status"] == \
        "approved"


def test_an_event_before_the_start_is_refused_and_replay_starts_first():
    with pytest.raises(CaseError, match="尚未开始"):
        apply(None, ev(*ANSWER))
    orphan = apply(None, ev(*ANSWER), strict=False)
    assert orphan.anomalies and orphan.needs_review and not orphan.tracking_code
    events = [ev(*ANSWER), ev(*START)]
    state = replay(events)
    assert state.tracking_code == "BKW37DX2F2AD" and state.answers == {"q1": "是"} and not state.anomalies


def test_a_payload_that_is_not_an_object_is_an_anomaly():
    state = at("draft")
    event = Event("x", "c1", "dev1", 99, "a", "case.answer_set", "oops", "")  # type: ignore[arg-type]
    with pytest.raises(CaseError, match="格式有误"):
        apply(state, event)
    assert apply(state, event, strict=False).anomalies


def test_a_second_notice_after_a_change_with_a_reason():
    state = at("notice_issued", ANSWER)
    assert state.changed_since_notice
    state = apply(state, ev("case.notice_issued", {"missing": ["m2"], "reason": "已补交一项"}))
    assert len(state.notices) == 2 and state.notices[1]["reason"] == "已补交一项" and not state.changed_since_notice
    assert state.notices[1]["added"] == ["m2"] and state.notices[0]["added"] == []


def test_one_notice_tells_everything_a_further_one_adds_only_with_a_reason():
    """一次告知: a further notice naming only what an earlier one named needs no reason; one
    naming a material no notice named is refused without the reason, kept with it."""
    first = at("draft", ("case.notice_issued", {"missing": ["m1", "m2"]}), ANSWER)
    subset = apply(first, ev("case.notice_issued", {"missing": ["m2"]}))
    assert subset.notices[-1]["added"] == [] and subset.notices[-1]["reason"] == ""
    refused(first, "case.notice_issued", {"missing": ["m2", "m3"]},
            "一次告知：此前的告知书没有列出m3；再次告知增加材料须写明原因")
    refused(first, "case.notice_issued", {"missing": ["m3"], "reason": " \u3000"},
            "一次告知：此前的告知书没有列出m3；再次告知增加材料须写明原因")
    added = apply(first, ev("case.notice_issued", {"missing": ["m2", "m3"], "reason": "申请人变更落户地址"}))
    assert added.notices[-1]["added"] == ["m3"] and added.notices[-1]["reason"] == "申请人变更落户地址"
    # named by any earlier notice counts as told: a third naming m3 again needs no reason
    third = apply(apply(added, ev(*ANSWER)), ev("case.notice_issued", {"missing": ["m1", "m3"]}))
    assert third.notices[-1]["added"] == [] and len(third.notices) == 3


def test_a_review_clears_the_flag_and_needs_a_note():
    state = apply(at("draft"), ev(*ANSWER), strict=True)
    flagged = apply(state, ev("case.refused", {}), strict=False)
    assert flagged.needs_review
    refused(flagged, "case.reviewed", {"note": " "}, "核对完毕须写明核对结论")
    cleared = apply(flagged, ev("case.reviewed", {"note": "已核实"}, actor="chenjing"))
    assert not cleared.needs_review
    assert cleared.reviews[-1] == {"note": "已核实", "by": "chenjing", "at": cleared.reviews[-1]["at"], "conflicts": 0,
                                   "anomalies": 1}


def test_slot_events_set_and_clear_and_mark_the_change():
    state = at("notice_issued")
    assert not state.changed_since_notice
    for kind, payload, where, key in [
        ("case.applicant_set", {"key": "name", "value": "刘洋"}, "applicant", "name"),
        ("case.answer_set", {"question": "q1", "value": "是"}, "answers", "q1"),
        ("case.material_marked", {"material": "m1", "status": "handed_in"}, "marks", "m1"),
        ("case.field_set", {"key": "k", "value": "v"}, "fields", "k"),
    ]:
        set_state = apply(state, ev(kind, payload))
        assert getattr(set_state, where)[key] and set_state.changed_since_notice
        blank = {**payload, ("status" if kind == "case.material_marked" else "value"): ""}
        assert key not in getattr(apply(set_state, ev(kind, blank)), where)
    proxy = apply(state, ev("case.proxy_set", {"proxy": {"name": "刘一", "relation": "子女", "id_number": ""}}))
    assert proxy.proxy["name"] == "刘一" and proxy.changed_since_notice
    assert apply(proxy, ev("case.proxy_set", {"proxy": None})).proxy is None


def test_start_claim_step_and_print_fill_the_state():
    state = apply(None, ev("case.started", {**START[1], "bundle_version": 3, "window": "w2", "channel": "online"},
                           actor="lisi"))
    assert (state.created_by, state.claimed_by, state.bundle_version, state.window, state.channel, state.hall) == \
        ("lisi", "lisi", 3, "w2", "online", "h1")
    state = apply(state, ev("case.claimed", {"user": "wangwu"}))
    assert state.claimed_by == "wangwu"
    state = apply(state, ev("case.step_set", {"step": "materials"}))
    assert state.step == "materials"
    printed = ev("case.document_printed", {"kind": "receipt", "path": "/x.pdf", "paper": "A4", "printer": "P1"},
                 actor="wangwu")
    state = apply(state, printed)
    assert state.documents[-1] == {"kind": "receipt", "path": "/x.pdf", "paper": "A4", "printer": "P1", "error": "",
                                   "at": printed.device_time, "by": "wangwu"}
    assert state.version == 4


def test_decisions_record_who_when_and_what():
    state = at("accepted_deferred")
    assert state.deferred == ["m1", "m2"] and state.deferred_deadline == "2026-12-04"
    assert state.decision["type"] == "case.accepted_deferred" and state.decision["deferred"] == ["m1", "m2"]
    assert set(state.items) == {"a", "b"} and state.items["a"]["status"] == "pending" and state.decided_at
    refusal = at("refused")
    assert refusal.decision["reason"] == "不属于受理范围" and refusal.decided_at
    assert at("voided").void_reason == "重复受理"
    assert at("handed_over").handed_over["method"] == "window"
    assert all(i["status"] == "dispatched" for i in at("dispatched").items.values())
    mail = at("completed", ("case.handed_over", {"method": "mail", "note": "EMS"}))
    assert mail.handed_over["method"] == "mail"
    refused(at("completed"), "case.handed_over", {"method": "pigeon"}, "送达方式应为窗口领取或邮政寄递")


def test_every_event_type_has_a_handler():
    assert set(HANDLERS) == {t for t in EVENT_TYPES if t.startswith("case.")}  # enquiry.*: domain/enquiry.py


def test_who_may_claim():
    state = at("draft")  # started by zhangli, who holds it
    assert claimed_by_other(state, "zhangli") == "" and claimed_by_other(state, "lisi") == "zhangli"
    check_claim(state, "zhangli")
    check_claim(state, "lisi", force=True)
    with pytest.raises(CaseError, match="正由 zhangli 办理"):
        check_claim(state, "lisi")
    nobody = CaseState(case_id="x")
    assert claimed_by_other(nobody, "lisi") == ""
    check_claim(nobody, "lisi")


@pytest.mark.parametrize("level", [" 3 ", "3"])
def test_rating_level_accepts_a_number_as_text(level):
    assert rating_level(level) == 3


def test_replay_puts_the_start_first_keeps_every_other_event_and_is_lenient_by_default():
    edit = ev("case.field_set", {"key": "k1", "value": "1"})
    start = ev(*START)
    later = ev("case.field_set", {"key": "k2", "value": "2"})
    bad = ev("case.refused", {})
    state = replay([edit, start, later, bad])
    assert state.fields == {"k1": "1", "k2": "2"} and state.version == 4
    assert state.anomalies == [f"case.refused（dev1#{bad.device_seq}）：不予受理必须写明理由"]
    with pytest.raises(CaseError, match="不予受理必须写明理由"):
        replay([start, bad], strict=True)
    assert replay([]) is None


def test_two_devices_setting_the_proxy_unaware_of_each_other_conflict():
    first = {"name": "刘一", "relation": "子女", "id_number": ""}
    second = {"name": "刘二", "relation": "配偶", "id_number": ""}
    a = ev("case.proxy_set", {"proxy": first, "base": ""}, actor="zhangli")
    b = ev("case.proxy_set", {"proxy": second, "base": ""}, actor="chenjing")
    state = replay([ev(*START), a, b])
    assert state.proxy == second and state.needs_review
    assert state.conflicts == [{
        "slot": "proxy", "label": "代办人",
        "kept": {"value": second, "event_id": b.event_id, "actor": "chenjing", "device": "dev1", "at": b.device_time},
        "other": {"value": first, "event_id": a.event_id, "actor": "zhangli", "at": a.device_time}}]
    assert state.setters["proxy"] == [b.event_id, "chenjing", b.device_time]
    seen = ev("case.proxy_set", {"proxy": None, "base": b.event_id})
    assert len(apply(state, seen).conflicts) == 1  # an overwrite that saw the value is no conflict


def test_minimal_payloads_fill_every_default():
    start = ev("case.started", {"tracking_code": "T1", "bundle_code": "b"})
    state = apply(None, start)
    assert (state.bundle_version, state.bundle_hash, state.hall, state.window, state.channel) == (1, "", "", "",
                                                                                                   "window")
    notice = ev("case.notice_issued", {})
    noticed = apply(state, notice)
    assert noticed.notices == [{"missing": [], "deadline": "", "reason": "", "at": notice.device_time,
                                "by": "zhangli", "added": []}]
    accept = ev("case.accepted", {})
    accepted = apply(state, accept)
    assert accepted.decision == {"type": "case.accepted", "by": "zhangli", "warnings": []} and accepted.items == {}
    assert accepted.decided_at == accept.device_time
    deferred = apply(state, ev("case.accepted_deferred", {"items": {"a": "d"}}))
    assert (deferred.deferred, deferred.deferred_deadline, deferred.decision["deferred"]) == ([], "", [])
    assert deferred.items == {"a": {"status": "pending", "due": "d", "note": "", "document": ""}}
    refusal = apply(state, ev("case.refused", {"reason": "r"}))
    assert refusal.decision == {"type": "case.refused", "by": "zhangli", "reason": "r", "basis": ""}
    done = at("dispatched")
    result = ev("case.item_result", {"item": "a", "status": "received"})
    assert apply(done, result).items["a"] == {"status": "received", "due": ITEMS["a"], "note": "", "document": "",
                                              "at": result.device_time, "sent": done.items["a"]["sent"]}
    handed = ev("case.handed_over", {})
    over = apply(at("completed"), handed)
    assert over.handed_over == {"method": "window", "note": "", "at": handed.device_time, "by": "zhangli"}
    rate = ev("case.rated", {"level": 3})
    assert apply(over, rate).rating == {"level": 3, "label": "基本满意", "comment": "", "at": rate.device_time,
                                        "reasons": [], "dimensions": {}, "channel": "window", "by": "zhangli"}
    printed = ev("case.document_printed", {})
    assert apply(state, printed).documents == [{"kind": "", "path": "", "paper": "", "printer": "", "error": "",
                                                "at": printed.device_time, "by": "zhangli"}]


def test_the_basis_of_a_refusal_and_the_note_of_a_hand_over_are_kept():
    refusal = apply(at("draft"), ev("case.refused", {"reason": "不属于受理范围", "basis": "《行政许可法》第三十二条"}))
    assert refusal.decision["basis"] == "《行政许可法》第三十二条"
    over = apply(at("completed"), ev("case.handed_over", {"method": "mail", "note": "EMS 1234"}))
    assert over.handed_over["note"] == "EMS 1234"
    assert at("notice_issued").changed_since_notice is False


def test_a_case_not_started_and_an_unknown_status_are_refused_in_words():
    from hall_app.domain.case_rules import require_started, transition

    with pytest.raises(CaseError) as error:
        require_started(CaseState(case_id="x"))
    assert str(error.value) == "办件尚未开始"
    odd = CaseState(case_id="x", tracking_code="T", status="mystery")
    with pytest.raises(CaseError) as error:
        transition(odd, "accepted")
    assert str(error.value) == "办件当前状态为“mystery”，不能变为“已受理”" and odd.status == "mystery"
