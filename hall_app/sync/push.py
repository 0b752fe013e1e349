"""Push: send the outbox in bounded batches, oldest first; mark events only on the answer.

The server's answer arrives after its COMMIT. Until it is applied here the events
stay ``pending`` and the same batch is sent again next time (harmless: the server
deduplicates by event id). A rejected event is quarantined; the rest flow on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select, update

from hall_app.store.models import EventRow
from hall_app.store.repository import CaseRepository, row_event
from hall_app.sync.client import ServerClient, SyncError
from hall_app.sync.faults import failpoint

if TYPE_CHECKING:
    from hall_app.services.context import HallContext

EVENTS = EventRow.__table__


@dataclass
class PushReport:
    sent: int = 0
    duplicates: int = 0
    quarantined: int = 0
    batches: int = 0
    max_batch: int = 0


def outbox_batch(ctx: "HallContext", limit: int) -> list[dict[str, Any]]:
    with ctx.read() as session:
        rows = session.scalars(select(EventRow).where(EventRow.sync_state == "pending")
                               .order_by(EventRow.local_seq).limit(limit)).all()
        return [row_event(r).to_dict() for r in rows]


def push_outbox(ctx: "HallContext", client: ServerClient, batch_size: int = 500,
                report: PushReport | None = None) -> PushReport:
    """Send every pending event. A batch the server refuses as a whole is halved until
    the one event at fault is found and quarantined (a poison event never blocks)."""
    report = report or PushReport()
    size = batch_size
    while True:
        events = outbox_batch(ctx, size)
        if not events:
            return report
        try:
            answer = client.push(events)
        except SyncError as exc:
            if exc.kind != "refused" or exc.status == 403:
                raise
            if len(events) > 1:
                size = max(1, len(events) // 2)
                continue
            quarantine(ctx, events[0]["event_id"], f"服务器拒收：{exc}")
            report.quarantined += 1
            continue
        failpoint("device-after-push-response")
        apply_acks(ctx, answer.get("results", []), report)
        report.batches += 1
        report.max_batch = max(report.max_batch, len(events))
        failpoint("device-after-push-batch")
        size = batch_size


def apply_acks(ctx: "HallContext", results: list[dict[str, Any]], report: PushReport) -> None:
    """Mark acknowledged events sent (with their feed position), rejected ones quarantined."""
    acked, rejected = [], []
    for r in results:
        if r.get("status") in ("stored", "duplicate") and r.get("seq") is not None:
            acked.append({"eid": r["event_id"], "seq": int(r["seq"])})
            report.sent += r["status"] == "stored"
            report.duplicates += r["status"] == "duplicate"
        elif r.get("status") == "rejected":
            rejected.append(r)
    with ctx.unit_of_work() as (session, repo):
        moved: set[str] = set()
        if acked:
            seqs = {a["eid"]: a["seq"] for a in acked}
            for row in session.execute(select(EventRow.event_id, EventRow.case_id, EventRow.server_seq)
                                       .where(EventRow.event_id.in_(list(seqs)))):
                if row.server_seq is not None and seqs[row.event_id] != row.server_seq:
                    moved.add(row.case_id)  # resent after a server restore: a new position
            session.connection().execute(
                update(EVENTS).where(EVENTS.c.event_id == bindparam("eid"),
                                     EVENTS.c.sync_state != "quarantined")
                .values(sync_state="sent", server_seq=bindparam("seq"), sync_error=""), acked)
        for r in rejected:
            moved |= _quarantine(session, r["event_id"], r.get("error") or "服务器拒收")
            report.quarantined += 1
        _rebuild(ctx, repo, moved)


def quarantine(ctx: "HallContext", event_id: str, error: str) -> None:
    with ctx.unit_of_work() as (session, repo):
        _rebuild(ctx, repo, _quarantine(session, event_id, error))


def _quarantine(session, event_id: str, error: str) -> set[str]:
    case_id = session.scalar(select(EventRow.case_id).where(EventRow.event_id == event_id))
    session.connection().execute(update(EVENTS).where(EVENTS.c.event_id == event_id)
                                 .values(sync_state="quarantined", sync_error=error[:2000]))
    return {case_id} if case_id else set()


def _rebuild(ctx: "HallContext", repo: CaseRepository, case_ids: set[str]) -> None:
    from hall_app.sync.pull import bundle_name

    for case_id in case_ids:
        state = repo.rebuild(case_id)
        if state is not None and not repo.row(case_id).bundle_name:
            repo.row(case_id).bundle_name = bundle_name(ctx, repo.session, state)


def reopen_lost(ctx: "HallContext", server_high: int) -> int:
    """The server holds this device's events only up to ``server_high`` (restored from an
    older backup): put every later event we had marked sent back in the outbox."""
    with ctx.Session.begin() as session:
        high = session.scalar(select(func.max(EventRow.device_seq)).where(
            EventRow.device_id == ctx.device_id, EventRow.sync_state == "sent")) or 0
        if high <= server_high:
            return 0
        result = session.execute(update(EventRow).where(
            EventRow.device_id == ctx.device_id, EventRow.sync_state == "sent",
            EventRow.device_seq > server_high).values(sync_state="pending"))
        return int(result.rowcount or 0)
