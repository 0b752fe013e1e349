"""The enquiries' projection (table ``enquiries``) over their events in the shared log.

An enquiry's events sit in ``events`` beside the cases' (its id in ``case_id``, the
stream id; types ``enquiry.*``): they are pushed, pulled, deduplicated and quarantined
by the same outbox. Only the projection differs, so whatever rebuilds projections asks
:func:`enquiry_streams` which of its stream ids are enquiries.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hall_app.domain.enquiry import EnquiryState, replay
from hall_app.domain.events import Event
from hall_app.store.models import EnquiryRow, EventRow
from hall_app.store.repository import CANONICAL_ORDER, row_event


def enquiry_streams(session: Session, ids: Iterable[str]) -> set[str]:
    """Those of ``ids`` that are enquiries held here: an enquiry's id is the event id of its
    opening, so one probe of the unique ``event_id`` index each (a stream's other events
    are never read). An enquiry whose opening has not arrived yet is not one of them: it
    gets no projection (as a case without its start gets none) until the opening comes."""
    wanted = list(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(session.scalars(select(EventRow.event_id).where(
            EventRow.event_id.in_(wanted[start:start + 500]), EventRow.type == "enquiry.opened")))
    return found


def events_of(session: Session, enquiry_id: str) -> list[Event]:
    rows = session.scalars(select(EventRow).where(EventRow.case_id == enquiry_id,
                                                  EventRow.sync_state != "quarantined").order_by(*CANONICAL_ORDER))
    return [row_event(r) for r in rows]


def events_of_many(session: Session, ids: Iterable[str]) -> list[Event]:
    wanted, out = list(ids), []
    for start in range(0, len(wanted), 500):
        rows = session.scalars(select(EventRow).where(EventRow.case_id.in_(wanted[start:start + 500]),
                                                      EventRow.sync_state != "quarantined")
                               .order_by(EventRow.case_id, *CANONICAL_ORDER))
        out.extend(row_event(r) for r in rows)
    return out


def load(session: Session, enquiry_id: str, fresh: bool = False) -> EnquiryState | None:
    row = session.get(EnquiryRow, enquiry_id, populate_existing=fresh)
    return EnquiryState.from_dict(row.state) if row is not None else None


def save(session: Session, state: EnquiryState) -> EnquiryRow:
    row = session.get(EnquiryRow, state.enquiry_id)
    if row is None:
        row = EnquiryRow(enquiry_id=state.enquiry_id)
        session.add(row)
    row.kind, row.status, row.owner = state.kind, state.status, state.owner
    row.hall, row.window, row.topic = state.hall, state.window, state.topic[:100]
    row.opened_at, row.closed_at, row.needs_review = state.opened_at, state.closed_at, state.needs_review
    row.state = state.to_dict()
    return row


def rebuild(session: Session, ids: Iterable[str]) -> int:
    """Replay these enquiries from their events into the projection. One whose opening has
    not arrived yet (its close came first) gets no row until it does."""
    from hall_app.domain.event_types import EventInvalid, validate_event

    done = 0
    for enquiry_id in ids:
        good, bad = [], []
        for event in events_of(session, enquiry_id):
            try:
                validate_event(event.type, event.payload, event.schema_version)
                good.append(event)
            except EventInvalid as exc:
                bad.append(f"{str(event.type)[:40]}（{event.device_id}#{event.device_seq}）：内容不合格，未采用：{exc}")
        state = replay(good)
        if state is None or not state.kind:
            continue
        if bad:
            state.anomalies.extend(bad)
            state.needs_review = True
        save(session, state)
        done += 1
    return done
