"""The live hall's read (issue 11): one hall day's queue events folded into the
supervisor's figures (hall_app/domain/queue_live.py), with the tidal switches the
queue suggests now as alerts. The same code answers ``GET /v1/queue/live``, the
``queue`` part of ``GET /v1/dashboard`` and the embedded queue (``LocalQueue.live``).

One indexed range read of the day's events (``ix_queue_events_hall_day``) and the
hall's line and window rows; bench/bench_dashboard.py measures it on a busy day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from hall_app.domain.queue import QueueError
from hall_app.domain.queue_live import Alert, LineConf, LiveHall, LiveTargets, WindowConf, live_hall
from hall_app.domain.queue_replay import QueueEvent
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
        rows = conn.execute(select(queue_events).where(queue_events.c.hall == actor.hall, queue_events.c.day == day)
                            .order_by(queue_events.c.seq)).all()
        events = [QueueEvent(r.seq, r.hall, r.day, r.at, r.type, dict(r.payload), r.actor, r.device_id) for r in rows]
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
