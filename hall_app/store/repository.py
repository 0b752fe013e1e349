"""Queries and writes over the event log and the case projection."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hall_app.domain.case import CaseState
from hall_app.domain.events import Event
from hall_app.store.models import CaseRow, Device, EventRow

# The canonical order of a case's events: server order for events the server has
# numbered, then the device's own unsent events in the order they were written.
CANONICAL_ORDER = (EventRow.server_seq.is_(None), EventRow.server_seq, EventRow.local_seq)


def state_from_dict(data: dict) -> CaseState:
    return CaseState(**data)


def next_device_seq(session: Session, device_id: str) -> int:
    """Gap-free per device: the counter moves in the same transaction as the event."""
    seq = session.execute(
        update(Device).where(Device.device_id == device_id).values(last_seq=Device.last_seq + 1)
        .returning(Device.last_seq)
    ).scalar_one()
    return int(seq)


def event_row(event: Event, sync_state: str = "pending", server_seq: int | None = None) -> EventRow:
    return EventRow(
        event_id=event.event_id,
        case_id=event.case_id,
        device_id=event.device_id,
        device_seq=event.device_seq,
        actor=event.actor,
        type=event.type,
        payload=event.payload,
        device_time=event.device_time,
        schema_version=event.schema_version,
        content_hash=event.content_hash(),
        sync_state=sync_state,
        server_seq=server_seq,
    )


def row_event(row: EventRow) -> Event:
    return Event(
        event_id=row.event_id,
        case_id=row.case_id,
        device_id=row.device_id,
        device_seq=row.device_seq,
        actor=row.actor,
        type=row.type,
        payload=dict(row.payload or {}),
        device_time=row.device_time,
        schema_version=row.schema_version,
    )


def check_event(event: Event) -> None:
    """The shared schema check (hall_app/domain/event_types.py), imported on first use:
    pydantic is not needed to start the app."""
    from hall_app.domain import event_types

    event_types.check_event(event.to_dict())


_warming: list = []


def warm_schemas(delay: float = 1.5) -> None:
    """Import the schemas in the background shortly after start-up (pydantic and the
    models take ~0.2 s), so the clerk's first saved value does not wait for them."""
    if _warming:
        return
    import threading

    timer = threading.Timer(delay, lambda: __import__("hall_app.domain.event_types"))
    timer.daemon = True
    _warming.append(timer)
    timer.start()


class CaseRepository:
    def __init__(self, session: Session):
        self.session = session
        warm_schemas()

    # -- events -----------------------------------------------------------------------
    def add_event(self, event: Event, sync_state: str = "pending", server_seq: int | None = None) -> EventRow:
        """Append one event of this device. Checked against its payload schema first, so
        the device never makes an event the server would refuse: EventInvalid (a
        CaseError, shown to the clerk) and nothing is written."""
        check_event(event)
        row = event_row(event, sync_state, server_seq)
        self.session.add(row)
        return row

    def events(self, case_id: str) -> list[Event]:
        rows = self.session.scalars(
            select(EventRow).where(EventRow.case_id == case_id, EventRow.sync_state != "quarantined")
            .order_by(*CANONICAL_ORDER)
        )
        return [row_event(r) for r in rows]

    def event_rows(self, case_id: str) -> list[EventRow]:
        return list(self.session.scalars(
            select(EventRow).where(EventRow.case_id == case_id).order_by(*CANONICAL_ORDER)))

    # -- projection ---------------------------------------------------------------------
    def get(self, case_id: str, fresh: bool = False) -> CaseState | None:
        """The case's projection; ``fresh`` reads the database, not the session's copy."""
        row = self.session.get(CaseRow, case_id, populate_existing=fresh)
        return state_from_dict(row.state) if row else None

    def row(self, case_id: str) -> CaseRow | None:
        return self.session.get(CaseRow, case_id)

    def save(self, state: CaseState, bundle_name: str = "") -> CaseRow:
        row = self.session.get(CaseRow, state.case_id)
        if row is None:
            row = CaseRow(case_id=state.case_id, tracking_code=state.tracking_code,
                          bundle_code=state.bundle_code, status=state.status)
            self.session.add(row)
        row.tracking_code = state.tracking_code
        row.bundle_code = state.bundle_code
        row.bundle_version = state.bundle_version
        if bundle_name:
            row.bundle_name = bundle_name
        row.status = state.status
        row.step = state.step
        row.applicant_name = state.applicant.get("name", "")[:100]
        row.applicant_id_number = state.applicant.get("id_number", "")[:18]
        row.applicant_uscc = state.applicant.get("uscc", "")[:18]
        row.applicant_key = row.applicant_id_number or row.applicant_uscc
        row.hall = state.hall
        row.window = state.window
        row.created_by = state.created_by
        row.claimed_by = state.claimed_by
        row.created_at = state.created_at
        row.updated_at = state.updated_at
        row.due_date = max((i.get("due", "") for i in state.items.values()), default="")
        row.needs_review = state.needs_review
        row.version = state.version
        row.state = state.to_dict()
        return row

    def rebuild(self, case_id: str, bundle_name: str = "") -> CaseState | None:
        """Recompute the projection of one case from its events (canonical order)."""
        from hall_app.domain.event_types import replay_checked

        state = replay_checked(self.events(case_id))
        if state is not None:
            self.save(state, bundle_name)
        return state

    def rebuild_all(self) -> int:
        """Every case and every enquiry (store/enquiries.py) from its events."""
        from hall_app.store import enquiries

        case_ids = self.session.scalars(select(EventRow.case_id).where(  # register entries are not cases
            EventRow.type.not_like("register.%")).distinct()).all()
        # by type here (a close whose opening is not held is an enquiry's too, never a case)
        streams = set(self.session.scalars(select(EventRow.case_id).where(EventRow.type.like("enquiry.%")).distinct()))
        for case_id in case_ids:
            if case_id not in streams:
                self.rebuild(case_id)
        enquiries.rebuild(self.session, streams)
        return len(case_ids)

    # -- queries --------------------------------------------------------------------------
    def by_tracking_code(self, code: str) -> CaseRow | None:
        return self.session.scalar(select(CaseRow).where(CaseRow.tracking_code == code))

    def by_id_number(self, id_number: str, limit: int = 50) -> list[CaseRow]:
        return list(self.session.scalars(id_number_query(id_number, limit)))

    def by_name(self, name: str, limit: int = 50) -> list[CaseRow]:
        # A range on the indexed column (LIKE with an escape cannot use the index).
        upper = name[:-1] + chr(ord(name[-1]) + 1)
        return list(self.session.scalars(
            select(CaseRow).where(CaseRow.applicant_name >= name, CaseRow.applicant_name < upper)
            .order_by(CaseRow.updated_at.desc(), CaseRow.case_id.desc()).limit(limit)))

    def window_page(self, window: str, since: str, offset: int, limit: int,
                    statuses: Iterable[str] | None = None) -> tuple[list[CaseRow], int]:
        query = select(CaseRow).where(CaseRow.window == window, CaseRow.updated_at >= since)
        if statuses:
            query = query.where(CaseRow.status.in_(list(statuses)))
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(query.order_by(CaseRow.updated_at.desc()).offset(offset).limit(limit))
        return list(rows), int(total)

    def drafts(self, window: str | None = None, limit: int = 50) -> list[CaseRow]:
        query = select(CaseRow).where(CaseRow.status.in_(("draft", "notice_issued")))
        if window:
            query = query.where(CaseRow.window == window)
        return list(self.session.scalars(query.order_by(CaseRow.updated_at.desc()).limit(limit)))


def id_number_query(key: str, limit: int = 50, columns: tuple = ()):
    """Cases of one citizen ID number or USCC, newest first (``columns``: only those,
    for a list). ``applicant_key != ''`` lets SQLite use the partial index
    ``ix_cases_applicant_key`` (it cannot prove a bound parameter is non-empty); an
    empty key matches nothing anyway."""
    return (select(*(columns or (CaseRow,))).where(CaseRow.applicant_key == key, CaseRow.applicant_key != "")
            .order_by(CaseRow.updated_at.desc(), CaseRow.case_id.desc()).limit(limit))
