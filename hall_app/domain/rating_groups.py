"""好差评 figures per bundle, window, clerk or day of a period (issue 11): pure rules.

Each rating given in the period is one :class:`RatedFact` — a case's (``case.rated``)
or a visit's on the window's rate pad (``queue.visit_rated``, 未评价 included) — with
the follow-up its bad rating opened, if any. The figures of a group are
``hall_app.domain.rating.figures`` over the group's facts: the distribution over the
five levels and 未评价, the share good among those who rated, the follow-ups closed
and closed on time, open and overdue. The groups add up to the total.

Who a rating counts for:

- a case's: its bundle, the window and the clerk that took it (as the dashboard's
  per-window and per-clerk rows), the day it was rated;
- a visit's: the window and the clerk who finished the visit, the day it was rated;
  a visit has no bundle of its own, so it counts for the bundle of the first case the
  visit produced that the report knows, and under :data:`VISIT_BUNDLE` (窗口服务) when
  it produced none (a consultation at the window, or a visit the server counted
  without its cases).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hall_app.domain.rating import FollowUp, Rating, RatingFigures, figures
from hall_app.domain.stats import GROUPS
from hall_app.domain.visit_rating import rating_of_payload

VISIT_BUNDLE = "窗口服务"  # the bundle row of visits that produced no case the report knows
NO_DAY = "日期不详"  # the day row of ratings counted without their day (none in practice)


@dataclass(frozen=True)
class RatedFact:
    """One rating given in the period (or a follow-up whose rating another fact counts)."""

    bundle: str
    window: str
    clerk: str
    day: dt.date | None
    rating: Rating | None  # None: only the follow-up counts here (its rating is counted elsewhere)
    follow_up: FollowUp | None = None

    def key(self, by: str) -> str:
        if by == "day":
            return self.day.isoformat() if self.day else NO_DAY
        return str(getattr(self, by))


def visit_fact(payload: Mapping[str, Any], day: dt.date | None, bundle_of_case: Mapping[str, str],
               follow_up: FollowUp | None = None) -> RatedFact:
    """A ``queue.visit_rated`` payload as a fact: the bundle of the first of its cases
    found in ``bundle_of_case`` (case id → bundle), else 窗口服务."""
    cases = [str(c) for c in payload.get("cases") or ()]
    bundle = next((bundle_of_case[c] for c in cases if c in bundle_of_case), VISIT_BUNDLE)
    return RatedFact(bundle, str(payload.get("window") or ""), str(payload.get("clerk") or ""), day,
                     rating_of_payload(payload), follow_up)


def total(facts: Iterable[RatedFact], today: dt.date) -> RatingFigures:
    facts = list(facts)
    return figures([f.rating for f in facts if f.rating is not None],
                   [f.follow_up for f in facts if f.follow_up is not None], today)


def grouped(facts: Iterable[RatedFact], by: str, today: dt.date) -> dict[str, RatingFigures]:
    """The figures per bundle, window, clerk or day, sorted by the group's key."""
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    groups: dict[str, list[RatedFact]] = defaultdict(list)
    for f in facts:
        groups[f.key(by)].append(f)
    return {name: total(groups[name], today) for name in sorted(groups)}
