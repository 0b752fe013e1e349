"""The follow-up of a bad visit rating (issue 11): pure rules, no I/O.

A visit rated 不满意 / 非常不满意 on the window's rate pad (``queue.visit_rated``) opens a
follow-up keyed by the visit's ticket, naming the cases the visit produced. It follows
the case rating's rules in hall_app/domain/rating.py (one home: ``open_follow_up`` for the
working-day deadline, ``advance`` for 核实 → 整改/解释说明/申诉 → 回访 → 办结); a bad rating
writes ``queue.visit_follow_up_opened`` beside its ``queue.visit_rated``, and each step is
one ``queue.visit_follow_up`` event of the queue's log with who and when.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hall_app.domain.calendar import WorkCalendar
from hall_app.domain.rating import FOLLOW_UP_DAYS, FollowUp, RatingError, advance, open_follow_up
from hall_app.domain.visit_rating import rating_of_payload

VISIT_FOLLOW_UP = "queue.visit_follow_up"
VISIT_FOLLOW_UP_OPENED = "queue.visit_follow_up_opened"  # written with a bad queue.visit_rated


def opened_payload(rated: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``queue.visit_follow_up_opened`` payload a ``queue.visit_rated`` payload opens,
    or None when the rating is not bad."""
    if not rating_of_payload(rated).bad:
        return None
    return {k: rated[k] for k in ("ticket", "window", "label", "clerk", "level", "reasons", "cases") if k in rated}


@dataclass(frozen=True)
class VisitFollowUp:
    """A bad visit rating and its follow-up, as the supervisor sees it."""

    ticket: str
    label: str
    window: str
    clerk: str
    level_label: str
    reasons: tuple[str, ...]
    cases: tuple[str, ...]
    follow_up: FollowUp


def visit_follow_up(rated: Mapping[str, Any], steps: Iterable[Mapping[str, Any]], calendar: WorkCalendar,
                    days: int = FOLLOW_UP_DAYS) -> VisitFollowUp | None:
    """The follow-up of one recorded visit rating: ``rated`` is ``{"at", "actor", "payload"}``
    of its ``queue.visit_follow_up_opened`` (or ``queue.visit_rated``) event, ``steps`` its
    ``queue.visit_follow_up`` events the same way, in order. None when the rating is not bad."""
    payload = rated["payload"]
    rating = rating_of_payload(payload)
    if not rating.bad:
        return None
    follow = open_follow_up(str(payload["ticket"]), rating, str(rated.get("actor", "")), str(rated["at"]),
                            calendar, days)
    for step in steps:
        p = step["payload"]
        follow = advance(follow, str(p["step"]), str(p.get("by") or step.get("actor", "")), str(step["at"]),
                         str(p.get("note", "")))
    return VisitFollowUp(follow.rating_id, str(payload.get("label", "")), str(payload.get("window", "")),
                         str(payload.get("clerk", "")), rating.label, rating.reasons,
                         tuple(str(c) for c in payload.get("cases") or ()), follow)


def next_step_payload(current: VisitFollowUp | None, ticket: str, step: str, by: str, at: str,
                      note: str) -> dict[str, Any]:
    """The ``queue.visit_follow_up`` payload of the next step, checked against the rules
    (RatingError, nothing recorded, when it may not come now or the visit has no follow-up)."""
    if current is None:
        raise RatingError("该次服务没有差评，无需整改回访")
    advance(current.follow_up, step, by, at, note)  # the rule; raises when refused
    payload: dict[str, Any] = {"ticket": ticket, "window": current.window, "step": step, "note": note, "by": by}
    if current.cases:
        payload["cases"] = list(current.cases)
    return payload
