"""The rating of a visit at the window (issue 11, 一键评价): pure rules, no I/O.

When a window finishes a ticket (``queue.ticket_finished``), the window's rate pad
(``hall-app rate-pad --window W03``) asks the citizen to rate the visit. The answer is
one ``queue.visit_rated`` event of the queue's own log: a level 1–5 with optional
dimensions and the reasons that level offers, or ``level`` None = 未评价 when the pad
timed out or the citizen pressed Escape — never a good level by default. One rating
per visit; only a visit finished at that window, and only by that window (its pad,
its window device, or the hall).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hall_app.domain.queue import FINISHED, STATE_LABELS, QueueError, Ticket
from hall_app.domain.rating import Rating, RatingError, make_rating

VISIT_RATED = "queue.visit_rated"
FRESH_MINUTES = 10.0  # the pad offers a finished visit this long; after that it stays idle
HOW = ("chosen", "timeout", "declined")


@dataclass(frozen=True)
class FinishedVisit:
    """A window's last finished visit, as its pad reads it (nothing personal: no name, no ID)."""

    ticket: str
    label: str
    window: str
    finished_at: str  # ISO with offset
    cases: tuple[str, ...] = ()
    clerk: str = ""
    rated: bool = False
    rating: str = ""  # the recorded level's label, or 未评价

    def to_json(self) -> dict[str, Any]:
        return {"ticket": self.ticket, "label": self.label, "window": self.window, "finished_at": self.finished_at,
                "cases": list(self.cases), "clerk": self.clerk, "rated": self.rated, "rating": self.rating}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> FinishedVisit | None:
        if not data:
            return None
        return cls(str(data["ticket"]), str(data.get("label", "")), str(data.get("window", "")),
                   str(data.get("finished_at", "")), tuple(str(c) for c in data.get("cases") or ()),
                   str(data.get("clerk", "")), bool(data.get("rated")), str(data.get("rating", "")))

    def waiting_for_rating(self, now: dt.datetime, minutes: float = FRESH_MINUTES) -> bool:
        """Whether the pad should offer it now: not rated yet and finished within ``minutes``."""
        if self.rated or not self.finished_at:
            return False
        try:
            finished = dt.datetime.fromisoformat(self.finished_at)
        except ValueError:
            return False
        if finished.tzinfo is None or now.tzinfo is None:
            finished, now = finished.replace(tzinfo=None), now.replace(tzinfo=None)
        return dt.timedelta(0) <= now - finished <= dt.timedelta(minutes=minutes)


def check_rateable(ticket: Ticket, window: str, already_rated: bool) -> None:
    """QueueError (nothing recorded) unless ``ticket`` is a visit finished at ``window``
    and not rated yet."""
    if ticket.state != FINISHED:
        raise QueueError(f"{ticket.label} 号{STATE_LABELS.get(ticket.state, ticket.state)}，办结后才能评价",
                         "refused", 409)
    if ticket.window != window:
        raise QueueError(f"{ticket.label} 号不是在 {window} 窗口办结的，不能在本窗口评价", "refused", 409)
    if already_rated:
        raise QueueError(f"{ticket.label} 号的本次服务已评价过，每次服务只评价一次", "refused", 409)


def visit_rating(level: Any, dimensions: Mapping[str, Any] | None = None, reasons: Iterable[str] = ()) -> Rating:
    """The citizen's answer checked by the rating rules (QueueError 422 when refused)."""
    try:
        return make_rating(level, dimensions or {}, reasons)
    except RatingError as exc:
        raise QueueError(str(exc), "invalid", 422) from None


def visit_rated_payload(ticket: Ticket, rating: Rating, *, clerk: str = "", cases: Iterable[str] = (),
                        how: str = "chosen") -> dict[str, Any]:
    if how not in HOW:
        raise QueueError(f"未知的评价方式“{str(how)[:12]}”", "invalid", 422)
    if rating.level is None and how == "chosen":
        how = "declined"
    if rating.level is not None and how != "chosen":
        raise QueueError("超时或暂不评价只能记为未评价", "invalid", 422)
    payload: dict[str, Any] = {"ticket": ticket.ticket, "window": ticket.window, "label": ticket.label,
                               "clerk": clerk[:64], "level": rating.level, "cases": list(cases)[:50], "how": how}
    if rating.dimensions:
        payload["dimensions"] = dict(rating.dimensions)
    if rating.reasons:
        payload["reasons"] = list(rating.reasons)
    return payload


def rating_of_payload(payload: Mapping[str, Any]) -> Rating:
    """A recorded ``queue.visit_rated`` back as a Rating (for the figures)."""
    level = payload.get("level")
    return Rating(level if isinstance(level, int) else None, dict(payload.get("dimensions") or {}),
                  tuple(payload.get("reasons") or ()))
