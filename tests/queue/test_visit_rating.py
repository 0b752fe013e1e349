"""Issue 11: the citizen rates a visit on the window's rate pad, as one
``queue.visit_rated`` event of the queue's log: once per visit, only a visit finished
at that window, only by that window (its pad or window device) or the hall; 未评价
(level null) recorded as such, never a good level."""

from __future__ import annotations

import datetime as dt

import pytest
from queue_fixtures import at_window

from hall_app.domain.event_types import EventInvalid, validate_event
from hall_app.domain.queue import QueueError
from hall_app.domain.visit_rating import FinishedVisit

CASE = "0190a3c4-0000-7000-8000-000000000001"


def serve_and_finish(queue, window: str, line: str = "A", cases: list[str] | None = None) -> str:
    queue.issue_ticket(line)
    queue.call_next(window)
    queue.start_serving(window=window)
    return queue.finish(window=window, cases=cases or []).ticket


def test_one_rating_per_visit_finished_at_that_window(hall, clock):
    hall.open_window("W01")
    pad = at_window(hall, "W01", kind="pad")
    assert pad.last_visit() is None  # nothing finished today: the pad stays idle
    ticket = serve_and_finish(hall, "W01", cases=[CASE])
    visit = pad.last_visit()
    assert (visit.ticket, visit.label, visit.cases, visit.rated) == (ticket, "A001", (CASE,), False)
    assert visit.waiting_for_rating(clock.now)
    rated = pad.rate_visit(ticket, 2, {"服务效率": 1}, ["等候时间长", "多次跑动"])
    assert (rated.rated, rated.rating) == (True, "不满意")
    event = [e for e in hall.events() if e.type == "queue.visit_rated"]
    assert len(event) == 1 and event[0].payload == {
        "ticket": ticket, "window": "W01", "label": "A001", "clerk": "", "level": 2, "cases": [CASE], "how": "chosen",
        "dimensions": {"服务效率": 1}, "reasons": ["等候时间长", "多次跑动"]}
    assert pad.last_visit().rated and not pad.last_visit().waiting_for_rating(clock.now)
    with pytest.raises(QueueError, match="已评价过，每次服务只评价一次") as twice:
        pad.rate_visit(ticket, 5)
    assert twice.value.status == 409
    with pytest.raises(QueueError, match="已评价过"):
        pad.rate_visit(ticket, None, how="timeout")  # a late timeout does not overwrite it either
    assert len([e for e in hall.events() if e.type == "queue.visit_rated"]) == 1


def test_unrated_is_recorded_as_null_never_a_good_level(hall, clock):
    hall.open_window("W01")
    ticket = serve_and_finish(hall, "W01")
    pad = at_window(hall, "W01", kind="pad")
    with pytest.raises(QueueError, match="只能记为未评价"):
        pad.rate_visit(ticket, 5, how="timeout")  # a timeout can never carry a level
    with pytest.raises(QueueError, match="未评价时不能选择评价项"):
        pad.rate_visit(ticket, None, reasons=["一次办成"], how="timeout")
    assert pad.rate_visit(ticket, None, how="timeout").rating == "未评价"
    payload = next(e.payload for e in hall.events() if e.type == "queue.visit_rated")
    assert payload["level"] is None and payload["how"] == "timeout" and "reasons" not in payload


def test_refused_for_another_window_an_open_ticket_or_bad_input(hall, clock):
    hall.open_window("W01")
    hall.open_window("W02")
    ticket = serve_and_finish(hall, "W01")
    w2_pad = at_window(hall, "W02", kind="pad")
    with pytest.raises(QueueError, match="不能评价 W01 窗口的服务") as scope:
        w2_pad.rate_visit(ticket, 5, window="W01")
    assert scope.value.status == 403
    with pytest.raises(QueueError, match="不能评价 W01"):
        w2_pad.last_visit("W01")  # nor read another window's visit
    with pytest.raises(QueueError, match="不是在 W02 窗口办结的"):
        w2_pad.rate_visit(ticket, 5)  # its own window, but the visit was W01's
    hall.issue_ticket("A")
    serving = hall.call_next("W02")
    with pytest.raises(QueueError, match="已叫号，办结后才能评价"):
        w2_pad.rate_visit(serving.ticket, 4)
    pad = at_window(hall, "W01", kind="pad")
    for level, reasons, words in [(6, [], "五级之一"), (True, [], "五级之一"), (5, ["态度恶劣"], "不能选择理由")]:
        with pytest.raises(QueueError, match=words) as bad:
            pad.rate_visit(ticket, level, reasons=reasons)
        assert bad.value.status == 422
    with pytest.raises(QueueError, match="评价维度"):
        pad.rate_visit(ticket, 4, {"服务速度": 3})
    with pytest.raises(QueueError, match="今天没有"):
        pad.rate_visit("NOSUCH", 4)
    kiosk = at_window(hall, "", kind="kiosk")
    with pytest.raises(QueueError, match="不能登记服务评价"):
        kiosk.rate_visit(ticket, 5, window="W01")
    assert not [e for e in hall.events() if e.type == "queue.visit_rated"]


def test_the_pad_offers_only_a_fresh_unrated_visit():
    now = dt.datetime.fromisoformat("2026-12-01T10:00:00+08:00")
    visit = FinishedVisit("T1", "A001", "W01", "2026-12-01T09:55:00.000+08:00")
    assert visit.waiting_for_rating(now)
    assert not visit.waiting_for_rating(now + dt.timedelta(minutes=6))  # past ten minutes: stays idle
    assert not FinishedVisit("T1", "A001", "W01", visit.finished_at, rated=True).waiting_for_rating(now)
    assert FinishedVisit.from_json(visit.to_json()) == visit and FinishedVisit.from_json(None) is None


def test_the_payload_schema_refuses_a_level_outside_the_five_or_an_unknown_dimension():
    base = {"ticket": "T1", "window": "W01", "level": None, "how": "timeout"}
    validate_event("queue.visit_rated", base)
    for bad in ({"level": 0}, {"level": 6}, {"dimensions": {"速度": 3}}, {"dimensions": {"服务态度": 9}},
                {"how": "default"}, {"extra": 1}):
        with pytest.raises(EventInvalid):
            validate_event("queue.visit_rated", base | bad)
