"""Issue 11: a visit rated 不满意 / 非常不满意 on the window's rate pad opens a follow-up,
keyed by the visit's ticket and naming its cases, due in working days (the case
rating's rules in domain/rating.py), stepped 核实 → 整改/解释说明/申诉 → 回访 → 办结 by a
supervisor, each step one ``queue.visit_follow_up`` event."""

from __future__ import annotations

import datetime as dt

import pytest
from queue_fixtures import at_window

from hall_app.domain.calendar import WorkCalendar
from hall_app.domain.event_types import EventInvalid, validate_event
from hall_app.domain.queue import QueueError
from hall_app.domain.rating import RatingError
from hall_app.domain.visit_followup import next_step_payload, visit_follow_up

CASE = "0190a3c4-0000-7000-8000-000000000001"


def rated(level, at="2026-09-29T16:00:00+08:00", cases=()):
    return {"at": at, "actor": "pad", "payload": {"ticket": "t1", "window": "W03", "label": "A012", "level": level,
                                                   "cases": list(cases), "reasons": []}}


def step(name, at, note="说明", by="chenjing"):
    return {"at": at, "actor": "hall", "payload": {"ticket": "t1", "step": name, "note": note, "by": by}}


def test_deadline_in_working_days_over_national_day_and_steps_replayed():
    # Rated Tue 2026-09-29. 15 working days: 9-30, then 10-8, 10-9, 10-10 (make-up
    # Saturday), 10-12 … 10-16, 10-19 … 10-23, 10-26 → due Monday 2026-10-26.
    visit = visit_follow_up(rated(1, cases=[CASE]), [], WorkCalendar())
    assert visit is not None and visit.follow_up.due == dt.date(2026, 10, 26)
    assert (visit.ticket, visit.label, visit.cases, visit.follow_up.state_label) == ("t1", "A012", (CASE,), "待核实")
    assert visit_follow_up(rated(1), [], WorkCalendar(), days=1).follow_up.due == dt.date(2026, 9, 30)
    assert visit_follow_up(rated(3), [], WorkCalendar()) is None
    assert visit_follow_up(rated(None), [], WorkCalendar()) is None
    steps = [step("verified", "2026-10-09T10:00+08:00"), step("rectified", "2026-10-20T10:00+08:00"),
             step("revisited", "2026-10-26T10:00+08:00"), step("closed", "2026-10-27T09:00+08:00", "已反馈")]
    done = visit_follow_up(rated(1), steps, WorkCalendar()).follow_up
    assert done.closed and done.resolution == "rectified" and not done.on_time()  # closed a day late
    assert [(s.step, s.actor) for s in done.steps][-1] == ("closed", "chenjing")


def test_next_step_follows_the_case_rating_rules():
    visit = visit_follow_up(rated(2, cases=[CASE]), [], WorkCalendar())
    with pytest.raises(RatingError, match="下一步应为：核实"):
        next_step_payload(visit, "t1", "closed", "chenjing", "2026-09-30T09:00+08:00", "已处理")
    with pytest.raises(RatingError, match="请填写"):
        next_step_payload(visit, "t1", "verified", "chenjing", "2026-09-30T09:00+08:00", "")
    with pytest.raises(RatingError, match="没有差评"):
        next_step_payload(None, "t1", "verified", "chenjing", "2026-09-30T09:00+08:00", "属实")
    payload = next_step_payload(visit, "t1", "verified", "chenjing", "2026-09-30T09:00+08:00", "属实")
    assert payload == {"ticket": "t1", "window": "W03", "step": "verified", "note": "属实", "by": "chenjing",
                       "cases": [CASE]}
    validate_event("queue.visit_follow_up", payload)
    no_by = {k: v for k, v in payload.items() if k != "by"}
    for bad in ({**payload, "note": ""}, {**payload, "step": "opened"}, no_by):
        with pytest.raises(EventInvalid):
            validate_event("queue.visit_follow_up", bad)


def test_each_step_one_event_by_a_supervisor_device_only(hall, clock):
    hall.open_window("W01")
    hall.issue_ticket("A")
    hall.call_next("W01")
    hall.start_serving(window="W01")
    ticket = hall.finish(window="W01", cases=[CASE]).ticket
    pad = at_window(hall, "W01", kind="pad")
    pad.rate_visit(ticket, 1, reasons=["推诿扯皮"])
    second = hall.issue_ticket("A").ticket
    hall.call_next("W01")
    hall.start_serving(window="W01")
    hall.finish(window="W01")
    pad.rate_visit(second, 4)  # a good rating opens nothing
    opened = [e.payload for e in hall.events() if e.type == "queue.visit_follow_up_opened"]
    assert opened == [{"ticket": ticket, "window": "W01", "label": "A001", "clerk": "", "level": 1,
                       "reasons": ["推诿扯皮"], "cases": [CASE]}]  # the good one opened none
    boss = at_window(hall, "", kind="supervisor")
    [record] = boss.bad_visits()
    assert record["rated"]["payload"]["ticket"] == ticket and record["steps"] == []
    with pytest.raises(QueueError, match="值班长") as refused:
        pad.follow_up_visit(ticket, "verified", "属实", "chenjing")
    assert refused.value.status == 403
    with pytest.raises(QueueError, match="下一步应为：核实"):
        boss.follow_up_visit(ticket, "closed", "已处理", "chenjing")
    with pytest.raises(QueueError, match="没有差评"):
        boss.follow_up_visit(second, "verified", "属实", "chenjing")
    for name, note in (("verified", "查看录像，属实"), ("appealed", "恶意差评"), ("revisited", "群众认可"),
                       ("closed", "已向群众反馈")):
        clock.now += dt.timedelta(hours=1)
        record = boss.follow_up_visit(ticket, name, note, "chenjing")
    events = [e for e in hall.events() if e.type == "queue.visit_follow_up"]
    assert [e.payload["step"] for e in events] == ["verified", "appealed", "revisited", "closed"]
    assert all(e.payload["by"] == "chenjing" and e.payload["cases"] == [CASE] for e in events)
    assert len(record["steps"]) == 4
    with pytest.raises(QueueError, match="已办结"):
        boss.follow_up_visit(ticket, "revisited", "再次回访", "chenjing")
    assert len([e for e in hall.events() if e.type == "queue.visit_follow_up"]) == 4
    for q in (pad, boss):
        q.close()
