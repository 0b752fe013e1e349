"""The live hall's read (issue 11): one hall day's queue events folded into the
supervisor's figures (hall_app/domain/queue_live.py), with the tidal switches the
queue suggests now as alerts. The same code answers ``GET /v1/queue/live``, the
``queue`` part of ``GET /v1/dashboard`` and the embedded queue (``LocalQueue.live``).

One indexed range read of the day's events (``ix_queue_events_hall_day``) and the
hall's line and window rows; bench/bench_dashboard.py measures it on a busy day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from sqlalchemy import Connection, select

from hall_app.domain.queue import QueueError
from hall_app.domain.queue_live import FOLDED, Alert, LineConf, LiveHall, LiveTargets, WindowConf, live_hall
from hall_app.domain.queue_schedule import CHINA
from hall_app.server import queue_read
from hall_app.server.queue_models import queue_events
from hall_app.server.queue_store import Actor, QueueStore

LIMITS = {"target": (1.0, 600.0), "idle": (0.5, 600.0), "paused": (1.0, 1440.0)}
NAMES = {"target": "等候目标", "idle": "空闲提醒", "paused": "暂停提醒"}


def targets_of(params: dict[str, Any]) -> LiveTargets:
    """The targets asked for (minutes), each checked; missing ones are the defaults."""
    given: dict[str, float] = {}
    for key, (low, high) in LIMITS.items():
        raw = params.get(key)
        if raw in (None, ""):
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            value = float("nan")
        if not low <= value <= high:
            raise QueueError(f"{NAMES[key]}应为 {low:g}–{high:g} 分钟（收到：{str(raw)[:12]}）", "invalid", 422)
        given[key] = value
    base = LiveTargets()
    return LiveTargets(given.get("target", base.wait_target), given.get("idle", base.idle_alert),
                       given.get("paused", base.paused_alert))


class LiveEvent(NamedTuple):
    seq: int
    at: str
    type: str
    payload: dict[str, Any]
    actor: str


def day_events(conn: Connection, hall: str, day: str) -> list[LiveEvent]:
    """The day's events the live hall folds, with only the fields it reads: the ticket,
    window and line columns, and from the payload what an issued ticket carries (read in
    the database: no JSON decoded here)."""
    c, p = queue_events.c, queue_events.c.payload
    rows = conn.execute(select(c.seq, c.at, c.type, c.ticket, c.window, c.line, c.actor, p["prefix"].as_string(),
                               p["number"].as_string(), p["issued_at"].as_string(), p["sort_at"].as_string(),
                               p["appointment"].as_string())
                        .where(c.hall == hall, c.day == day, c.type.in_(FOLDED)).order_by(c.seq))
    out = []
    for seq, at, kind, ticket, window, line, who, prefix, number, issued_at, sort_at, appointment in rows:
        payload: dict[str, Any] = {"ticket": ticket, "window": window, "line": line, "to_line": line}
        if kind == "queue.ticket_issued":
            payload.update(prefix=prefix or "", number=int(number or 0), issued_at=issued_at or "",
                           sort_at=sort_at or "", appointment=appointment or "")
        out.append(LiveEvent(seq, at, kind, payload, who or ""))
    return out


def live(store: QueueStore, actor: Actor, targets: LiveTargets, day: str = "") -> LiveHall:
    """The live hall of ``actor``'s hall now (or a past ``day``, as it ended)."""
    now, _at, today = store.now()
    if day and day != today:
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            raise QueueError(f"日期应写作 YYYY-MM-DD（收到：{day[:10]}）", "invalid", 422) from None
    day = day or today
    with store.engine.connect() as conn:
        snap = queue_read.Snapshot.load(store, conn, actor.hall)
        events = day_events(conn, actor.hall, day)
        lines = [LineConf(r.line, r.name, r.prefix, bool(r.open)) for r in snap.lines.values()]
        windows = [WindowConf(w.window, w.name or w.window, w.state, snap.skills(w), w.current)
                   for w in snap.windows.values()] if day == today else []
    if day != today:  # a past day as it ended: its last event is "now"
        now = dt.datetime.fromisoformat(events[-1].at) if events else dt.datetime.combine(
            dt.date.fromisoformat(day), dt.time(23, 59, 59), CHINA)
    hall = live_hall(day, events, now, lines, windows, targets)
    if day == today:
        waiting = {x.line: x.waiting for x in hall.lines}
        for s in queue_read.suggestions(store, actor):
            hall.alerts.append(Alert("tidal", line=s.line, window=s.window, minutes=s.estimate_minutes,
                                     waiting=waiting.get(s.line, 0), skills=dict(s.skills)))
    return hall
