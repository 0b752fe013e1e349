"""Cheap local event logs for the sync rule tests: events written straight into a
device's SQLite database (no services, no catalog), and a scripted server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from hall_app.domain.events import Event
from hall_app.store.models import BundleVersion, CaseRow, Device, EventRow
from hall_app.store.repository import event_row

TIME = "2026-11-21T10:00:{:02d}+08:00"


def started(event_id: str, case: str, device: str, seq: int, code: str = "K7P9M2QTX4RH") -> Event:
    return Event(event_id, case, device, seq, "zhangli", "case.started",
                 {"tracking_code": code, "bundle_code": "newborn", "bundle_hash": "h1"}, TIME.format(seq % 60))


def named(event_id: str, case: str, device: str, seq: int, value: str = "刘洋") -> Event:
    return Event(event_id, case, device, seq, "zhangli", "case.applicant_set",
                 {"key": "name", "value": value, "base": ""}, TIME.format(seq % 60))


def write(ctx, events: list[Event], state: str = "pending", seqs: list[int | None] | None = None) -> list[Event]:
    """Store ``events`` as this device's log has them; the device counter follows."""
    with ctx.Session.begin() as session:
        if session.get(BundleVersion, ("newborn", "h1")) is None:
            session.add(BundleVersion(code="newborn", content_hash="h1", version=1, data={"name": "新生儿出生"},
                                      published_at=""))
        for n, event in enumerate(events):
            session.add(event_row(event, state, (seqs or [None] * len(events))[n]))
        device = session.get(Device, ctx.device_id)
        mine = [e.device_seq for e in events if e.device_id == ctx.device_id]
        device.last_seq = max([device.last_seq, *mine])
    return events


def one_case(ctx, n: int = 5, case: str = "c1", first: int = 1) -> list[Event]:
    """A case of ``n`` pending events of this device: its start, then ``n - 1`` names."""
    me = ctx.device_id
    events = [started(f"{case}-e1", case, me, first)]
    events += [named(f"{case}-e{k}", case, me, first + k - 1, f"名{k}") for k in range(2, n + 1)]
    return write(ctx, events)


def rows(ctx, **where) -> list[EventRow]:
    with ctx.read() as session:
        query = select(EventRow)
        for key, value in where.items():
            query = query.where(getattr(EventRow, key) == value)
        return list(session.scalars(query.order_by(EventRow.local_seq)))


def states(ctx) -> dict[str, tuple[str, int | None]]:
    return {r.event_id: (r.sync_state, r.server_seq) for r in rows(ctx)}


def projection(ctx, case_id: str) -> dict | None:
    with ctx.read() as session:
        row = session.get(CaseRow, case_id)
        return dict(row.state) if row else None


def device(ctx) -> Device:
    with ctx.read() as session:
        return session.get(Device, ctx.device_id)


class ScriptedServer:
    """A stand-in for ServerClient.push/pull/state: ``answer(events)`` decides each push
    (by default every event is stored at the next feed position)."""

    def __init__(self, answer: Callable[[list[dict[str, Any]]], Any] | None = None) -> None:
        self.batches: list[list[str]] = []
        self.next_seq = 100
        self.answer = answer or self.store_all

    def store_all(self, events):
        out = []
        for e in events:
            self.next_seq += 1
            out.append({"event_id": e["event_id"], "status": "stored", "seq": self.next_seq})
        return {"results": out}

    def push(self, events):
        import threading

        from hall_app.sync.client import RawJSON

        # push_outbox sends from its one worker thread, the payloads as stored
        assert threading.current_thread().name.startswith("hall-push_")
        assert all(isinstance(e["payload"], RawJSON) for e in events)
        self.batches.append([e["event_id"] for e in events])
        result = self.answer(events)
        if isinstance(result, Exception):
            raise result
        return result
