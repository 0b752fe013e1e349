"""The case (办件) and its state machine, as a projection of its events.

``apply`` is pure: state + event → new state. Live writes and a rebuild from the
log go through the same function, so they cannot disagree. In strict mode an
illegal event raises :class:`CaseError` (the service refuses it before writing);
when replaying events that came from elsewhere, an event that no longer fits is
recorded as an anomaly and the case is flagged for review instead.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from hall_app.domain.events import Event

STATUS_LABELS = {
    "draft": "草稿",
    "notice_issued": "已一次性告知",
    "accepted": "已受理",
    "accepted_deferred": "容缺受理",
    "refused": "不予受理",
    "dispatched": "办理中",
    "completed": "已办结",
    "handed_over": "已送达",
    "rated": "已评价",
    "voided": "已作废",
}
TRANSITIONS: dict[str, set[str]] = {
    "draft": {"notice_issued", "accepted", "accepted_deferred", "refused", "voided"},
    "notice_issued": {"notice_issued", "accepted", "accepted_deferred", "refused", "voided"},
    "accepted_deferred": {"accepted", "dispatched", "voided"},
    "accepted": {"dispatched", "voided"},
    "dispatched": {"completed", "voided"},
    "completed": {"handed_over"},
    "handed_over": {"rated"},
    "refused": {"rated"},
    "rated": set(),
    "voided": set(),
}
EDITABLE = {"draft", "notice_issued"}
DECISION_EVENTS = {
    "case.notice_issued": "notice_issued",
    "case.accepted": "accepted",
    "case.accepted_deferred": "accepted_deferred",
    "case.refused": "refused",
}
ITEM_STATUS_LABELS = {
    "pending": "待受理",
    "dispatched": "已分发",
    "received": "部门已接收",
    "approved": "已批准",
    "rejected": "不予批准",
    "completed": "已办结",
}
ITEM_FINAL = {"rejected", "completed"}
RATING_LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


class CaseError(Exception):
    """An action the case's state does not allow; the message is for the clerk."""


@dataclass
class CaseState:
    case_id: str
    tracking_code: str = ""
    bundle_code: str = ""
    bundle_version: int = 0
    bundle_hash: str = ""
    hall: str = ""
    window: str = ""
    channel: str = "window"
    status: str = "draft"
    step: str = "need"
    created_by: str = ""
    created_at: str = ""
    updated_at: str = ""
    claimed_by: str = ""
    applicant: dict[str, str] = field(default_factory=dict)
    proxy: dict[str, str] | None = None
    answers: dict[str, str] = field(default_factory=dict)
    marks: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    notices: list[dict[str, Any]] = field(default_factory=list)
    changed_since_notice: bool = False
    deferred: list[str] = field(default_factory=list)
    deferred_deadline: str = ""
    decided_at: str = ""
    decision: dict[str, Any] = field(default_factory=dict)
    handed_over: dict[str, Any] = field(default_factory=dict)
    rating: dict[str, Any] = field(default_factory=dict)
    documents: list[dict[str, Any]] = field(default_factory=list)
    void_reason: str = ""
    needs_review: bool = False
    anomalies: list[str] = field(default_factory=list)
    # Same-field conflicts between devices (see ``_track``): both values, the one kept.
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)  # who cleared needs_review, why
    # slot → [event_id, actor, device_time] of the event that last set it.
    setters: dict[str, list[str]] = field(default_factory=dict)
    version: int = 0

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def applicant_name(self) -> str:
        return self.applicant.get("name", "")

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.__dict__)


# Events that set one value of a case ("slot"). Two devices setting the same slot
# without having seen each other's write conflict; see docs/sync.md.
SLOT_LABELS = {"applicant": "申请人", "answer": "情形答案", "material": "材料状态", "field": "表单字段",
               "proxy": "代办人"}


def slot_of(kind: str, payload: dict[str, Any]) -> str | None:
    if kind == "case.applicant_set":
        return f"applicant:{payload.get('key')}"
    if kind == "case.answer_set":
        return f"answer:{payload.get('question')}"
    if kind == "case.material_marked":
        return f"material:{payload.get('material')}"
    if kind == "case.field_set":
        return f"field:{payload.get('key')}"
    if kind == "case.proxy_set":
        return "proxy"
    return None


def stamp_base(state: CaseState | None, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload plus ``base``: the id of the write this one replaces ("" for none).

    It is what the writing device knew of the slot; replay compares it with the
    setter it actually finds there to tell an overwrite from a concurrent write.
    """
    slot = slot_of(kind, payload)
    if slot is None or "base" in payload:
        return payload
    setter = state.setters.get(slot) if state is not None else None
    return {**payload, "base": setter[0] if setter else ""}


def _track(s: CaseState, e: Event, slot: str, old: Any, new: Any) -> None:
    """Record ``e`` as the setter of ``slot``; a write that did not see the current
    setter is concurrent with it: the later one in canonical (server) order is kept,
    both values stay listed and the case is flagged for review."""
    current = s.setters.get(slot)
    if "base" in e.payload and current and current[0] != (e.payload.get("base") or "") and old != new:
        s.conflicts.append({
            "slot": slot, "label": SLOT_LABELS.get(slot.split(":")[0], slot),
            "kept": {"value": new, "event_id": e.event_id, "actor": e.actor, "device": e.device_id,
                     "at": e.device_time},
            "other": {"value": old, "event_id": current[0], "actor": current[1], "at": current[2]},
        })
        s.needs_review = True
    s.setters[slot] = [e.event_id, e.actor, e.device_time]


def review_lines(state: CaseState) -> list[str]:
    """Why a case needs review, one Chinese line each (for the case view)."""
    lines = []
    for c in state.conflicts:
        name = c["slot"].split(":", 1)[-1]
        lines.append(f"{c['label']} {name} 被两台设备同时修改：保留“{_show(c['kept']['value'])}”"
                     f"（{c['kept']['actor']}），另一值“{_show(c['other']['value'])}”（{c['other']['actor']}）")
    lines += state.anomalies
    return lines


def _show(value: Any) -> str:
    if value in (None, ""):
        return "（清空）"
    if isinstance(value, dict):
        return value.get("name", "") or str(value)
    return str(value)


def _transition(state: CaseState, target: str) -> None:
    if target not in TRANSITIONS.get(state.status, set()):
        raise CaseError(f"办件当前状态为“{state.status_label}”，不能变为“{STATUS_LABELS[target]}”")
    state.status = target


def _require_editable(state: CaseState, what: str) -> None:
    if state.status not in EDITABLE:
        raise CaseError(f"办件已{state.status_label}，不能再{what}")


def apply(state: CaseState | None, event: Event, strict: bool = True) -> CaseState:
    """Return the state after ``event``; ``state`` is not modified."""
    new = CaseState(case_id=event.case_id) if state is None else copy.deepcopy(state)
    try:
        _apply(new, event)
    except Exception as exc:  # noqa: BLE001 - replay must never stop on one event (docs/sync.md)
        if strict and isinstance(exc, CaseError):
            raise
        if strict:  # a payload the rules cannot read: refuse it as a rule would
            raise CaseError(f"事件内容无法处理（{type(exc).__name__}）") from exc
        new = CaseState(case_id=event.case_id) if state is None else copy.deepcopy(state)
        why = exc if isinstance(exc, CaseError) else f"事件内容无法处理（{type(exc).__name__}: {str(exc)[:80]}）"
        new.anomalies.append(f"{str(event.type)[:40]}（{event.device_id}#{event.device_seq}）：{why}")
        new.needs_review = True
    new.version += 1
    if event.device_time:
        new.updated_at = event.device_time
    return new


def _apply(s: CaseState, e: Event) -> None:
    p = e.payload
    kind = e.type
    if kind != "case.started" and not s.tracking_code:
        raise CaseError("办件尚未开始")
    if kind == "case.started":
        if s.tracking_code:
            raise CaseError("办件已开始，不能重复开始")
        s.tracking_code = p["tracking_code"]
        s.bundle_code = p["bundle_code"]
        s.bundle_version = int(p.get("bundle_version", 1))
        s.bundle_hash = p.get("bundle_hash", "")
        s.hall = p.get("hall", "")
        s.window = p.get("window", "")
        s.channel = p.get("channel", "window")
        s.created_by = e.actor
        s.created_at = e.device_time
        s.claimed_by = e.actor
    elif kind == "case.claimed":
        s.claimed_by = p["user"]
    elif kind == "case.step_set":
        s.step = p["step"]
    elif kind == "case.applicant_set":
        _require_editable(s, "修改申请人")
        _set_slot(s, e, s.applicant, p["key"], p.get("value"))
    elif kind == "case.proxy_set":
        _require_editable(s, "修改代办人")
        old, s.proxy = s.proxy, dict(p["proxy"]) if p.get("proxy") else None
        _track(s, e, "proxy", old, s.proxy)
        s.changed_since_notice = True
    elif kind == "case.answer_set":
        _require_editable(s, "修改情形答案")
        _set_slot(s, e, s.answers, p["question"], p.get("value"))
    elif kind == "case.material_marked":
        _require_editable(s, "修改材料状态")
        _set_slot(s, e, s.marks, p["material"], p.get("status"))
    elif kind == "case.field_set":
        _require_editable(s, "修改表单")
        _set_slot(s, e, s.fields, p["key"], p.get("value"))
    elif kind == "case.notice_issued":
        if s.status == "notice_issued" and not (s.changed_since_notice and p.get("reason")):
            raise CaseError("已出具过一次性告知书；只有情况变化后才能再次告知，并须写明原因")
        _transition(s, "notice_issued")
        s.notices.append({"missing": list(p.get("missing", [])), "deadline": p.get("deadline", ""),
                          "reason": p.get("reason", ""), "at": e.device_time, "by": e.actor})
        s.changed_since_notice = False
    elif kind in ("case.accepted", "case.accepted_deferred"):
        _transition(s, DECISION_EVENTS[kind])
        if not s.items:
            for code, due in (p.get("items") or {}).items():
                s.items[code] = {"status": "pending", "due": due, "note": "", "document": ""}
        s.decided_at = e.device_time
        s.decision = {"type": kind, "by": e.actor, "warnings": list(p.get("warnings", []))}
        if kind == "case.accepted_deferred":
            s.deferred = list(p.get("deferred", []))
            s.decision["deferred"] = list(s.deferred)
            s.deferred_deadline = p.get("deadline", "")
    elif kind == "case.deferred_supplied":
        if s.status not in ("accepted_deferred", "dispatched") or p["material"] not in s.deferred:
            raise CaseError("该材料不在容缺补交清单中")
        s.deferred.remove(p["material"])
        s.marks[p["material"]] = "handed_in"
        if not s.deferred and s.status == "accepted_deferred":
            _transition(s, "accepted")
    elif kind == "case.refused":
        if not p.get("reason"):
            raise CaseError("不予受理必须写明理由")
        _transition(s, "refused")
        s.decided_at = e.device_time
        s.decision = {"type": kind, "by": e.actor, "reason": p["reason"], "basis": p.get("basis", "")}
    elif kind == "case.dispatched":
        _transition(s, "dispatched")
        for item in s.items.values():
            if item["status"] == "pending":
                item["status"] = "dispatched"
    elif kind == "case.item_result":
        code = p["item"]
        if code not in s.items:
            raise CaseError(f"本办件没有事项 {code}")
        if s.status not in ("dispatched", "accepted", "accepted_deferred"):
            raise CaseError(f"办件当前状态为“{s.status_label}”，不能登记办理结果")
        if s.items[code]["status"] in ITEM_FINAL:
            raise CaseError(f"事项 {code} 已有最终结果")
        s.items[code].update(status=p["status"], note=p.get("note", ""), document=p.get("document", ""),
                             at=e.device_time)
        if s.status == "dispatched" and all(i["status"] in ITEM_FINAL for i in s.items.values()):
            _transition(s, "completed")
    elif kind == "case.handed_over":
        _transition(s, "handed_over")
        s.handed_over = {"method": p.get("method", "window"), "note": p.get("note", ""), "at": e.device_time}
    elif kind == "case.rated":
        level = int(p["level"])
        if level not in RATING_LEVELS:
            raise CaseError("评价等级应为1至5")
        _transition(s, "rated")
        s.rating = {"level": level, "label": RATING_LEVELS[level], "comment": p.get("comment", ""),
                    "at": e.device_time}
    elif kind == "case.reviewed":
        if not s.needs_review:
            raise CaseError("该办件没有待核对的冲突")
        if not p.get("note"):
            raise CaseError("核对完毕须写明核对结论")
        s.needs_review = False
        s.reviews.append({"note": p["note"], "by": e.actor, "at": e.device_time,
                          "conflicts": len(s.conflicts), "anomalies": len(s.anomalies)})
    elif kind == "case.voided":
        if not p.get("reason"):
            raise CaseError("作废必须写明原因")
        _transition(s, "voided")
        s.void_reason = p["reason"]
    elif kind == "case.document_printed":
        s.documents.append({k: p.get(k, "") for k in ("kind", "path", "paper", "printer", "error")}
                           | {"at": e.device_time, "by": e.actor})
    else:
        raise CaseError(f"未知的事件类型 {kind}")


def _set_slot(s: CaseState, e: Event, target: dict[str, str], key: str, value: Any) -> None:
    old = target.get(key)
    _set_or_clear(target, key, value)
    _track(s, e, slot_of(e.type, e.payload) or key, old, target.get(key))
    s.changed_since_notice = True


def _set_or_clear(target: dict[str, str], key: str, value: Any) -> None:
    if value in (None, ""):
        target.pop(key, None)
    else:
        target[key] = value


def replay(events: list[Event], strict: bool = False) -> CaseState | None:
    """The state after ``events`` in their (canonical) order.

    A case's ``case.started`` is applied first wherever it stands: after a server is
    restored from an old backup, another device's edits can reach the feed again before
    the start does, and every device must still get the same case.
    """
    start = next((i for i, e in enumerate(events) if e.type == "case.started"), 0)
    if start:
        events = [events[start], *events[:start], *events[start + 1:]]
    state: CaseState | None = None
    for event in events:
        state = apply(state, event, strict=strict)
    return state
