"""The reform's figures (减材料、减填写、减时间、减跑动) and case outcomes, computed from
what each case's events say; nothing here is a stored counter.

The service layer turns each case (its replayed state, its bundle and its plan) into
one :class:`CaseFacts`; these functions group and add them up. Definitions (also in
docs/statistics.md):

- 减材料 = materials exempted (an e-licence on file) ÷ materials the plan required.
- 减填写 = 1 − fields on the one merged form ÷ fields on the items' separate forms
  (each item's form asks every field that item uses; the merged form asks each once).
- 减时间 (promised) = 1 − promised working days ÷ statutory working days, over items;
  减时间 (actual) = 1 − working days from acceptance to completion ÷ statutory days,
  over completed cases (the case's statutory limit is its longest item's).
- 减跑动: trips the citizen made per completed case: the first visit, one more for
  each one-time notice, and one to collect at the window when the result was handed
  over there on a later day; 减跑动 = 1 − trips ÷ trips one visit per item would take.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

OUTCOMES = {"accepted": "受理", "notice": "一次性告知", "deferred": "容缺受理", "refused": "不予受理",
            "voided": "作废", "open": "办理中"}
GROUPS = {"bundle": "事项", "window": "窗口", "clerk": "工作人员", "day": "日期"}


@dataclass(frozen=True)
class CaseFacts:
    case_id: str
    bundle: str
    window: str
    clerk: str
    day: dt.date  # the day the case was taken (started)
    outcome: str  # one of OUTCOMES
    items: int = 0
    materials_required: int = 0
    materials_exempted: int = 0
    fields_merged: int = 0
    fields_separate: int = 0  # sum over items of the fields each item's own form asks
    statutory_days: tuple[int, ...] = ()  # per item
    promised_days: tuple[int, ...] = ()  # per item, same order
    completed_working_days: int | None = None  # acceptance → completion, when completed
    trips: int | None = None  # when completed

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}")
        if len(self.statutory_days) != len(self.promised_days):
            raise ValueError("statutory and promised days must pair up per item")


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Figures:
    cases: int
    outcomes: dict[str, int]
    materials_required: int
    materials_exempted: int
    fields_merged: int
    fields_separate: int
    promised_days: int
    statutory_days: int
    completed: int
    completed_days: int
    completed_statutory_days: int
    trips: int
    trips_separate: int  # what the completed cases would have taken one item per visit

    @property
    def less_materials(self) -> float | None:
        return _share(self.materials_exempted, self.materials_required)

    @property
    def less_filling(self) -> float | None:
        share = _share(self.fields_merged, self.fields_separate)
        return None if share is None else 1 - share

    @property
    def less_time_promised(self) -> float | None:
        share = _share(self.promised_days, self.statutory_days)
        return None if share is None else 1 - share

    @property
    def less_time_actual(self) -> float | None:
        share = _share(self.completed_days, self.completed_statutory_days)
        return None if share is None else 1 - share

    @property
    def trips_per_case(self) -> float | None:
        return _share(self.trips, self.completed)

    @property
    def less_trips(self) -> float | None:
        share = _share(self.trips, self.trips_separate)
        return None if share is None else 1 - share


def figures(cases: Iterable[CaseFacts]) -> Figures:
    cases = list(cases)
    outcomes = {key: 0 for key in OUTCOMES}
    for c in cases:
        outcomes[c.outcome] += 1
    done = [c for c in cases if c.completed_working_days is not None]
    return Figures(
        cases=len(cases), outcomes=outcomes,
        materials_required=sum(c.materials_required for c in cases),
        materials_exempted=sum(c.materials_exempted for c in cases),
        fields_merged=sum(c.fields_merged for c in cases), fields_separate=sum(c.fields_separate for c in cases),
        promised_days=sum(sum(c.promised_days) for c in cases),
        statutory_days=sum(sum(c.statutory_days) for c in cases),
        completed=len(done), completed_days=sum(c.completed_working_days or 0 for c in done),
        completed_statutory_days=sum(max(c.statutory_days, default=0) for c in done),
        trips=sum(c.trips or 0 for c in done), trips_separate=sum(max(c.items, 1) for c in done))


def grouped(cases: Iterable[CaseFacts], by: str) -> dict[str, Figures]:
    """Figures per bundle, window, clerk or day (sorted by the group's key)."""
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    key: Callable[[CaseFacts], str] = (lambda c: c.day.isoformat()) if by == "day" else (lambda c: getattr(c, by))
    groups: dict[str, list[CaseFacts]] = defaultdict(list)
    for c in cases:
        groups[key(c)].append(c)
    return {name: figures(groups[name]) for name in sorted(groups)}


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date  # inclusive
    label: str = ""

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.first <= day <= self.last


def period(first: dt.date, last: dt.date) -> Period:
    if last < first:
        raise ValueError("统计期的结束日期早于开始日期")
    return Period(first, last, f"{first.isoformat()} 至 {last.isoformat()}")


def month(text: str) -> Period:
    """``2026-11`` → the whole month; a clear message for anything else."""
    try:
        year, mon = (int(part) for part in text.strip().split("-"))
        first = dt.date(year, mon, 1)
    except (ValueError, TypeError):
        raise ValueError(f"月份应写作 YYYY-MM，例如 2026-11（收到：{text[:20]}）") from None
    following = dt.date(year + mon // 12, mon % 12 + 1, 1)
    return Period(first, following - dt.timedelta(days=1), f"{year}年{mon}月")


def week(text: str) -> Period:
    """``2026-W48`` (an ISO week, Monday to Sunday) → its seven days; a clear message for
    anything else."""
    try:
        year, num = text.strip().upper().split("-W")
        first = dt.date.fromisocalendar(int(year), int(num), 1)
    except (ValueError, TypeError):
        raise ValueError(f"周应写作 YYYY-Www，例如 2026-W48（收到：{text[:20]}）") from None
    last = first + dt.timedelta(days=6)
    return Period(first, last, f"{first.year}年第{int(num)}周（{first.isoformat()} 至 {last.isoformat()}）")


def trips_for(notices: int, collected_later_at_window: bool) -> int:
    """The citizen's trips for one case: the visit, one per notice, one to collect later."""
    if notices < 0:
        raise ValueError("notices must not be negative")
    return 1 + notices + (1 if collected_later_at_window else 0)


@dataclass(frozen=True)
class Reference:
    """The seeds' headline figures (seed 000), shown beside ours."""

    less_steps: float = 0.782
    less_time: float = 0.764
    less_materials: float = 0.60
    less_trips: float = 0.928
    source: str = "000 号文件：平均减环节78.2%、减时间76.4%、减材料60%、减跑动92.8%"
    extra: dict[str, float] = field(default_factory=dict)


SEED_REFERENCE = Reference()
