"""The register of 授权委托书 as events (issue 13): every change to a register entry is
also one ``register.authorisation_saved`` event carrying the entry as it now stands,
so the register travels by sync like the cases do: to the agent's other laptops (an
agent's own scope) and to the hall (docs/agents.md, "The register travels").

The event's stream id (the envelope's ``case_id``) is the authorisation's id; it is
not a case and gets no case projection. A pulled entry is merged into the table
``authorisations`` in feed order (the order its laptop wrote them): what only moves
forward (the signed paper received, the scan's thumbprint, a revocation) is never
cleared by a copy that lacks it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hall_app.domain.authorisation import Authorisation
from hall_app.domain.events import Event
from hall_app.domain.identifiers import uuid7
from hall_app.store.models import AuthorisationRow, EventRow, StoredFile
from hall_app.store.repository import check_event, event_row, next_device_seq

KIND = "register.authorisation_saved"
FIELDS = tuple(Authorisation.__dataclass_fields__)
FORWARD = ("received_at", "thumbprint", "revoked_at", "revoked_reason")  # set once, never cleared


def is_register(kind: str) -> bool:
    return kind.startswith("register.")


def travels(session: Session, auth_id: str) -> bool:
    """Is this entry one of an agent's register (written here by an agent, or pulled)?"""
    return session.scalar(select(EventRow.local_seq).where(EventRow.case_id == auth_id, EventRow.type == KIND)
                          .limit(1)) is not None


def scan_of(session: Session, auth_id: str) -> StoredFile | None:
    """The scan kept for an authorisation (the newest, when one was replaced)."""
    return session.scalars(select(StoredFile).where(StoredFile.owner == auth_id, StoredFile.kind == "scan")
                           .order_by(StoredFile.created_at.desc()).limit(1)).first()


def payload_of(session: Session, row: AuthorisationRow) -> dict[str, Any]:
    auth = Authorisation.from_payload({name: getattr(row, name) for name in FIELDS})
    payload: dict[str, Any] = {"authorisation": auth.to_payload()}
    scan = scan_of(session, row.auth_id)
    if scan is not None:
        payload |= {"scan_mime": scan.mime, "scan_size": scan.size, "scan_sha256": scan.sha256}
    return payload


def record_saved(session: Session, device_id: str, actor: str, when: str, row: AuthorisationRow) -> Event:
    """Append the register event for ``row`` (as it stands now) in the caller's transaction."""
    session.flush()
    event = Event(uuid7(), row.auth_id, device_id, next_device_seq(session, device_id), actor, KIND,
                  payload_of(session, row), when)
    check_event(event)  # the schema the server checks too: refused, the caller's transaction rolls back
    session.add(event_row(event))
    return event


def apply_saved(session: Session, event: Event) -> bool:
    """Merge a pulled register entry into ``authorisations``; True when it changed a row."""
    data = event.payload.get("authorisation")
    if not isinstance(data, dict) or data.get("auth_id") != event.case_id:
        return False
    try:
        auth = Authorisation.from_payload(data)
    except TypeError:  # a copy this version cannot read: the event stays in the log
        return False
    values = auth.to_payload()
    row = session.get(AuthorisationRow, auth.auth_id)
    if row is None:
        session.add(AuthorisationRow(**values))
        return True
    changed = False
    for name in FIELDS:
        new = values[name]
        if name in FORWARD and not new:
            continue  # never taken back: what was received or revoked stays so
        if getattr(row, name) != new:
            setattr(row, name, new)
            changed = True
    return changed
