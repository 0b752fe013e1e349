"""Enquiries without a case (domain/enquiry.py): replay, the rules each kind obeys, bad
transitions refused (strict) or kept as anomalies (replay), and the counts."""

from __future__ import annotations

import datetime as dt

import pytest

from hall_app.domain.enquiry import EnquiryError, apply, count_enquiries, replay, totals_by_kind
from hall_app.domain.events import Event

ID = "01a00000-0000-7000-8000-0000000000e1"
OTHER = "01a00000-0000-7000-8000-0000000000e2"


def opened(payload: dict, actor: str = "zhangli", enquiry_id: str = ID, at: str = "2026-11-21T09:00:00+08:00"):
    return Event(enquiry_id, enquiry_id, "d1", 1, actor, "enquiry.opened", payload, at)


def closed(payload: dict, actor: str = "zhangli", enquiry_id: str = ID, at: str = "2026-11-21T15:00:00+08:00",
           n: int = 2):
    return Event(f"{enquiry_id[:-3]}c{n:02d}", enquiry_id, "d1", n, actor, "enquiry.closed", payload, at)


REFERRAL = {"kind": "referral", "topic": "问社保卡补办，要带什么？", "target_kind": "department",
            "target": "市社保局三楼", "reason": "本窗口不办理社保卡"}
UNRESOLVED = {"kind": "unresolved", "topic": "异地医保备案提交失败", "why": "省平台故障"}


def test_a_consultation_answered_at_once_is_closed_as_it_is_opened():
    state = apply(None, opened({"kind": "consult", "topic": "新生儿落户要带什么材料？", "answered": True}))
    assert state.status == "closed" and state.owner == "zhangli" and state.closed_by == "zhangli"
    assert state.topic == "新生儿落户要带什么材料？"  # Chinese punctuation kept
    with pytest.raises(EnquiryError, match="已经办结"):
        apply(state, closed({"result": "再答一次"}))


def test_a_consultation_needing_follow_up_stays_open_and_only_it_keeps_a_phone():
    state = apply(None, opened({"kind": "consult", "topic": "开餐馆要多久？", "phone": "13800001111"}))
    assert state.status == "open" and state.phone == "13800001111"
    with pytest.raises(EnquiryError, match="不需要联系电话"):
        apply(None, opened({"kind": "consult", "topic": "问路", "answered": True, "phone": "13800001111"}))
    done = apply(state, closed({"result": "已电话答复：约 3 个工作日"}))
    assert done.status == "closed" and done.result == "已电话答复：约 3 个工作日"


def test_a_referral_names_where_and_why_and_only_its_first_clerk_closes_it():
    for missing, message in (("target_kind", "引导去向"), ("target", "引导到了哪里"), ("reason", "引导的原因")):
        with pytest.raises(EnquiryError, match=message):
            apply(None, opened({**REFERRAL, missing: ""}))
    state = apply(None, opened(REFERRAL))
    assert (state.target_kind, state.target, state.reason) == ("department", "市社保局三楼", "本窗口不办理社保卡")
    with pytest.raises(EnquiryError, match="首问负责，只能由其本人"):
        apply(state, closed({"result": "已答复"}, actor="wangqiang"))
    with pytest.raises(EnquiryError, match="没有结果不能办结"):
        apply(state, closed({"result": "  "}))
    assert apply(state, closed({"result": "群众已在社保局办成"})).status == "closed"


def test_a_report_of_what_could_not_be_done_closes_only_with_action_handler_and_result():
    with pytest.raises(EnquiryError, match="办不成的原因"):
        apply(None, opened({**UNRESOLVED, "why": ""}))
    state = apply(None, opened(UNRESOLVED))
    with pytest.raises(EnquiryError, match="没有结果不能办结"):
        apply(state, closed({"action": "人工报送", "handled_by": "陈静"}))
    with pytest.raises(EnquiryError, match="采取了什么措施"):
        apply(state, closed({"result": "次日办成", "handled_by": "陈静"}))
    with pytest.raises(EnquiryError, match="由谁处理"):
        apply(state, closed({"result": "次日办成", "action": "人工报送"}))
    done = apply(state, closed({"result": "次日办成", "action": "联系信息中心人工报送", "handled_by": "值班长陈静"}))
    assert (done.status, done.action, done.handled_by) == ("closed", "联系信息中心人工报送", "值班长陈静")


def test_fields_of_one_kind_are_refused_on_another():
    with pytest.raises(EnquiryError, match="只属于首问负责"):
        apply(None, opened({"kind": "consult", "topic": "问", "target": "市社保局"}))
    with pytest.raises(EnquiryError, match="只属于办不成事"):
        apply(None, opened({**REFERRAL, "why": "系统故障"}))
    with pytest.raises(EnquiryError, match="只有咨询"):
        apply(None, opened({**UNRESOLVED, "answered": True}))
    with pytest.raises(EnquiryError, match="类别"):
        apply(None, opened({"kind": "complaint", "topic": "问"}))


def test_bad_transitions_strict_and_in_replay():
    with pytest.raises(EnquiryError, match="尚未登记"):
        apply(None, closed({"result": "x"}))
    state = apply(None, opened(REFERRAL))
    with pytest.raises(EnquiryError, match="已经登记过"):
        apply(state, opened(REFERRAL))
    with pytest.raises(EnquiryError, match="编号应与"):
        apply(None, Event("e-1", ID, "d1", 1, "zhangli", "enquiry.opened", REFERRAL))
    # replay never stops: a second close becomes an anomaly and the enquiry is flagged
    events = [opened(REFERRAL), closed({"result": "答复一"}), closed({"result": "答复二"}, n=3)]
    replayed = replay(events)
    assert replayed is not None and replayed.result == "答复一" and replayed.needs_review
    assert len(replayed.anomalies) == 1 and "已经办结" in replayed.anomalies[0]


def test_replay_takes_the_opening_first_wherever_it_stands():
    events = [closed({"result": "答复"}), opened(REFERRAL)]
    state = replay(events)
    assert state is not None and state.status == "closed" and not state.anomalies
    assert replay([]) is None


def test_counts_per_day_clerk_and_kind():
    events = [
        opened({"kind": "consult", "topic": "问", "answered": True}, enquiry_id=ID),
        opened(REFERRAL, enquiry_id=OTHER, actor="wangqiang"),
        closed({"result": "已答复"}, actor="wangqiang", enquiry_id=OTHER, at="2026-11-23T10:00:00+08:00"),
        Event("x", "case-1", "d1", 9, "zhangli", "case.started", {}),  # a case event is not counted
    ]
    day = dt.date(2026, 11, 21)
    counts = count_enquiries(events, day, day)
    assert [(c.clerk, c.kind, c.opened, c.answered_at_once, c.closed, c.still_open) for c in counts] == [
        ("wangqiang", "referral", 1, 0, 0, 1), ("zhangli", "consult", 1, 1, 1, 0)]
    week = count_enquiries(events, day, dt.date(2026, 11, 27))
    assert [(c.day.isoformat(), c.clerk, c.kind, c.closed, c.still_open) for c in week] == [
        ("2026-11-21", "wangqiang", "referral", 0, 0), ("2026-11-21", "zhangli", "consult", 1, 0),
        ("2026-11-23", "wangqiang", "referral", 1, 0)]
    totals = totals_by_kind(week)
    assert totals["referral"] == {"opened": 1, "answered_at_once": 0, "closed": 1, "still_open": 0}
    assert totals["unresolved"]["opened"] == 0
