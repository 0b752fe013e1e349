"""The preconditions of every case transition, one function each.

The projection's handlers (case_handlers.py) call these for every event, live or
replayed from sync, and the services and screens ask the same functions before they
offer or write anything: a rule changed here changes all of them together. Each check
raises :class:`CaseError` with a message for the clerk, or returns what it normalised.
"""

from __future__ import annotations

from typing import Any

from hall_app.domain.case_state import (
    APPLICANT_KEYS,
    EDITABLE,
    HAND_OVER_METHODS,
    MATERIAL_MARKS,
    PROXY_RELATIONS,
    RATING_LEVELS,
    RESULT_STATUSES,
    STATUS_LABELS,
    SUPPLY_WAYS,
    TRANSITIONS,
    CaseError,
    CaseState,
)
from hall_app.domain.labels import STEPS

# Statuses in which a department may still report on an item.
RESULT_OPEN = ("accepted", "accepted_deferred", "dispatched")


def _blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


def require_started(state: CaseState) -> None:
    if not state.tracking_code:
        raise CaseError("办件尚未开始")


def transition(state: CaseState, target: str) -> None:
    """Move the case to ``target`` if its status allows it."""
    if target not in TRANSITIONS.get(state.status, set()):
        raise CaseError(f"办件当前状态为“{state.status_label}”，不能变为“{STATUS_LABELS[target]}”")
    state.status = target


def require_editable(state: CaseState, what: str) -> None:
    if state.status not in EDITABLE:
        raise CaseError(f"办件当前为“{state.status_label}”，不能再{what}")


def claimed_by_other(state: CaseState, actor: str) -> str:
    """Who else holds the case ("" when nobody or ``actor`` does)."""
    return state.claimed_by if state.claimed_by and state.claimed_by != actor else ""


def check_claim(state: CaseState, actor: str, force: bool = False) -> None:
    """A clerk may take a case nobody else holds; someone else's needs ``force``
    (the screen asks first)."""
    other = claimed_by_other(state, actor)
    if other and not force:
        raise CaseError(f"该办件正由 {other} 办理；确需接手请确认")


def check_step(step: Any) -> None:
    if step not in STEPS:
        raise CaseError(f"未知步骤 {step}")


def check_applicant_key(key: Any) -> None:
    if key not in APPLICANT_KEYS:
        raise CaseError(f"未知的申请人信息 {key}")


def check_proxy(proxy: Any) -> None:
    """A proxy (代办人) names a person and a relation from the list, or is cleared."""
    if proxy in (None, {}):
        return
    if not isinstance(proxy, dict):
        raise CaseError("代办人信息格式有误")
    if _blank(proxy.get("name")):
        raise CaseError("请填写代办人姓名")
    if proxy.get("relation") not in PROXY_RELATIONS:
        raise CaseError(f"关系请从以下选择：{'、'.join(PROXY_RELATIONS)}")


def check_mark(status: Any) -> None:
    """A material is handed in, missing or deferred (or its mark is cleared)."""
    if status not in (None, "") and status not in MATERIAL_MARKS:
        raise CaseError("材料状态应为：已收、缺、容缺后补")


def notice_named(state: CaseState) -> list[str]:
    """Every material the case's one-time notices have named so far, first named first."""
    named: list[str] = []
    for notice in state.notices:
        named += [code for code in notice.get("missing", []) if code not in named]
    return named


def notice_added(state: CaseState, missing: Any) -> list[str]:
    """What a further notice naming ``missing`` would add to what the earlier ones named
    (the 一次告知 rule: everything missing is told at once; [] for a first notice)."""
    if not isinstance(missing, (list, tuple)) or not all(isinstance(code, str) for code in missing):
        raise CaseError("告知书的材料清单格式有误")
    if not state.notices:
        return []
    named = set(notice_named(state))
    return [code for code in missing if code not in named]


def notice_needs_reason(state: CaseState, missing: Any = ()) -> bool:
    """A further notice needs the clerk's reason when it names a material the earlier
    ones did not (一次告知); one naming only what was told before needs none."""
    return state.status == "notice_issued" and bool(notice_added(state, missing))


def check_notice(state: CaseState, reason: Any, missing: Any, names: dict[str, str] | None = None) -> None:
    """One notice tells everything missing. A further one only after the facts changed,
    and one that names a material no earlier notice named only with the reason why
    (``names``: the materials' names for the message; codes without)."""
    added = notice_added(state, missing)
    if state.status != "notice_issued":
        return
    if not state.changed_since_notice:
        raise CaseError("已出具过一次性告知书；只有情况变化后才能再次告知")
    if added and _blank(reason):
        listed = "、".join((names or {}).get(code, code) for code in added)
        raise CaseError(f"一次告知：此前的告知书没有列出{listed}；再次告知增加材料须写明原因")


def check_refusal(reason: Any) -> None:
    if _blank(reason):
        raise CaseError("不予受理必须写明理由")


def check_void(reason: Any) -> None:
    if _blank(reason):
        raise CaseError("作废必须写明原因")


def check_supply(state: CaseState, material: Any, via: Any = "paper", licence: Any = "") -> str:
    """A deferred material is handed in while the case waits for it (容缺受理, 办理中, or
    已办结 before the hand-over: the departments may finish first): on paper, or (``via =
    "elicence"``) as the e-licence ``licence`` fetched from the person file (电子证照已调取).
    Returns how."""
    if state.status not in ("accepted_deferred", "dispatched", "completed"):
        raise CaseError(f"办件当前状态为“{state.status_label}”，不能登记补交容缺材料")
    if material not in state.deferred:
        raise CaseError("该材料不在容缺补交清单中")
    if via not in SUPPLY_WAYS:
        raise CaseError("补交方式应为纸质材料或电子证照")
    if via == "elicence" and _blank(licence):
        raise CaseError("以电子证照补交须写明所调取的电子证照")
    return str(via)


def check_result_fields(status: Any, note: Any) -> None:
    """What a department's result may say: a known status, and a note for a rejection."""
    if status not in RESULT_STATUSES:
        raise CaseError(f"办理结果应为：{'、'.join(RESULT_STATUSES)}")
    if status == "rejected" and _blank(note):
        raise CaseError("不予批准须写明理由")
    if status == "needs_material" and _blank(note):
        raise CaseError("退回补正须写明需补交的材料")


def check_item_result(state: CaseState, item: Any, status: Any, note: Any) -> None:
    """A result for an item of this case that is still open, while the case is handled."""
    check_result_fields(status, note)
    if item not in state.items:
        raise CaseError(f"本办件没有事项 {item}")
    if state.status not in RESULT_OPEN:
        raise CaseError(f"办件当前状态为“{state.status_label}”，不能登记办理结果")
    from hall_app.domain.dispatch import check_item_step

    check_item_step(item, state.items[item]["status"], status)


def check_hand_over(method: Any) -> None:
    if method not in HAND_OVER_METHODS:
        raise CaseError("送达方式应为窗口领取或邮政寄递")


def rating_level(level: Any) -> int:
    """The level as an int within the five of 好差评 (5 非常满意 … 1 非常不满意)."""
    if isinstance(level, bool):
        raise CaseError("评价等级应为1至5")
    try:
        value = int(level)
    except (TypeError, ValueError):
        raise CaseError("评价等级应为1至5") from None
    if value != level and not (isinstance(level, str) and level.strip() == str(value)):
        raise CaseError("评价等级应为1至5")
    if value not in RATING_LEVELS:
        raise CaseError("评价等级应为1至5")
    return value


def check_review(state: CaseState, note: Any) -> None:
    if not state.needs_review:
        raise CaseError("该办件没有待核对的冲突")
    if _blank(note):
        raise CaseError("核对完毕须写明核对结论")
