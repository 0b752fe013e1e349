"""Push (store a batch of events once) and pull (the scoped change feed).

Feed positions: ``reserve`` bumps the single ``feed_counter`` row inside the writing
transaction. The row lock is held until COMMIT, so the next writer gets higher
positions only after this one is visible: positions appear in commit order and a
reader that has seen position p has seen everything below it. Positions never go
back, even after a restore from an old backup: the counter jumps to the server's
clock in microseconds when that is ahead (docs/sync.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hall_app.domain.events import EVENT_TYPES, Event
from hall_app.server.auth import DeviceInfo, utc_now
from hall_app.server.models import audit, cases, devices, feed, feed_counter
from hall_app.sync.faults import failpoint

MAX_BATCH = 1000
MAX_PAGE = 1000
FEED_COLUMNS = (feed.c.seq, feed.c.kind, feed.c.event_id, feed.c.case_id, feed.c.device_id, feed.c.device_seq,
                feed.c.actor, feed.c.type, feed.c.payload, feed.c.device_time, feed.c.schema_version)


@dataclass
class Hooks:
    """Test seams: called inside the push transaction (e.g. to hold it open)."""

    before_commit: Callable[[list[str]], None] | None = None


def insert_for(conn: Connection):
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


def reserve(conn: Connection, n: int) -> int:
    """Take ``n`` feed positions; returns the first. Holds the counter row until COMMIT."""
    greatest = "GREATEST" if conn.dialect.name == "postgresql" else "MAX"
    last = conn.execute(text(f"UPDATE feed_counter SET last = {greatest}(last, :now) + :n WHERE id = 1 "
                             "RETURNING last"), {"now": time.time_ns() // 1000, "n": n}).scalar_one()
    return int(last) - n + 1


def head(conn: Connection) -> int:
    return int(conn.execute(select(feed_counter.c.last).where(feed_counter.c.id == 1)).scalar_one())


@dataclass
class Outcome:
    event_id: str
    status: str  # stored / duplicate / rejected
    seq: int | None = None
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "status": self.status, "seq": self.seq, "error": self.error}


def _check(device: DeviceInfo, raw: dict[str, Any]) -> tuple[Event | None, str]:
    try:
        event = Event.from_dict(raw)
    except (KeyError, TypeError, ValueError) as exc:
        return None, f"事件格式错误：缺少或无效的字段 {exc}"
    if event.device_id != device.device_id:
        return None, "不能以其他设备的名义上传事件"
    if event.type not in EVENT_TYPES:
        return None, f"未知的事件类型 {event.type}"
    if not (0 < len(event.event_id) <= 64 and 0 < len(event.case_id) <= 36 and len(event.actor) <= 64
            and len(event.device_time) <= 40 and event.device_seq > 0):
        return None, "事件字段超出长度或序号无效"
    if event.type == "case.started" and not str(event.payload.get("tracking_code", ""))[:16]:
        return None, "开始办件的事件缺少跟踪码"
    return event, ""


def _scope_of(device: DeviceInfo, event: Event, known: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """(hall, agent) the event's case belongs to, or None if the device may not touch it."""
    case = known.get(event.case_id)
    if case is not None:
        hall, agent = case
        if device.kind == "agent":
            return case if agent == device.agent else None
        return case if hall == device.hall else None
    if event.type == "case.started":
        if device.kind == "agent":
            scope = (str(event.payload.get("hall") or device.hall)[:32], device.agent)
        else:
            scope = (device.hall, "")
        known[event.case_id] = scope
        return scope
    return device.hall, device.agent  # a case this server has not seen start (e.g. after a restore)


def push(engine: Engine, device: DeviceInfo, raw_events: list[dict[str, Any]], hooks: Hooks | None = None
         ) -> tuple[list[Outcome], int]:
    """Store a batch in one transaction; one outcome per event, returned after COMMIT."""
    if device.kind == "dept":
        raise PermissionError("部门系统请使用办理结果接口")
    outcomes: dict[int, Outcome] = {}
    valid: list[tuple[int, Event, str]] = []
    seen: dict[str, tuple[int, str]] = {}
    for i, raw in enumerate(raw_events):
        event, error = _check(device, raw if isinstance(raw, dict) else {})
        event_id = str(raw.get("event_id", "")) if isinstance(raw, dict) else ""
        if event is None:
            outcomes[i] = Outcome(event_id, "rejected", error=error)
            continue
        digest = event.content_hash()
        if event.event_id in seen:  # twice in one batch
            same = seen[event.event_id][1] == digest
            outcomes[i] = Outcome(event.event_id, "duplicate" if same else "rejected",
                                  error="" if same else "同一事件编号的内容不一致")
            continue
        seen[event.event_id] = (i, digest)
        valid.append((i, event, digest))
    now = utc_now()
    with engine.begin() as conn:
        if valid:
            _store(conn, device, valid, outcomes, now)
        conn.execute(update(devices).where(devices.c.device_id == device.device_id).values(last_seen=now))
        _audit_rejections(conn, device, raw_events, outcomes, now)
        if hooks and hooks.before_commit:
            hooks.before_commit([e.event_id for _, e, _ in valid])
        position = head(conn)
    failpoint("server-after-commit")
    result = []
    for i in range(len(raw_events)):
        outcome = outcomes[i]
        if outcome.status == "duplicate" and outcome.seq is None and outcome.event_id in seen:
            outcome.seq = outcomes[seen[outcome.event_id][0]].seq
        result.append(outcome)
    return result, position


def _store(conn: Connection, device: DeviceInfo, valid: list[tuple[int, Event, str]],
           outcomes: dict[int, Outcome], now: str) -> None:
    ids = list({e.case_id for _, e, _ in valid})
    known = {r.case_id: (r.hall, r.agent) for r in conn.execute(
        select(cases.c.case_id, cases.c.hall, cases.c.agent).where(cases.c.case_id.in_(ids)))}
    # A resent batch is answered from what is stored, without taking feed positions.
    stored = {r.event_id: (r.content_hash, r.seq) for r in conn.execute(
        select(feed.c.event_id, feed.c.content_hash, feed.c.seq).where(
            feed.c.event_id.in_([e.event_id for _, e, _ in valid])))}
    rows, started = [], []
    for i, event, digest in valid:
        if event.event_id in stored:
            outcomes[i] = _known(event, digest, *stored[event.event_id])
            continue
        scope = _scope_of(device, event, known)
        if scope is None:
            outcomes[i] = Outcome(event.event_id, "rejected", error="该办件不属于本设备的范围")
            continue
        rows.append((i, event, digest, scope))
    if not rows:
        return
    first = reserve(conn, len(rows))  # the counter row is ours until COMMIT
    values = []
    for n, (i, event, digest, (hall, agent)) in enumerate(rows):
        values.append({"seq": first + n, "kind": "event", "event_id": event.event_id, "case_id": event.case_id,
                       "device_id": event.device_id, "device_seq": event.device_seq, "actor": event.actor,
                       "type": event.type, "payload": event.payload, "device_time": event.device_time,
                       "schema_version": event.schema_version, "content_hash": digest, "hall": hall,
                       "agent": agent, "received_at": now})
    stmt = insert_for(conn)(feed).on_conflict_do_nothing().returning(feed.c.event_id, feed.c.seq)
    inserted = {r.event_id: r.seq for r in conn.execute(stmt, values)}
    missing = [e.event_id for _, e, _, _ in rows if e.event_id not in inserted]
    existing = {}
    if missing:
        existing = {r.event_id: (r.content_hash, r.seq) for r in conn.execute(
            select(feed.c.event_id, feed.c.content_hash, feed.c.seq).where(feed.c.event_id.in_(missing)))}
    for i, event, digest, (hall, agent) in rows:
        if event.event_id in inserted:
            outcomes[i] = Outcome(event.event_id, "stored", inserted[event.event_id])
            if event.type == "case.started":
                p = event.payload
                started.append({"case_id": event.case_id, "tracking_code": str(p.get("tracking_code"))[:16],
                                "hall": hall, "agent": agent, "bundle_code": str(p.get("bundle_code", ""))[:64],
                                "bundle_hash": str(p.get("bundle_hash", ""))[:64],
                                "started_seq": inserted[event.event_id]})
        elif event.event_id in existing:
            outcomes[i] = _known(event, digest, *existing[event.event_id])
        else:
            outcomes[i] = Outcome(event.event_id, "rejected",
                                  error=f"设备序号 {event.device_seq} 已被另一事件使用（本机数据库可能由旧备份恢复）")
    if started:
        conn.execute(insert_for(conn)(cases).on_conflict_do_nothing(), started)


def _known(event: Event, digest: str, stored_hash: str, seq: int) -> Outcome:
    if stored_hash == digest:
        return Outcome(event.event_id, "duplicate", seq)
    return Outcome(event.event_id, "rejected", error="服务器已有同一编号但内容不同的事件；保留原事件，拒收本事件")


def _audit_rejections(conn: Connection, device: DeviceInfo, raw_events: list, outcomes: dict[int, Outcome],
                      now: str) -> None:
    """Rejected events are kept out of the feed but written down for the admin."""
    import json

    rows = [{"at": now, "what": "event_rejected", "detail": json.dumps(
        {"device": device.device_id, "error": o.error, "event": raw_events[i]}, ensure_ascii=False, default=str)[:8000]}
        for i, o in outcomes.items() if o.status == "rejected"]
    if rows:
        conn.execute(insert_for(conn)(audit), rows)


def scope_filter(device: DeviceInfo):
    if device.kind == "agent":
        return feed.c.agent.in_([device.agent, "*"])
    return feed.c.hall.in_([device.hall, "*"])


def pull(engine: Engine, device: DeviceInfo, after: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
    """One page of the feed after ``after`` in the device's scope: (items, next cursor, more)."""
    if device.kind == "dept":
        raise PermissionError("部门系统不接收办件数据")
    limit = max(1, min(limit, MAX_PAGE))
    query = select(*FEED_COLUMNS).where(feed.c.seq > after, scope_filter(device)).order_by(feed.c.seq).limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    items = [{"seq": r.seq, "kind": r.kind, "event": {
        "event_id": r.event_id, "case_id": r.case_id, "device_id": r.device_id, "device_seq": r.device_seq,
        "actor": r.actor, "type": r.type, "payload": r.payload, "device_time": r.device_time,
        "schema_version": r.schema_version}} for r in rows]
    return items, (rows[-1].seq if rows else after), len(rows) == limit


def device_state(engine: Engine, device: DeviceInfo) -> dict[str, Any]:
    """What a device compares with its own log to notice a server restored from a backup."""
    with engine.connect() as conn:
        high = conn.execute(select(func.max(feed.c.device_seq)).where(feed.c.device_id == device.device_id)
                            ).scalar()
        return {"device_id": device.device_id, "scope": device.scope, "hall": device.hall,
                "window": device.window, "agent": device.agent, "head": head(conn),
                "device_seq_high": int(high or 0), "server_time": utc_now()}


def events_of(conn: Connection, case_id: str) -> list[tuple[int, Event]]:
    rows = conn.execute(select(*FEED_COLUMNS).where(feed.c.case_id == case_id, feed.c.kind == "event")
                        .order_by(feed.c.seq)).all()
    return [(r.seq, Event(r.event_id, r.case_id, r.device_id, int(r.device_seq), r.actor, r.type,
                          dict(r.payload or {}), r.device_time, r.schema_version)) for r in rows]


def insert_rows(conn: Connection, values: Iterable[dict[str, Any]]) -> None:
    conn.execute(insert_for(conn)(feed), list(values))
