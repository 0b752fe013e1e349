"""Push (store a batch of events once) and pull (the scoped change feed).

Feed positions and the batch insert live in hall_app/server/writes.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, select, true

from hall_app.domain.event_types import EventInvalid, check_envelope, check_event
from hall_app.domain.events import SCHEMA_VERSION, Event
from hall_app.domain.text import text_problem
from hall_app.server.auth import DeviceInfo, utc_now
from hall_app.server.models import audit, feed, feed_counter
from hall_app.server.push_db import PipelinedBatch, PlainBatch, open_batch, seq_high
from hall_app.server.scopes import CaseDirectory, Verdict, authorise_event, refuse
from hall_app.server.writes import head, insert_for
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
    code: str = ""  # why rejected: invalid / scope / conflict / seq_taken / seq_gap

    def to_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "status": self.status, "seq": self.seq, "error": self.error,
                "code": self.code}


def answer_json(outcomes: list[Outcome], head: int) -> bytes:
    """The push's answer (``PushOut`` in app.py) as JSON: orjson (strings and ints only);
    ``json`` with escapes if something in it orjson cannot encode."""
    answer = {"results": [o.to_dict() for o in outcomes], "head": head}
    try:
        return orjson.dumps(answer)
    except TypeError:
        return json.dumps(answer, ensure_ascii=True).encode()


def _safe_id(raw: Any) -> str:
    """The event id to answer with: only one the device could have made (shown as is)."""
    value = raw.get("event_id") if isinstance(raw, dict) else None
    if isinstance(value, str) and not text_problem(value, 64):
        return value
    return ""


# -- the per-event pipeline: parse and validate → authorise → sequence → store ------------------
def parse(raw: Any) -> Event:
    """Steps 1 and 2 in one pydantic pass: the envelope strictly typed and the payload
    against its type's schema (hall_app/domain/event_types.py); EventInvalid names the
    field that is wrong."""
    check_event(raw)
    return Event(raw["event_id"], raw["case_id"], raw["device_id"], raw["device_seq"], raw["actor"], raw["type"],
                 raw["payload"], raw.get("device_time", ""), raw.get("schema_version", SCHEMA_VERSION))


def _sound_envelope(raw: Any) -> Event | None:
    """The event's envelope if that much of it is right (its payload or type is not)."""
    try:
        env = check_envelope(raw)
    except EventInvalid:
        return None
    return Event(env.event_id, env.case_id, env.device_id, env.device_seq, env.actor, env.type, {},
                 env.device_time, env.schema_version)


def authorise(device: DeviceInfo, event: Event, directory: CaseDirectory) -> Verdict:
    """Step 3: may ``device`` write ``event``? Where its case belongs, or why not.

    The one place for who may write what: hall_app/server/scopes.py (its table, the
    hall fixed from the device, the case directory)."""
    if event.device_id != device.device_id:
        return refuse("scope", "不能以其他设备的名义上传事件")
    return authorise_event(device, event, directory)


def sequence(high: int, events: list[tuple[int, Event]]) -> tuple[dict[int, str], int]:
    """Step 4: ``device_seq`` is gap-free per device (docs/sync.md). ``high`` is the
    highest number of the device the server has accounted for (stored or refused);
    a number at most ``high`` is a resend (deduplicated on insert), ``high + 1`` is the
    next one, anything beyond is a gap. Returns the refusals (batch index → reason)
    and the new high."""
    refused: dict[int, str] = {}
    for i, event in sorted(events, key=lambda pair: pair[1].device_seq):
        if event.device_seq == high + 1:
            high += 1
        elif event.device_seq > high + 1:
            refused[i] = (f"设备序号不连续：服务器已有本设备至第 {high} 号，收到第 {event.device_seq} 号；"
                          "缺少的事件须先上传")
    return refused, high


def push(engine: Engine, device: DeviceInfo, raw_events: list[Any], hooks: Hooks | None = None
         ) -> tuple[list[Outcome], int]:
    """Store a batch in one transaction; one outcome per event, returned after COMMIT.

    Each event goes through parse and validate → authorise → sequence → store; one that
    fails a step is answered ``rejected`` with the step's code and a Chinese reason,
    and the others go on (a bad event never takes its batch down with it).
    """
    if device.kind == "dept":
        raise PermissionError("部门系统请使用办理结果接口")
    outcomes: dict[int, Outcome] = {}
    numbered: list[tuple[int, Event]] = []  # events whose number counts (valid or not)
    valid: list[tuple[int, Event]] = []
    for i, raw in enumerate(raw_events):
        try:
            event = parse(raw)
        except EventInvalid as exc:
            outcomes[i] = Outcome(_safe_id(raw), "rejected", error=str(exc), code="invalid")
            sound = _sound_envelope(raw)
            if sound is not None and sound.device_id == device.device_id:
                numbered.append((i, sound))  # a readable number: it is spent all the same
            continue
        if event.device_id == device.device_id:
            numbered.append((i, event))
        valid.append((i, event))
    now = utc_now()
    position = None
    with open_batch(engine) as batch:  # the database side: hall_app/server/push_db.py
        directory, high = batch.read((e.case_id for _, e in valid), device.device_id)
        gate = agent_gate(batch.conn, device)
        authorised: list[tuple[int, Event, tuple[str, str]]] = []
        for i, event in valid:
            verdict = authorise(device, event, directory)
            if verdict.ok and gate is not None:  # an agent's proxy cases (server/agents.py)
                verdict = gate.check(event) or verdict
                if verdict.ok:
                    gate.passed(event)
            if not verdict.ok:
                outcomes[i] = Outcome(event.event_id, "rejected", error=verdict.reason, code=verdict.code)
            else:
                authorised.append((i, event, (verdict.owner.hall, verdict.owner.agent)))
        values: dict[str, Any] = {}
        if device.last_seen[:16] != now[:16]:  # once a minute is enough to tell who is alive
            values["last_seen"] = now
        gaps, new_high = sequence(high, numbered)
        for i, error in gaps.items():
            if i not in outcomes:  # refused for its content or scope already: that reason stands
                outcomes[i] = Outcome(numbered_id(numbered, i), "rejected", error=error, code="seq_gap")
        if new_high > high:
            values["last_seq"] = new_high  # numbers spent on refused events stay spent
        storable = [(i, e, scope) for i, e, scope in authorised if i not in outcomes]
        position = _store(batch, device.device_id, values, storable, outcomes, now, hooks)
    if position is None or any(o.status == "rejected" for o in outcomes.values()):
        with engine.begin() as conn:  # after the COMMIT: the record of rejections, the head
            _audit_rejections(conn, device, raw_events, outcomes, now)
            if position is None:
                position = head(conn)
    failpoint("server-after-commit")
    return [outcomes[i] for i in range(len(raw_events))], position


def agent_gate(conn: Connection, device: DeviceInfo):
    if device.kind != "agent":
        return None
    from hall_app.server.agents import AgentGate

    return AgentGate(conn, device)


def numbered_id(numbered: list[tuple[int, Event]], index: int) -> str:
    return next(e.event_id for i, e in numbered if i == index)


def _store(batch: PlainBatch | PipelinedBatch, device_id: str, values: dict[str, Any],
           valid: list[tuple[int, Event, tuple[str, str]]], outcomes: dict[int, Outcome], now: str,
           hooks: Hooks | None) -> int | None:
    """Write the device row (``values``), store the batch and COMMIT; returns the last
    position taken (None if none was)."""
    candidates, rows, started = [], [], []
    seen: dict[str, tuple[int, str]] = {}
    for i, event, scope in valid:
        payload_json, digest = event.encoded()
        if event.event_id in seen:  # twice in one batch
            same = seen[event.event_id][1] == digest
            outcomes[i] = Outcome(event.event_id, "duplicate" if same else "rejected",
                                  error="" if same else "同一事件编号的内容不一致", code="" if same else "conflict")
            continue
        seen[event.event_id] = (i, digest)
        candidates.append((i, event, digest, scope))
        rows.append({"event_id": event.event_id, "case_id": event.case_id, "device_id": event.device_id,
                     "device_seq": event.device_seq, "actor": event.actor, "type": event.type,
                     "payload": event.payload, "payload_json": payload_json, "device_time": event.device_time,
                     "schema_version": event.schema_version, "content_hash": digest, "hall": scope[0],
                     "agent": scope[1]})
        if event.type == "case.started":
            p = event.payload
            started.append({"case_id": event.case_id, "tracking_code": str(p.get("tracking_code"))[:16],
                            "hall": scope[0], "agent": scope[1], "bundle_code": str(p.get("bundle_code", ""))[:64],
                            "bundle_hash": str(p.get("bundle_hash", ""))[:64]})
    # The case directory first (nothing of it is ordered, so not under the feed lock);
    # a case another batch claimed meanwhile, or a tracking code taken, is refused here.
    lost = batch.claim(device_id, values, started)
    if lost:
        for i, event, _, _ in candidates:
            if event.case_id in lost:
                outcomes[i] = Outcome(event.event_id, "rejected", error=lost[event.case_id].reason,
                                      code=lost[event.case_id].code)
        rows = [r for r in rows if r["case_id"] not in lost]
        candidates = [c for c in candidates if c[1].case_id not in lost]
    if not rows:
        batch.finish()
        return None
    hold = hooks.before_commit if hooks else None
    # From here the feed is ours until COMMIT, which (without a test hook) travels with the insert.
    ids = [e.event_id for _, e, _, _ in candidates]
    inserted = batch.insert(rows, now, None if hold is None else lambda: hold(ids))
    missing = [e.event_id for _, e, _, _ in candidates if e.event_id not in inserted]
    # resent (duplicate), changed (conflict), or a number used by another event of ours
    existing = batch.existing(missing) if missing else {}
    for i, event, digest, _ in candidates:
        if event.event_id in inserted:
            outcomes[i] = Outcome(event.event_id, "stored", inserted[event.event_id])
        elif event.event_id in existing:
            outcomes[i] = _known(event, digest, *existing[event.event_id])
        else:
            outcomes[i] = Outcome(event.event_id, "rejected", code="seq_taken",
                                  error=f"设备序号 {event.device_seq} 已被另一事件使用（本机数据库可能由旧备份恢复）")
    for i, (first, _) in ((i, seen[o.event_id]) for i, o in list(outcomes.items())
                          if o.status == "duplicate" and o.seq is None and o.event_id in seen):
        outcomes[i].seq = outcomes[first].seq
    return max(inserted.values()) if inserted else None


def _known(event: Event, digest: str, stored_hash: str, seq: int) -> Outcome:
    if stored_hash == digest:
        return Outcome(event.event_id, "duplicate", seq)
    return Outcome(event.event_id, "rejected", error="服务器已有同一编号但内容不同的事件；保留原事件，拒收本事件",
                   code="conflict")


def _audit_rejections(conn: Connection, device: DeviceInfo, raw_events: list, outcomes: dict[int, Outcome],
                      now: str) -> None:
    """Rejected events are kept out of the feed but written down for the admin."""

    # ensure_ascii: a lone surrogate or a NUL the event carried is kept as an escape, not refused
    rows = [{"at": now, "what": "event_rejected", "detail": json.dumps(
        {"device": device.device_id, "error": o.error, "code": o.code, "event": raw_events[i]},
        ensure_ascii=True, default=repr)[:8000]}
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
        high = seq_high(conn, device.device_id)  # stored, or spent on a refused event
        return {"device_id": device.device_id, "scope": device.scope, "hall": device.hall,
                "window": device.window, "agent": device.agent, "head": head(conn),
                "device_seq_high": int(high or 0), "server_time": utc_now()}


def events_of(conn: Connection, case_id: str) -> list[tuple[int, Event]]:
    rows = conn.execute(select(*FEED_COLUMNS).where(feed.c.case_id == case_id, feed.c.kind == "event")
                        .order_by(feed.c.seq)).all()
    # A payload that is not an object (stored before payloads were checked) is kept as
    # it is, under a key no schema allows: replay then lists it as an anomaly.
    return [(r.seq, Event(r.event_id, r.case_id, r.device_id, int(r.device_seq), r.actor, r.type,
                          r.payload if isinstance(r.payload, dict) else {"unreadable": r.payload},
                          r.device_time, r.schema_version)) for r in rows]
