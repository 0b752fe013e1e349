"""The live hall on the server, on real PostgreSQL (issue 11): a morning of queue events
made through the queue's endpoints on a clock the test moves, read back by a supervisor
through ``GET /v1/queue/live`` and the ``queue`` part of ``GET /v1/dashboard`` with the
figures worked out by hand; the supervisor accepts the tidal switch; other scopes and
bad targets are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from hall_app.domain.queue import QueueError
from hall_app.domain.queue_schedule import CHINA
from hall_app.server import auth
from hall_app.server.app import create_app
from hall_app.services.queue_http import HttpQueue

pytestmark = pytest.mark.postgres


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=CHINA)

    def __call__(self) -> dt.datetime:
        return self.now

    def at(self, hhmm: str) -> None:
        h, m = map(int, hhmm.split(":"))
        self.now = self.now.replace(hour=h, minute=m)


def queue_for(client: TestClient, engine, scope: str, device_id: str, window: str = "") -> HttpQueue:
    _info, raw = auth.enroll(engine, auth.make_enrollment_code(engine, scope), device_id)
    return HttpQueue("http://testserver", raw, hall="JJ01", window=window, client=TestClient(client.app))


@pytest.fixture
def morning(server_engine):
    """09:00 A001, B001; 09:05 A002. W01 (个人) calls A001 at 09:10 and serves it to 09:20,
    calls A002 at 09:25, who does not come (09:27). W02 (企业, 25 minutes a visit) is
    paused from 09:00, so B001 waits. Now: 09:40."""
    clock = Clock()
    client = TestClient(create_app(server_engine, queue_clock=clock))
    hall = queue_for(client, server_engine, "hall:JJ01", "hall-1")
    hall.set_line("personal", "综合窗口·个人", "A", sort=1, service_minutes=8.0)
    hall.set_line("firm", "综合窗口·企业", "B", sort=2, service_minutes=25.0)
    hall.set_window("W01", "1号窗口", {"personal": 1})
    hall.set_window("W02", "2号窗口", {"firm": 1})
    w1 = queue_for(client, server_engine, "window:JJ01/W01", "win-1", window="W01")
    w2 = queue_for(client, server_engine, "window:JJ01/W02", "win-2", window="W02")
    w1.open_window()
    w2.open_window()
    w2.pause_window()
    hall.issue_ticket("personal")
    hall.issue_ticket("firm")
    clock.at("09:05")
    hall.issue_ticket("personal")
    clock.at("09:10")
    w1.call_next()
    w1.start_serving()
    clock.at("09:20")
    w1.finish()
    clock.at("09:25")
    w1.call_next()
    clock.at("09:27")
    w1.no_show()
    clock.at("09:40")
    boss = queue_for(client, server_engine, "supervisor:JJ01/陈静", "boss-1")
    return clock, client, hall, boss, server_engine


def test_the_supervisor_reads_the_live_hall_and_accepts_the_tidal_switch(morning):
    _clock, client, hall, boss, _engine = morning
    live = boss.live()
    a, b = live.lines
    # A: waits 10 and 20 (A002 from 09:05 to 09:25); p90 = 10 + 0.9 × 10; within 15: one of two
    assert (a.waiting, a.called, a.served, a.no_show, a.p50_wait, a.p90_wait) == (0, 2, 1, 1, 15.0, 19.0)
    assert (a.within_target, a.sla_base, a.no_show_rate) == (1, 2, 0.5)
    # B: B001 waits since 09:00, 40 minutes: past the target, nobody called
    assert (b.waiting, b.longest_wait, b.called, b.within_target, b.sla_base, b.sla) == (1, 40.0, 0, 0, 1, 0.0)
    assert a.series == [1, 0, 0] and b.series == [1, 1, 1]  # at 09:15, 09:30 and now
    w = {x.window: x for x in live.windows}
    assert (w["W01"].served, w["W01"].mean_service, w["W01"].idle_minutes, w["W01"].idle_while_waiting) == \
        (1, 10.0, 13.0, True)
    assert (w["W02"].state, w["W02"].state_minutes) == ("paused", 40.0)
    # B's estimate: one waiting × 25 minutes with no window serving it; W01 idle with nothing of its own
    assert [(x.kind, x.line or x.window, x.minutes) for x in live.alerts] == [
        ("over_target", "firm", 40.0), ("paused_long", "W02", 40.0), ("tidal", "firm", 25.0)]
    assert live.alerts[-1].window == "W01" and live.alerts[-1].skills == {"firm": 1, "personal": 2}

    # the dashboard carries the same live hall for the day
    figures = client.get("/v1/dashboard?day=2026-12-01", headers=boss._http.headers).json()
    assert figures["queue"]["lines"][1]["longest_wait"] == 40.0 and len(figures["queue"]["alerts"]) == 3

    # one key on the dashboard: the supervisor accepts the switch through the queue's own switch
    switched = boss.switch_window(live.alerts[-1].skills, window="W01")
    assert switched.skills == {"firm": 1, "personal": 2}
    after = boss.live()
    # no more suggestion; W01 now idle with B001 waiting for it
    assert [x.kind for x in after.alerts] == ["over_target", "idle_with_queue", "paused_long"]
    assert [e.actor for e in hall.events() if e.type == "queue.window_switched"] == ["supervisor"]


def test_who_may_read_it_and_bad_targets(morning):
    _clock, client, hall, boss, engine = morning
    assert hall.live().waiting == 1  # a hall device reads it too
    kiosk = queue_for(client, engine, "kiosk:JJ01/K1", "kiosk-1")
    with pytest.raises(QueueError) as refused:
        kiosk.live()
    assert refused.value.status == 403
    with pytest.raises(QueueError) as no_calls:
        boss.call_next(window="W01")  # a supervisor reads and switches; it calls nobody
    assert no_calls.value.status == 403
    bad = client.get("/v1/queue/live?target=900", headers=boss._http.headers)
    assert bad.status_code == 422 and "等候目标应为 1–600 分钟" in bad.json()["detail"]
    assert client.get("/v1/queue/live?day=2026-13-01", headers=boss._http.headers).status_code == 422
    past = boss.live(day="2026-11-30")  # a day without events: empty figures, no alerts
    assert past.waiting == 0 and past.alerts == [] and all(x.called == 0 for x in past.lines)
