"""Vectors for the queue's fold and its figures (hall_app/domain/queue_replay.py): each
event kind folded into whole tickets and windows, the windows a ticket leaves, the
log's order, and the figures (waits, service times, medians, percentiles, a line's
counts, the cases of a visit) worked out by hand. No database."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hall_app.domain.queue import Policy, QueueError, ScheduleEntry, Ticket, Window
from hall_app.domain.queue_replay import (
    CaseVisit,
    LineFigures,
    QueueEvent,
    QueueState,
    apply_event,
    case_visits,
    estimate_wait,
    fold_links,
    line_figures,
    merge_cases,
    minutes_between,
    percentile,
    replay,
    rolling_median,
    service_minutes,
    wait_minutes,
)

DAY = "2026-12-01"


def iso(hhmm: str) -> str:
    return f"{DAY}T{hhmm}:00+08:00"


class Log:
    """Events with rising seq, each at the time given."""

    def __init__(self):
        self.events: list[QueueEvent] = []

    def __call__(self, hhmm: str, kind: str, **payload) -> QueueEvent:
        e = QueueEvent(len(self.events) + 1, "JJ01", DAY, iso(hhmm), kind, payload)
        self.events.append(e)
        return e


def hall() -> Log:
    log = Log()
    log("08:00", "queue.window_set", window="W01", name="1号窗口", skills={"A": 1})
    log("08:00", "queue.window_set", window="W02", skills={"A": 1, "B": 2},
        schedule=[{"from": "09:00", "to": "10:00", "lines": {"B": 1}}])
    log("08:30", "queue.window_opened", window="W01")
    log("08:30", "queue.window_opened", window="W02")
    return log


def issue(log: Log, hhmm: str, ticket: str, number: int, line: str = "A", **kw) -> None:
    log(hhmm, "queue.ticket_issued", ticket=ticket, line=line, prefix=line, number=number, sort_at=iso(hhmm), **kw)


def test_event_round_trip():
    e = QueueEvent(7, "JJ01", DAY, iso("09:00"), "queue.ticket_called", {"ticket": "T1"}, "clerk1", "dev1")
    assert e.to_dict() == {"seq": 7, "hall": "JJ01", "day": DAY, "at": iso("09:00"), "type": "queue.ticket_called",
                           "payload": {"ticket": "T1"}, "actor": "clerk1", "device_id": "dev1"}
    assert QueueEvent.from_dict(e.to_dict()) == e
    bare = QueueEvent.from_dict({"seq": "3", "hall": "H", "day": DAY, "at": "x", "type": "t", "payload": {}})
    assert (bare.seq, bare.actor, bare.device_id) == (3, "", "")


def test_windows_set_opened_switched():
    log = hall()
    state = replay(log.events)
    assert state.windows["W01"] == Window("W01", "JJ01", "1号窗口", state="open", skills={"A": 1}, version=2)
    assert state.windows["W02"] == Window("W02", "JJ01", "", state="open", skills={"A": 1, "B": 2},
                                          schedule=(ScheduleEntry("09:00", "10:00", {"B": 1}),), version=2)
    log("09:00", "queue.window_set", window="W01", skills={"C": 1})  # a later set keeps the name and the state
    log("09:01", "queue.window_switched", window="W02", lines={"C": 1})
    log("09:02", "queue.window_paused", window="W01")
    state = replay(log.events)
    assert state.windows["W01"] == Window("W01", "JJ01", "1号窗口", state="paused", skills={"C": 1}, version=4)
    assert (state.windows["W02"].manual, state.windows["W02"].manual_day, state.windows["W02"].version) \
        == ({"C": 1}, DAY, 3)
    log("09:03", "queue.window_switched", window="W02", lines=None)
    log("09:04", "queue.window_closed", window="W01")
    state = replay(log.events)
    assert (state.windows["W02"].manual, state.windows["W02"].manual_day, state.windows["W02"].version) \
        == (None, "", 4)
    assert (state.windows["W01"].state, state.windows["W01"].version) == ("closed", 5)
    log("09:05", "queue.window_switched", window="W02", lines={})  # an empty switch is a switch
    assert replay(log.events).windows["W02"].manual == {}


def test_a_ticket_issued_whole():
    log = hall()
    issue(log, "09:00", "T1", 1, priority="老年人", appointment="AP1", id_number="500", name="张三",
          issued_at=iso("08:55"), source="appointment")
    issue(log, "09:01", "T2", 2)
    state = replay(log.events)
    assert state.tickets["T1"] == Ticket("T1", "JJ01", DAY, "A", "A", 1, priority="老年人", sort_at=iso("09:00"),
                                         issued_at=iso("08:55"), source="appointment", appointment="AP1",
                                         id_number="500", name="张三", version=1)
    assert state.tickets["T2"] == Ticket("T2", "JJ01", DAY, "A", "A", 2, sort_at=iso("09:01"),
                                         issued_at=iso("09:01"), version=1)


def test_call_serve_finish_and_the_window_follows():
    log = hall()
    issue(log, "09:00", "T1", 1)
    log("09:10", "queue.ticket_called", ticket="T1", window="W01", line="A", streak=2)
    state = replay(log.events)
    assert state.tickets["T1"].state == "called" and state.tickets["T1"].called_at == iso("09:10")
    assert (state.windows["W01"].current, state.windows["W01"].streak, state.windows["W01"].version) == ("T1", 2, 3)
    log("09:11", "queue.ticket_recalled", ticket="T1", window="W01", calls=2)
    log("09:12", "queue.serving_started", ticket="T1", window="W01")
    log("09:20", "queue.ticket_finished", ticket="T1", window="W01", cases=["C1"])
    state = replay(log.events)
    assert state.tickets["T1"] == Ticket("T1", "JJ01", DAY, "A", "A", 1, state="finished", window="W01",
                                         sort_at=iso("09:00"), issued_at=iso("09:00"), called_at=iso("09:10"),
                                         serving_at=iso("09:12"), ended_at=iso("09:20"), calls=2, version=5)
    assert (state.windows["W01"].current, state.windows["W01"].version) == ("", 4)


def test_a_call_without_a_streak_keeps_the_windows():
    log = hall()
    log("08:31", "queue.window_set", window="W01", skills={"A": 1})
    issue(log, "09:00", "T1", 1)
    state = replay(log.events)
    state.windows["W01"] = replace(state.windows["W01"], streak=5)
    apply_event(state, QueueEvent(99, "JJ01", DAY, iso("09:10"), "queue.ticket_called",
                                  {"ticket": "T1", "window": "W01", "line": "A"}))
    assert state.windows["W01"].streak == 5


def test_hold_transfer_leave_expire_clear_only_their_window():
    log = hall()
    for i in range(1, 5):
        issue(log, f"09:0{i}", f"T{i}", i)
    log("09:10", "queue.ticket_called", ticket="T1", window="W01", line="A")
    log("09:11", "queue.ticket_held", ticket="T1", window="W01")
    state = replay(log.events)
    assert state.tickets["T1"].state == "held" and state.windows["W01"].current == ""
    assert state.windows["W01"].version == 4
    log("09:12", "queue.ticket_called", ticket="T2", window="W01", line="A")
    log("09:13", "queue.ticket_transferred", ticket="T1", window="W01", from_line="A", to_line="B", to_window="W02")
    state = replay(log.events)
    # T1 was held: W01's current is T2 now and stays
    assert state.tickets["T1"] == replace(state.tickets["T1"], state="waiting", line="B", target_window="W02",
                                          window="")
    assert state.windows["W01"].current == "T2"
    log("09:14", "queue.ticket_transferred", ticket="T2", window="W01", from_line="A", to_line="B")
    state = replay(log.events)
    assert state.windows["W01"].current == "" and state.tickets["T2"].line == "B"
    assert state.tickets["T2"].target_window == ""
    log("09:15", "queue.ticket_left", ticket="T3")
    log("09:16", "queue.ticket_called", ticket="T4", window="W02", line="A")
    log("09:17", "queue.ticket_expired", ticket="T4", window="")
    state = replay(log.events)
    assert (state.tickets["T3"].state, state.tickets["T3"].ended_at) == ("left", iso("09:15"))
    assert (state.tickets["T4"].state, state.tickets["T4"].ended_at) == ("expired", iso("09:17"))
    assert state.windows["W02"].current == ""


def test_a_transfer_with_only_a_window():
    log = hall()
    issue(log, "09:00", "T1", 1)
    log("09:05", "queue.ticket_transferred", ticket="T1", from_line="A", to_line="", to_window="W02")
    t = replay(log.events).tickets["T1"]
    assert (t.line, t.target_window) == ("A", "W02")


def test_no_shows_by_hand_and_automatic():
    log = hall()
    issue(log, "09:00", "T1", 1)
    issue(log, "09:01", "T2", 2)
    log("09:10", "queue.ticket_called", ticket="T1", window="W01", line="A")
    log("09:11", "queue.ticket_no_show", ticket="T1", window="W01")
    log("09:12", "queue.ticket_called", ticket="T2", window="W01", line="A")
    log("09:13", "queue.ticket_recalled", ticket="T2", window="W01", calls=2)
    log("09:14", "queue.ticket_no_show", ticket="T2", window="W01", auto=True)
    state = replay(log.events, Policy(max_recalls=1))
    assert (state.tickets["T1"].state, state.tickets["T1"].calls, state.tickets["T1"].ended_at) \
        == ("no_show", 1, iso("09:11"))
    assert (state.tickets["T2"].state, state.tickets["T2"].calls, state.tickets["T2"].ended_at) \
        == ("no_show", 2, iso("09:14"))
    assert state.windows["W01"].current == ""
    # with the default limit (3) the same log's automatic no-show comes too early
    with pytest.raises(AssertionError, match=r"^an automatic no-show must follow the last recall$"):
        replay(log.events)


def test_a_recall_past_the_limit_is_a_no_show_at_its_time():
    log = hall()
    issue(log, "09:00", "T1", 1)
    log("09:10", "queue.ticket_called", ticket="T1", window="W01", line="A")
    log("09:11", "queue.ticket_recalled", ticket="T1", window="W01", calls=2)
    assert replay(log.events).tickets["T1"].state == "called"
    t = replay(log.events, Policy(max_recalls=0)).tickets["T1"]
    assert (t.state, t.ended_at, t.calls) == ("no_show", iso("09:11"), 1)


@pytest.mark.parametrize("kind,state", [
    ("queue.ticket_recalled", "called"), ("queue.serving_started", "called"), ("queue.ticket_held", "serving"),
    ("queue.ticket_finished", "serving"), ("queue.ticket_no_show", "called"),
])
def test_another_window_in_the_log_is_refused_and_no_window_is_the_hall(kind, state):
    log = hall()
    issue(log, "09:00", "T1", 1)
    log("09:10", "queue.ticket_called", ticket="T1", window="W01", line="A")
    if state == "serving":
        log("09:11", "queue.serving_started", ticket="T1", window="W01")
    base = list(log.events)
    log("09:12", kind, ticket="T1", window="W02")
    with pytest.raises(QueueError, match="由 W01 窗口叫号，本窗口（W02）不能"):
        replay(log.events)
    log.events = list(base)
    log("09:12", kind, ticket="T1")  # no window named: the hall itself
    assert replay(log.events).tickets["T1"].version > replay(base).tickets["T1"].version


def test_an_automatic_no_show_by_another_window_is_refused():
    log = hall()
    issue(log, "09:00", "T1", 1)
    log("09:10", "queue.ticket_called", ticket="T1", window="W01", line="A")
    log("09:14", "queue.ticket_no_show", ticket="T1", window="W02", auto=True)
    with pytest.raises(QueueError, match="本窗口（W02）不能重呼"):
        replay(log.events, Policy(max_recalls=0))


def test_an_illegal_log_is_refused_and_other_kinds_pass():
    log = hall()
    issue(log, "09:00", "T1", 1)
    log("09:01", "queue.ticket_finished", ticket="T1", window="W01")
    with pytest.raises(QueueError, match="不能办结"):
        replay(log.events)
    state = QueueState()
    for kind in ("queue.line_set", "queue.appointment_booked", "queue.day_closed", "queue.block_reserved",
                 "queue.case_linked", "queue.visit_rated"):
        apply_event(state, QueueEvent(1, "JJ01", DAY, iso("09:00"), kind, {"ticket": "T9", "window": "W9"}))
    assert state == QueueState()


def test_replay_goes_by_seq_not_by_list_order():
    log = hall()
    issue(log, "09:00", "T1", 1)
    log("09:10", "queue.ticket_called", ticket="T1", window="W01", line="A")
    assert replay(list(reversed(log.events))) == replay(log.events)


# -- figures ------------------------------------------------------------------------------------------
def tk(**kw) -> Ticket:
    return replace(Ticket("T1", "JJ01", DAY, "A", "A", 1, issued_at=iso("09:00"), sort_at=iso("09:00")), **kw)


def test_minutes_between():
    assert minutes_between(iso("09:00"), iso("09:30")) == 30.0
    assert minutes_between("2026-12-01T09:00:00+08:00", "2026-12-01T01:00:30+00:00") == 0.5
    assert minutes_between(iso("09:30"), iso("09:00")) == -30.0


def test_service_minutes():
    done = tk(state="finished", called_at=iso("09:10"), serving_at=iso("09:12"), ended_at=iso("09:20"))
    assert service_minutes(done) == 8.0
    assert service_minutes(replace(done, serving_at="")) == 10.0
    assert service_minutes(replace(done, serving_at="", called_at="")) is None
    assert service_minutes(replace(done, ended_at="")) is None
    assert service_minutes(replace(done, state="no_show")) is None


def test_wait_minutes():
    assert wait_minutes(tk()) is None
    assert wait_minutes(tk(called_at=iso("09:25"))) == 25.0
    # an appointment waits from its slot when that is later than taking the ticket
    appt = tk(appointment="AP", issued_at=iso("09:00"), sort_at=iso("09:15"), called_at=iso("09:25"))
    assert wait_minutes(appt) == 10.0
    assert wait_minutes(replace(appt, sort_at=iso("08:50"))) == 25.0
    assert wait_minutes(replace(appt, appointment="")) == 25.0
    # called before the slot: no negative wait
    assert wait_minutes(replace(appt, called_at=iso("09:05"))) == 0.0


def test_rolling_median_and_estimate():
    assert rolling_median([], 10.0) == 10.0
    assert rolling_median([4.0], 10.0) == 4.0
    assert rolling_median([1.0, 2.0, 9.0, 10.0], 7.0) == 5.5
    assert rolling_median([100.0, 1.0, 2.0, 3.0], 7.0, last=3) == 2.0
    assert rolling_median([float(i) for i in range(1, 31)], 0.0) == 20.5  # the last 20: 11 … 30
    assert isinstance(rolling_median([1, 2], 0.0), float)
    assert estimate_wait(6, 2, 10.0) == 30.0
    assert estimate_wait(3, 0, 10.0) is None and estimate_wait(3, -1, 10.0) is None
    assert estimate_wait(0, 1, 10.0) == 0.0


def test_percentile():
    assert percentile([], 0.9) is None
    assert percentile([5.0], 0.9) == 5.0
    values = [float(v) for v in (10, 1, 9, 2, 8, 3, 7, 4, 6, 5)]
    assert percentile(values, 0.9) == 9.0  # round(0.9 * 9) = 8 → the ninth of ten
    assert percentile(values, 0.5) == 5.0  # round(4.5) = 4 (to even) → the fifth
    assert percentile(values, 0.0) == 1.0 and percentile(values, 1.0) == 10.0
    assert percentile(values, 2.0) == 10.0 and percentile(values, -1.0) == 1.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0


def test_no_show_rate():
    assert LineFigures("A", 5, 4, 2, 1, None, None, None).no_show_rate == 0.25
    assert LineFigures("A", 5, 0, 0, 0, None, None, None).no_show_rate is None


def test_line_figures():
    state = QueueState()
    state.tickets = {
        "a1": tk(ticket="a1", state="finished", called_at=iso("09:10"), serving_at=iso("09:12"), ended_at=iso("09:20")),
        "a2": tk(ticket="a2", state="finished", called_at=iso("09:30"), ended_at=iso("09:34")),
        "a3": tk(ticket="a3", state="no_show", called_at=iso("09:05"), ended_at=iso("09:06")),
        "a4": tk(ticket="a4"),
        "b1": tk(ticket="b1", line="B", state="left", ended_at=iso("09:40")),
    }
    got = line_figures(state)
    assert list(got) == ["A", "B"]
    assert got["A"] == LineFigures("A", 4, 3, 2, 1, 15.0, 30.0, 6.0)
    assert got["B"] == LineFigures("B", 1, 0, 0, 0, None, None, None)
    state.tickets = {f"c{i}": tk(ticket=f"c{i}", line="C", called_at=f"{DAY}T09:0{i}:00+08:00") for i in range(1, 7)}
    # waits 1 … 6 minutes: the 90th percentile is the fifth (round(0.9 × 5) = 4), not the largest
    assert line_figures(state)["C"] == LineFigures("C", 6, 6, 0, 0, 3.5, 5.0, None)
    assert line_figures(QueueState()) == {}


# -- the cases of a visit -----------------------------------------------------------------------------
def test_fold_links_and_merge():
    assert fold_links([]) == []
    assert fold_links([{"case": "C1"}, {"case": "C2"}, {"case": "C1"}]) == ["C1", "C2"]
    assert fold_links([{"case": "C1"}, {"case": "C2"}, {"case": "C3", "replaces": "C1"}]) == ["C2", "C3"]
    assert fold_links([{"case": "C1", "replaces": "C9"}, {"case": "C2", "replaces": ""}]) == ["C1", "C2"]
    assert merge_cases(["C1", "C2"], ["C2", "", "C3"], []) == ["C1", "C2", "C3"]
    assert merge_cases() == []


def test_case_visits():
    log = hall()
    issue(log, "09:00", "T1", 1)
    issue(log, "09:01", "T2", 2)
    issue(log, "09:02", "T3", 3, line="B")
    log("09:10", "queue.ticket_called", ticket="T1", window="W01", line="A")
    log("09:12", "queue.serving_started", ticket="T1", window="W01")
    log("09:13", "queue.case_linked", ticket="T1", window="W01", case="C1")
    log("09:14", "queue.case_linked", ticket="T1", window="W01", case="C2", replaces="C1")
    log("09:20", "queue.ticket_finished", ticket="T1", window="W01", cases=["C2", "C3"])
    log("09:21", "queue.ticket_called", ticket="T3", window="W02", line="B")
    log("09:22", "queue.serving_started", ticket="T3", window="W02")
    log("09:25", "queue.ticket_finished", ticket="T3", window="W02", cases=["C4"])
    log("09:26", "queue.ticket_called", ticket="T2", window="W01", line="A")
    log("09:27", "queue.serving_started", ticket="T2", window="W01")
    log("09:28", "queue.case_linked", ticket="T2", window="W01", case="C5")
    log("09:29", "queue.case_linked", ticket="T9", window="W01", case="C9")  # a ticket of no replayed day
    log("09:30", "queue.ticket_finished", ticket="T2", window="W01")
    got = case_visits(list(reversed(log.events)))
    assert got == {
        "C2": CaseVisit("C2", "T1", "A001", "A", "W01", 8.0, 2),
        "C3": CaseVisit("C3", "T1", "A001", "A", "W01", 8.0, 2),
        "C4": CaseVisit("C4", "T3", "B003", "B", "W02", 3.0, 1),
        "C5": CaseVisit("C5", "T2", "A002", "A", "W01", 3.0, 1),
    }
    assert list(got) == ["C2", "C3", "C5", "C4"]  # linked tickets first, in link order


def test_case_visits_while_serving():
    log = hall()
    issue(log, "09:00", "T1", 1)
    log("09:10", "queue.ticket_called", ticket="T1", window="W01", line="A")
    log("09:13", "queue.case_linked", ticket="T1", window="W01", case="C1")
    assert case_visits(log.events) == {"C1": CaseVisit("C1", "T1", "A001", "A", "W01", None, 1)}
    for n in range(4):
        log("09:14", "queue.ticket_recalled", ticket="T1", window="W01", calls=n + 2)
    log("09:15", "queue.serving_started", ticket="T1", window="W01")
    # four recalls: past the default limit (3) the ticket is a no-show and cannot be served
    with pytest.raises(QueueError, match="过号"):
        case_visits(log.events)
    assert case_visits(log.events, Policy(max_recalls=4)) == {"C1": CaseVisit("C1", "T1", "A001", "A", "W01", None, 1)}
