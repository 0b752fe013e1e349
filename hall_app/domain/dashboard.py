"""The supervisor's hall figures, computed from the cases' replayed events (pure, no I/O).

What the dashboard shows (issue 11):
- today's cases by status (cases started today);
- per window and per clerk: cases taken, decided, refused, rated, good ratings, today;
- the deadline board (限时办结): items of accepted cases, deferred materials (容缺) and
  one-time notices' 补正 periods that are overdue, due today, or due within N working days
  (counted with the hall's working-day calendar, holidays and make-up days included);
- ratings given today, and bad ratings whose follow-up is still open, with their due dates.

The reform's figures (减材料…) come from hall_app/domain/stats.py; the queue figures will
come from queue events: hall_app/domain/queue_live.py (the live hall).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hall_app.domain.calendar import WorkCalendar
from hall_app.domain.case_state import ITEM_FINAL, STATUS_LABELS, CaseState
from hall_app.domain.rating import GOOD_LEVELS, FollowUp, Rating, follow_up_of
from hall_app.domain.rating import figures as rating_figures

AT_RISK_DAYS = 3  # working days: [deadlines] at_risk_days in the settings may change it
DEADLINE_KINDS = {"item": "事项办结", "deferred": "容缺补交", "notice": "补正期限"}
URGENCY = {"overdue": "已逾期", "today": "今日到期", "at_risk": "即将到期"}
DECISIONS = {"case.accepted", "case.accepted_deferred", "case.notice_issued", "case.refused"}


def day_of(stamp: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(stamp)[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class DeadlineLine:
    case_id: str
    tracking_code: str
    bundle: str
    window: str
    clerk: str
    kind: str  # one of DEADLINE_KINDS
    what: str  # the item or material codes concerned
    due: dt.date
    urgency: str  # one of URGENCY
    days_left: int  # working days from today to the due date (0 when due today or overdue)
    days_late: int = 0  # working days from the due date to today (overdue only; 0 when none passed)

    @property
    def overdue(self) -> bool:
        return self.urgency == "overdue"


def urgency(due: dt.date, today: dt.date, calendar: WorkCalendar, at_risk_days: int) -> tuple[str, int] | None:
    """Overdue, due today, or at risk (due within ``at_risk_days`` working days); None otherwise."""
    if due < today:
        return "overdue", 0
    if due == today:
        return "today", 0
    left = calendar.working_days_between(today, due)
    return ("at_risk", left) if left <= at_risk_days else None


def _deadlines_of(s: CaseState) -> Iterable[tuple[str, str, dt.date]]:
    """(kind, what, due) that still bind the case."""
    if s.status == "voided":
        return
    open_items = [(code, day_of(i.get("due", ""))) for code, i in s.items.items()
                  if i.get("status") not in ITEM_FINAL]
    dated = sorted((due, code) for code, due in open_items if due is not None)
    if dated and s.status in ("accepted", "accepted_deferred", "dispatched"):
        first = dated[0][0]
        yield "item", "、".join(code for due, code in dated if due == first), first
    deadline = day_of(s.deferred_deadline)
    if s.deferred and deadline and s.status not in ("refused", "rated"):
        yield "deferred", "、".join(s.deferred), deadline
    if s.status == "notice_issued" and s.notices:
        last = s.notices[-1]
        due = day_of(last.get("deadline", ""))
        if due:
            yield "notice", "、".join(last.get("missing", [])), due


def deadline_board(states: Iterable[CaseState], today: dt.date, calendar: WorkCalendar,
                   at_risk_days: int = AT_RISK_DAYS) -> list[DeadlineLine]:
    """Every binding deadline that is overdue, due today or at risk; most urgent first."""
    lines = []
    for s in states:
        for kind, what, due in _deadlines_of(s):
            found = urgency(due, today, calendar, at_risk_days)
            if found is not None:
                late = calendar.working_days_between(due, today) if found[0] == "overdue" else 0
                lines.append(DeadlineLine(s.case_id, s.tracking_code, s.bundle_code, s.window, s.created_by,
                                          kind, what, due, *found, days_late=late))
    order = list(URGENCY)
    return sorted(lines, key=lambda x: (order.index(x.urgency), x.due, x.tracking_code, x.kind))


def owner(s: CaseState) -> str:
    """Who has the case now: the clerk who claimed it (接手), else the one who took it."""
    return s.claimed_by or s.created_by


def clerk_due(states: Iterable[CaseState], clerk: str, today: dt.date, calendar: WorkCalendar,
              at_risk_days: int = AT_RISK_DAYS) -> list[DeadlineLine]:
    """The clerk's own cases whose items' promised completion date is past, today, or
    within ``at_risk_days`` working days: the deadline board's rule (same calendar, same
    order, most urgent first), its item deadlines only (deferrals and notices are on the
    follow-up list already), for the cases ``clerk`` took or claimed."""
    mine = [s for s in states if owner(s) == clerk]
    return [line for line in deadline_board(mine, today, calendar, at_risk_days) if line.kind == "item"]


@dataclass(frozen=True)
class PersonFigures:
    """One window's or one clerk's day."""

    taken: int = 0  # cases started today
    decided: int = 0  # accepted, deferred, notice or refused today
    accepted: int = 0  # accepted (also with deferrals) today
    rated: int = 0  # rated today (cases, and visits on the window's rate pad)
    good: int = 0  # 满意 or 非常满意 among them
    bad: int = 0
    unrated: int = 0  # visits the rate pad recorded as 未评价 today

    def plus(self, **more: int) -> "PersonFigures":
        return PersonFigures(**{k: getattr(self, k) + more.get(k, 0) for k in self.__dataclass_fields__})


@dataclass(frozen=True)
class FollowUpLine:
    case_id: str
    tracking_code: str
    bundle: str
    window: str
    level_label: str
    follow_up: FollowUp
    overdue: bool
    visit_label: str = ""  # a visit rated on the window's rate pad: its number (case_id: its first case, if any)


@dataclass(frozen=True)
class HallDay:
    today: dt.date
    by_status: dict[str, int]  # status label → cases started today, in STATUS_LABELS order
    windows: dict[str, PersonFigures]
    clerks: dict[str, PersonFigures]
    deadlines: list[DeadlineLine]
    ratings_today: dict[str, int]  # distribution of today's ratings (five levels, then 未评价)
    rated_today: int  # with a level
    good_share_today: float | None  # among those with a level
    follow_ups: list[FollowUpLine]  # open ones, overdue first
    unrated_today: int = 0  # visits recorded as 未评价 (in the total, never in the share)

    @property
    def asked_today(self) -> int:
        """Ratings asked for today: with a level, and 未评价."""
        return self.rated_today + self.unrated_today

    @property
    def taken_today(self) -> int:
        return sum(self.by_status.values())

    @property
    def overdue(self) -> int:
        return sum(x.overdue for x in self.deadlines)


def _decided_today(s: CaseState, today: dt.date) -> tuple[bool, bool]:
    decided = day_of(s.decided_at) == today and bool(s.decision)
    accepted = decided and s.decision.get("type") in ("case.accepted", "case.accepted_deferred")
    if not decided and s.notices and day_of(s.notices[-1].get("at", "")) == today:
        decided = True  # a one-time notice is the day's decision on that case
    return decided, accepted


def hall_day(states: Iterable[CaseState], today: dt.date, calendar: WorkCalendar,
             at_risk_days: int = AT_RISK_DAYS, visits: Iterable[Mapping[str, Any]] = ()) -> HallDay:
    """The hall's day from its cases and ``visits``: today's ``queue.visit_rated``
    payloads (the rate pad's ratings of visits, level None = 未评价), counted per
    window and per clerk who finished the visit."""
    states = list(states)
    started = [s for s in states if day_of(s.created_at) == today and s.status != "voided"]
    started_ids = {s.case_id for s in started}
    counts = Counter(s.status for s in started)
    by_status = {label: counts[status] for status, label in STATUS_LABELS.items() if counts[status]}
    windows: dict[str, PersonFigures] = defaultdict(PersonFigures)
    clerks: dict[str, PersonFigures] = defaultdict(PersonFigures)
    ratings: list[Rating] = []
    follow_ups: list[FollowUpLine] = []
    for s in states:
        if s.status == "voided":
            continue
        taken = int(s.case_id in started_ids)
        decided, accepted = _decided_today(s, today)
        rated_today = bool(s.rating) and day_of(s.rating.get("at", "")) == today
        level = s.rating.get("level") if rated_today else None
        more = {"taken": taken, "decided": int(decided), "accepted": int(accepted), "rated": int(rated_today),
                "good": int(level in GOOD_LEVELS), "bad": int(level in (1, 2))}
        if any(more.values()):
            windows[s.window] = windows[s.window].plus(**more)
            clerks[s.created_by] = clerks[s.created_by].plus(**more)
        if rated_today and isinstance(level, int):
            ratings.append(Rating(level))
        follow = follow_up_of(s.rating) if s.rating else None
        if follow is not None and not follow.closed:
            follow_ups.append(FollowUpLine(s.case_id, s.tracking_code, s.bundle_code, s.window,
                                           str(s.rating.get("label", "")), follow, follow.overdue(today)))
    for visit in visits:
        level = visit.get("level")
        level = level if isinstance(level, int) else None
        more = {"rated": int(level is not None), "unrated": int(level is None), "good": int(level in GOOD_LEVELS),
                "bad": int(level in (1, 2))}
        windows[str(visit.get("window", ""))] = windows[str(visit.get("window", ""))].plus(**more)
        if visit.get("clerk"):
            clerks[str(visit["clerk"])] = clerks[str(visit["clerk"])].plus(**more)
        ratings.append(Rating(level))
    rated = rating_figures(ratings, [], today)
    return HallDay(unrated_today=rated.total - rated.rated, ratings_today=dict(rated.distribution),
                   today=today, by_status=by_status, windows=dict(sorted(windows.items())),
                   clerks=dict(sorted(clerks.items())), deadlines=deadline_board(states, today, calendar, at_risk_days),
                   rated_today=rated.rated, good_share_today=rated.good_share,
                   follow_ups=sorted(follow_ups, key=lambda f: (not f.overdue, f.follow_up.due, f.tracking_code)))
