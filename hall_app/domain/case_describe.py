"""What each event type is called and what one event of it did, in a few Chinese words.

One entry per event type, beside the handlers (case_handlers.py) that give the event
its effect; the case view's timeline and the CLI read it. No imports beyond the
import-free label tables (and the tracking code's format): the UI loads it before its first frame. ``bundle`` is any
object with the bundle's ``name``, ``questions``, ``materials``, ``fields`` and
``items`` (duck-typed, so this module does not load the bundle model).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hall_app.domain.labels import (
    APPLICANT_LABELS,
    DOCUMENT_KINDS,
    HAND_OVER_METHODS,
    ITEM_STATUS_LABELS,
    MATERIAL_STATUS_LABELS,
    STEP_LABELS,
    SUPPLY_LABELS,
)
from hall_app.domain.tracking import format_tracking_code

CLEARED = "（清空）"


class _Names:
    """Code → name look-ups of one bundle, built once per description."""

    def __init__(self, bundle: Any):
        self.bundle_name = getattr(bundle, "name", "")
        self.questions = {q.id: q.text for q in getattr(bundle, "questions", ())}
        self.materials = {m.code: m.name for m in getattr(bundle, "materials", ())}
        self.fields = {f.key: f.label for f in getattr(bundle, "fields", ())}
        self.items = {i.code: i.name for i in getattr(bundle, "items", ())}


def _started(p: dict, n: _Names) -> str:
    text = f"{n.bundle_name} 跟踪码 {format_tracking_code(str(p.get('tracking_code', '')))}"
    return text + (f" 排队号 {p['ticket_label']}" if p.get("ticket_label") else "")


def _claimed(p: dict, n: _Names) -> str:
    return str(p.get("user", ""))


def _applicant(p: dict, n: _Names) -> str:
    return f"{APPLICANT_LABELS.get(p.get('key', ''), p.get('key'))}：{p.get('value') or CLEARED}"


def _proxy(p: dict, n: _Names) -> str:
    proxy = p.get("proxy") or {}
    return f"{proxy.get('name', '')}（{proxy.get('relation', '')}）" if proxy else "本人办理"


def _step(p: dict, n: _Names) -> str:
    return STEP_LABELS.get(p.get("step", ""), p.get("step", ""))


def _answer(p: dict, n: _Names) -> str:
    return f"{n.questions.get(p.get('question'), p.get('question'))} {p.get('value') or '（清除）'}"


def _material(p: dict, n: _Names) -> str:
    status = MATERIAL_STATUS_LABELS.get(p.get("status", ""), p.get("status") or CLEARED)
    return f"{n.materials.get(p.get('material'), p.get('material'))}：{status}"


def _field(p: dict, n: _Names) -> str:
    return f"{n.fields.get(p.get('key'), p.get('key'))}={p.get('value') or CLEARED}"


def _notice(p: dict, n: _Names) -> str:
    names = "、".join(n.materials.get(c, c) for c in p.get("missing", []))
    return f"缺：{names}；期限 {p.get('deadline', '')}" + (f"；再次告知原因：{p['reason']}" if p.get("reason") else "")


def _accepted(p: dict, n: _Names) -> str:
    return "；".join(f"{n.items.get(c, c)} {d}" for c, d in (p.get("items") or {}).items())


def _supplied(p: dict, n: _Names) -> str:
    name = str(n.materials.get(p.get("material"), p.get("material", "")))
    return f"{name}（{SUPPLY_LABELS['elicence']}：{p.get('licence', '')}）" if p.get("via") == "elicence" else name


def _authorisation(p: dict, n: _Names) -> str:
    a = p.get("authorisation") or {}
    if not a:
        return "无（已清除）"
    signed = "，委托书已签回" if a.get("received_at") else "，委托书未签回"
    who = f"委托人 {a.get('principal_name', '')} → {a.get('agent_name', '')}"
    return f"{who}，有效期至 {a.get('valid_until', '')}{signed}"


def _reason(p: dict, n: _Names) -> str:
    return str(p.get("reason", ""))


def _dispatched(p: dict, n: _Names) -> str:
    return "、".join(n.items.get(c, c) for c in p.get("items") or [])


def _item_result(p: dict, n: _Names) -> str:
    status = ITEM_STATUS_LABELS.get(p.get("status", ""), p.get("status"))
    return f"{n.items.get(p.get('item'), p.get('item'))}：{status}" + (f"（{p['note']}）" if p.get("note") else "")


def _handed_over(p: dict, n: _Names) -> str:
    method = HAND_OVER_METHODS.get(p.get("method", ""), str(p.get("method", "")))
    return method + (f" 邮件号 {p['waybill']}" if p.get("waybill") else "")


def _supplemented(p: dict, n: _Names) -> str:
    names = "、".join(str(n.materials.get(c, c)) for c in p.get("materials") or [])
    return f"{n.items.get(p.get('item'), p.get('item'))}：补交 {names}" + (f"（{p['note']}）" if p.get("note") else "")


def _terminated(p: dict, n: _Names) -> str:
    from hall_app.domain.dispatch import TERMINATION_KINDS

    return f"{TERMINATION_KINDS.get(str(p.get('kind', '')), p.get('kind'))}：{p.get('reason', '')}"


def _check(p: dict, n: _Names) -> str:
    from hall_app.domain.dispatch import CHECK_RESULTS

    result = CHECK_RESULTS.get(str(p.get("result", "")), p.get("result"))
    return f"{n.items.get(p.get('item'), p.get('item'))}：{result}" + (f"（{p['note']}）" if p.get("note") else "")


def _rated(p: dict, n: _Names) -> str:
    reasons = "、".join(str(r) for r in p.get("reasons") or [])
    dims = "、".join(f"{name}{score}星" for name, score in (p.get("dimensions") or {}).items())
    return (f"{p.get('level', '')}星" + (f"（{reasons}）" if reasons else "") + (f"；分项：{dims}" if dims else "")
            + (f" {p['comment']}" if p.get("comment") else ""))


def _follow_up(p: dict, n: _Names) -> str:
    from hall_app.domain.rating import STEP_LABELS

    step = STEP_LABELS.get(str(p.get("step", "")), str(p.get("step", "")))
    return f"{step}：{p.get('note', '')}"


def _duplicate(p: dict, n: _Names) -> str:
    from hall_app.domain.case_state import duplicate_line

    return duplicate_line(p)


def _reminded(p: dict, n: _Names) -> str:
    from hall_app.domain.deferral import REMINDER_CHANNELS

    names = "、".join(n.materials.get(c, c) for c in p.get("materials", []) if isinstance(c, str))
    note = f"；{p['note']}" if p.get("note") else ""
    return f"{REMINDER_CHANNELS.get(p.get('channel', ''), '')}提醒补交 {names}（期限 {p.get('deadline', '')}）{note}"


def _reviewed(p: dict, n: _Names) -> str:
    return str(p.get("note", ""))


def _printed(p: dict, n: _Names) -> str:
    name = DOCUMENT_KINDS.get(p.get("kind", ""), p.get("kind"))
    return f"{name} " + (f"失败：{p['error']}" if p.get("error") else "")


# Event type → (label, description of one event).
EVENTS: dict[str, tuple[str, Callable[[dict, _Names], str]]] = {
    "case.started": ("开始办件", _started),
    "case.claimed": ("接手", _claimed),
    "case.applicant_set": ("申请人信息", _applicant),
    "case.proxy_set": ("代办人", _proxy),
    "case.step_set": ("进入步骤", _step),
    "case.answer_set": ("回答情形", _answer),
    "case.material_marked": ("材料状态", _material),
    "case.field_set": ("填写表单", _field),
    "case.notice_issued": ("一次性告知", _notice),
    "case.accepted": ("受理", _accepted),
    "case.accepted_deferred": ("容缺受理", _accepted),
    "case.deferred_supplied": ("补交容缺材料", _supplied),
    "case.refused": ("不予受理", _reason),
    "case.dispatched": ("分发部门", _dispatched),
    "case.item_result": ("部门办理结果", _item_result),
    "case.handed_over": ("送达", _handed_over),
    "case.rated": ("评价", _rated),
    "case.follow_up": ("差评整改回访", _follow_up),
    "case.voided": ("作废", _reason),
    "case.reviewed": ("核对完毕", _reviewed),
    "case.document_printed": ("打印文书", _printed),
    "case.supplemented": ("补正材料", _supplemented),
    "case.terminated": ("终止/撤销", _terminated),
    "case.check_recorded": ("告知承诺核查", _check),
    "case.deferral_reminded": ("提醒补交", _reminded),
    "case.authorisation_set": ("授权委托", _authorisation),
    "case.duplicate_flagged": ("疑似重复代办", _duplicate),
}
EVENT_LABELS = {kind: label for kind, (label, _) in EVENTS.items()}


def event_label(kind: str) -> str:
    return EVENT_LABELS.get(kind, kind)


def describe_event(kind: str, payload: Any, bundle: Any) -> str:
    """What one event did ("" for an unknown type or a payload it cannot read)."""
    entry = EVENTS.get(kind)
    if entry is None or not isinstance(payload, dict):
        return ""
    try:
        return entry[1](payload, _Names(bundle))
    except (AttributeError, TypeError, ValueError):
        return ""
