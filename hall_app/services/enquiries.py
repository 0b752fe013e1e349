"""Enquiries without a case: 咨询, 首问负责 referrals and 办不成事 reports (domain/enquiry.py).

Each use case writes one ``enquiry.*`` event into the device's log, in the same
transaction as the enquiry's projection (store/enquiries.py), so it is synced like any
case event. What the clerk typed is kept as typed (``clean``: NFC and blanks folded,
Chinese punctuation untouched); a step the rules refuse raises IntakeError with the
reason and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from hall_app.domain.enquiry import (
    CLOSED,
    KINDS,
    OPENED,
    EnquiryCount,
    EnquiryError,
    EnquiryState,
    apply,
    count_enquiries,
)
from hall_app.domain.enquiry_figures import EnquiryFigures, enquiry_figures
from hall_app.domain.events import Event
from hall_app.domain.form import check_phone
from hall_app.domain.identifiers import uuid7
from hall_app.domain.text import clean
from hall_app.services.intake import IntakeError
from hall_app.store import enquiries as store
from hall_app.store.models import EnquiryRow
from hall_app.store.repository import next_device_seq

if TYPE_CHECKING:
    from hall_app.services.context import HallContext


@dataclass(frozen=True)
class EnquiryLine:
    """One enquiry as a list shows it."""

    enquiry_id: str
    short_id: str
    kind: str
    kind_label: str
    status: str
    owner: str
    topic: str
    opened_at: str
    needs_review: bool


# A list's columns: the whole state (a JSON text) is not read or decoded for a list.
LINE_COLUMNS = (EnquiryRow.enquiry_id, EnquiryRow.kind, EnquiryRow.status, EnquiryRow.owner, EnquiryRow.topic,
                EnquiryRow.opened_at, EnquiryRow.needs_review)


def _line(row) -> EnquiryLine:
    return EnquiryLine(row.enquiry_id, row.enquiry_id[-8:], row.kind, KINDS.get(row.kind, row.kind), row.status,
                       row.owner, row.topic, row.opened_at, row.needs_review)


class EnquiryService:
    def __init__(self, ctx: "HallContext"):
        self.ctx = ctx

    # -- writes ---------------------------------------------------------------------------------
    def add(self, actor: str, kind: str, topic: str, *, bundle: str = "", answered: bool = False,
            phone: str = "", target_kind: str = "", target: str = "", reason: str = "", why: str = "",
            window: str | None = None) -> EnquiryState:
        """Record a consultation, a referral or a 办不成事 report; the clerk ``actor`` owns it."""
        bundle = clean(bundle)
        if bundle:
            entry = self.ctx.catalog.entry(bundle)
            if entry is None:
                raise IntakeError(f"目录中没有“{bundle}”；不涉及具体事项时请留空")
            bundle = entry.bundle.code
        number = check_phone(phone, "联系电话")
        if number.error:
            raise IntakeError(number.error)
        payload = {"kind": kind, "topic": clean(topic), "bundle": bundle, "answered": bool(answered),
                   "phone": number.value, "target_kind": target_kind, "target": clean(target),
                   "reason": clean(reason), "why": clean(why), "hall": self.ctx.settings.hall,
                   "window": window if window is not None else self.ctx.settings.window}
        enquiry_id = uuid7()
        return self._write(enquiry_id, actor, OPENED, payload, event_id=enquiry_id)

    def close(self, enquiry_id: str, actor: str, result: str, action: str = "", handled_by: str = "") -> EnquiryState:
        """The owner closes it with the result (办不成事: also what was done, and by whom)."""
        payload = {"result": clean(result), "action": clean(action), "handled_by": clean(handled_by)}
        return self._write(enquiry_id, actor, CLOSED, payload)

    def _write(self, enquiry_id: str, actor: str, kind: str, payload: dict, event_id: str = "") -> EnquiryState:
        from hall_app.domain.case import CaseError

        try:
            with self.ctx.unit_of_work() as (session, repo):
                current = store.load(session, enquiry_id)
                if current is None and kind != OPENED:
                    raise EnquiryError("没有这个事项")
                event = Event(event_id=event_id or uuid7(), case_id=enquiry_id, device_id=self.ctx.device_id,
                              device_seq=0, actor=actor, type=kind, payload=payload, device_time=self.ctx.now_iso())
                apply(current, event, strict=True)  # refuses before anything is written
                seq = next_device_seq(session, self.ctx.device_id)  # the write lock from here on
                fresh = store.load(session, enquiry_id, fresh=True)  # a pull may have changed it meanwhile
                event = replace(event, device_seq=seq)
                state = apply(fresh, event, strict=True)
                repo.add_event(event)  # the payload schema, as the server checks it
                store.save(session, state)
                return state
        except CaseError as exc:  # EnquiryError and EventInvalid: the reason, nothing written
            raise IntakeError(str(exc)) from None

    # -- reads ----------------------------------------------------------------------------------
    def get(self, enquiry_id: str) -> EnquiryState:
        with self.ctx.read() as session:
            state = store.load(session, enquiry_id)
        if state is None:
            raise IntakeError("没有这个事项")
        return state

    def find(self, key: str) -> EnquiryState:
        """An enquiry by its id or the last characters of it (at least four, as lists show eight)."""
        key = clean(key).lower()
        if len(key) < 4:
            raise IntakeError("请输入事项编号（列表中显示的 8 位）")
        with self.ctx.read() as session:
            ids = session.scalars(select(EnquiryRow.enquiry_id).where(EnquiryRow.enquiry_id.like(f"%{key}"))
                                  .limit(2)).all() if key.replace("-", "").isalnum() else []
        if not ids:
            raise IntakeError(f"没有编号为 {key} 的事项")
        if len(ids) > 1:
            raise IntakeError(f"编号 {key} 对应多个事项，请多输入几位")
        return self.get(ids[0])

    def open_for(self, owner: str, limit: int = 200) -> list[EnquiryLine]:
        """The enquiries ``owner`` is still responsible for (首问负责), oldest first."""
        with self.ctx.read() as session:
            rows = session.execute(select(*LINE_COLUMNS).where(EnquiryRow.owner == owner, EnquiryRow.status == "open")
                                   .order_by(EnquiryRow.opened_at, EnquiryRow.enquiry_id).limit(limit)).all()
            return [_line(r) for r in rows]

    def recent(self, owner: str | None = None, open_only: bool = False, limit: int = 50) -> list[EnquiryLine]:
        """The newest enquiries (of ``owner``, or everyone's), newest first."""
        query = select(*LINE_COLUMNS)
        if owner:
            query = query.where(EnquiryRow.owner == owner)
        if open_only:
            query = query.where(EnquiryRow.status == "open")
        with self.ctx.read() as session:
            rows = session.execute(query.order_by(EnquiryRow.opened_at.desc(), EnquiryRow.enquiry_id.desc())
                                   .limit(limit)).all()
            return [_line(r) for r in rows]

    def counts(self, first: dt.date, last: dt.date) -> list[EnquiryCount]:
        """Per day, clerk and kind (domain/enquiry.py), from the events of the enquiries
        opened or closed in the period."""
        return count_enquiries(self._events(first, last), first, last)

    def figures(self, first: dt.date, last: dt.date, today: dt.date | None = None) -> dict[str, EnquiryFigures]:
        """Per kind for the period (domain/enquiry_figures.py): opened, answered at once,
        closed, still open and open overdue (``[deadlines] enquiry_days`` working days
        after the opening), as of the period's last day or today if that comes first."""
        as_of = min(last, today or self.ctx.today())
        return enquiry_figures(self._events(first, last, backlog=True), first, last, as_of, self.ctx.calendar,
                               self.ctx.settings.deadlines.enquiry_days)

    def _events(self, first: dt.date, last: dt.date, backlog: bool = False) -> list[Event]:
        """The events of the enquiries opened or closed in the period (and with ``backlog``,
        of those opened before it and not closed before it: open at some time in it)."""
        if last < first:
            raise IntakeError("结束日期不能早于开始日期")
        low, high = first.isoformat(), (last + dt.timedelta(days=1)).isoformat()
        e = EnquiryRow
        wanted = or_((e.opened_at >= low) & (e.opened_at < high), (e.closed_at >= low) & (e.closed_at < high))
        if backlog:
            still_open = e.closed_at.is_(None) | (e.closed_at == "") | (e.closed_at >= low)
            wanted = or_(wanted, (e.opened_at < low) & still_open)
        with self.ctx.read() as session:
            ids = session.scalars(select(e.enquiry_id).where(wanted)).all()
            return list(store.events_of_many(session, ids))
