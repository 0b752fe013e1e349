"""domain/enquiry.py vector by vector: every refusal in its words (strictly and as the
anomaly line of a replay), each kind's state whole, the labels, and the counts and
totals over several days, clerks and kinds."""

from __future__ import annotations

import datetime as dt

import pytest

from hall_app.domain.enquiry import (
    EnquiryCount,
    EnquiryError,
    EnquiryState,
    apply,
    count_enquiries,
    replay,
    totals_by_kind,
)
from hall_app.domain.events import Event
from tests.test_enquiry_domain import ID, OTHER, REFERRAL, UNRESOLVED, closed, opened

CONSULT = {"kind": "consult", "topic": "问"}
FIELDS = {"kind", "topic", "owner", "hall", "window", "bundle", "answered", "phone", "target_kind", "target",
          "reason", "why", "status", "opened_at", "closed_at", "closed_by", "result", "action", "handled_by"}


@pytest.mark.parametrize(("payload", "message"), [
    ({"kind": 3, "topic": "问"}, "“kind”应为文字"),
    ({"kind": "chat", "topic": "问"}, "事项类别应为 咨询、首问负责、办不成事 之一"),
    ({"kind": "consult", "topic": "  "}, "请填写事项内容（群众问的是什么、要办什么）"),
    ({**CONSULT, "answered": "是"}, "“是否当场答复”应为是或否"),
    ({**CONSULT, "answered": 1}, "“是否当场答复”应为是或否"),
    ({**CONSULT, "answered": True, "phone": "138"}, "已当场答复的咨询不需要联系电话（个人信息从简）；需回复的才留电话"),
    ({**REFERRAL, "answered": True}, "只有咨询可以标为当场答复"),
    ({**REFERRAL, "target_kind": "moon"}, "请选择引导去向：部门、窗口、其他大厅、其他"),
    ({**REFERRAL, "target": " "}, "请填写把群众引导到了哪里（部门、窗口或大厅名称）"),
    ({**REFERRAL, "reason": ""}, "请填写引导的原因"),
    ({**CONSULT, "target_kind": "department"}, "引导去向和原因只属于首问负责登记"),
    ({**CONSULT, "target": "x"}, "引导去向和原因只属于首问负责登记"),
    ({**UNRESOLVED, "reason": "x"}, "引导去向和原因只属于首问负责登记"),
    ({**UNRESOLVED, "why": ""}, "请填写办不成的原因"),
    ({**CONSULT, "why": "x"}, "“办不成的原因”只属于办不成事登记"),
    ({**CONSULT, "phone": 138}, "“phone”应为文字"),
])
def test_an_opening_is_refused_in_words(payload, message):
    event = opened(payload)
    with pytest.raises(EnquiryError) as error:
        apply(None, event)
    assert str(error.value) == message
    kept = apply(None, event, strict=False)
    assert kept.to_dict() == {**EnquiryState(ID).to_dict(), "version": 1, "needs_review": True,
                              "anomalies": [f"enquiry.opened（d1#1）：{message}"]}


def test_a_referral_whole():
    payload = {**REFERRAL, "topic": " 问 ", "hall": " h1 ", "window": "w2", "bundle": "b", "phone": "138"}
    state = apply(None, opened(payload, actor="lisi"))
    assert {k: v for k, v in state.to_dict().items() if k in FIELDS} == {
        "kind": "referral", "topic": "问", "owner": "lisi", "hall": "h1", "window": "w2", "bundle": "b",
        "answered": False, "phone": "138", "target_kind": "department", "target": "市社保局三楼",
        "reason": "本窗口不办理社保卡", "why": "", "status": "open", "opened_at": "2026-11-21T09:00:00+08:00",
        "closed_at": "", "closed_by": "", "result": "", "action": "", "handled_by": ""}
    assert (state.version, state.kind_label, state.status_label, state.short_id) == (1, "首问负责", "待办结",
                                                                                       "000000e1")
    done = apply(state, closed({"result": " 已办 ", "action": "a", "handled_by": "h"}, actor="lisi"))
    assert (done.status, done.result, done.action, done.handled_by, done.closed_by, done.closed_at,
            done.status_label, done.version) == ("closed", "已办", "a", "h", "lisi", "2026-11-21T15:00:00+08:00",
                                                 "已办结", 2)
    assert state.status == "open"  # apply does not change what it is given


def test_a_consultation_answered_at_once_closes_with_its_opening():
    state = apply(None, opened({**CONSULT, "answered": True}, actor="lisi"))
    assert (state.status, state.closed_at, state.closed_by, state.answered) == (
        "closed", "2026-11-21T09:00:00+08:00", "lisi", True)
    later = apply(None, opened(CONSULT))
    assert (later.status, later.closed_at, later.closed_by, later.answered) == ("open", "", "", False)


@pytest.mark.parametrize(("before", "payload", "actor", "message"), [
    (None, {"result": "x"}, "zhangli", "该事项尚未登记"),
    ({**CONSULT, "answered": True}, {"result": "x"}, "zhangli", "该事项已经办结"),
    (REFERRAL, {"result": "x"}, "lisi", "该事项由 zhangli 首问负责，只能由其本人登记办结"),
    (REFERRAL, {"result": " "}, "zhangli", "办结须填写结果（答复了什么、最后怎样解决）；没有结果不能办结"),
    (REFERRAL, {"result": ["x"]}, "zhangli", "“result”应为文字"),
    (UNRESOLVED, {"result": "x", "handled_by": "h"}, "zhangli", "办不成事须写明采取了什么措施"),
    (UNRESOLVED, {"result": "x", "action": "a"}, "zhangli", "办不成事须写明由谁处理"),
])
def test_a_closing_is_refused_in_words(before, payload, actor, message):
    state = None if before is None else apply(None, opened(before))
    event = closed(payload, actor=actor)
    with pytest.raises(EnquiryError) as error:
        apply(state, event)
    assert str(error.value) == message
    kept = apply(state, event, strict=False)
    assert kept.anomalies == [f"enquiry.closed（d1#2）：{message}"] and kept.needs_review
    assert kept.status == ("" if state is None else state.status)
    assert kept.version == (1 if state is None else state.version + 1)


def test_other_events_and_payloads_are_refused_in_words():
    long_type = "enquiry." + "x" * 50
    for event, message in [
        (Event(ID, ID, "d1", 1, "a", long_type, {}), f"未知的事项事件类型 {long_type[:40]}"),
        (Event(ID, ID, "d1", 1, "a", "enquiry.opened", ["x"]), "事件内容格式有误"),  # type: ignore[arg-type]
        (Event("e9", ID, "d1", 1, "a", "enquiry.opened", CONSULT), "事项编号应与其登记事件的编号相同"),
    ]:
        with pytest.raises(EnquiryError) as error:
            apply(None, event)
        assert str(error.value) == message
        assert apply(None, event, strict=False).anomalies == [f"{event.type[:40]}（d1#1）：{message}"]
    state = apply(None, opened(CONSULT))
    again = apply(state, opened(CONSULT), strict=False)
    assert again.anomalies == ["enquiry.opened（d1#1）：该事项已经登记过，不能重复登记"] and state.anomalies == []
    assert (again.topic, again.version) == ("问", 2)


def test_labels_of_unknown_values_and_from_dict():
    odd = EnquiryState("x", kind="odd", status="odd")
    assert (odd.kind_label, odd.status_label) == ("odd", "odd")
    assert EnquiryState.from_dict({"enquiry_id": "y", "topic": "t", "extra": 1}) == EnquiryState("y", topic="t")
    assert EnquiryCount(dt.date(2026, 1, 1), "c", "odd").kind_label == "odd"
    assert EnquiryCount(dt.date(2026, 1, 1), "c", "unresolved").kind_label == "办不成事"


THIRD = "01a00000-0000-7000-8000-0000000000e3"
FOURTH = "01a00000-0000-7000-8000-0000000000e4"
FIFTH = "01a00000-0000-7000-8000-0000000000e5"
SIXTH = "01a00000-0000-7000-8000-0000000000e6"


def test_counts_and_totals_over_days_clerks_and_kinds():
    events = [
        Event("q", "q", "d1", 1, "a", "enquiry.closed", {"result": "x"}),  # no opening: not counted, the rest are
        opened(UNRESOLVED, enquiry_id=ID, actor="zhangli", at="2026-11-20T09:00:00+08:00"),
        closed({"result": "r", "action": "a", "handled_by": "h"}, enquiry_id=ID, actor="zhangli",
               at="2026-11-22T09:00:00+08:00"),
        opened({**CONSULT, "answered": True}, enquiry_id=OTHER, actor="anna", at="2026-11-21T09:00:00+08:00"),
        opened(CONSULT, enquiry_id=THIRD, actor="anna", at="2026-11-21T10:00:00+08:00"),
        opened(REFERRAL, enquiry_id=FOURTH, actor="anna", at="2026-11-21T11:00:00+08:00"),
        closed({"result": "r"}, enquiry_id=FOURTH, actor="anna", at="bad"),
        opened({**CONSULT, "answered": True}, enquiry_id=FIFTH, actor="anna", at="2026-11-21T12:00:00+08:00"),
        opened(CONSULT, enquiry_id=SIXTH, actor="anna", at="2026-11-21T13:00:00+08:00"),
    ]
    counts = count_enquiries(events, dt.date(2026, 11, 20), dt.date(2026, 11, 21))
    assert counts == [
        EnquiryCount(dt.date(2026, 11, 20), "zhangli", "unresolved", 1, 0, 0, 1),
        EnquiryCount(dt.date(2026, 11, 21), "anna", "consult", 4, 2, 2, 2),
        EnquiryCount(dt.date(2026, 11, 21), "anna", "referral", 1, 0, 0, 1),
    ]
    three = count_enquiries(events, dt.date(2026, 11, 21), dt.date(2026, 11, 22))
    assert [(c.day.day, c.clerk, c.kind, c.opened, c.closed, c.still_open) for c in three] == [
        (21, "anna", "consult", 4, 2, 2), (21, "anna", "referral", 1, 0, 1), (22, "zhangli", "unresolved", 0, 1, 0)]
    more = [EnquiryCount(dt.date(2026, 11, 21), "b", "odd", 1, 0, 0, 1),
            EnquiryCount(dt.date(2026, 11, 22), "b", "consult", 1, 1, 1, 1)]
    assert totals_by_kind(counts + more) == {
        "consult": {"opened": 5, "answered_at_once": 3, "closed": 3, "still_open": 3},
        "referral": {"opened": 1, "answered_at_once": 0, "closed": 0, "still_open": 1},
        "unresolved": {"opened": 1, "answered_at_once": 0, "closed": 0, "still_open": 1},
        "odd": {"opened": 1, "answered_at_once": 0, "closed": 0, "still_open": 1}}
    assert count_enquiries(events, dt.date(2026, 11, 23), dt.date(2026, 11, 30)) == []


def test_counts_sort_clerks_then_kinds_in_their_order():
    events = [opened(kind, enquiry_id=eid, actor=actor) for kind, eid, actor in [
        (UNRESOLVED, ID, "b"), (REFERRAL, OTHER, "b"), (CONSULT, THIRD, "b"), (CONSULT, FOURTH, "a")]]
    day = dt.date(2026, 11, 21)
    assert [(c.clerk, c.kind) for c in count_enquiries(events, day, day)] == [
        ("a", "consult"), ("b", "consult"), ("b", "referral"), ("b", "unresolved")]
    assert replay([]) is None


def test_a_strict_replay_stops_at_the_first_refusal():
    events = [opened(CONSULT), closed({"result": " "})]
    with pytest.raises(EnquiryError) as error:
        replay(events, strict=True)
    assert str(error.value) == "办结须填写结果（答复了什么、最后怎样解决）；没有结果不能办结"
    assert replay(events).anomalies == [f"enquiry.closed（d1#2）：{error.value}"]
