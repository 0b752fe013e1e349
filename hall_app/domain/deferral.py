"""A deferral (容缺受理) after the counter: where it stands and what the window does next,
as the signed 容缺受理承诺书 says (the bundle's ``deferral`` policy, domain/bundle.py).
Pure: the calendar and today are passed in.

Stages, in working days (domain/calendar.py: holidays and 调休 make-up days count):

    due          待补交      before the reminder window
    remind       应提醒      ``remind_before_days`` before the deadline up to it, no reminder yet
    reminded     已提醒      in the window, reminded
    overdue      已逾期      after the deadline, within ``grace_days``; or not reminded yet;
                             or the policy is ``remind_only``
    consequence  应终止/撤销 after the grace days, reminded: 终止办理 or 撤销受理 is due

The next action: ``remind`` (one reminder before the deadline and one after it at most),
the consequence (``terminate`` / ``revoke``), or none. The consequence needs a recorded
reminder: the 承诺书 promises one first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hall_app.domain.case_state import CaseError, CaseState

if TYPE_CHECKING:
    from hall_app.domain.bundle import DeferralPolicy
    from hall_app.domain.calendar import WorkCalendar

STAGE_LABELS = {"due": "待补交", "remind": "应提醒", "reminded": "已提醒", "overdue": "已逾期",
                "consequence": "逾期应处理"}
CONSEQUENCES = {"terminate": "终止办理", "revoke": "撤销受理", "remind_only": "只提醒"}
ACTION_LABELS = {"remind": "记录提醒", "terminate": "终止办理", "revoke": "撤销受理"}
REMINDER_CHANNELS = {"phone": "电话", "sms": "短信", "in_person": "当面", "letter": "书面"}


@dataclass(frozen=True)
class DeferralStage:
    stage: str  # a key of STAGE_LABELS
    deadline: dt.date
    remind_from: dt.date
    grace_end: dt.date  # the consequence is due after this day
    reminded: str  # the last reminder's day ("" if none)
    action: str  # "remind", "terminate", "revoke" or ""
    on_overdue: str

    @property
    def label(self) -> str:
        if self.stage == "consequence":
            return f"应{CONSEQUENCES[self.on_overdue]}"
        return STAGE_LABELS[self.stage]

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, "")


def _day(stamp: Any) -> dt.date | None:
    from hall_app.domain.dispatch import hall_time, parse_day

    return parse_day(hall_time(stamp)) if stamp else None


def working_days_before(calendar: WorkCalendar, day: dt.date, days: int) -> dt.date:
    """The working day ``days`` working days before ``day`` (``day`` itself when 0)."""
    current, counted = day, 0
    while counted < days:
        current -= dt.timedelta(days=1)
        if calendar.is_working_day(current):
            counted += 1
    return current


def stage(state: CaseState, policy: DeferralPolicy, calendar: WorkCalendar, today: dt.date) -> DeferralStage | None:
    """Where the case's deferral stands today; None when nothing is deferred (or the case ended)."""
    from hall_app.domain.dispatch import parse_day

    deadline = parse_day(state.deferred_deadline)
    if not state.deferred or deadline is None or state.status in ("terminated", "voided", "refused"):
        return None
    remind_from = working_days_before(calendar, deadline, policy.remind_before_days)
    grace_end = calendar.add_working_days(deadline, policy.grace_days).date
    days = [d for d in (_day(r.get("at")) for r in state.deferral_reminders) if d]
    last = max(days, default=None)
    before, after = any(d <= deadline for d in days), any(d > deadline for d in days)

    def at(name: str, action: str = "") -> DeferralStage:
        return DeferralStage(name, deadline, remind_from, grace_end, last.isoformat() if last else "", action,
                             policy.on_overdue)

    if today < remind_from:
        return at("due")
    if today <= deadline:
        return at("reminded") if before else at("remind", "remind")
    if today > grace_end and days and policy.on_overdue != "remind_only":
        return at("consequence", policy.on_overdue)
    return at("overdue", "" if after else "remind")


def flag(st: DeferralStage, materials: str) -> str:
    """The clerk's follow-up line for the deferral: the stage and the next step before the
    materials (the list clips the line); 逾期 in it sorts the case first."""
    deadline = st.deadline.isoformat()
    nxt = f"→{st.action_label}" if st.action else ""
    said = f"，{st.reminded} 已提醒" if st.reminded and st.stage != "consequence" else ""  # it needs one
    if st.stage == "due":
        return f"容缺材料待补交（期限 {deadline}）：{materials}"
    if st.stage in ("remind", "reminded"):
        return f"容缺材料{st.label}（期限 {deadline}{said}）{nxt}：{materials}"
    grace = f"，宽限至 {st.grace_end.isoformat()}" if st.grace_end > st.deadline and st.stage == "overdue" else ""
    return f"容缺材料逾期未补交（期限 {deadline}{grace}{said}）{nxt}：{materials}"


def consequence_text(policy: DeferralPolicy) -> str:
    """The 承诺书's clause: what happens to a deferral not supplied in time."""
    before = (f"补交期限届满前 {policy.remind_before_days} 个工作日起，窗口提醒申请人补交" if policy.remind_before_days
              else "补交期限届满当日，窗口提醒申请人补交")
    grace = f"期限届满后 {policy.grace_days} 个工作日内" if policy.grace_days else "期限届满"
    then = {
        "terminate": f"{grace}仍未补交的，视为未提交申请材料，终止办理，并书面通知申请人",
        "revoke": f"{grace}仍未补交的，撤销已作出的受理决定，并书面通知申请人",
        "remind_only": "逾期未补交的，窗口再次提醒，相关事项待材料补齐后继续办理",
    }[policy.on_overdue]
    return f"{before}；{then}。申请人作出不实承诺的，依法记入信用记录。"


def reminder_problem(st: DeferralStage | None) -> str:
    """Why a reminder may not be recorded now ("" when it may)."""
    if st is None:
        return "该办件没有待补交的容缺材料，无需提醒"
    if st.action == "remind":
        return ""
    if st.stage == "due":
        return f"补交期限 {st.deadline.isoformat()}，{st.remind_from.isoformat()} 起才需提醒"
    return f"已于 {st.reminded} 提醒过申请人" + ("，期满后按承诺书处理" if st.stage != "consequence" else "")


def consequence_problem(st: DeferralStage | None) -> str:
    """Why 终止/撤销 of the deferral may not be recorded now ("" when it may)."""
    if st is None:
        return "容缺材料尚未逾期（或已补齐），不能终止办理"
    if st.stage == "consequence":
        return ""
    if st.on_overdue == "remind_only" and st.stage == "overdue":
        return "本套餐的容缺受理承诺书约定逾期只提醒，不终止办理"
    if st.stage == "overdue" and not st.reminded:
        return "承诺书约定先提醒后处理：请先记录提醒申请人"
    if st.stage == "overdue":
        return f"宽限期至 {st.grace_end.isoformat()}，期满仍未补交才能{CONSEQUENCES[st.on_overdue]}"
    return f"容缺材料尚未逾期（补交期限 {st.deadline.isoformat()}），不能终止办理"


def check_reminder(state: CaseState, materials: Any) -> None:
    """The replayed reminder: something must be deferred, and it names what."""
    if not state.deferred or state.status in ("terminated", "voided", "refused", "handed_over", "rated"):
        raise CaseError("该办件没有待补交的容缺材料，无需提醒")
    if not isinstance(materials, list) or not materials:
        raise CaseError("提醒须写明待补交的材料")
