"""The ratings given in a period as facts for the 好差评 figures per bundle, window,
clerk and day (hall_app/domain/rating_groups.py): cases' ratings from their replayed
events, visits' on the rate pads from the queue's log (or the server's counts on a
supervisor device), each with the follow-up its bad rating opened.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from hall_app.domain.case_state import CaseState
from hall_app.domain.dashboard import day_of
from hall_app.domain.rating import Rating, follow_up_of
from hall_app.domain.rating_groups import RatedFact, visit_fact
from hall_app.domain.stats import Period

if TYPE_CHECKING:
    from hall_app.services.dashboard import DashboardService


def case_facts(states: list[CaseState], period: Period) -> list[RatedFact]:
    """The cases rated in ``period``: their bundle, the window and clerk that took them."""
    out = []
    for s in states:
        if not s.rating:
            continue
        day = day_of(s.rating.get("at", ""))
        if day not in period:
            continue
        out.append(RatedFact(s.bundle_code, s.window, s.created_by, day, Rating(s.rating.get("level")),
                             follow_up_of(s.rating)))
    return out


def rated_facts(service: "DashboardService", period: Period, today: dt.date,
                states: list[CaseState] | None = None) -> list[RatedFact]:
    """Every rating given in ``period`` (up to ``today``): the cases' and the visits' (未评价
    included), with their follow-ups; a visit's follow-up opened in the period whose rating
    is not among the visits read (the server counted it without its ticket) still counts
    as a follow-up of its window and clerk. ``states``: the cases already read (at least
    those started since the period began, and the live ones)."""
    states = service.states(period.first) if states is None else states
    facts = case_facts(states, period)
    bundle_of_case = {s.case_id: s.bundle_code for s in states}
    follow_ups = {v.ticket: v for v in service.visit_follow_ups() if v.follow_up.opened_on in period}
    seen: set[str] = set()
    for payload in service.visit_ratings(period.first, min(period.last, today)):
        ticket = str(payload.get("ticket") or "")
        visit = follow_ups.get(ticket) if ticket else None
        if visit is not None:
            seen.add(ticket)
        rated_on = payload.get("rated_on")
        day = dt.date.fromisoformat(rated_on) if isinstance(rated_on, str) and rated_on else None
        facts.append(visit_fact(payload, day, bundle_of_case, visit.follow_up if visit else None))
    for ticket, visit in follow_ups.items():
        if ticket not in seen:
            bundle = visit_fact({"cases": list(visit.cases)}, None, bundle_of_case).bundle
            facts.append(RatedFact(bundle, visit.window, visit.clerk, visit.follow_up.opened_on, None,
                                   visit.follow_up))
    return facts
