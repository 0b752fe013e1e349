"""Push: send the outbox in bounded batches, oldest first; mark events only on the answer.

The server's answer arrives after its COMMIT. Until it is applied here the events
stay ``pending`` and the same batch is sent again next time (harmless: the server
deduplicates by event id). A rejected event is quarantined; the rest flow on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import LargeBinary, Text, bindparam, cast, func, select, type_coerce, update

from hall_app.store.models import EventRow
from hall_app.store.repository import CaseRepository, row_event
from hall_app.sync.client import RawJSON, ServerClient, SyncError
from hall_app.sync.faults import failpoint
from hall_app.sync.local import sync_transaction

if TYPE_CHECKING:
    from hall_app.services.context import HallContext

EVENTS = EventRow.__table__
SERVER_MAX_BODY = 2 * 1024 * 1024  # the server's default limit; /v1/state says the real one
MAX_BATCH_BYTES = SERVER_MAX_BODY * 3 // 4
ENVELOPE_BYTES = 320  # ids, numbers, type, time and JSON punctuation around a payload


def batch_bytes(max_body: int | None) -> int:
    """How much JSON one push may carry under the server's body limit ``max_body``."""
    return max(16 * 1024, int(max_body or SERVER_MAX_BODY) * 3 // 4)


@dataclass
class PushReport:
    sent: int = 0
    duplicates: int = 0
    quarantined: int = 0
    batches: int = 0
    max_batch: int = 0
    renumbered: int = 0  # unsent events given new numbers (this database was an older copy)
    gaps: int = 0  # events the server refused as beyond a gap in this device's numbers (stay pending)
    gap_error: str = ""
    waiting: int = 0  # events for a case whose start the server does not hold yet (stay pending)


OUTBOX_COLUMNS = ("event_id", "case_id", "device_id", "device_seq", "actor", "type", "payload", "device_time",
                  "schema_version")


def outbox_batch(ctx: "HallContext", limit: int, numbered: dict | None = None) -> list[dict[str, Any]]:
    """The oldest ``limit`` unsent events, as the server wants them (no ORM objects)."""
    return outbox_after(ctx, limit, 0, numbered)[0]


def outbox_after(ctx: "HallContext", limit: int, after: int, numbered: dict | None = None,
                 max_bytes: int = MAX_BATCH_BYTES, raw: bool = False) -> tuple[list[dict[str, Any]], int]:
    """Unsent events written after local position ``after``, and the last position read:
    at most ``limit`` events and about ``max_bytes`` of JSON (the server's body limit,
    with room to spare; one event alone may pass it, the schema keeps each small).
    ``numbered`` collects the old feed position of events sent again after a restore.
    ``raw``: each payload stays the JSON text stored (RawJSON), sent as it is by
    ServerClient.push without being decoded and encoded again (the push path)."""
    size = func.length(cast(EVENTS.c.payload, LargeBinary))  # bytes of the stored JSON
    payload = type_coerce(EVENTS.c.payload, Text) if raw else EVENTS.c.payload
    query = (select(EVENTS.c.local_seq, EVENTS.c.server_seq, size.label("size"),
                    *(payload if name == "payload" else EVENTS.c[name] for name in OUTBOX_COLUMNS))
             .where(EVENTS.c.sync_state == "pending", EVENTS.c.local_seq > after)
             .order_by(EVENTS.c.local_seq).limit(limit))
    out, last, total = [], after, 0
    at_payload = OUTBOX_COLUMNS.index("payload")
    with ctx.engine.connect() as conn:
        for local_seq, old, stored, *values in conn.execute(query):
            total += int(stored or 0) + ENVELOPE_BYTES
            if out and total > max_bytes:
                break
            if raw:
                values[at_payload] = RawJSON(values[at_payload])
            event = dict(zip(OUTBOX_COLUMNS, values))
            last = local_seq
            if old is not None and numbered is not None:
                numbered[event["event_id"]] = (old, event["case_id"])
            out.append(event)
    return out, last


def push_outbox(ctx: "HallContext", client: ServerClient, batch_size: int = 500,
                report: PushReport | None = None, max_bytes: int = MAX_BATCH_BYTES) -> PushReport:
    """Send every pending event, oldest first, one batch in flight at a time.

    While a batch is on the wire the next one is read, and while that one is on the
    wire the answer to the first is written down. A batch the server refuses as a
    whole is halved until the one event at fault is found and quarantined (a poison
    event never blocks the queue); an event refused on its own is quarantined by its
    answer and the rest flow on. Batches stay under ``max_bytes`` of JSON (the
    server's body limit). A ``seq_gap`` refusal (the server misses numbers of this
    device) leaves the events pending and ends the push for this round.
    """
    from concurrent.futures import ThreadPoolExecutor

    report = report or PushReport()
    size = batch_size
    floor = 0  # events at or below this local number were answered this round (some may wait)
    with ThreadPoolExecutor(1, thread_name_prefix="hall-push") as pool:
        while True:
            numbered: dict = {}
            events, last = outbox_after(ctx, size, floor, numbered, max_bytes, raw=True)
            if not events or report.gaps:
                return report  # after a gap the rest would be refused too: the next round retries
            future = pool.submit(client.push, events)
            while future is not None:
                upcoming_numbered: dict = {}
                upcoming, upcoming_last = (outbox_after(ctx, batch_size, last, upcoming_numbered, max_bytes, raw=True)
                                           if size == batch_size else ([], last))
                try:
                    answer = future.result()
                except SyncError as exc:
                    if exc.kind != "refused" or exc.status == 403:
                        raise
                    if len(events) > 1:
                        size = max(1, len(events) // 2)
                    else:
                        quarantine(ctx, events[0]["event_id"], f"服务器拒收：{exc}")
                        report.quarantined += 1
                    break  # read the outbox again, in smaller batches
                failpoint("device-after-push-response")
                # After a gap the server refuses everything later: send nothing more this round.
                future = pool.submit(client.push, upcoming) if upcoming and not report.gaps else None
                renumbered = report.renumbered
                apply_acks(ctx, answer.get("results", []), report, numbered)
                # Answered: what stays pending (waiting for its case's start) goes next round;
                # renumbered events (this database was an older copy) go again at once.
                floor = 0 if report.renumbered > renumbered else last
                report.batches += 1
                report.max_batch = max(report.max_batch, len(events))
                failpoint("device-after-push-batch")
                events, last, numbered = upcoming, upcoming_last, upcoming_numbered
                size = batch_size


def apply_acks(ctx: "HallContext", results: list[dict[str, Any]], report: PushReport,
               numbered: dict | None = None) -> None:
    """Mark acknowledged events sent (with their feed position), rejected ones quarantined."""
    acked, rejected, taken, waiting = [], [], [], []
    moved: set[str] = set()
    for r in results:
        if r.get("status") in ("stored", "duplicate") and r.get("seq") is not None:
            acked.append({"eid": r["event_id"], "seq": int(r["seq"])})
            report.sent += r["status"] == "stored"
            report.duplicates += r["status"] == "duplicate"
            old = (numbered or {}).get(r["event_id"])
            if old is not None and old[0] != int(r["seq"]):
                moved.add(old[1])  # resent after a server restore: a new position, maybe a new order
        elif r.get("status") == "rejected" and r.get("code") == "seq_taken":
            taken.append(r["event_id"])
        elif r.get("status") == "rejected" and r.get("code") == "seq_gap":
            report.gaps += 1  # not the event's fault: it stays pending and goes again once the gap is closed
            report.gap_error = str(r.get("error") or "设备序号不连续")
        elif r.get("status") == "rejected" and r.get("code") == "not_started":
            # The case's start is not on the server (yet): after a restore from an old backup
            # its owner sends it again. Not this event's fault: it stays pending and goes again.
            report.waiting += 1
            waiting.append({"eid": r["event_id"], "err": str(r.get("error") or "")[:500]})
        elif r.get("status") == "rejected":
            rejected.append(r)
    with sync_transaction(ctx) as (session, repo):
        if acked:  # straight to the driver: hundreds of rows, no per-row parameter processing
            session.connection().exec_driver_sql(
                "UPDATE events SET sync_state = 'sent', server_seq = ?, sync_error = '' "
                "WHERE event_id = ? AND sync_state != 'quarantined'", [(a["seq"], a["eid"]) for a in acked])
        if waiting:
            session.connection().execute(
                update(EVENTS).where(EVENTS.c.event_id == bindparam("eid"), EVENTS.c.sync_state == "pending")
                .values(sync_error=bindparam("err")), waiting)
        for r in rejected:
            moved |= _quarantine(session, r["event_id"], r.get("error") or "服务器拒收")
            report.quarantined += 1
        _rebuild(ctx, repo, moved)
        if taken:
            report.renumbered += renumber_pending(ctx, session)


def renumber_pending(ctx: "HallContext", session) -> int:
    """Give this device's unsent events numbers above any it has used or the server holds.

    Only after the server said a number is taken by another event of ours: this
    database is an older copy. The events were never stored anywhere, so no one
    knows them by their old numbers; ids, content and order stay as they were.
    """
    from hall_app.store.models import Device

    device = session.get(Device, ctx.device_id)
    # Above every number the server holds or another (not pending) event of ours has,
    # and no higher: the server accepts numbers only without gaps.
    top = max(session.scalar(select(func.max(EventRow.device_seq)).where(
        EventRow.device_id == ctx.device_id, EventRow.sync_state != "pending")) or 0, device_seq_high(ctx))
    rows = session.scalars(select(EventRow).where(EventRow.device_id == ctx.device_id,
                                                  EventRow.sync_state == "pending").order_by(EventRow.local_seq)).all()
    # The new numbers may overlap the old ones of other pending events (the server knows
    # fewer than this copy has): park them out of the way first, as (device, seq) is unique.
    for row in rows:
        row.device_seq = -row.local_seq
    session.flush()
    for row in rows:
        top += 1
        row.device_seq = top
        row.content_hash = row_event(row).content_hash()
    device.last_seq = top
    return len(rows)


def device_seq_high(ctx: "HallContext") -> int:
    """The highest number of this device the server holds (set by sync_once from /v1/state)."""
    return int(getattr(ctx, "_server_device_seq_high", 0))


def quarantine(ctx: "HallContext", event_id: str, error: str) -> None:
    with ctx.unit_of_work() as (session, repo):
        _rebuild(ctx, repo, _quarantine(session, event_id, error))


def _quarantine(session, event_id: str, error: str) -> set[str]:
    case_id = session.scalar(select(EventRow.case_id).where(EventRow.event_id == event_id))
    session.connection().execute(update(EVENTS).where(EVENTS.c.event_id == event_id)
                                 .values(sync_state="quarantined", sync_error=error[:2000]))
    return {case_id} if case_id else set()


def _rebuild(ctx: "HallContext", repo: CaseRepository, case_ids: set[str]) -> None:
    from hall_app.sync.pull import rebuild_cases

    rebuild_cases(ctx, repo, case_ids)


def reopen_lost(ctx: "HallContext", server_high: int) -> int:
    """The server holds this device's events only up to ``server_high`` (restored from an
    older backup): put every later event we had marked sent back in the outbox."""
    with ctx.Session.begin() as session:
        # Quarantined ones too: the server had refused them, and a refused number counts
        # as used only while the server remembers it; sent again, they are refused again.
        states = ("sent", "quarantined")
        high = session.scalar(select(func.max(EventRow.device_seq)).where(
            EventRow.device_id == ctx.device_id, EventRow.sync_state.in_(states))) or 0
        if high <= server_high:
            return 0
        result = session.execute(update(EventRow).where(
            EventRow.device_id == ctx.device_id, EventRow.sync_state.in_(states),
            EventRow.device_seq > server_high).values(sync_state="pending"))
        return int(result.rowcount or 0)
