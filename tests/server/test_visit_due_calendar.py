"""Issue 11: the server and the device count a bad visit rating's follow-up deadline with
one rule — the hall's configured calendar and ``[deadlines] bad_rating_followup_days`` —
where the server used the library's published calendar and the default 15 days.

A hall configured for 2027 (not yet in chinesecalendar): 2027-01-01 off; follow-ups in 5
working days. Rated Monday 2026-12-28: 12-29 (1), 12-30 (2), 12-31 (3), Friday 01-01 off,
the weekend, 01-04 (4), 01-05 (5) → due 2027-01-05. (The published calendar alone would
say 15 weekdays on: 2027-01-18.)"""

from __future__ import annotations

import datetime as dt

import pytest

from hall_app.config import DeadlineSettings, Settings
from hall_app.domain.calendar import CHINA, MemoCalendar, WorkCalendar

CALENDAR = {"2027": {"holidays": ["2027-01-01"], "workdays": []}}
HALL = dict(deadlines=DeadlineSettings(bad_rating_followup_days=5), calendar=CALENDAR)
RATED = dt.datetime(2026, 12, 28, 10, 0, tzinfo=CHINA)


def device_due(tmp_path) -> str:
    """The follow-up's due date on a device of that hall, rated on its window's pad."""
    from hall_app.services.context import HallContext
    from hall_app.services.queue import LocalQueue, queue_path

    ctx = HallContext(Settings(db=str(tmp_path / "hall.db"), window="W01", **HALL), clock=lambda: RATED)
    path = queue_path(ctx.settings.db_path)
    desk = LocalQueue(path, hall=ctx.settings.hall, window="W01", user="zhangli", clock=ctx.clock)
    desk.set_line("personal", "综合窗口·个人", "A")
    desk.set_window("W01", "1号综合窗口", {"personal": 1})
    desk.open_window()
    desk.issue_ticket("A")
    desk.call_next()
    desk.start_serving()
    ticket = desk.finish().ticket
    pad = LocalQueue(path, hall=ctx.settings.hall, window="W01", kind="pad", clock=ctx.clock)
    pad.rate_visit(ticket, 1)
    [visit] = ctx.ratings.visits()
    pad.close()
    desk.close()
    ctx.close()
    return visit.follow_up.due.isoformat()


@pytest.mark.postgres
def test_server_and_device_agree_on_a_visit_follow_ups_due_date(server_engine, tmp_path, monkeypatch):
    from hall_app.server import dashboards, due_rule
    from hall_app.server.queue_models import queue_events

    assert device_due(tmp_path) == "2027-01-05"
    monkeypatch.setattr(due_rule, "_settings", lambda: Settings(**HALL))
    with server_engine.begin() as conn:
        conn.execute(queue_events.insert(), [{
            "hall": "JJ01", "day": "2026-12-28", "at": RATED.isoformat(), "type": "queue.visit_follow_up_opened",
            "ticket": "t1", "window": "W01", "line": "", "actor": "pad", "device_id": "dev-1",
            "payload": {"ticket": "t1", "window": "W01", "label": "A001", "level": 1, "cases": [], "reasons": []}}])
    with server_engine.connect() as conn:
        figures = dashboards.hall_figures(conn, "JJ01", dt.date(2027, 1, 5))
    assert [(f["ticket"], f["due"], f["overdue"]) for f in figures["follow_ups_open"]] == [
        ("t1", "2027-01-05", False)]
    with server_engine.connect() as conn:
        later = dashboards.hall_figures(conn, "JJ01", dt.date(2027, 1, 6))
    assert later["follow_ups_open"][0]["overdue"]


def test_remembering_calendars_of_two_configurations_never_mix():
    """The server's old cache was one for the process, keyed by (day, days) only: a second
    configuration got the first one's answers."""
    start = dt.date(2026, 12, 31)
    plain, configured = MemoCalendar(), MemoCalendar.from_config(CALENDAR)
    assert plain.add_working_days(start, 1).date == dt.date(2027, 1, 1)  # weekdays only (unpublished)
    assert configured.add_working_days(start, 1).date == dt.date(2027, 1, 4)
    assert plain.add_working_days(start, 1) == WorkCalendar().add_working_days(start, 1)


def test_a_case_rated_bad_on_the_tracking_page_is_due_by_the_halls_rule(tmp_path, monkeypatch):
    # the tracking page's ratings were dated with the published calendar and 15 days whatever
    # the hall configured; they now follow the same rule as the visits' and the devices'
    from hall_app.server import due_rule
    from hall_app.server.public_rating import follow_up_due

    monkeypatch.setattr(due_rule, "_settings", lambda: Settings(**HALL))
    assert follow_up_due(RATED.date()).isoformat() == device_due(tmp_path) == "2027-01-05"
    monkeypatch.setattr(due_rule, "_settings", lambda: Settings())
    assert follow_up_due(RATED.date()).isoformat() == "2027-01-18"  # the published calendar, 15 days
