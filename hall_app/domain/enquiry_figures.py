"""The enquiries' figures per kind for a period (issue 11: the monthly report and the
supervisor's dashboard): opened, answered at once, closed, still open, and open overdue.
Pure: the events, the period, the day the figures are for and the working-day calendar
are passed in.

Definitions (docs/statistics.md, "Enquiries in the report"):
- opened / answered at once: enquiries opened in the period (a consultation answered at
  once is opened and closed in one step);
- closed: enquiries closed in the period, whenever they were opened (answered at once
  included: that is how they are closed);
- still open: the backlog on ``as_of`` — opened by then (in the period or before it) and
  not closed by then;
- open overdue: of those still open, the ones whose due date — ``days`` working days
  after the day they were opened (首问负责: the clerk asked first owes an answer) — is
  before ``as_of``.

``as_of`` is the period's last day, or today while the period is still running. The
events given must include every enquiry open at some time in the period.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from hall_app.domain.calendar import WorkCalendar
from hall_app.domain.enquiry import KINDS, replay
from hall_app.domain.events import Event

ENQUIRY_DAYS = 5  # working days to close an open enquiry: [deadlines] enquiry_days may change it
COLUMNS = {"opened": "登记", "answered_at_once": "当场答复", "closed": "办结", "still_open": "未办结",
           "open_overdue": "逾期未办结"}


@dataclass(frozen=True)
class EnquiryFigures:
    kind: str
    opened: int = 0
    answered_at_once: int = 0
    closed: int = 0
    still_open: int = 0
    open_overdue: int = 0

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    def values(self) -> list[int]:
        return [getattr(self, name) for name in COLUMNS]


def _day(iso: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(iso[:10])
    except ValueError:
        return None


def enquiry_figures(events: Iterable[Event], first: dt.date, last: dt.date, as_of: dt.date,
                    calendar: WorkCalendar, days: int = ENQUIRY_DAYS) -> dict[str, EnquiryFigures]:
    """Per kind (every kind, in KINDS order, zeros included), from the enquiries' events."""
    streams: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        if event.type.startswith("enquiry."):
            streams[event.case_id].append(event)
    tally: dict[str, list[int]] = {k: [0, 0, 0, 0, 0] for k in KINDS}
    for stream in streams.values():
        state = replay(stream)
        if state is None or state.kind not in KINDS:
            continue
        row = tally[state.kind]
        opened, closed = _day(state.opened_at), _day(state.closed_at)
        if closed is not None and first <= closed <= last:
            row[2] += 1
        if opened is None:
            continue
        if first <= opened <= last:
            row[0] += 1
            row[1] += state.answered
        if opened <= as_of and (closed is None or closed > as_of):
            row[3] += 1
            row[4] += calendar.add_working_days(opened, days).date < as_of
    return {k: EnquiryFigures(k, *values) for k, values in tally.items()}


def total(figures: dict[str, EnquiryFigures]) -> EnquiryFigures:
    rows = list(figures.values())
    return EnquiryFigures("", *(sum(getattr(f, name) for f in rows) for name in COLUMNS))
