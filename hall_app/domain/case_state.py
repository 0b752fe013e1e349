"""The case's state and vocabulary: statuses, transitions, the slots devices write.

Import-free apart from the event type (the UI reads the labels before its first frame).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from hall_app.domain.events import Event
from hall_app.domain.labels import HAND_OVER_METHODS, ITEM_STATUS_LABELS  # noqa: F401 - re-exported

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
    "terminated": "已终止",
}
TRANSITIONS: dict[str, set[str]] = {
    "draft": {"notice_issued", "accepted", "accepted_deferred", "refused", "voided"},
    "notice_issued": {"notice_issued", "accepted", "accepted_deferred", "refused", "voided"},
    "accepted_deferred": {"accepted", "dispatched", "voided", "terminated"},
    "accepted": {"dispatched", "voided", "terminated"},
    "dispatched": {"completed", "voided", "terminated"},
    "completed": {"handed_over", "terminated"},
    "handed_over": {"rated", "terminated"},
    "refused": {"rated"},
    "rated": set(),
    "voided": set(),
    "terminated": set(),  # 容缺 overdue (终止) or a failed 告知承诺 check (撤销): docs/dispatch.md
}
EDITABLE = {"draft", "notice_issued"}
DECISION_EVENTS = {
    "case.notice_issued": "notice_issued",
    "case.accepted": "accepted",
    "case.accepted_deferred": "accepted_deferred",
    "case.refused": "refused",
}
ITEM_FINAL = {"rejected", "completed"}
# What a department may report for an item (pending and dispatched are the hall's own).
RESULT_STATUSES = ("received", "in_progress", "needs_material", "approved", "rejected", "completed")
RATING_LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
MATERIAL_MARKS = ("handed_in", "missing", "deferred")
SUPPLY_WAYS = ("paper", "elicence")  # a deferred material handed in on paper, or its e-licence fetched
APPLICANT_KEYS = ("id_number", "uscc", "name", "phone", "address", "firm_name")
PROXY_RELATIONS = ("配偶", "子女", "父母", "其他亲属", "帮代办员", "村（社区）干部")


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
    ticket: str = ""  # the queue ticket (id) served when the case was started; "" for a walk-in
    ticket_label: str = ""  # its number, e.g. A012
    status: str = "draft"
    step: str = "need"
    created_by: str = ""
    created_at: str = ""
    updated_at: str = ""
    claimed_by: str = ""
    applicant: dict[str, str] = field(default_factory=dict)
    proxy: dict[str, str] | None = None
    authorisation: dict[str, Any] | None = None  # the 授权委托书 copy (domain/authorisation.py)
    answers: dict[str, str] = field(default_factory=dict)
    marks: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    notices: list[dict[str, Any]] = field(default_factory=list)
    changed_since_notice: bool = False
    deferred: list[str] = field(default_factory=list)
    deferred_deadline: str = ""
    # deferred material → how it came: {"via": "paper" | "elicence", "licence", "at", "by"}
    supplied: dict[str, dict[str, Any]] = field(default_factory=dict)
    # case.deferral_reminded: {"at", "by", "channel", "materials", "note"} (domain/deferral.py)
    deferral_reminders: list[dict[str, Any]] = field(default_factory=list)
    decided_at: str = ""
    decision: dict[str, Any] = field(default_factory=dict)
    handed_over: dict[str, Any] = field(default_factory=dict)
    termination: dict[str, Any] = field(default_factory=dict)  # case.terminated: kind, reason, basis
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)  # 告知承诺 item → post-check
    rating: dict[str, Any] = field(default_factory=dict)
    documents: list[dict[str, Any]] = field(default_factory=list)
    void_reason: str = ""
    needs_review: bool = False
    anomalies: list[str] = field(default_factory=list)
    # Same-field conflicts between devices (see ``_track``): both values, the one kept.
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)  # who cleared needs_review, why
    # Other open proxy cases of the same principal and bundle the server found (case.duplicate_flagged).
    duplicates: list[dict[str, Any]] = field(default_factory=list)
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


def track(s: CaseState, e: Event, slot: str, old: Any, new: Any) -> None:
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
    lines += [duplicate_line(d) for d in state.duplicates]
    lines += state.anomalies
    return lines


def duplicate_who(d: dict[str, Any]) -> str:
    """Who filed the other case: an agent, or a window of the hall (a relative went there)."""
    if d.get("other_agent"):
        return f"（帮代办员 {d['other_agent']}）"
    return f"（大厅窗口 {d['other_window']}）" if d.get("other_window") else ""


def duplicate_line(d: dict[str, Any]) -> str:
    """The Chinese line both agents (and the hall) see for a duplicate proxy filing."""
    from hall_app.domain.tracking import format_tracking_code

    shown = format_tracking_code(str(d.get("other_tracking_code", "")))
    who = duplicate_who(d)
    return (f"疑似重复代办：{d.get('principal_name', '')}的“{d.get('bundle_name', '')}”另有办件 {shown}{who}，"
            "两件均已保留并提交复核，请与对方核实后再继续办理")


def _show(value: Any) -> str:
    if value in (None, ""):
        return "（清空）"
    if isinstance(value, dict):
        return value.get("name", "") or str(value)
    return str(value)
