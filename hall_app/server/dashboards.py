"""The hall's figures on the server (issue 11): ``GET /v1/dashboard`` for a supervisor's
device (scope ``supervisor:HALL/NAME``, scopes.py), computed in PostgreSQL from the
events in the feed of the supervisor's own hall — never from stored counters.

For a day (default: today in the hall's time zone) and the month it falls in:
- cases started, per window; decisions (accepted, deferred, one-time notice, refused);
- ratings by level, with the share of good ones;
- bad ratings whose follow-up is not closed, with their due dates (overdue flagged),
  and for the month the follow-ups closed on time — of cases (``case.rated``) and of
  visits on the rate pads (``queue.visit_follow_up_opened`` and its steps);
- enquiries without a case opened per kind, answered at once, and closed;
- the rate pads' ratings of visits (``queue.visit_rated`` of the queue's log, same
  database), by level and per window, 未评价 in the total but not the share.

Each figure is one grouped query over ``feed`` filtered by (hall, type, device_time):
the index ``ix_feed_hall_type_time`` (migration s0007_supervise) makes each a range
scan. ``device_time`` is the device's local ISO time, so its first ten characters are
the hall's date. bench/bench_dashboard.py measures it over a busy month.

``queue`` is the live hall of the same day (hall_app/server/queue_live.py): per service
line and window, folded from the day's queue events, with the alerts; for today it is
the hall now, for a past day the hall as that day ended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Connection, and_, func, literal_column, select
from sqlalchemy.orm import aliased

from hall_app.domain.calendar import CHINA
from hall_app.domain.case_state import RATING_LEVELS
from hall_app.domain.enquiry import KINDS as ENQUIRY_KINDS
from hall_app.domain.visit_followup import VISIT_FOLLOW_UP, VISIT_FOLLOW_UP_OPENED
from hall_app.domain.visit_rating import VISIT_RATED
from hall_app.server.auth import DeviceInfo
from hall_app.server.due_rule import hall_due_rule
from hall_app.server.models import cases, feed
from hall_app.server.queue_models import queue_events
from hall_app.server.scopes import access

DECISIONS = {"case.accepted": "accepted", "case.accepted_deferred": "deferred",
             "case.notice_issued": "notice", "case.refused": "refused"}
BAD = ("1", "2")

router = APIRouter()


def _between(first: dt.date, last: dt.date):
    """device_time within the days first..last (local ISO strings compare as dates do)."""
    return and_(feed.c.device_time >= first.isoformat(),
                feed.c.device_time < (last + dt.timedelta(days=1)).isoformat())


def _count_by(conn: Connection, hall: str, types: list[str], first: dt.date, last: dt.date, key) -> dict[str, int]:
    rows = conn.execute(select(key, feed.c.type, func.count()).where(
        feed.c.hall == hall, feed.c.type.in_(types), _between(first, last)).group_by(key, feed.c.type))
    out: dict[str, int] = {}
    for name, kind, n in rows:
        label = DECISIONS.get(kind, "") if key is feed.c.type else str(name or "")
        out[label] = out.get(label, 0) + int(n)
    return out


def _ratings(conn: Connection, hall: str, first: dt.date, last: dt.date) -> dict[str, Any]:
    level = feed.c.payload["level"].as_string()
    rows = conn.execute(select(level, func.count()).where(
        feed.c.hall == hall, feed.c.type == "case.rated", _between(first, last)).group_by(level))
    by_level = {str(k): int(n) for k, n in rows}
    rated = sum(by_level.values())
    good = by_level.get("4", 0) + by_level.get("5", 0)
    return {"rated": rated, "levels": {RATING_LEVELS[n]: by_level.get(str(n), 0) for n in sorted(RATING_LEVELS,
                                                                                                reverse=True)},
            "good_share": round(good / rated, 4) if rated else None,
            "bad": sum(by_level.get(n, 0) for n in BAD)}


def _closing(rated):
    """The follow-up step that closed the bad rating ``rated`` (a correlated subquery)."""
    step = aliased(feed)
    return step, and_(step.c.case_id == rated.c.case_id, step.c.hall == rated.c.hall,
                      step.c.type == "case.follow_up",
                      step.c.payload["step"].as_string() == "closed")


def _payload_is(table: Any, kind: str, key: str, values: tuple[str, ...], postgres: bool) -> Any:
    """Events of ``table`` of type ``kind`` whose payload's ``key`` is one of ``values``. On
    PostgreSQL written with constants, exactly as the predicate of a partial index (migration
    s0030_dash12: the bad case ratings, the closing steps of case and visit follow-ups), so
    that the planner proves it and reads only those events — in a prepared statement's generic
    plan as well (psycopg prepares a statement run 5 times), where bound parameters could not
    be proven."""
    if not postgres:
        return and_(table.c.type == kind, table.c.payload[key].as_string().in_(values))
    field = table.c.payload.op("->>")(literal_column(f"'{key}'"))
    quoted = [literal_column(f"'{v}'") for v in values]
    matches = field.in_(quoted) if len(values) > 1 else field == quoted[0]
    return and_(table.c.type == literal_column(f"'{kind}'"), matches)


def _bad_case_ratings(rated: Any, postgres: bool) -> Any:
    """``rated`` is a bad case rating (不满意 / 非常不满意): ix_feed_bad_ratings."""
    return _payload_is(rated, "case.rated", "level", BAD, postgres)


def _closed_cases(hall: str, postgres: bool) -> Any:
    """The cases of ``hall`` whose bad rating's follow-up has been closed (one hashed set,
    read from ix_feed_closed_follow_ups alone)."""
    return select(feed.c.case_id).where(feed.c.hall == hall,
                                        _payload_is(feed, "case.follow_up", "step", ("closed",), postgres))


def open_cases_query(hall: str, postgres: bool) -> Any:
    """The hall's bad case ratings whose follow-up has no closing step. Which ones is worked
    out from two small indexes alone (index-only: ix_feed_bad_ratings, NOT IN the hashed set
    of ix_feed_closed_follow_ups), and only those open ones are then read from the table by
    their seq: a year's closed ones are never fetched."""
    rated = aliased(feed)
    bad = aliased(feed)
    still_open = select(bad.c.seq).where(bad.c.hall == hall, _bad_case_ratings(bad, postgres),
                                         bad.c.case_id.not_in(_closed_cases(hall, postgres)))
    level = rated.c.payload["level"].as_string()
    due_of = rated.c.payload["follow_up_due"].as_string()
    return (select(rated.c.case_id, cases.c.tracking_code, level, due_of, rated.c.device_time)
            .join(cases, cases.c.case_id == rated.c.case_id)
            .where(rated.c.seq.in_(still_open)))


def _open_follow_ups(conn: Connection, hall: str, today: dt.date) -> list[dict[str, Any]]:
    rows = conn.execute(open_cases_query(hall, conn.dialect.name == "postgresql"))
    out = []
    for case_id, code, lvl, due, at in rows:
        out.append({"case_id": case_id, "tracking_code": code, "level": int(lvl),
                    "label": RATING_LEVELS.get(int(lvl), ""), "due": due or "", "rated_on": str(at)[:10],
                    "overdue": bool(due) and due < today.isoformat()})
    for visit in _open_visit_follow_ups(conn, hall):
        due = _due(visit.opened_on).isoformat()
        out.append({"case_id": visit.case, "tracking_code": "", "ticket": visit.ticket, "visit": visit.label,
                    "window": visit.window, "level": visit.level, "label": RATING_LEVELS[visit.level],
                    "due": due, "rated_on": visit.opened_on.isoformat(), "overdue": due < today.isoformat()})
    return sorted(out, key=lambda x: (not x["overdue"], x["due"], x["tracking_code"], x.get("visit", "")))


def _due(opened_on: dt.date) -> dt.date:
    """A follow-up opened on ``opened_on`` is due the hall's ``bad_rating_followup_days``
    working days later by the hall's calendar (hall_due_rule, as the devices count them: the
    rule of ``open_follow_up`` in hall_app/domain/rating.py); tests/server/test_dashboard_follow_ups.py
    checks every figure against that fold of the events, tests/server/test_visit_due_calendar.py
    the configured calendar and days."""
    calendar, days = hall_due_rule()
    return calendar.add_working_days(opened_on, days).date


@dataclass(frozen=True)
class OpenVisit:
    """A bad visit rating whose follow-up has no closing step: what the open list shows."""

    ticket: str
    label: str
    window: str
    level: int
    case: str  # the first case the visit produced, or ""
    opened_on: dt.date


def _closing_steps(hall: str, postgres: bool) -> Any:
    """The tickets whose visit follow-up has been closed (ix_queue_events_closed_follow_ups alone)."""
    q = queue_events.c
    return select(q.ticket).where(q.hall == hall, _payload_is(queue_events, VISIT_FOLLOW_UP, "step", ("closed",),
                                                              postgres))


def open_visits_query(hall: str, postgres: bool) -> Any:
    """The fields shown of the hall's opened visit follow-ups with no closing step: which ones
    from two small indexes alone (ix_queue_events_opened_follow_ups NOT IN the hashed set of
    ix_queue_events_closed_follow_ups), then only those rows read by their seq."""
    q = queue_events.c
    p = q.payload
    opened = queue_events.alias("opened")
    still_open = select(opened.c.seq).where(
        opened.c.hall == hall, opened.c.type == (literal_column(f"'{VISIT_FOLLOW_UP_OPENED}'") if postgres
                                                 else VISIT_FOLLOW_UP_OPENED),
        opened.c.ticket.not_in(_closing_steps(hall, postgres)))
    return (select(q.ticket, p["label"].as_string(), p["window"].as_string(), p["level"].as_string(),
                   p[("cases", 0)].as_string(), q.at)
            .where(q.seq.in_(still_open)).order_by(q.seq))


def _open_visit_follow_ups(conn: Connection, hall: str) -> list[OpenVisit]:
    """The hall's bad visit ratings on the rate pads (``queue.visit_follow_up_opened``) with no
    closing ``queue.visit_follow_up`` step, each as one row of the fields shown, read in SQL
    (open_visits_query) — no payload decoded, no fold of the steps in Python (2,000 open
    ones: 150 ms before)."""
    rows = conn.execute(open_visits_query(hall, conn.dialect.name == "postgresql"))
    found: dict[str, OpenVisit] = {}
    for ticket, label, window, level, case, at in rows:
        if level in ("1", "2"):  # the bad levels (domain/rating.py BAD_LEVELS); any other has no follow-up
            found[ticket] = OpenVisit(ticket, label or "", window or "", int(level), case or "",
                                      dt.date.fromisoformat(at[:10]))
    return list(found.values())


def _closed_visit_follow_ups(conn: Connection, hall: str, first: dt.date, last: dt.date
                             ) -> list[tuple[str, str]]:
    """(due, closed on) of the hall's bad visit ratings' follow-ups closed in the days
    first..last (the closing step's day), its opening event joined in SQL."""
    opened, step = queue_events.alias("opened"), queue_events.alias("step")
    rows = conn.execute(select(opened.c.at, step.c.at).join(step, and_(
        step.c.hall == opened.c.hall, step.c.ticket == opened.c.ticket)).where(
        opened.c.hall == hall, opened.c.type == VISIT_FOLLOW_UP_OPENED, opened.c.payload["level"].as_string().in_(BAD),
        step.c.hall == hall, step.c.type == VISIT_FOLLOW_UP, step.c.payload["step"].as_string() == "closed",
        step.c.day >= first.isoformat(), step.c.day <= last.isoformat()))
    return [(_due(dt.date.fromisoformat(at[:10])).isoformat(), closed_at[:10]) for at, closed_at in rows]


def _closed_follow_ups(conn: Connection, hall: str, first: dt.date, last: dt.date) -> dict[str, int]:
    rated = aliased(feed)
    step, closed = _closing(rated)
    rows = conn.execute(select(rated.c.payload["follow_up_due"].as_string(), func.substr(step.c.device_time, 1, 10))
                        .join(step, closed)
                        .where(rated.c.hall == hall, _bad_case_ratings(rated, conn.dialect.name == "postgresql"),
                               step.c.device_time >= first.isoformat(),
                               step.c.device_time < (last + dt.timedelta(days=1)).isoformat()))
    done = [(due or "", on) for due, on in rows]
    done += _closed_visit_follow_ups(conn, hall, first, last)  # the bad visit ratings' follow-ups
    return {"closed": len(done), "on_time": sum(1 for due, on in done if due and on <= due)}


def _enquiries(conn: Connection, hall: str, first: dt.date, last: dt.date) -> dict[str, Any]:
    """Enquiries without a case (咨询 / 首问负责 / 办不成事, domain/enquiry.py): opened per
    kind, answered at once, and closed, in the days first..last."""
    kind, answered = feed.c.payload["kind"].as_string(), feed.c.payload["answered"].as_boolean()
    rows = conn.execute(select(feed.c.type, kind, answered, func.count()).where(
        feed.c.hall == hall, feed.c.type.in_(["enquiry.opened", "enquiry.closed"]), _between(first, last))
        .group_by(feed.c.type, kind, answered))
    opened = dict.fromkeys(ENQUIRY_KINDS, 0)
    at_once = closed = 0
    for kind_of, name, was_answered, n in rows:
        if kind_of == "enquiry.closed":
            closed += int(n)
        else:
            opened[str(name)] = opened.get(str(name), 0) + int(n)
            at_once += int(n) if was_answered else 0
    return {"opened": opened, "answered_at_once": at_once, "closed": closed}


def _visit_ratings(conn: Connection, hall: str, first: dt.date, last: dt.date) -> dict[str, Any]:
    """The rate pads' ratings of visits (``queue.visit_rated`` of the queue's log, level null =
    未评价) given in the days first..last: by level, the share good among those who rated
    (未评价 in the total, never in the share), and per window. One grouped range scan of
    ``ix_queue_events_hall_type`` (hall, type, day; migration s0027_rp)."""
    level = queue_events.c.payload["level"].as_string()
    clerk = queue_events.c.payload["clerk"].as_string()
    rows = list(conn.execute(select(queue_events.c.window, clerk, level, func.count()).where(
        queue_events.c.hall == hall, queue_events.c.type == VISIT_RATED,
        queue_events.c.day >= first.isoformat(), queue_events.c.day <= last.isoformat())
        .group_by(queue_events.c.window, clerk, level)))
    by_level: dict[str, int] = {}
    windows: dict[str, dict[str, int]] = {}
    for window, _clerk, lvl, n in rows:
        key = str(lvl) if lvl is not None else ""
        by_level[key] = by_level.get(key, 0) + int(n)
        w = windows.setdefault(str(window), {"rated": 0, "good": 0, "bad": 0, "unrated": 0})
        w["unrated" if not key else "rated"] += int(n)
        w["good"] += int(n) if key in ("4", "5") else 0
        w["bad"] += int(n) if key in BAD else 0
    unrated = by_level.pop("", 0)
    rated = sum(by_level.values())
    good = by_level.get("4", 0) + by_level.get("5", 0)
    levels = {RATING_LEVELS[n]: by_level.get(str(n), 0) for n in sorted(RATING_LEVELS, reverse=True)}
    return {"asked": rated + unrated, "rated": rated, "unrated": unrated, "levels": levels,
            "good_share": round(good / rated, 4) if rated else None, "bad": sum(by_level.get(n, 0) for n in BAD),
            "by_window": dict(sorted(windows.items())),
            # [window, clerk, level or null, count]: what a device's dashboard counts per window and clerk
            "groups": sorted([[str(w), str(c or ""), int(x) if x is not None else None, int(n)] for w, c, x, n in rows],
                             key=lambda g: (g[0], g[1], g[2] or 0))}


def _period(conn: Connection, hall: str, a: dt.date, b: dt.date) -> dict[str, Any]:
    per_window = _count_by(conn, hall, ["case.started"], a, b, feed.c.payload["window"].as_string())
    decided = _count_by(conn, hall, list(DECISIONS), a, b, feed.c.type)
    return {"first": a.isoformat(), "last": b.isoformat(), "started": sum(per_window.values()),
            "started_by_window": dict(sorted(per_window.items())),
            "decisions": {k: decided.get(k, 0) for k in DECISIONS.values()},
            "ratings": _ratings(conn, hall, a, b), "visit_ratings": _visit_ratings(conn, hall, a, b),
            "enquiries": _enquiries(conn, hall, a, b)}


def live_figures(conn: Connection, hall: str, day: dt.date) -> dict[str, Any]:
    """The day's figures and the open follow-ups (what the live screen refreshes)."""
    return {"day": _period(conn, hall, day, day), "follow_ups_open": _open_follow_ups(conn, hall, day)}


def month_figures(conn: Connection, hall: str, day: dt.date) -> dict[str, Any]:
    """The figures of the month ``day`` falls in, with its follow-ups closed (on time or not)."""
    first = day.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    month = _period(conn, hall, first, last)
    month["follow_ups"] = _closed_follow_ups(conn, hall, first, last)
    return month


def hall_figures(conn: Connection, hall: str, day: dt.date) -> dict[str, Any]:
    """Every figure of ``GET /v1/dashboard`` for ``hall`` on ``day`` and its month."""
    live = live_figures(conn, hall, day)
    return {"hall": hall, "day": live["day"], "month": month_figures(conn, hall, day),
            "follow_ups_open": live["follow_ups_open"]}


def queue_figures(request: Request, hall: str, day: dt.date, target: float | None) -> dict[str, Any]:
    """The live hall of ``day`` from the queue's events (the queue's own tables, same database)."""
    from hall_app.domain.queue import QueueError
    from hall_app.server.queue_live import live, targets_of
    from hall_app.server.queue_store import Actor

    try:
        hall_live = live(request.app.state.queue, Actor("supervisor", hall), targets_of({"target": target}),
                         day.isoformat())
    except QueueError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    return hall_live.to_dict()


@router.get("/v1/dashboard", response_class=JSONResponse)
def dashboard(request: Request, day: str = Query("", max_length=10), target: float | None = None,
              device: DeviceInfo = access("dashboard")) -> JSONResponse:
    """A supervisor's hall figures for ``day`` (YYYY-MM-DD; default today) and its month, with
    the live hall of the queue (``target``: the wait target in minutes, default 15). The
    figures are plain JSON types already: written out as they are, not walked again by
    FastAPI's jsonable_encoder (88 ms of CPU for 4,700 open follow-ups against 12 ms)."""
    if not device.hall:
        raise HTTPException(403, "本设备的登记范围没有指定大厅")
    try:
        when = dt.date.fromisoformat(day) if day else dt.datetime.now(CHINA).date()
    except ValueError:
        raise HTTPException(422, f"日期应写作 YYYY-MM-DD（收到：{day[:10]}）") from None
    with request.app.state.engine.connect() as conn:
        figures = hall_figures(conn, device.hall, when)
    figures["queue"] = queue_figures(request, device.hall, when, target)
    return JSONResponse(figures)


MAX_PERIOD_DAYS = 366


@router.get("/v1/dashboard/visit-ratings")
def visit_ratings(request: Request, first: str = Query(..., max_length=10), last: str = Query(..., max_length=10),
                  device: DeviceInfo = access("dashboard_visits")) -> dict[str, Any]:
    """The rate pads' ratings of visits (``queue.visit_rated``) of the days ``first``..``last``
    (YYYY-MM-DD, inclusive) in the supervisor's own hall: what a report of any period
    counts (a custom one as well as a day or a month), by level, per window and as
    ``groups`` = [window, clerk, level or null, count]."""
    if not device.hall:
        raise HTTPException(403, "本设备的登记范围没有指定大厅")
    try:
        a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    except ValueError:
        raise HTTPException(422, f"日期应写作 YYYY-MM-DD（收到：{first[:10]} 至 {last[:10]}）") from None
    if b < a:
        raise HTTPException(422, "统计期的结束日期早于开始日期")
    if (b - a).days >= MAX_PERIOD_DAYS:
        raise HTTPException(422, f"统计期最长 {MAX_PERIOD_DAYS} 天")
    with request.app.state.engine.connect() as conn:
        return {"first": a.isoformat(), "last": b.isoformat(), **_visit_ratings(conn, device.hall, a, b)}
