"""Vectors for the rating of a visit at the window and its follow-up
(hall_app/domain/visit_rating.py, visit_followup.py): what the pad offers and when, every
refusal in words with its code, the recorded payload whole, and a bad visit's follow-up
step by step. Pure: no database, no pad."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from hall_app.domain import visit_followup as vf
from hall_app.domain import visit_rating as vr
from hall_app.domain.calendar import CHINA, WorkCalendar
from hall_app.domain.queue import QueueError, Ticket
from hall_app.domain.rating import FollowUp, Rating, RatingError, Step

CAL = WorkCalendar()
AT = "2026-12-01T10:00:00+08:00"


def done(**kw) -> Ticket:
    return replace(Ticket("T1", "JJ01", "2026-12-01", "A", "A", 12, state="finished", window="W03"), **kw)


def refused(fn, *args, **kw) -> tuple[str, str, int]:
    with pytest.raises(QueueError) as exc:
        fn(*args, **kw)
    return str(exc.value), exc.value.code, exc.value.status


# -- the pad's visit ----------------------------------------------------------------------------------
def test_constants():
    assert (vr.VISIT_RATED, vr.FRESH_MINUTES, vr.HOW) == ("queue.visit_rated", 10.0, ("chosen", "timeout", "declined"))
    assert (vf.VISIT_FOLLOW_UP, vf.VISIT_FOLLOW_UP_OPENED) == ("queue.visit_follow_up", "queue.visit_follow_up_opened")


def test_finished_visit_json_round_trip():
    v = vr.FinishedVisit("T1", "A012", "W03", AT, ("C1", "C2"), "clerk1", True, "满意")
    assert v.to_json() == {"ticket": "T1", "label": "A012", "window": "W03", "finished_at": AT,
                           "cases": ["C1", "C2"], "clerk": "clerk1", "rated": True, "rating": "满意"}
    assert vr.FinishedVisit.from_json(v.to_json()) == v
    assert vr.FinishedVisit.from_json(None) is None and vr.FinishedVisit.from_json({}) is None
    assert vr.FinishedVisit.from_json({"ticket": 7, "cases": [1, "C2"], "rated": 1}) \
        == vr.FinishedVisit("7", "", "", "", ("1", "C2"), "", True, "")
    assert vr.FinishedVisit.from_json({"ticket": "T", "cases": None}) == vr.FinishedVisit("T", "", "", "")


@pytest.mark.parametrize("finished_at,now,expected", [
    (AT, "2026-12-01T10:00:00+08:00", True),
    (AT, "2026-12-01T10:10:00+08:00", True),
    (AT, "2026-12-01T10:10:01+08:00", False),
    (AT, "2026-12-01T09:59:59+08:00", False),  # finished after now: not offered
    (AT, "2026-12-01T02:05:00+00:00", True),  # the same instant in another zone
    ("2026-12-01T10:00:00", "2026-12-01T10:05:00+08:00", True),  # a naive time: read as local
    (AT, "2026-12-01T10:11:00", False),
    ("", "2026-12-01T10:00:00+08:00", False),
    ("not a time", "2026-12-01T10:00:00+08:00", False),
])
def test_waiting_for_rating(finished_at, now, expected):
    v = vr.FinishedVisit("T1", "A012", "W03", finished_at)
    assert v.waiting_for_rating(dt.datetime.fromisoformat(now)) is expected


def test_waiting_for_rating_once_rated_and_with_other_minutes():
    now = dt.datetime(2026, 12, 1, 10, 20, tzinfo=CHINA)
    v = vr.FinishedVisit("T1", "A012", "W03", AT)
    assert v.waiting_for_rating(now) is False
    assert v.waiting_for_rating(now, minutes=20) is True
    assert replace(v, rated=True).waiting_for_rating(now, minutes=20) is False


def test_check_rateable():
    assert vr.check_rateable(done(), "W03", False) is None
    assert refused(vr.check_rateable, done(state="serving"), "W03", False) \
        == ("A012 号办理中，办结后才能评价", "refused", 409)
    assert refused(vr.check_rateable, done(state="odd"), "W03", False) == ("A012 号odd，办结后才能评价", "refused", 409)
    assert refused(vr.check_rateable, done(), "W04", False) \
        == ("A012 号不是在 W04 窗口办结的，不能在本窗口评价", "refused", 409)
    assert refused(vr.check_rateable, done(), "W03", True) \
        == ("A012 号的本次服务已评价过，每次服务只评价一次", "refused", 409)


def test_visit_rating_checks_by_the_rating_rules():
    assert vr.visit_rating(5, {"服务态度": 4}, ["一次办成", "一次办成"]) == Rating(5, {"服务态度": 4}, ("一次办成",))
    assert vr.visit_rating(None) == Rating(None)
    assert vr.visit_rating(3, None) == Rating(3)
    assert refused(vr.visit_rating, 6) \
        == ("评价等级应为五级之一：非常满意、满意、基本满意、不满意、非常不满意", "invalid", 422)
    assert refused(vr.visit_rating, None, {"服务态度": 4}) == ("未评价时不能选择评价项", "invalid", 422)
    with pytest.raises(QueueError) as exc:
        vr.visit_rating(1, {}, ["一次办成"])
    assert exc.value.__cause__ is None and exc.value.__suppress_context__ is True


def test_the_recorded_payload():
    t = done()
    assert vr.visit_rated_payload(t, Rating(4)) == {"ticket": "T1", "window": "W03", "label": "A012", "clerk": "",
                                                   "level": 4, "cases": [], "how": "chosen"}
    full = vr.visit_rated_payload(t, Rating(1, {"服务效率": 1}, ("多次跑动", "推诿扯皮")), clerk="k" * 70,
                                  cases=(f"C{i}" for i in range(60)))
    assert full == {"ticket": "T1", "window": "W03", "label": "A012", "clerk": "k" * 64, "level": 1,
                    "cases": [f"C{i}" for i in range(50)], "how": "chosen", "dimensions": {"服务效率": 1},
                    "reasons": ["多次跑动", "推诿扯皮"]}
    assert vr.visit_rated_payload(t, Rating(None))["how"] == "declined"
    assert vr.visit_rated_payload(t, Rating(None), how="timeout")["how"] == "timeout"
    assert vr.visit_rated_payload(t, Rating(None), how="declined") == {
        "ticket": "T1", "window": "W03", "label": "A012", "clerk": "", "level": None, "cases": [], "how": "declined"}


def test_the_payload_refusals():
    assert refused(vr.visit_rated_payload, done(), Rating(4), how="x" * 20) \
        == (f"未知的评价方式“{'x' * 12}”", "invalid", 422)
    for how in ("timeout", "declined"):
        assert refused(vr.visit_rated_payload, done(), Rating(4), how=how) \
            == ("超时或暂不评价只能记为未评价", "invalid", 422)


def test_rating_of_payload():
    assert vr.rating_of_payload({"level": 2, "dimensions": {"服务态度": 1}, "reasons": ["多次跑动"]}) \
        == Rating(2, {"服务态度": 1}, ("多次跑动",))
    assert vr.rating_of_payload({"level": None, "dimensions": None, "reasons": None}) == Rating(None)
    assert vr.rating_of_payload({"level": "2"}) == Rating(None)
    assert vr.rating_of_payload({}) == Rating(None)


# -- the follow-up of a bad visit -------------------------------------------------------------------------
RATED = {"ticket": "T1", "window": "W03", "label": "A012", "clerk": "clerk1", "level": 1, "cases": ["C1"],
         "how": "chosen", "reasons": ["多次跑动"], "dimensions": {"服务态度": 1}}


def test_opened_payload():
    assert vf.opened_payload(RATED) == {"ticket": "T1", "window": "W03", "label": "A012", "clerk": "clerk1",
                                        "level": 1, "reasons": ["多次跑动"], "cases": ["C1"]}
    assert vf.opened_payload({"ticket": "T1", "level": 2}) == {"ticket": "T1", "level": 2}
    for level in (3, 4, 5, None):
        assert vf.opened_payload({**RATED, "level": level}) is None


def test_visit_follow_up_step_by_step():
    rated = {"at": AT, "actor": "pad", "payload": RATED}
    steps = [{"at": "2026-12-02T09:00:00+08:00", "actor": "sup", "payload": {"step": "verified", "note": "已核实"}},
             {"at": "2026-12-03T09:00:00+08:00", "actor": "sup",
              "payload": {"step": "rectified", "note": "已整改", "by": "boss"}},
             {"at": "2026-12-04T09:00:00+08:00", "payload": {"step": "revisited", "note": "满意", "by": ""}}]
    got = vf.visit_follow_up(rated, steps, CAL)
    # 15 working days after Tuesday 2026-12-01: Tuesday 2026-12-22
    assert got == vf.VisitFollowUp("T1", "A012", "W03", "clerk1", "非常不满意", ("多次跑动",), ("C1",), FollowUp(
        "T1", dt.date(2026, 12, 1), dt.date(2026, 12, 22),
        (Step("opened", "pad", AT), Step("verified", "sup", "2026-12-02T09:00:00+08:00", "已核实"),
         Step("rectified", "boss", "2026-12-03T09:00:00+08:00", "已整改"),
         Step("revisited", "", "2026-12-04T09:00:00+08:00", "满意"))))
    short = vf.visit_follow_up({"at": AT, "payload": {"ticket": 5, "level": 2, "cases": [7]}}, [], CAL, days=2)
    assert short == vf.VisitFollowUp("5", "", "", "", "不满意", (), ("7",), FollowUp(
        "5", dt.date(2026, 12, 1), dt.date(2026, 12, 3), (Step("opened", "", AT),)))
    assert vf.visit_follow_up({"at": AT, "payload": {**RATED, "level": 3}}, steps, CAL) is None
    with pytest.raises(RatingError, match="办结须写明处理结果"):
        vf.visit_follow_up(rated, [*steps, {"at": "2026-12-05T09:00:00+08:00", "payload": {"step": "closed"}}], CAL)


def test_next_step_payload():
    current = vf.visit_follow_up({"at": AT, "actor": "pad", "payload": RATED}, [], CAL)
    assert vf.next_step_payload(current, "T1", "verified", "sup", "2026-12-02T09:00:00+08:00", "查实") \
        == {"ticket": "T1", "window": "W03", "step": "verified", "note": "查实", "by": "sup", "cases": ["C1"]}
    no_cases = replace(current, cases=())
    assert vf.next_step_payload(no_cases, "T1", "verified", "sup", "2026-12-02T09:00:00+08:00", "查实") \
        == {"ticket": "T1", "window": "W03", "step": "verified", "note": "查实", "by": "sup"}
    with pytest.raises(RatingError, match=r"^当前为“待核实”，下一步应为：核实$"):
        vf.next_step_payload(current, "T1", "closed", "sup", "2026-12-02T09:00:00+08:00", "x")
    with pytest.raises(RatingError, match=r"^该次服务没有差评，无需整改回访$"):
        vf.next_step_payload(None, "T1", "verified", "sup", "2026-12-02T09:00:00+08:00", "x")
