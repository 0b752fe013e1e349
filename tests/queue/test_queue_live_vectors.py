"""Vectors for the live hall (hall_app/domain/queue_live.py): a small day folded by hand
step by step — the waiting series, the waits and their quantiles, the SLA's base, each
window's clerk, service, state and idle time, and every alert at its boundary. No
database, no demo day: each expected figure below is worked out in the comments."""

from __future__ import annotations

import datetime as dt

import pytest

from hall_app.domain.calendar import CHINA
from hall_app.domain.queue_live import (
    Alert,
    LineConf,
    LineLive,
    LiveHall,
    LiveTargets,
    WindowConf,
    WindowLive,
    live_hall,
    quantile,
    wait_series,
)
from hall_app.domain.queue_replay import QueueEvent

DAY = "2026-12-01"


def at(hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(2026, 12, 1, h, m, tzinfo=CHINA)


def iso(hhmm: str) -> str:
    return at(hhmm).isoformat()


class Log:
    def __init__(self):
        self.events: list[QueueEvent] = []

    def __call__(self, hhmm: str, kind: str, actor: str = "", **payload) -> None:
        self.events.append(QueueEvent(len(self.events) + 1, "JJ01", DAY, iso(hhmm), kind, payload, actor))

    def issue(self, hhmm: str, ticket: str, line: str, number: int, **kw) -> None:
        kw.setdefault("sort_at", iso(hhmm))
        self(hhmm, "queue.ticket_issued", ticket=ticket, line=line, prefix=line, number=number, **kw)


def day() -> Log:
    log = Log()
    log("08:30", "queue.window_opened", "clerkA", window="W01")
    log("08:31", "queue.window_opened", "window", window="W02")  # a device: no clerk
    log.issue("09:00", "T1", "A", 1)
    log.issue("09:05", "T2", "A", 2)
    # an appointment for 09:20 taken at 09:06: its wait starts at the slot
    log.issue("09:07", "T3", "B", 3, appointment="AP1", sort_at=iso("09:20"), issued_at=iso("09:06"))
    log("09:10", "queue.ticket_called", "clerkB", ticket="T1", window="W01", line="A")
    log("09:12", "queue.serving_started", "clerkB", ticket="T1", window="W01")
    log("09:20", "queue.ticket_finished", "clerkB", ticket="T1", window="W01")
    log("09:30", "queue.ticket_called", "window", ticket="T2", window="W02", line="A")
    log("09:31", "queue.ticket_no_show", "window", ticket="T2", window="W02")
    log("09:32", "queue.ticket_recalled", "window", ticket="T2", window="W02")  # not folded
    log("09:33", "queue.case_linked", "x", ticket="T1", window="W01", case="C1")  # not folded
    return log


WINDOWS = [WindowConf("W01", "1号", "open", {"A": 1}), WindowConf("W02", "2号", "open", {"B": 1, "A": 2}),
           WindowConf("W03", "3号", "paused", {"A": 1}), WindowConf("W04", "4号", "closed", {"A": 1})]


def test_a_small_day_whole():
    got = live_hall(DAY, list(reversed(day().events)), at("09:45"), [LineConf("A", "个人", "A")], WINDOWS)
    # steps from 08:30 (the first event, on a step edge): ends 08:45, 09:00, 09:15, 09:30, 09:45 (= now)
    # an event on an edge comes after the edge's sample (T1 issued at 09:00 is not in the 09:00 point)
    line_a = LineLive("A", "个人", "A", waiting=0, longest_wait=None, p50_wait=17.5, p90_wait=23.5, called=2,
                      served=1, no_show=1, within_target=1, sla_base=2, series=[0, 0, 1, 1, 0],
                      wait_series=[None, None, 10.0, None, 25.0])
    # T3 waits from its slot (09:20): 25 minutes, not called, past the target: in the SLA's base, not within
    line_b = LineLive("B", "B", "", waiting=1, longest_wait=25.0, p50_wait=None, p90_wait=None, called=0,
                      served=0, no_show=0, within_target=0, sla_base=1, series=[0, 0, 1, 1, 1],
                      wait_series=[None] * 5)
    windows = [
        # open since 08:30, free since T1 finished at 09:20; clerkB called last
        WindowLive("W01", "1号", "open", {"A": 1}, "", "", "clerkB", 1, 8.0, 75.0, 25.0, True),
        # free since the no-show at 09:31
        WindowLive("W02", "2号", "open", {"B": 1, "A": 2}, "", "", "", 0, None, 74.0, 14.0, True),
        WindowLive("W03", "3号", "paused", {"A": 1}, "", "", "", 0, None, None, None, False),
        WindowLive("W04", "4号", "closed", {"A": 1}, "", "", "", 0, None, None, None, False),
    ]
    alerts = [Alert("over_target", line="B", minutes=25.0, waiting=1),
              Alert("idle_with_queue", window="W02", minutes=14.0, waiting=1),  # W01 serves A only: nobody waits
              Alert("paused_long", window="W03", minutes=75.0)]  # no change today: since the first event
    assert got == LiveHall(DAY, "2026-12-01T09:45:00+08:00", "2026-12-01T08:30:00+08:00", 15, 15.0,
                           [line_a, line_b], windows, alerts)
    assert got.waiting == 1
    assert (line_a.sla, line_b.sla, line_a.no_show_rate, line_b.no_show_rate) == (0.5, 0.0, 0.5, None)
    assert LiveHall.from_dict(got.to_dict()) == got


def test_now_between_edges_adds_a_last_point():
    got = live_hall(DAY, day().events, at("09:50"), [], WINDOWS[:1])
    assert [x.line for x in got.lines] == ["A", "B"]
    assert got.lines[0].series == [0, 0, 1, 1, 0, 0] and got.lines[1].series == [0, 0, 1, 1, 1, 1]
    # the 09:30 call is in the step ending 09:45; the sixth step (to now) has none
    assert got.lines[0].wait_series == [None, None, 10.0, None, 25.0, None]
    assert got.lines[1].longest_wait == 30.0


def test_targets_move_the_boundaries():
    # exactly at a target: within the SLA, not over it, idle flagged, pause alerted
    got = live_hall(DAY, day().events, at("09:45"), [], WINDOWS,
                    LiveTargets(wait_target=25.0, idle_alert=14.0, paused_alert=75.0, bin_minutes=30))
    a, b = got.lines
    assert (a.within_target, a.sla_base, b.within_target, b.sla_base) == (2, 2, 0, 0)
    assert (got.start, got.bin_minutes, got.wait_target) == ("2026-12-01T08:30:00+08:00", 30, 25.0)
    assert a.series == [0, 1, 0] and a.wait_series == [None, 10.0, 25.0]
    assert [w.idle_while_waiting for w in got.windows] == [True, True, False, False]
    assert got.alerts == [Alert("idle_with_queue", window="W02", minutes=14.0, waiting=1),
                          Alert("paused_long", window="W03", minutes=75.0)]
    tight = live_hall(DAY, day().events, at("09:45"), [], WINDOWS,
                      LiveTargets(wait_target=25.0, idle_alert=14.1, paused_alert=75.1))
    assert [w.idle_while_waiting for w in tight.windows] == [True, False, False, False]
    assert tight.alerts == []
    over = live_hall(DAY, day().events, at("09:45"), [], WINDOWS, LiveTargets(wait_target=24.9))
    assert over.alerts[0] == Alert("over_target", line="B", minutes=25.0, waiting=1)
    assert (over.lines[0].within_target, over.lines[1].sla_base) == (1, 1)


def test_nobody_waiting_flags_no_idle_window():
    log = day()
    log("09:40", "queue.ticket_left", ticket="T3")
    got = live_hall(DAY, log.events, at("09:45"), [], WINDOWS)
    assert [w.idle_while_waiting for w in got.windows] == [False] * 4
    assert [a.kind for a in got.alerts] == ["paused_long"]
    b = got.lines[1]
    # gone after waiting 20 minutes (from 09:20): still in the SLA's base
    assert (b.waiting, b.longest_wait, b.sla_base, b.within_target, b.series) == (0, None, 1, 0, [0, 0, 1, 1, 0])


def test_a_ticket_that_left_within_the_target_is_not_counted():
    log = day()
    log("09:30", "queue.ticket_left", ticket="T3")  # 10 minutes after its slot
    b = live_hall(DAY, log.events, at("09:45"), [], WINDOWS).lines[1]
    assert (b.sla_base, b.within_target) == (0, 0) and b.sla is None


def test_windows_clerk_current_ticket_and_state_time():
    log = Log()
    log("08:00", "queue.window_opened", "clerkA", window="W01")
    log("08:05", "queue.window_paused", "clerkC", window="W01")
    log("08:10", "queue.window_opened", "supervisor", window="W01")
    log("08:15", "queue.window_opened", "clerkD", window="W02")
    log("08:20", "queue.window_closed", "admin", window="W02")
    log.issue("08:30", "T1", "A", 7)
    log("08:40", "queue.ticket_called", "kiosk", ticket="T1", window="W01", line="A")
    log("08:50", "queue.serving_started", "", ticket="T1", window="W01")
    confs = [WindowConf("W01", "1号", "open", {"A": 1}, current="T1"), WindowConf("W02", "2号", "closed", {}),
             WindowConf("W09", "9号", "open", {"A": 1}, current="gone")]
    got = live_hall(DAY, log.events, at("09:00"), [], confs)
    assert got.windows == [
        WindowLive("W01", "1号", "open", {"A": 1}, "A007", "serving", "clerkC", 0, None, 50.0, None, False),
        WindowLive("W02", "2号", "closed", {}, "", "", "", 0, None, 40.0, None, False),
        # its current ticket is not in today's log: no label, and not idle
        WindowLive("W09", "9号", "open", {"A": 1}, "", "", "", 0, None, None, None, False),
    ]
    # a window the conf says is closed shows no clerk, whatever the log says
    shut = live_hall(DAY, log.events, at("09:00"), [], [WindowConf("W01", "1号", "closed", {})])
    assert shut.windows[0].clerk == ""
    assert shut.windows[0].ticket == "" and shut.windows[0].idle_minutes is None


def test_hold_transfer_and_the_waiting_counts():
    log = Log()
    log("09:00", "queue.window_opened", "c1", window="W01")
    log.issue("09:00", "T1", "A", 1)
    log.issue("09:01", "T2", "A", 2)
    log("09:02", "queue.ticket_called", "c1", ticket="T1", window="W01", line="A")
    log("09:04", "queue.ticket_held", "c1", ticket="T1", window="W01")  # W01 free at 09:04
    log("09:06", "queue.ticket_transferred", "c1", ticket="T2", window="W01", from_line="A", to_line="B")
    log("09:08", "queue.ticket_transferred", "c1", ticket="T1", window="W01", from_line="A", to_line="")
    log("09:09", "queue.ticket_expired", "", ticket="T2")
    confs = [WindowConf("W01", "1号", "open", {"A": 1})]
    got = live_hall(DAY, log.events, at("09:12"), [LineConf("B", "企业", "B"), LineConf("A", "个人", "A")], confs)
    b, a = got.lines
    # T1 waits again in A from its own start (09:00); T2 moved to B, then expired there
    assert (a.waiting, a.longest_wait, a.called, a.series, a.wait_series) == (1, 12.0, 1, [1], [2.0])
    assert (b.waiting, b.longest_wait, b.called, b.series) == (0, None, 0, [0])
    # free since the hold (09:04), and again since the held ticket was transferred (09:08)
    assert got.windows[0].idle_minutes == 4.0
    assert got.windows[0].idle_while_waiting is True
    assert got.alerts == [Alert("idle_with_queue", window="W01", minutes=4.0, waiting=1)]


def test_the_same_log_through_the_day():
    log = Log()
    log("09:00", "queue.window_opened", "c1", window="W01")
    log.issue("09:00", "T1", "A", 1)
    log.issue("09:20", "T2", "A", 2)
    log("09:35", "queue.ticket_called", "c1", ticket="T1", window="W01", line="A")
    log("09:40", "queue.ticket_finished", "c1", ticket="T1", window="W01")  # never served: from the call
    got = live_hall(DAY, log.events, at("10:00"), [], [WindowConf("W01", "1号", "open", {"A": 1})])
    a = got.lines[0]
    # edges 09:15 (T1), 09:30 (T1, T2), 09:45 (T2), 10:00 = now (T2)
    assert a.series == [1, 2, 1, 1]
    assert a.wait_series == [None, None, 35.0, None]
    assert (a.waiting, a.longest_wait, a.within_target, a.sla_base) == (1, 40.0, 0, 2)
    assert got.windows[0].served == 1 and got.windows[0].mean_service == 5.0
    assert got.windows[0].idle_minutes == 20.0


def test_another_days_tickets_and_an_empty_day():
    log = Log()
    log("09:00", "queue.ticket_called", "c1", ticket="OLD", window="W01", line="A")
    log("09:01", "queue.ticket_finished", "c1", ticket="OLD", window="W01")
    got = live_hall(DAY, log.events, at("09:10"), [LineConf("A", "个人", "A")], [])
    assert got.lines == [LineLive("A", "个人", "A", 0, None, None, None, 0, 0, 0, 0, 0, [0], [None])]
    empty = live_hall(DAY, [], at("09:37"), [LineConf("A", "个人", "A")], [WindowConf("W01", "1号", "open", {})])
    assert empty.start == "2026-12-01T09:30:00+08:00" and empty.at == "2026-12-01T09:37:00+08:00"
    assert empty.lines[0].series == [0]
    assert empty.windows[0].idle_minutes == 0.0 and empty.alerts == []
    paused = live_hall(DAY, [], at("09:37"), [], [WindowConf("W01", "1号", "paused", {})],
                       LiveTargets(paused_alert=0.0))
    assert paused.alerts == [Alert("paused_long", window="W01", minutes=0.0)]


def test_issued_labels_and_wait_starts():
    log = Log()
    log("09:00", "queue.ticket_issued", ticket="T1", line="A", prefix="A", number="5", sort_at=iso("09:00"))
    log("09:00", "queue.ticket_issued", ticket="T2", line="A", prefix="A", number=6, sort_at=iso("08:00"),
        appointment="AP", issued_at=iso("08:50"))  # slot earlier than taking it: from taking it
    log("09:00", "queue.ticket_issued", ticket="T3", line="A", prefix="A", number=8, sort_at="",
        appointment="AP2")  # no slot: from the event
    confs = [WindowConf(w, w, "open", {}, current=t) for w, t in (("W1", "T1"), ("W2", "T2"))]
    got = live_hall(DAY, log.events, at("09:10"), [], confs)
    assert [w.ticket for w in got.windows] == ["A005", "A006"]
    assert got.lines[0].longest_wait == 20.0 and got.lines[0].waiting == 3


# -- the arithmetic -------------------------------------------------------------------------------------
@pytest.mark.parametrize("values,q,expected", [
    ([], 0.5, None), ([4.0], 0.9, 4.0), ([3.0, 1.0, 2.0, 4.0], 0.5, 2.5), ([1.0, 2.0, 3.0, 4.0], 0.9, 3.7),
    ([1.0, 2.0, 3.0, 4.0], 1.0, 4.0), ([1.0, 2.0, 3.0, 4.0], 0.0, 1.0), ([10.0, 20.0], 0.25, 12.5),
])
def test_quantile(values, q, expected):
    got = quantile(values, q)
    assert got == pytest.approx(expected) if expected is not None else got is None


def test_wait_series_steps():
    step = dt.timedelta(minutes=15)
    start = at("09:00")
    called = [(at("08:50"), 1.0), (at("09:00"), 3.0), (at("09:14"), 5.0), (at("09:15"), 7.0), (at("10:30"), 9.0)]
    # before the start: the first step; on an edge: the next step; after the last: the last
    assert wait_series(called, start, step, 3) == [3.0, 7.0, 9.0]
    assert wait_series([], start, step, 2) == [None, None]


def test_a_window_idle_since_it_opened_and_a_clerk_cleared_by_closing():
    log = Log()
    log.issue("08:00", "T1", "A", 1)
    log("08:10", "queue.window_opened", "clerkX", window="W02")
    log("08:20", "queue.window_closed", "clerkX", window="W02")
    log("08:30", "queue.window_opened", "window", window="W02")  # reopened by the device: no clerk
    log("08:40", "queue.window_paused", "clerkP", window="W03")
    log("09:00", "queue.window_opened", "clerkA", window="W01")
    confs = [WindowConf("W01", "1号", "open", {"A": 1}), WindowConf("W02", "2号", "open", {"A": 1}),
             WindowConf("W03", "3号", "paused", {"A": 1})]
    got = live_hall(DAY, log.events, at("09:10"), [], confs)
    # W01: idle since its opening (09:00), not since the day's first event (08:00)
    assert [(w.idle_minutes, w.state_minutes, w.clerk) for w in got.windows] == [
        (10.0, 10.0, "clerkA"), (40.0, 40.0, ""), (None, 30.0, "clerkP")]
    assert got.alerts == [Alert("over_target", line="A", minutes=70.0, waiting=1),
                          Alert("idle_with_queue", window="W01", minutes=10.0, waiting=1),
                          Alert("idle_with_queue", window="W02", minutes=40.0, waiting=1),
                          Alert("paused_long", window="W03", minutes=30.0)]


def test_a_call_at_a_window_not_opened_in_the_log():
    log = Log()  # the log was cut at the day's start: W05's opening is not in it
    log.issue("09:00", "T1", "A", 1)
    log.issue("09:01", "T2", "A", 2)
    log("09:02", "queue.ticket_called", "clerkZ", ticket="T1", window="W05", line="A")
    log("09:04", "queue.ticket_held", "clerkZ", ticket="T1", window="W05")
    confs = [WindowConf("W05", "5号", "open", {"A": 1}), WindowConf("W06", "6号", "open", {"A": 1}, current="T1")]
    got = live_hall(DAY, log.events, at("09:10"), [], confs)
    assert [(w.clerk, w.idle_minutes, w.state_minutes, w.ticket, w.ticket_state) for w in got.windows] == [
        ("clerkZ", 6.0, None, "", ""),  # free since the hold
        ("", None, None, "A001", "held")]
    assert got.lines[0].waiting == 1


def test_a_transfer_into_a_line_with_people_waiting():
    log = Log()
    log("09:00", "queue.window_opened", "c1", window="W01")
    log.issue("09:00", "T1", "A", 1)
    log.issue("09:01", "T2", "B", 2)
    log("09:02", "queue.ticket_called", "c1", ticket="T1", window="W01", line="A")
    log("09:03", "queue.ticket_transferred", "c1", ticket="T1", window="W01", from_line="A", to_line="B")
    got = live_hall(DAY, log.events, at("09:20"), [LineConf("A", "个人", "A")], [])
    a, b = got.lines
    # the edge at 09:15 sees both in B; the point now too
    assert (a.series, b.series, b.waiting, b.longest_wait) == ([0, 0], [2, 2], 2, 20.0)


def test_waits_under_a_minute_are_not_rounded_up():
    log = Log()
    log("09:00", "queue.window_opened", "c1", window="W01")
    log("09:00", "queue.ticket_issued", ticket="T1", line="A", prefix="A", number=1, sort_at=iso("09:00"))
    log.events.append(QueueEvent(3, "JJ01", DAY, "2026-12-01T09:00:30+08:00", "queue.ticket_called",
                                 {"ticket": "T1", "window": "W01", "line": "A"}, "c1"))
    log.events.append(QueueEvent(4, "JJ01", DAY, "2026-12-01T09:09:30+08:00", "queue.ticket_issued",
                                 {"ticket": "T2", "line": "A", "prefix": "A", "number": 2,
                                  "sort_at": "2026-12-01T09:09:30+08:00"}, ""))
    a = live_hall(DAY, log.events, at("09:10"), [], []).lines[0]
    assert (a.p50_wait, a.wait_series, a.longest_wait) == (0.5, [0.5], 0.5)


def test_odd_steps_seconds_and_tenths():
    """25-minute steps counted from midnight, a first event with seconds and a fraction,
    a device actor (empty), two services, and every alert's minutes to a tenth."""
    def ev(seq: int, when: str, kind: str, **payload) -> QueueEvent:
        return QueueEvent(seq, "JJ01", DAY, f"{DAY}T{when}+08:00", kind, payload)

    def issued(ticket: str, number: int, when: str) -> dict:
        return {"ticket": ticket, "line": "A", "prefix": "A", "number": number, "sort_at": f"{DAY}T{when}+08:00"}

    events = [
        ev(1, "09:07:30.500000", "queue.window_opened", window="W01"),
        ev(2, "09:07:30.500000", "queue.ticket_issued", **issued("T1", 1, "09:07:30.500000")),
        ev(3, "09:10:00", "queue.ticket_issued", **issued("T2", 2, "09:10:00")),
        ev(4, "09:10:10", "queue.window_paused", window="W02"),
        ev(5, "09:12:00", "queue.ticket_called", ticket="T1", window="W01", line="A"),
        ev(6, "09:14:00", "queue.ticket_finished", ticket="T1", window="W01"),
        ev(7, "09:15:00", "queue.ticket_called", ticket="T2", window="W01", line="A"),
        ev(8, "09:18:30", "queue.ticket_finished", ticket="T2", window="W01"),
        ev(9, "09:20:00", "queue.ticket_issued", **issued("T3", 3, "09:20:00")),
    ]
    now = dt.datetime(2026, 12, 1, 9, 40, 20, tzinfo=CHINA)
    confs = [WindowConf("W01", "1号", "open", {"A": 1, "Z": 2}), WindowConf("W02", "2号", "paused", {})]
    got = live_hall(DAY, events, now, [], confs, LiveTargets(bin_minutes=25))
    # 09:07:30.5 is 547.5 minutes after midnight: the 22nd step of 25 minutes starts at 08:45
    assert got.start == "2026-12-01T08:45:00+08:00"
    a = got.lines[0]
    # edges 09:10:00 (T2, issued at that instant, comes after it), 09:35:00, then now
    assert a.series == [1, 1, 1]
    assert a.wait_series[0] is None and a.wait_series[2] is None
    assert a.wait_series[1] == pytest.approx((269.5 / 60 + 5.0) / 2)  # both calls in the step 09:10–09:35
    w1 = got.windows[0]
    assert (w1.clerk, w1.served, w1.mean_service) == ("", 2, 2.75)  # 2 and 3.5 minutes
    assert w1.idle_minutes == pytest.approx(21 + 50 / 60)
    assert got.alerts == [Alert("over_target", line="A", minutes=20.3, waiting=1),  # 20 min 20 s
                          Alert("idle_with_queue", window="W01", minutes=21.8, waiting=1),  # Z has no line: 0
                          Alert("paused_long", window="W02", minutes=30.2)]  # 30 min 10 s
