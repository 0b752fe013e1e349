"""好差评 on the device: a citizen's rating of a case, and the supervisor's follow-up of a
bad one (hall_app/domain/rating.py holds the rules; each step is a case event).

A bad rating's follow-up is due ``[deadlines] bad_rating_followup_days`` working days
after it is given (default 15), counted with the hall's working-day calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hall_app.domain.case_state import TRANSITIONS, CaseState
from hall_app.domain.rating import FollowUp, RatingError, follow_up_of, make_rating
from hall_app.domain.text import clean
from hall_app.domain.visit_followup import VisitFollowUp, visit_follow_up
from hall_app.services.intake import IntakeError
from hall_app.store.models import CaseRow, User

if TYPE_CHECKING:
    from hall_app.services.context import HallContext

FOLLOW_UP_ROLES = frozenset({"supervisor", "admin"})
# The statuses the case's state machine lets be rated (handed over, refused): read from it, not copied.
RATEABLE = frozenset(status for status, after in TRANSITIONS.items() if "rated" in after)


@dataclass(frozen=True)
class FollowUpRow:
    case_id: str
    tracking_code: str
    bundle_name: str
    window: str
    level_label: str
    comment: str
    follow_up: FollowUp
    overdue: bool
    ticket: str = ""  # a visit's rating on the window's rate pad: the visit's ticket (case_id empty)
    label: str = ""  # the visit's number as called (A012)
    cases: tuple[str, ...] = ()  # the cases the visit produced


class RatingService:
    def __init__(self, ctx: "HallContext"):
        self.ctx = ctx

    def follow_up_due(self, day: dt.date) -> str:
        days = self.ctx.settings.deadlines.bad_rating_followup_days
        return self.ctx.calendar.add_working_days(day, days).date.isoformat()

    def rate(self, case_id: str, actor: str, level: Any, reasons: Iterable[str] = (),
             dimensions: Mapping[str, Any] | None = None, comment: str = "", channel: str = "window") -> CaseState:
        """Record the citizen's rating of a case; a bad one opens its follow-up."""
        try:
            given = make_rating(level, dimensions, reasons, clean(comment))
        except RatingError as exc:
            raise IntakeError(str(exc)) from None
        if given.level is None:
            raise IntakeError("未评价不记入办件")
        status = self.ctx.cases.get(case_id).status
        if status == "rated":
            raise IntakeError("该办件已评价过，每个办件只评价一次")
        if status not in RATEABLE:
            raise IntakeError("办件送达（或不予受理）后才能评价")
        payload: dict[str, Any] = {"level": given.level, "comment": given.comment, "channel": channel}
        if given.reasons:
            payload["reasons"] = list(given.reasons)
        if given.dimensions:
            payload["dimensions"] = dict(given.dimensions)
        if given.bad:
            payload["follow_up_due"] = self.follow_up_due(self.ctx.now().date())
        return self.ctx.cases._write(case_id, actor, "case.rated", payload)

    def _check_role(self, actor: str) -> None:
        with self.ctx.read() as session:
            role = session.scalar(select(User.role).where(User.username == actor))
        if role not in FOLLOW_UP_ROLES:
            raise IntakeError("差评整改回访须由值班长或管理员登记")

    def advance(self, case_id: str, actor: str, step: str, note: str) -> CaseState:
        """One step of a bad rating's follow-up, by a supervisor."""
        self._check_role(actor)
        return self.ctx.cases._write(case_id, actor, "case.follow_up", {"step": step, "note": clean(note)})

    def follow_ups(self, today: dt.date | None = None, open_only: bool = True) -> list[FollowUpRow]:
        """Bad ratings and their follow-ups, overdue first, then by due date."""
        today = today or self.ctx.now().date()
        with self.ctx.read() as session:
            rated = list(session.execute(select(CaseRow.case_id, CaseRow.tracking_code, CaseRow.bundle_name,
                                                CaseRow.window).where(CaseRow.status == "rated")))
        rows = []
        for case_id, code, bundle_name, window in rated:
            state = self.ctx.cases.get(case_id)
            follow = follow_up_of(state.rating)
            if follow is None or (open_only and follow.closed):
                continue
            rows.append(FollowUpRow(case_id, code, bundle_name, window, state.rating.get("label", ""),
                                    state.rating.get("comment", ""), follow, follow.overdue(today)))
        rows += self.visit_follow_ups(today, open_only)
        return sorted(rows, key=lambda r: (not r.overdue, r.follow_up.due, r.tracking_code, r.label))

    # -- bad visit ratings on the window's rate pad (hall_app/domain/visit_followup.py) --------
    def visits(self, ticket: str = "") -> list[VisitFollowUp]:
        """The bad visit ratings (rate pad) with their follow-ups; none without a queue here."""
        from hall_app.services.queue import queue_configured

        if not queue_configured(self.ctx):
            return []
        days = self.ctx.settings.deadlines.bad_rating_followup_days
        found = [visit_follow_up(r["rated"], r["steps"], self.ctx.calendar, days)
                 for r in self.ctx.queue.bad_visits(ticket)]
        return [v for v in found if v is not None]

    def visit_follow_ups(self, today: dt.date | None = None, open_only: bool = True) -> list[FollowUpRow]:
        """The follow-ups of the visits rated 不满意 / 非常不满意 on the rate pads, due
        ``bad_rating_followup_days`` working days after the rating."""
        today = today or self.ctx.now().date()
        return [FollowUpRow("", "", "", v.window, v.level_label, "、".join(v.reasons), v.follow_up,
                            v.follow_up.overdue(today), v.ticket, v.label, v.cases)
                for v in self.visits() if not (open_only and v.follow_up.closed)]

    def advance_visit(self, ref: str, actor: str, step: str, note: str) -> VisitFollowUp:
        """One step of a bad visit rating's follow-up, by a supervisor; ``ref`` the ticket id,
        or its number (A012) when one open follow-up has it."""
        self._check_role(actor)
        visits = [v for v in self.visits() if ref in (v.ticket, v.label)]
        if len(visits) > 1:
            visits = [v for v in visits if not v.follow_up.closed]
        if not visits:
            raise IntakeError(f"没有号码为 {ref[:32]} 的服务差评")
        if len(visits) > 1:
            raise IntakeError(f"号码 {ref[:32]} 有多件待整改差评，请用号票编号：" + "、".join(v.ticket for v in visits))
        from hall_app.domain.queue import QueueError

        try:
            record = self.ctx.queue.follow_up_visit(visits[0].ticket, step, clean(note), actor)
        except QueueError as exc:  # refused by the rules (or the queue away): nothing recorded
            raise IntakeError(str(exc)) from None
        done = visit_follow_up(record["rated"], record["steps"], self.ctx.calendar,
                               self.ctx.settings.deadlines.bad_rating_followup_days)
        assert done is not None
        return done
