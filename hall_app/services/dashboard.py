"""The supervisor's dashboard (issue 11): the hall's day, the deadline board, ratings and
follow-ups, and the reform's figures for a period — all computed from the cases' events.

The service reads the event log of the cases that can matter (started in the period,
still open, or rated: a rated case may carry an open follow-up), replays each case
from its events, and hands the states to the pure rules in hall_app/domain/dashboard.py
and hall_app/domain/stats.py. Nothing is a stored counter, so every figure can be
recomputed and checked (tests/test_dashboard_golden_day.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from sqlalchemy import or_, select

from hall_app.domain.case import replay
from hall_app.domain.case_state import CaseState
from hall_app.domain.dashboard import FollowUpLine, HallDay, day_of, hall_day
from hall_app.domain.enquiry_figures import EnquiryFigures
from hall_app.domain.rating import RatingFigures
from hall_app.domain.rating_groups import grouped as rating_grouped
from hall_app.domain.rating_groups import total as rating_total
from hall_app.domain.stats import Figures, Period, figures
from hall_app.domain.stats import month as month_period
from hall_app.domain.visit_followup import VisitFollowUp
from hall_app.services.dashboard_ratings import rated_facts
from hall_app.store.models import CaseRow, EventRow, Hall, User
from hall_app.store.repository import row_event

if TYPE_CHECKING:
    from hall_app.services.context import HallContext
    from hall_app.services.reports import Report

# statuses whose deadlines may still bind, or that may carry an open follow-up
LIVE = ("notice_issued", "accepted", "accepted_deferred", "dispatched", "completed", "handed_over", "refused",
        "rated")


# per context, the visit ratings of days gone by (the month's figures read them at every refresh)
_PAST_DAYS: "WeakKeyDictionary[HallContext, dict[dt.date, list[dict[str, Any]]]]" = WeakKeyDictionary()


@dataclass(frozen=True)
class Dashboard:
    day: HallDay
    period: Period
    reform: Figures  # 减材料/减填写/减时间/减跑动 of the cases started in the period
    computed_at: str  # when these figures were computed (device clock)
    cases_read: int  # cases replayed from their events
    bundle_names: dict[str, str] = field(default_factory=dict)  # bundle code → name, for display
    user_names: dict[str, str] = field(default_factory=dict)  # username → display name
    enquiries: dict[str, EnquiryFigures] = field(default_factory=dict)  # the period's, per kind, as of today
    # 好差评 of the period per bundle, window and clerk (hall_app/domain/rating_groups.py), and in total
    rating_groups: dict[str, dict[str, RatingFigures]] = field(default_factory=dict)
    ratings: RatingFigures | None = None

    def bundle(self, code: str) -> str:
        return self.bundle_names.get(code, code)

    def user(self, username: str) -> str:
        """The person's name; the username only when no name is known."""
        return self.user_names.get(username) or username


def this_month(today: dt.date) -> Period:
    return month_period(f"{today.year}-{today.month:02d}")


class DashboardService:
    def __init__(self, ctx: "HallContext"):
        self.ctx = ctx

    def states(self, since: dt.date) -> list[CaseState]:
        """The cases started since ``since`` or still live, each replayed from its events."""
        with self.ctx.read() as session:
            ids = select(CaseRow.case_id).where(or_(CaseRow.created_at >= since.isoformat(),
                                                    CaseRow.status.in_(LIVE)))
            rows = session.scalars(select(EventRow).where(EventRow.case_id.in_(ids))
                                   .order_by(EventRow.case_id, EventRow.local_seq))
            events = defaultdict(list)
            for row in rows:
                events[row.case_id].append(row_event(row))
        states = (replay(case_events) for case_events in events.values())
        return [s for s in states if s is not None]

    def snapshot(self, today: dt.date | None = None, period: Period | None = None) -> Dashboard:
        today = today or self.ctx.today()
        period = period or this_month(today)
        states = self.states(min(today, period.first))
        day = hall_day(states, today, self.ctx.calendar, self.ctx.settings.deadlines.at_risk_days,
                       visits=self.visit_ratings(today, today))
        day = self.with_visit_follow_ups(day, today)
        reform = self.reform(states, period)
        with self.ctx.read() as session:
            bundles = {code: name for code, name in session.execute(
                select(CaseRow.bundle_code, CaseRow.bundle_name).distinct()) if name}
            users = {name: shown for name, shown in session.execute(select(User.username, User.display_name))}
        enquiries = self.ctx.enquiries.figures(period.first, period.last, today)
        facts = rated_facts(self, period, today, states)
        groups = {by: rating_grouped(facts, by, today) for by in ("bundle", "window", "clerk")}
        return Dashboard(day, period, reform, self.ctx.now_iso(), len(states), bundles, users, enquiries, groups,
                         rating_total(facts, today))

    def reform(self, states: list[CaseState], period: Period) -> Figures:
        from hall_app.services.reports import ReportService

        report = ReportService(self.ctx)
        work = self.ctx.cases
        facts = [report.case_facts(work, s) for s in states if day_of(s.created_at) in period]
        return figures(facts)

    def visit_follow_ups(self) -> list[VisitFollowUp]:
        """The bad visit ratings' follow-ups (none when the queue cannot be read from here)."""
        from hall_app.domain.queue import QueueError

        try:
            return self.ctx.ratings.visits()
        except QueueError:
            return []

    def with_visit_follow_ups(self, day: HallDay, today: dt.date) -> HallDay:
        """``day`` with the open follow-ups of bad visit ratings among the cases' ones."""
        lines = [FollowUpLine(v.cases[0] if v.cases else f"-visit:{v.ticket}", "", "", v.window, v.level_label,
                              v.follow_up, v.follow_up.overdue(today), v.label)
                 for v in self.visit_follow_ups() if not v.follow_up.closed]
        if not lines:
            return day
        return replace(day, follow_ups=sorted(day.follow_ups + lines, key=lambda f: (
            not f.overdue, f.follow_up.due, f.tracking_code, f.visit_label)))

    def visit_ratings(self, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
        """The rate pad's ratings of visits (``queue.visit_rated`` payloads, 未评价 included)
        given from ``first`` to ``last``, read from the queue's log; none when the queue
        cannot be read from here (a supervisor device, refused the log, gets the server's counts)."""
        from hall_app.domain.queue import QueueError
        from hall_app.domain.visit_rating import VISIT_RATED
        from hall_app.services.queue import queue_configured

        found: list[dict[str, Any]] = []
        if not queue_configured(self.ctx):
            return found
        day = first
        today = self.ctx.today()
        kept = _PAST_DAYS.setdefault(self.ctx, {})
        try:
            while day <= last:
                if day in kept:  # a day gone by: its ratings were read once (a pad rates today's visits only)
                    found += kept[day]
                    day += dt.timedelta(days=1)
                    continue
                of_day: list[dict[str, Any]] = []
                after = 0
                while True:
                    page = self.ctx.queue.events(day=day.isoformat(), after=after, limit=5000)
                    of_day += [{**e.payload, "rated_on": e.day} for e in page if e.type == VISIT_RATED]
                    if len(page) < 5000:
                        break
                    after = page[-1].seq
                if day < today:
                    kept[day] = of_day
                found += of_day
                day += dt.timedelta(days=1)
        except QueueError as exc:
            if exc.status == 403:  # a supervisor device may not read the log: the server's counts
                return self.visit_ratings_of_server(first, last)
            return []
        return found

    def visit_ratings_of_server(self, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
        """The visit ratings of the days ``first``..``last`` (a day, a month, or any custom
        period) as the server's ``GET /v1/dashboard/visit-ratings`` counts them per window,
        clerk and level (hall_app/server/dashboards.py), one ``{"window", "clerk", "level"}``
        per rating; none offline."""
        from hall_app.domain.queue import QueueError

        fetch = getattr(self.ctx.queue, "visit_ratings", None)
        if fetch is None:
            return []
        try:
            part = fetch(first.isoformat(), last.isoformat())
        except QueueError:
            return []
        day = first.isoformat() if first == last else ""  # the server counts a period, not its days
        return [{"window": w, "clerk": c, "level": level, "rated_on": day}
                for w, c, level, n in part.get("groups", []) for _ in range(int(n))]

    # -- the monthly report's inputs (printing/monthly_report.py lays them out) ---------------
    def rating_figures(self, period: Period, today: dt.date | None = None) -> RatingFigures:
        """好差评 of the ratings given in ``period`` (cases, and visits on the rate pad with
        未评价 in the total), and the follow-ups of the bad ones (cases' and visits')."""
        today = today or self.ctx.today()
        return rating_total(rated_facts(self, period, today), today)

    def rating_groups(self, period: Period, by: str, today: dt.date | None = None
                      ) -> tuple[RatingFigures, dict[str, RatingFigures]]:
        """The period's 好差评 in total and per bundle, window, clerk or day (one reading)."""
        today = today or self.ctx.today()
        facts = rated_facts(self, period, today)
        return rating_total(facts, today), rating_grouped(facts, by, today)

    def report_inputs(self, period: Period, by: str = "bundle") -> "ReportInputs":
        from hall_app.services.reports import ReportService

        report = ReportService(self.ctx).report(period, by)
        ratings = report.ratings if report.ratings is not None else self.rating_figures(period)
        with self.ctx.read() as session:
            hall = session.scalar(select(Hall.name).where(Hall.code == self.ctx.settings.hall)) or ""
        return ReportInputs(report, ratings, hall or self.ctx.settings.hall, self.ctx.now(), dict(report.names))


@dataclass(frozen=True)
class ReportInputs:
    report: "Report"
    ratings: RatingFigures | None
    hall_name: str
    generated: dt.datetime
    group_names: dict[str, str]
