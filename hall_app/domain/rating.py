"""好差评: the five levels, what a rating may say, and the follow-up of a bad rating.

Pure rules (no I/O). A rating is given at the end of a visit on the rate pad or later
on the tracking page; a pad left alone records 未评价 (never a good rating by default).
A bad rating (不满意 / 非常不满意) opens a follow-up due in working days (default 15):
核实 → 整改 / 解释说明 / 申诉 → 回访 → 办结, each step with who and when. Figures
(distribution, share good, follow-ups on time) are computed from the ratings, never
stored as counters.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from hall_app.domain.calendar import WorkCalendar
from hall_app.domain.case_state import RATING_LEVELS

BAD_LEVELS = frozenset({1, 2})
GOOD_LEVELS = frozenset({4, 5})
UNRATED = "未评价"
DIMENSIONS = ("服务态度", "服务效率", "服务水平")
FOLLOW_UP_DAYS = 15  # working days, [ratings] follow_up_days in the settings may change it

# Reasons offered once a level is chosen (the citizen picks, never types).
REASONS: dict[int, tuple[str, ...]] = {
    5: ("一次办成", "热情周到", "办理迅速", "指引清楚", "材料精简"),
    4: ("一次办成", "态度良好", "办理较快", "指引清楚"),
    3: ("等候时间偏长", "指引不够清楚", "流程较复杂"),
    2: ("等候时间长", "材料要求不清", "多次跑动", "态度生硬", "办理超时", "系统故障"),
    1: ("等候时间长", "材料要求不清", "多次跑动", "态度恶劣", "办理超时", "推诿扯皮", "系统故障"),
}
COMMENT_MAX = 500

# The follow-up of a bad rating: step → the steps that may come next.
STEP_LABELS = {"opened": "待核实", "verified": "已核实", "rectified": "已整改", "explained": "已解释说明",
               "appealed": "已申诉", "revisited": "已回访", "closed": "已办结"}
RESOLUTIONS = frozenset({"rectified", "explained", "appealed"})
NEXT_STEPS: dict[str, frozenset[str]] = {
    "opened": frozenset({"verified"}),
    "verified": RESOLUTIONS,
    "rectified": frozenset({"revisited"}),
    "explained": frozenset({"revisited"}),
    "appealed": frozenset({"revisited"}),
    "revisited": frozenset({"closed"}),
    "closed": frozenset(),
}
NEEDS_NOTE = frozenset({"verified", "rectified", "explained", "appealed", "revisited", "closed"})


class RatingError(ValueError):
    """A rating or a follow-up step the rules refuse; the message is for the person using it."""


@dataclass(frozen=True)
class Rating:
    level: int | None  # None: 未评价 (the pad timed out or the citizen declined)
    dimensions: Mapping[str, int] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    comment: str = ""

    @property
    def label(self) -> str:
        return UNRATED if self.level is None else RATING_LEVELS[self.level]

    @property
    def bad(self) -> bool:
        return self.level in BAD_LEVELS


def check_level(level: Any) -> int:
    if isinstance(level, bool) or not isinstance(level, int) or level not in RATING_LEVELS:
        raise RatingError("评价等级应为五级之一：非常满意、满意、基本满意、不满意、非常不满意")
    return level


def make_rating(level: Any, dimensions: Mapping[str, Any] | None = None, reasons: Iterable[str] = (),
                comment: str = "") -> Rating:
    """A rating as the pad or the tracking page collects it, checked; ``level`` None = 未评价."""
    if level is None:
        if dimensions or tuple(reasons) or comment:
            raise RatingError("未评价时不能选择评价项")
        return Rating(None)
    value = check_level(level)
    dims: dict[str, int] = {}
    for name, score in (dimensions or {}).items():
        if name not in DIMENSIONS:
            raise RatingError(f"没有“{name}”这一评价维度（可选：{'、'.join(DIMENSIONS)}）")
        dims[name] = check_level(score)
    chosen = tuple(dict.fromkeys(reasons))  # the order chosen, each once
    unknown = [r for r in chosen if r not in REASONS[value]]
    if unknown:
        raise RatingError(f"“{RATING_LEVELS[value]}”不能选择理由：{'、'.join(unknown)}")
    if len(comment) > COMMENT_MAX:
        raise RatingError(f"留言最多 {COMMENT_MAX} 字")
    return Rating(value, dims, chosen, comment)


# -- the follow-up of a bad rating --------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    step: str
    actor: str
    at: str  # ISO date time
    note: str = ""


@dataclass(frozen=True)
class FollowUp:
    rating_id: str
    opened_on: dt.date
    due: dt.date
    steps: tuple[Step, ...]

    @property
    def state(self) -> str:
        return self.steps[-1].step

    @property
    def state_label(self) -> str:
        return STEP_LABELS[self.state]

    @property
    def closed(self) -> bool:
        return self.state == "closed"

    @property
    def closed_on(self) -> dt.date | None:
        return dt.date.fromisoformat(self.steps[-1].at[:10]) if self.closed else None

    @property
    def resolution(self) -> str:
        return next((s.step for s in self.steps if s.step in RESOLUTIONS), "")

    def overdue(self, today: dt.date) -> bool:
        """Past its due date and not closed, or closed after it."""
        end = self.closed_on if self.closed else today
        return end is not None and end > self.due

    def on_time(self) -> bool:
        return self.closed and not self.overdue(self.closed_on or self.due)


def follow_up_of(rating: Mapping[str, Any]) -> FollowUp | None:
    """The follow-up recorded on a case's rating (``CaseState.rating``), if it has one."""
    record = rating.get("follow_up") if rating else None
    if not record or not record.get("steps"):
        return None
    steps = tuple(Step(str(x.get("step", "")), str(x.get("actor", "")), str(x.get("at", "")), str(x.get("note", "")))
                  for x in record["steps"])
    opened = _date(steps[0].at) or dt.date.min
    return FollowUp(str(rating.get("case_id", "")), opened, _date(record.get("due", "")) or opened, steps)


def _date(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def open_follow_up(rating_id: str, rating: Rating, actor: str, at: str, calendar: WorkCalendar,
                   days: int = FOLLOW_UP_DAYS) -> FollowUp:
    """The follow-up a bad rating opens, due ``days`` working days after the rating."""
    if not rating.bad:
        raise RatingError("只有“不满意”“非常不满意”的评价需要整改回访")
    if days < 1:
        raise RatingError("整改期限至少 1 个工作日")
    opened = dt.date.fromisoformat(at[:10])
    return FollowUp(rating_id, opened, calendar.add_working_days(opened, days).date, (Step("opened", actor, at),))


def advance(follow_up: FollowUp, step: str, actor: str, at: str, note: str = "") -> FollowUp:
    """The follow-up after ``step``; RatingError (nothing changed) when the step may not come now."""
    if step not in STEP_LABELS or step == "opened":
        raise RatingError(f"未知的整改步骤：{step}")
    allowed = NEXT_STEPS[follow_up.state]
    if step not in allowed:
        if follow_up.closed:
            raise RatingError("该差评整改已办结")
        wanted = "、".join(STEP_LABELS[s].removeprefix("已") for s in sorted(allowed))
        raise RatingError(f"当前为“{follow_up.state_label}”，下一步应为：{wanted}")
    if step in NEEDS_NOTE and not note.strip():
        what = {"closed": "办结须写明处理结果", "revisited": "回访须写明群众意见"}.get(step, "请填写本步骤的情况说明")
        raise RatingError(what)
    if at[:10] < follow_up.steps[-1].at[:10]:
        raise RatingError("步骤时间早于上一步骤")
    return replace(follow_up, steps=follow_up.steps + (Step(step, actor, at, note),))


# -- figures ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RatingFigures:
    total: int  # ratings asked for, 未评价 included
    rated: int
    distribution: Mapping[str, int]  # label → count, the five levels and 未评价, in order
    good_share: float | None  # 满意 + 非常满意 among those who rated
    bad: int
    follow_ups_closed: int
    follow_ups_on_time: int
    follow_ups_open: int
    follow_ups_overdue: int

    @property
    def on_time_share(self) -> float | None:
        return self.follow_ups_on_time / self.follow_ups_closed if self.follow_ups_closed else None


def figures(ratings: Iterable[Rating], follow_ups: Iterable[FollowUp], today: dt.date) -> RatingFigures:
    ratings = list(ratings)
    follow_ups = list(follow_ups)
    counts = Counter(r.label for r in ratings)
    order = [RATING_LEVELS[level] for level in sorted(RATING_LEVELS, reverse=True)] + [UNRATED]
    rated = [r for r in ratings if r.level is not None]
    closed = [f for f in follow_ups if f.closed]
    still_open = [f for f in follow_ups if not f.closed]
    return RatingFigures(
        total=len(ratings), rated=len(rated), distribution={label: counts.get(label, 0) for label in order},
        good_share=(sum(r.level in GOOD_LEVELS for r in rated) / len(rated)) if rated else None,
        bad=sum(r.bad for r in rated), follow_ups_closed=len(closed),
        follow_ups_on_time=sum(f.on_time() for f in closed), follow_ups_open=len(still_open),
        follow_ups_overdue=sum(f.overdue(today) for f in still_open))
