"""Pull: apply the server's change feed page by page, each page and the cursor in one
SQLite transaction, so a crash leaves either the whole page or none of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from hall_app.domain.case import CaseState
from hall_app.domain.events import Event
from hall_app.store.models import BundleVersion, Device, EventRow
from hall_app.store.register import apply_saved, is_register
from hall_app.store.repository import event_row
from hall_app.sync.client import ServerClient
from hall_app.sync.faults import failpoint
from hall_app.sync.local import sync_transaction

if TYPE_CHECKING:
    from hall_app.services.context import HallContext


@dataclass
class PullReport:
    pages: int = 0
    received: int = 0
    applied: int = 0
    bundles: int = 0
    cases: int = 0
    register: int = 0  # register entries (authorisations) added or changed
    skipped: list[str] = field(default_factory=list)  # rows that could not be read at all


def cursor(ctx: "HallContext") -> int:
    with ctx.read() as session:
        return int(session.get(Device, ctx.device_id).pull_cursor or 0)


def set_cursor(ctx: "HallContext", value: int) -> None:
    with ctx.Session.begin() as session:
        session.execute(update(Device).where(Device.device_id == ctx.device_id).values(pull_cursor=value))


def pull_feed(ctx: "HallContext", client: ServerClient, page_size: int = 500,
              report: PullReport | None = None, own: bool = False) -> PullReport:
    """Read the feed to its end. ``own`` also fetches this device's own events (after
    its database was restored from an older copy, to get back what it had sent)."""
    report = report or PullReport()
    while True:
        after = cursor(ctx)
        page = client.pull(after, page_size, own) if own else client.pull(after, page_size)
        apply_page(ctx, page.get("items", []), int(page.get("next", after)), report)
        report.pages += 1
        if not page.get("more"):
            break
    if report.bundles:
        ctx.catalog_service.reload()
    return report


def apply_page(ctx: "HallContext", items: list[dict[str, Any]], next_cursor: int, report: PullReport) -> None:
    me = ctx.device_id
    with sync_transaction(ctx) as (session, repo):
        events = readable_events(items, report)
        ids = [e.event_id for _, e in events]
        have = {r.event_id: r for r in session.execute(
            select(EventRow.event_id, EventRow.sync_state, EventRow.server_seq, EventRow.case_id)
            .where(EventRow.event_id.in_(ids)))} if ids else {}
        touched: set[str] = set()
        own_high = 0
        half = len(events) // 2
        for n, (seq, event) in enumerate(events):
            if n == half and n:
                session.flush()
                failpoint("device-mid-pull-page")
            report.received += 1
            row = have.get(event.event_id)
            if row is None:
                if event.device_id == me:
                    if _seq_taken(session, me, event.device_seq):
                        continue  # our own old event clashes with a newer local one: the server will refuse ours
                    own_high = max(own_high, event.device_seq)
                session.add(event_row(event, "sent" if event.device_id == me else "remote", seq))
                if is_register(event.type):  # an entry of the register of authorisations, not a case
                    session.flush()
                    report.register += apply_saved(session, event)
                else:
                    touched.add(event.case_id)
                report.applied += 1
            elif row.sync_state == "pending" or (row.sync_state in ("sent", "remote") and row.server_seq != seq):
                # our own event came back (its answer was lost), or it was renumbered after a restore
                session.execute(update(EventRow).where(EventRow.event_id == event.event_id)
                                .values(sync_state="sent" if row.sync_state == "pending" else row.sync_state,
                                        server_seq=seq, sync_error=""))
                if row.server_seq is not None or row.sync_state == "pending":
                    touched.add(row.case_id)
        for item in items:
            if item.get("kind") == "bundle":
                try:
                    with session.begin_nested():
                        report.bundles += _store_bundle(session, item["event"]["payload"])
                except Exception as exc:  # one bad catalog row must not stop the feed
                    report.skipped.append(f"套餐数据无法读取：{type(exc).__name__}")
        if own_high:
            session.execute(update(Device).where(Device.device_id == me)
                            .values(last_seq=func.max(Device.last_seq, own_high)))
        session.flush()
        report.cases += rebuild_cases(ctx, repo, touched)
        session.execute(update(Device).where(Device.device_id == me).values(pull_cursor=next_cursor))


def readable_events(items: list[dict[str, Any]], report: PullReport) -> list[tuple[int, Event]]:
    """The page's case events. An item that is not even an event (a malformed row stored
    before the server checked events) is skipped and reported; the page, and the cursor,
    still move on. An event whose payload its schema refuses is kept: replay lists it
    as an anomaly on its case (hall_app/domain/event_types.py, ``replay_checked``)."""
    out = []
    for item in items:
        if not isinstance(item, dict) or item.get("kind") != "event":
            continue
        try:
            raw = item["event"]
            event = Event.from_dict(raw)
            if not isinstance(event.payload, dict) or not all(isinstance(v, str) for v in (
                    event.event_id, event.case_id, event.device_id, event.actor, event.type, event.device_time)) \
                    or not 0 <= event.device_seq < 2**63:
                raise ValueError("字段类型不符")
            out.append((int(item["seq"]), event))
        except Exception as exc:  # never let one row stop the feed
            report.skipped.append(f"第 {str(item.get('seq'))[:20]} 条无法读取：{type(exc).__name__}")
    return out


def rebuild_cases(ctx: "HallContext", repo, case_ids) -> int:
    """Replay these cases from their events (canonical order) into the projection.

    A case whose start has not arrived yet (its other events came first) gets no
    projection row until it does: it has no tracking code to be listed under.
    """
    from hall_app.domain.event_types import replay_checked
    from hall_app.store import enquiries

    streams = enquiries.enquiry_streams(repo.session, case_ids) if case_ids else set()
    done = enquiries.rebuild(repo.session, streams)  # enquiries without a case (domain/enquiry.py)
    for case_id in case_ids:
        if case_id in streams:
            continue
        state = replay_checked(repo.events(case_id))
        if state is None or not state.tracking_code:
            continue
        row = repo.save(state)
        if not row.bundle_name:
            row.bundle_name = bundle_name(ctx, repo.session, state)
        done += 1
    return done


def _seq_taken(session, device_id: str, device_seq: int) -> bool:
    return session.scalar(select(EventRow.local_seq).where(
        EventRow.device_id == device_id, EventRow.device_seq == device_seq)) is not None


def _store_bundle(session, payload: dict[str, Any]) -> int:
    key = (payload["code"], payload["content_hash"])
    if session.get(BundleVersion, key) is not None:
        return 0
    session.add(BundleVersion(code=key[0], content_hash=key[1], version=int(payload["version"]),
                              data=payload["data"], published_at=str(payload.get("published_at", ""))))
    return 1


def bundle_name(ctx: "HallContext", session, state: CaseState) -> str:
    row = session.get(BundleVersion, (state.bundle_code, state.bundle_hash)) if state.bundle_hash else None
    if row is not None:
        return str((row.data or {}).get("name", ""))[:100]
    try:
        bundle = ctx.catalog.get(state.bundle_code)
    except Exception:  # the catalog is not needed to keep the case
        return ""
    return bundle.name[:100] if bundle else ""

