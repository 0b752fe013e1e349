"""Which decisions (受理 / 容缺受理 / 一次性告知 / 不予受理) a case allows now, and why not.

One function answers for the services (which refuse with the reasons) and the
decision screen (which shows the first of them next to each option).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hall_app.domain.case_rules import notice_needs_reason
from hall_app.domain.case_state import EDITABLE, CaseError, CaseState
from hall_app.domain.ids import identify
from hall_app.domain.planner import Plan

DECISIONS = ("accept", "defer", "notice", "refuse")
# What the clerk is told when a decision is refused: "<prefix>：<reasons>".
REFUSED_PREFIX = {
    "accept": "不能受理",
    "defer": "不能容缺受理",
    "notice": "不能出具告知书",
    "refuse": "不予受理通知书须写明申请人",
}
DISHONEST = "申请人有未结失信记录，不适用容缺受理"
NOTHING_MISSING = "没有缺少的材料，无需一次性告知"
NOTHING_DEFERRED = "材料已齐全，直接受理即可"
NOTHING_CHANGED = "已出具一次性告知书，此后材料没有变化：原告知书仍然有效"


def brief(reasons: Iterable[str]) -> str:
    """The first two reasons and how many there are: one line of the decision screen."""
    reasons = list(reasons)
    return "；".join(reasons[:2]) + (f" 等{len(reasons)}项" if len(reasons) > 2 else "")


@dataclass(frozen=True)
class DecisionOption:
    kind: str
    reasons: tuple[str, ...] = ()  # why it cannot be taken now, in full (the service's refusal)
    headline: str = ""  # the main reason in a few words (the decision screen's line)

    @property
    def available(self) -> bool:
        return not self.reasons

    def require(self) -> None:
        if self.reasons:
            raise CaseError(f"{REFUSED_PREFIX[self.kind]}：" + "；".join(self.reasons))


def identity_blockers(applicant: Mapping[str, str]) -> tuple[str, ...]:
    """What is missing or wrong in who the applicant is (stops every decision)."""
    out = []
    key = applicant.get("id_number") or applicant.get("uscc")
    if not key:
        out.append("尚未录入申请人身份证号码或统一社会信用代码")
    else:
        check = identify(key)
        if not check.ok:
            out.append(f"申请人证件号码有误：{check.error}")
    if not applicant.get("name"):
        out.append("尚未录入申请人姓名")
    return tuple(out)


def question_blockers(plan: Plan) -> tuple[str, ...]:
    return tuple(f"情形问题未回答：{q.text}" for q in plan.pending)


def _names(materials: Iterable) -> str:
    return "、".join(m.material.name for m in materials)


def decision_options(state: CaseState, plan: Plan, form_errors: Iterable[str] = (),
                     dishonest: bool = False, authorisation: str = "") -> dict[str, DecisionOption]:
    """Each decision with the reasons it cannot be taken now (none: it can).

    ``form_errors`` are the merged form's failed checks (they stop an acceptance, not
    a notice or a refusal); ``dishonest`` is an open 失信 record on the person file;
    ``authorisation`` is why a proxy case's 授权委托书 does not allow acceptance
    (domain/authorisation.case_problem; it stops 受理 and 容缺受理).
    """
    if state.status not in EDITABLE:
        closed = f"办件当前为“{state.status_label}”，已作出决定"
        return {kind: DecisionOption(kind, (closed,), closed) for kind in DECISIONS}
    identity = identity_blockers(state.applicant)
    blockers = identity + question_blockers(plan)
    form = tuple(form_errors) + ((authorisation,) if authorisation else ())
    out: dict[str, DecisionOption] = {}

    accept = list(blockers)
    if plan.missing or plan.deferred:
        accept.append(f"材料未收齐（{_names(plan.missing + plan.deferred)}）：请出具一次性告知书，"
                      "或（仅缺可容缺材料时）容缺受理")
    if blockers:
        headline = brief(blockers)
    elif plan.missing or plan.deferred:
        headline = f"材料未收齐（缺 {len(plan.missing)} 项）" if plan.missing else "材料未收齐"
    else:
        headline = brief(form)
    out["accept"] = DecisionOption("accept", tuple(accept) + form, headline)

    defer = [DISHONEST] if dishonest else []
    defer += blockers
    if plan.missing_not_deferrable:
        defer.append(f"缺少非容缺材料（{_names(plan.missing_not_deferrable)}），应出具一次性告知书")
    defer += form
    if not defer and not (plan.missing or plan.deferred):
        defer.append(NOTHING_DEFERRED)
    if blockers:
        headline = brief(blockers)
    elif dishonest:
        headline = "申请人有未结失信记录"
    elif plan.missing_not_deferrable:
        headline = "缺少非容缺材料"
    elif not (plan.missing or plan.deferred):
        headline = "材料已齐全"
    else:
        headline = brief(form)
    out["defer"] = DecisionOption("defer", tuple(defer), headline)

    notice = list(blockers)
    if not plan.missing:
        notice.append(NOTHING_MISSING)
    elif state.status == "notice_issued" and not state.changed_since_notice:
        notice.append(NOTHING_CHANGED)
    headline = brief(blockers) if blockers else "没有缺少的材料" if not plan.missing else \
        "告知后材料没有变化" if notice else ""
    out["notice"] = DecisionOption("notice", tuple(notice), headline)

    out["refuse"] = DecisionOption("refuse", identity, "；".join(identity))
    return out


def needs_reason(kind: str, state: CaseState, missing: Iterable[str] = ()) -> bool:
    """Whether taking decision ``kind`` now asks the clerk for a reason (the screen asks
    before it decides): a refusal always; a further notice when it names a material
    (``missing``: what it would name) that no earlier notice named (一次告知)."""
    return kind == "refuse" or (kind == "notice" and notice_needs_reason(state, list(missing)))


def deferred_materials(plan: Plan) -> list[str]:
    """What a 容缺受理 leaves to be handed in later: every material still missing or deferred."""
    return [m.material.code for m in plan.missing] + [m.material.code for m in plan.deferred]
