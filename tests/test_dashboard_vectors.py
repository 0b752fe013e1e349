"""Vectors for the supervisor's hall day (hall_app/domain/dashboard.py): one day of
cases and rate-pad visits counted by hand per status, window and clerk; the ratings,
the open follow-ups in their order; and the deadline board's remaining edges (which
statuses bind which deadline, a whole line). The board's calendar edges are in
tests/test_dashboard_deadlines.py. Pure: CaseState values built here."""

from __future__ import annotations

import datetime as dt

from hall_app.domain.calendar import WorkCalendar
from hall_app.domain.case_state import CaseState
from hall_app.domain.dashboard import (
    AT_RISK_DAYS,
    DeadlineLine,
    FollowUpLine,
    HallDay,
    PersonFigures,
    clerk_due,
    day_of,
    deadline_board,
    hall_day,
    owner,
)
from hall_app.domain.rating import follow_up_of

CAL = WorkCalendar.from_config({"2026": {"holidays": [], "workdays": []}})  # weekends only
TODAY = dt.date(2026, 12, 1)  # a Tuesday
NOW = "2026-12-01T10:00:00+08:00"
YESTERDAY = "2026-11-30T10:00:00+08:00"


def case(cid: str, status: str, window: str, clerk: str, created_at: str = YESTERDAY, **more) -> CaseState:
    return CaseState(case_id=cid, tracking_code=cid.upper(), bundle_code="newborn", window=window, status=status,
                     created_by=clerk, created_at=created_at, **more)


def rating(level: int, at: str, opened: str = "", due: str = "", closed: bool = False) -> dict:
    out = {"level": level, "at": at, "label": {5: "非常满意", 2: "不满意", 1: "非常不满意"}.get(level, "")}
    if opened:
        steps = [{"step": "opened", "actor": "pad", "at": opened}]
        if closed:
            steps += [{"step": s, "actor": "sup", "at": opened, "note": "n"}
                      for s in ("verified", "explained", "revisited", "closed")]
        out["follow_up"] = {"steps": steps, "due": due}
    return out


def states() -> list[CaseState]:
    return [
        case("c1", "accepted", "W01", "zhang", NOW, decided_at=NOW, decision={"type": "case.accepted"},
             rating=rating(5, NOW)),
        case("c2", "notice_issued", "W01", "li", NOW, notices=[{"at": NOW, "missing": ["m1"]}]),
        case("c3", "accepted_deferred", "W02", "zhang", decided_at=NOW, decision={"type": "case.accepted_deferred"},
             items={"x": {"status": "pending", "due": "2026-12-03"}}),
        case("c4", "voided", "W01", "zhang", NOW, decided_at=NOW, decision={"type": "case.accepted"},
             rating=rating(1, NOW, "2026-11-01", "2026-11-20")),
        case("c5", "rated", "W01", "zhang", rating=rating(1, "2026-11-01T10:00:00+08:00", "2026-11-01", "2026-11-20")),
        case("c6", "draft", "W02", "wang", NOW),
        case("c7", "rated", "W03", "li", rating=rating(2, NOW, "2026-12-01", "2026-12-22")),
        case("c8", "accepted", "W03", "li", decided_at=NOW, decision={},
             notices=[{"at": NOW}, {"at": YESTERDAY}]),  # a decision time with no decision; an old last notice
        case("c9", "rated", "W03", "li", rating=rating(1, YESTERDAY, "2026-11-02", "2026-11-23", closed=True)),
        case("c10", "rated", "W03", "li", rating=rating(1, YESTERDAY, "2026-11-30", "2026-12-10")),
        case("c11", "refused", "W02", "wang", decided_at=NOW, decision={"type": "case.refused"}),
    ]


VISITS = [{"window": "W01", "clerk": "zhang", "level": 4}, {"window": "W03", "level": None},
          {"window": "W01", "clerk": "", "level": "5"}, {"level": 1, "clerk": "li"}]


def test_a_hall_day_counted_by_hand():
    day = hall_day(states(), TODAY, CAL, visits=VISITS)
    assert day.by_status == {"草稿": 1, "已一次性告知": 1, "已受理": 1}
    assert list(day.windows) == ["", "W01", "W02", "W03"]
    assert day.windows == {
        "": PersonFigures(rated=1, bad=1),  # a visit with no window named
        "W01": PersonFigures(taken=2, decided=2, accepted=1, rated=2, good=2, unrated=1),
        "W02": PersonFigures(taken=1, decided=2, accepted=1),
        "W03": PersonFigures(rated=1, bad=1, unrated=1),
    }
    assert day.clerks == {
        "li": PersonFigures(taken=1, decided=1, rated=2, bad=2),
        "wang": PersonFigures(taken=1, decided=1),
        "zhang": PersonFigures(taken=1, decided=2, accepted=2, rated=2, good=2),
    }
    # levels 5, 2 (cases) and 4, none, none, 1 (visits)
    assert day.ratings_today == {"非常满意": 1, "满意": 1, "基本满意": 0, "不满意": 1, "非常不满意": 1, "未评价": 2}
    assert (day.rated_today, day.unrated_today, day.good_share_today, day.asked_today, day.taken_today) \
        == (4, 2, 0.5, 6, 3)
    s = {x.case_id: x for x in states()}
    assert day.follow_ups == [
        FollowUpLine("c5", "C5", "newborn", "W01", "非常不满意", follow_up_of(s["c5"].rating), True),
        FollowUpLine("c10", "C10", "newborn", "W03", "非常不满意", follow_up_of(s["c10"].rating), False),
        FollowUpLine("c7", "C7", "newborn", "W03", "不满意", follow_up_of(s["c7"].rating), False),
    ]
    assert day.deadlines == [DeadlineLine("c3", "C3", "newborn", "W02", "zhang", "item", "x", dt.date(2026, 12, 3),
                                          "at_risk", 2)]
    assert day.overdue == 0 and day.today == TODAY
    assert hall_day(states(), TODAY, CAL, at_risk_days=1, visits=VISITS).deadlines == []


def test_an_empty_day():
    day = hall_day([], TODAY, CAL)
    assert day == HallDay(TODAY, {}, {}, {}, [], {"非常满意": 0, "满意": 0, "基本满意": 0, "不满意": 0, "非常不满意": 0,
                                                    "未评价": 0}, 0, None, [], 0)
    assert (day.asked_today, day.taken_today, day.overdue) == (0, 0, 0)


def test_person_figures_add_up():
    p = PersonFigures(taken=1, good=2).plus(taken=2, bad=1, unknown=5)
    assert p == PersonFigures(taken=3, good=2, bad=1)
    assert PersonFigures().plus() == PersonFigures()


def test_owner_and_day_of():
    assert owner(CaseState(case_id="a", created_by="zhang")) == "zhang"
    assert owner(CaseState(case_id="a", created_by="zhang", claimed_by="li")) == "li"
    assert day_of("2026-12-01T10:00:00+08:00") == TODAY and day_of("2026-12-01") == TODAY
    assert day_of("") is None and day_of("someday") is None and day_of(None) is None
    assert AT_RISK_DAYS == 3


def test_which_status_binds_which_deadline():
    due = {"status": "pending", "due": "2026-11-30"}
    states = [
        case("a", "draft", "W1", "k", items={"x": due}),  # not accepted: items do not bind yet
        case("b", "refused", "W1", "k", deferred=["m"], deferred_deadline="2026-11-30"),
        case("c", "rated", "W1", "k", deferred=["m"], deferred_deadline="2026-11-30"),
        case("d", "dispatched", "W1", "k", deferred=["m"], deferred_deadline=""),
        case("e", "notice_issued", "W1", "k", notices=[]),
        case("f", "notice_issued", "W1", "k", notices=[{"missing": ["m"]}]),
        case("g", "accepted", "W1", "k", items={"x": {"status": "rejected", "due": "2026-11-30"},
                                                "y": {"status": "pending", "due": ""}}),
        case("h", "voided", "W1", "k", deferred=["m"], deferred_deadline="2026-11-30",
             notices=[{"deadline": "2026-11-30"}]),
        case("i", "completed", "W1", "k", deferred=["m2", "m1"], deferred_deadline="2026-11-30"),
        case("j", "accepted", "W9", "k", claimed_by="li", deferred=["m"], deferred_deadline="2026-11-30",
             items={"x": due, "w": {"status": "in_progress", "due": "2026-12-02"}}),
        case("k", "notice_issued", "W1", "k", notices=[{"deadline": "2026-12-01"}]),
    ]
    board = deadline_board(states, TODAY, CAL)
    assert board == [
        DeadlineLine("i", "I", "newborn", "W1", "k", "deferred", "m2、m1", dt.date(2026, 11, 30), "overdue", 0, 1),
        DeadlineLine("j", "J", "newborn", "W9", "k", "deferred", "m", dt.date(2026, 11, 30), "overdue", 0, 1),
        DeadlineLine("j", "J", "newborn", "W9", "k", "item", "x", dt.date(2026, 11, 30), "overdue", 0, 1),
        DeadlineLine("k", "K", "newborn", "W1", "k", "notice", "", TODAY, "today", 0, 0),
    ]
    assert board[0].overdue and not board[3].overdue


def test_a_very_bad_case_rating_and_a_middling_visit():
    opened = {"steps": [{"step": "opened", "actor": "pad", "at": NOW}], "due": "2026-12-22"}
    states = [case("r1", "rated", "W1", "k", rating={"level": 1, "at": NOW, "follow_up": opened})]  # no label
    day = hall_day(states, TODAY, CAL, visits=[{"window": "W1", "clerk": "k", "level": 3}])
    assert day.windows == {"W1": PersonFigures(rated=2, bad=1)} and day.clerks == {"k": PersonFigures(rated=2, bad=1)}
    assert (day.ratings_today["非常不满意"], day.ratings_today["基本满意"], day.good_share_today) == (1, 1, 0.0)
    assert [(f.case_id, f.level_label, f.overdue) for f in day.follow_ups] == [("r1", "", False)]


def test_a_clerks_due_list_takes_the_at_risk_days():
    states = [case("a", "accepted", "W1", "k", items={"x": {"status": "pending", "due": "2026-12-03"}})]
    assert [(x.case_id, x.days_left) for x in clerk_due(states, "k", TODAY, CAL)] == [("a", 2)]
    assert clerk_due(states, "k", TODAY, CAL, at_risk_days=1) == []
