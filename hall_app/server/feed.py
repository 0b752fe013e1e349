"""Push (store a batch of events once) and pull (the scoped change feed).

Feed positions and the batch insert live in hall_app/server/writes.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select, true, update

from hall_app.domain.events import EVENT_TYPES, Event
from hall_app.server.auth import DeviceInfo, utc_now
from hall_app.server.models import audit, devices, feed, feed_counter
from hall_app.server.scopes import authorise_batch
from hall_app.server.writes import among, commit_now, head, insert_batch, insert_for
from hall_app.sync.faults import failpoint

MAX_BATCH = 1000
MAX_PAGE = 1000
FEED_COLUMNS = (feed.c.seq, feed.c.kind, feed.c.event_id, feed.c.case_id, feed.c.device_id, feed.c.device_seq,
                feed.c.actor, feed.c.type, feed.c.payload, feed.c.device_time, feed.c.schema_version)


@dataclass
class Hooks:
    """Test seams: called inside the push transaction (e.g. to hold it open)."""

    before_commit: Callable[[list[str]], None] | None = None


@dataclass
class Outcome:
    event_id: str
    status: str  # stored / duplicate / rejected
    seq: int | None = None
    error: str = ""
    code: str = ""  # why rejected: invalid / scope / conflict / seq_taken

    def to_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "status": self.status, "seq": self.seq, "error": self.error,
                "code": self.code}


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
            outcomes[i] = Outcome(event_id, "rejected", error=error, code="invalid")
            continue
        digest = event.content_hash()
        if event.event_id in seen:  # twice in one batch
            same = seen[event.event_id][1] == digest
            outcomes[i] = Outcome(event.event_id, "duplicate" if same else "rejected",
                                  error="" if same else "同一事件编号的内容不一致", code="" if same else "conflict")
            continue
        seen[event.event_id] = (i, digest)
        valid.append((i, event, digest))
    now = utc_now()
    with engine.begin() as conn:
        if device.last_seen[:16] != now[:16]:  # once a minute is enough to tell who is alive
            conn.execute(update(devices).where(devices.c.device_id == device.device_id).values(last_seen=now))
        position = _store(conn, device, valid, outcomes, now, hooks) if valid else None
    if position is None or any(o.status == "rejected" for o in outcomes.values()):
        with engine.begin() as conn:  # after the COMMIT: the record of rejections, the head
            _audit_rejections(conn, device, raw_events, outcomes, now)
            if position is None:
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
           outcomes: dict[int, Outcome], now: str, hooks: Hooks | None) -> int | None:
    """Store the batch and COMMIT; returns the last position taken (None if none was)."""
    # Who may write what (scopes.py): after validation, before storing; claims new cases.
    verdicts = authorise_batch(conn, device, [e for _, e, _ in valid])
    candidates, rows = [], []
    for (i, event, digest), verdict in zip(valid, verdicts):
        if not verdict.ok:
            outcomes[i] = Outcome(event.event_id, "rejected", error=verdict.reason, code=verdict.code)
            continue
        scope = (verdict.owner.hall, verdict.owner.agent)
        candidates.append((i, event, digest, scope))
        rows.append({"event_id": event.event_id, "case_id": event.case_id, "device_id": event.device_id,
                     "device_seq": event.device_seq, "actor": event.actor, "type": event.type,
                     "payload": event.payload, "device_time": event.device_time,
                     "schema_version": event.schema_version, "content_hash": digest, "hall": scope[0],
                     "agent": scope[1]})
    hold = hooks.before_commit if hooks else None
    # From here the feed is ours until COMMIT, which (without a test hook) travels with the insert.
    inserted = insert_batch(conn, rows, now, commit=hold is None)
    if hold is not None:
        hold([e.event_id for _, e, _, _ in candidates])
        commit_now(conn)
    missing = [e.event_id for _, e, _, _ in candidates if e.event_id not in inserted]
    existing = {}
    if missing:  # resent (duplicate), changed (conflict), or a number used by another event of ours
        existing = {r.event_id: (r.content_hash, r.seq) for r in conn.execute(
            select(feed.c.event_id, feed.c.content_hash, feed.c.seq).where(among(conn, feed.c.event_id, missing)))}
    for i, event, digest, _ in candidates:
        if event.event_id in inserted:
            outcomes[i] = Outcome(event.event_id, "stored", inserted[event.event_id])
        elif event.event_id in existing:
            outcomes[i] = _known(event, digest, *existing[event.event_id])
        else:
            outcomes[i] = Outcome(event.event_id, "rejected", code="seq_taken",
                                  error=f"设备序号 {event.device_seq} 已被另一事件使用（本机数据库可能由旧备份恢复）")
    return max(inserted.values()) if inserted else None


def _known(event: Event, digest: str, stored_hash: str, seq: int) -> Outcome:
    if stored_hash == digest:
        return Outcome(event.event_id, "duplicate", seq)
    return Outcome(event.event_id, "rejected", error="服务器已有同一编号但内容不同的事件；保留原事件，拒收本事件",
                   code="conflict")


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


def pull_query(device: DeviceInfo, after: int, limit: int, own: bool, postgres: bool):
    """The feed page and the committed head in one statement (one snapshot).

    Every position up to the committed counter value belongs to a committed (or
    rolled back) transaction, so when the page is not full the cursor may move to
    that head: rows of other scopes, and the device's own events, are never rescanned.
    """
    conds = [feed.c.seq > after, scope_filter(device)]
    if not own:
        conds.append(feed.c.device_id != device.device_id)
    if not postgres:
        return select(*FEED_COLUMNS).where(*conds).order_by(feed.c.seq).limit(limit)
    counter = feed_counter.alias("c")
    page = (select(*FEED_COLUMNS).where(*conds, feed.c.seq <= counter.c.last)
            .order_by(feed.c.seq).limit(limit).lateral("f"))
    return (select(counter.c.last.label("head"), *page.c)
            .select_from(counter.outerjoin(page, true())).where(counter.c.id == 1).order_by(page.c.seq))


def pull(engine: Engine, device: DeviceInfo, after: int, limit: int, own: bool = False
         ) -> tuple[list[dict[str, Any]], int, bool]:
    """One page of the feed after ``after`` in the device's scope: (items, next cursor, more).
    The device's own events are left out unless ``own`` (it has them already)."""
    if device.kind == "dept":
        raise PermissionError("部门系统不接收办件数据")
    limit = max(1, min(limit, MAX_PAGE))
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        rows = conn.execute(pull_query(device, after, limit, own, postgres)).all()
        if postgres:
            top = rows[0].head if rows else after
            rows = [r for r in rows if r.seq is not None]
        else:  # SQLite: BEGIN IMMEDIATE already makes the two reads one snapshot
            top = head(conn)
    items = [{"seq": r.seq, "kind": r.kind, "event": {
        "event_id": r.event_id, "case_id": r.case_id, "device_id": r.device_id, "device_seq": r.device_seq,
        "actor": r.actor, "type": r.type, "payload": r.payload, "device_time": r.device_time,
        "schema_version": r.schema_version}} for r in rows]
    more = len(rows) == limit
    return items, (rows[-1].seq if more else max(after, top)), more


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
