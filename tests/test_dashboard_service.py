"""The dashboard's figures through the service on the demo hall (Saturday 2026-11-21):
every figure replayed from the cases' events, a new event changes the next snapshot."""

from __future__ import annotations

import datetime as dt

from hall_app.services.dashboard import DashboardService
from tests.test_ratings_service import handed_over_case


def test_demo_day_figures(demo_ctx):
    snap = DashboardService(demo_ctx).snapshot()
    day = snap.day
    # 12 cases of the day, 8 of earlier weeks (6 rated, 1 still at the departments, 1 deferral overdue)
    assert snap.period.label == "2026年11月" and snap.cases_read == 20
    assert day.by_status == {"草稿": 2, "已一次性告知": 1, "已受理": 1, "容缺受理": 2, "不予受理": 1, "办理中": 1,
                             "已办结": 1, "已送达": 1, "已评价": 1}
    assert day.taken_today == 11  # the voided case is not counted
    assert day.windows["W03"].taken == 11 and day.clerks["wangqiang"].taken == 1
    assert day.rated_today == 1 and day.good_share_today == 1.0
    # the earlier weeks' bad ratings: two overdue (nobody looked / only verified), one explained and due 12-08
    assert [(f.level_label, f.follow_up.state_label, f.follow_up.due.isoformat(), f.overdue)
            for f in day.follow_ups] == [("非常不满意", "待核实", "2026-11-12", True),
                                         ("不满意", "已核实", "2026-11-13", True),
                                         ("非常不满意", "已解释说明", "2026-12-08", False)]
    # accepted newborn cases: items due Monday 11-23, one working day away; one dispatched in October overdue;
    # 陈敏's deferral of late October: its items and its deferral both overdue
    assert [(x.urgency, x.due.isoformat(), x.days_left, x.window, x.kind) for x in day.deadlines] == [
        ("overdue", "2026-10-26", 0, "W03", "item"), ("overdue", "2026-10-28", 0, "W02", "item"),
        ("overdue", "2026-11-06", 0, "W03", "deferred")] + [("at_risk", "2026-11-23", 1, "W03", "item")] * 4
    assert snap.reform.cases == 13 and snap.reform.materials_exempted == 26  # 陈敏's two: 5 more
    assert snap.bundle("newborn") == "新生儿出生" and snap.user("zhangli") == "张丽"


def test_a_bad_rating_shows_with_its_follow_up_and_becomes_overdue(demo_ctx, clock):
    service = DashboardService(demo_ctx)
    case_id = handed_over_case(demo_ctx)
    demo_ctx.ratings.rate(case_id, "zhangli", 2, ["等候时间长"])
    day = service.snapshot().day
    assert day.rated_today == 2 and day.ratings_today["不满意"] == 1 and day.good_share_today == 0.5
    assert day.windows["W03"].bad == 1
    [follow] = [f for f in day.follow_ups if f.case_id == case_id]
    assert follow.case_id == case_id and follow.follow_up.due == dt.date(2026, 12, 11) and not follow.overdue
    clock.advance(days=21)  # Saturday 12-12: past the due date
    later = service.snapshot().day
    assert all(f.overdue for f in later.follow_ups) and len(later.follow_ups) == 4 and later.rated_today == 0
    # the items due 11-23 are overdue now
    assert {x.urgency for x in later.deadlines} == {"overdue"}
    for step, note in (("verified", "属实"), ("explained", "已解释"), ("revisited", "群众认可"), ("closed", "办结")):
        demo_ctx.ratings.advance(case_id, "chenjing", step, note)
    assert case_id not in {f.case_id for f in service.snapshot().day.follow_ups}
