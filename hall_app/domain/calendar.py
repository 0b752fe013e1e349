"""Working days: Mon–Fri, minus statutory holidays, plus 调休 make-up days.

The State Council publishes each year's holiday arrangement late in the year before.
``chinesecalendar`` carries the published years; an override table (from
configuration) adds years published after the library's release. For a year known
to neither, days are counted with weekends only and the result carries a visible
warning: never a crash, never a silent guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")  # the hall's clock: 北京时间, no daylight saving


def in_china(stamp: str) -> str:
    """An ISO time stamp as the hall reads it (+08:00). Devices write theirs in +08:00;
    the server writes its own events in UTC. A stamp without a zone, or not a time
    stamp at all, is returned as it is."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp
    if moment.tzinfo is None or moment.utcoffset() == dt.timedelta(hours=8):
        return stamp
    return moment.astimezone(CHINA).isoformat(timespec="milliseconds" if "." in stamp else "seconds")


@dataclass(frozen=True)
class YearOverride:
    """One year's published arrangement: extra days off and make-up working days."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()


@dataclass(frozen=True)
class DueDate:
    date: dt.date
    warnings: tuple[str, ...] = ()


def unpublished_warning(year: int) -> str:
    return f"{year}年节假日安排尚未公布（或未配置），该年按仅除周末计算，期限可能有出入"


@lru_cache(maxsize=64)
def _library_knows(year: int) -> bool:
    import chinese_calendar

    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


@dataclass
class WorkCalendar:
    overrides: Mapping[int, YearOverride] = field(default_factory=dict)

    @classmethod
    def from_config(cls, data: Mapping[str, Mapping[str, Iterable[str]]] | None) -> "WorkCalendar":
        """Build from ``{"2027": {"holidays": ["2027-01-01", ...], "workdays": [...]}}``."""
        overrides: dict[int, YearOverride] = {}
        for year, spec in (data or {}).items():
            overrides[int(year)] = YearOverride(
                holidays=frozenset(dt.date.fromisoformat(d) for d in spec.get("holidays", ())),
                workdays=frozenset(dt.date.fromisoformat(d) for d in spec.get("workdays", ())),
            )
        return cls(overrides)

    def is_published(self, year: int) -> bool:
        return year in self.overrides or _library_knows(year)

    def is_working_day(self, day: dt.date) -> bool:
        override = self.overrides.get(day.year)
        if override is not None:
            if day in override.workdays:
                return True
            if day in override.holidays:
                return False
            return day.weekday() < 5
        if _library_knows(day.year):
            import chinese_calendar

            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> DueDate:
        """The date that is ``days`` working days after ``start`` (start not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        unpublished: set[int] = set()
        counted = 0
        while counted < days:
            current += dt.timedelta(days=1)
            if not self.is_published(current.year):
                unpublished.add(current.year)
            if self.is_working_day(current):
                counted += 1
        return DueDate(current, tuple(unpublished_warning(y) for y in sorted(unpublished)))

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        count, current = 0, start
        while current < end:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


class MemoCalendar(WorkCalendar):
    """A WorkCalendar that remembers each (day, working days) it was asked: a year of a
    hall's bad ratings falls on a few hundred days, each ~1 ms to count. One per
    configuration (its own memory), so two halls' or two settings' calendars never mix."""

    def __init__(self, overrides: Mapping[int, YearOverride] | None = None) -> None:
        super().__init__(dict(overrides or {}))
        self._seen: dict[tuple[dt.date, int], DueDate] = {}

    @classmethod
    def from_config(cls, data: Mapping[str, Mapping[str, Iterable[str]]] | None) -> "MemoCalendar":
        return cls(WorkCalendar.from_config(data).overrides)

    def add_working_days(self, start: dt.date, days: int) -> DueDate:
        key = (start, days)
        if key not in self._seen:
            self._seen[key] = super().add_working_days(start, days)
        return self._seen[key]
