"""The cases of one visit at the window: what a served ticket produced, for the finish
key (F10) and its check that no draft is closed silently.

Three sources, any of which may be all there is: the cases this device started on the
ticket (each ``case.started`` records its ticket: durable here, even when the queue's
server was away), the links the queue holds (``queue.case_linked``: durable there, and
there after this program restarts), and the cases the window remembers since it
started them. A case voided since (a changed bundle) is not one of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hall_app.domain.case_state import STATUS_LABELS
from hall_app.domain.queue_replay import merge_cases
from hall_app.domain.tracking import format_tracking_code
from hall_app.store.models import CaseRow

if TYPE_CHECKING:
    from hall_app.services.context import HallContext


@dataclass(frozen=True)
class VisitCase:
    case_id: str
    tracking_code: str  # as printed: M9JN-3NUB-XUB0
    bundle_name: str
    status: str
    status_label: str

    @property
    def draft(self) -> bool:
        return self.status == "draft"


@dataclass(frozen=True)
class Visit:
    ticket: str
    label: str
    cases: list[str]  # every case id of the visit, for the finish (known here or only to the queue)
    known: list[VisitCase]  # those this device holds, with their status

    @property
    def drafts(self) -> list[VisitCase]:
        return [c for c in self.known if c.draft]


def cases_started_on(ctx: "HallContext", ticket: str, day: str, window: str = "") -> list[VisitCase]:
    """The cases this device started on ``ticket`` (its hall ``day``), oldest first. Looks
    only at the window's cases since the day before (the index on window, updated_at)."""
    if not ticket:
        return []
    since = (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat() if day else ""
    window = window or ctx.settings.window
    with ctx.read() as session:
        stmt = select(CaseRow).where(CaseRow.window == window, CaseRow.updated_at >= since) if window \
            else select(CaseRow).where(CaseRow.updated_at >= since)
        rows = session.scalars(stmt.order_by(CaseRow.created_at)).all()
        return [VisitCase(r.case_id, format_tracking_code(r.tracking_code), r.bundle_name, r.status,
                          STATUS_LABELS.get(r.status, r.status))
                for r in rows if (r.state or {}).get("ticket") == ticket and r.status != "voided"]


def visit_of(ctx: "HallContext", ticket: Any, remembered: list[str] | None = None, window: str = "") -> Visit:
    """The visit of ``ticket`` (a TicketView: its id, label, day and the queue's ``cases``);
    ``remembered``: the cases the window started on it since this program started."""
    known = cases_started_on(ctx, ticket.ticket, ticket.day, window)
    named = merge_cases(list(getattr(ticket, "cases", None) or []), list(remembered or []))
    voided: set[str] = set()
    if named:
        with ctx.read() as session:
            voided = set(session.scalars(select(CaseRow.case_id).where(
                CaseRow.case_id.in_(named), CaseRow.status == "voided")).all())
    cases = merge_cases([k.case_id for k in known], [c for c in named if c not in voided])
    return Visit(ticket.ticket, ticket.label, cases, known)
