"""One small handler per event type: check the rule (case_rules.py), change the state.

``HANDLERS`` maps an event type to its handler; ``case.apply`` looks it up. A handler
mutates the copy of the state it is given and raises CaseError when the event does
not fit the case; it never reads anything but the state and the event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hall_app.domain import case_rules as rules
from hall_app.domain.case_state import DECISION_EVENTS, ITEM_FINAL, RATING_LEVELS, CaseError, CaseState, slot_of, track
from hall_app.domain.dispatch import check_waybill
from hall_app.domain.events import Event
from hall_app.domain.rating import RatingError, advance, follow_up_of, make_rating

Handler = Callable[[CaseState, Event], None]


def _set_or_clear(target: dict[str, Any], key: str, value: Any) -> None:
    if value in (None, ""):
        target.pop(key, None)
    else:
        target[key] = value


def _set_slot(s: CaseState, e: Event, target: dict[str, Any], key: str, value: Any) -> None:
    old = target.get(key)
    _set_or_clear(target, key, value)
    track(s, e, slot_of(e.type, e.payload) or key, old, target.get(key))
    s.changed_since_notice = True


def started(s: CaseState, e: Event) -> None:
    if s.tracking_code:
        raise CaseError("办件已开始，不能重复开始")
    p = e.payload
    if not p.get("tracking_code") or not p.get("bundle_code"):
        raise CaseError("开始办件须有跟踪码和套餐")
    s.tracking_code = p["tracking_code"]
    s.bundle_code = p["bundle_code"]
    s.bundle_version = int(p.get("bundle_version", 1))
    s.bundle_hash = p.get("bundle_hash", "")
    s.hall = p.get("hall", "")
    s.window = p.get("window", "")
    s.channel = p.get("channel", "window")
    s.ticket = p.get("ticket", "")
    s.ticket_label = p.get("ticket_label", "")
    s.created_by = e.actor
    s.created_at = e.device_time
    s.claimed_by = e.actor


def claimed(s: CaseState, e: Event) -> None:
    user = e.payload.get("user")
    if not user:
        raise CaseError("接手须写明办理人")
    s.claimed_by = user


def step_set(s: CaseState, e: Event) -> None:
    rules.check_step(e.payload.get("step"))
    s.step = e.payload["step"]


def applicant_set(s: CaseState, e: Event) -> None:
    rules.require_editable(s, "修改申请人")
    rules.check_applicant_key(e.payload.get("key"))
    _set_slot(s, e, s.applicant, e.payload["key"], e.payload.get("value"))


def proxy_set(s: CaseState, e: Event) -> None:
    rules.require_editable(s, "修改代办人")
    proxy = e.payload.get("proxy")
    rules.check_proxy(proxy)
    old, s.proxy = s.proxy, dict(proxy) if proxy else None
    track(s, e, "proxy", old, s.proxy)
    s.changed_since_notice = True


def authorisation_set(s: CaseState, e: Event) -> None:
    """The copy of the 授权委托书 a proxy case is filed under (domain/authorisation.py)."""
    rules.require_editable(s, "修改授权委托")
    data = e.payload.get("authorisation")
    if data is not None and (not isinstance(data, dict) or not data.get("auth_id") or not data.get("principal_id")):
        raise CaseError("授权委托书信息不完整")
    s.authorisation = dict(data) if data else None
    s.changed_since_notice = True


def duplicate_flagged(s: CaseState, e: Event) -> None:
    """The server found another open proxy case of the same principal and bundle (two
    agents, or two laptops, filing the same need offline): both are kept and flagged."""
    other = e.payload.get("other_case_id")
    if not other or other == s.case_id:
        raise CaseError("重复办件标记缺少另一办件")
    if any(d.get("other_case_id") == other for d in s.duplicates):
        return
    keys = ("other_case_id", "other_tracking_code", "other_agent", "other_window", "principal_name", "bundle_name")
    s.duplicates.append({k: e.payload.get(k, "") for k in keys} | {"at": e.device_time})
    s.needs_review = True


def answer_set(s: CaseState, e: Event) -> None:
    rules.require_editable(s, "修改情形答案")
    _set_slot(s, e, s.answers, e.payload["question"], e.payload.get("value"))


def material_marked(s: CaseState, e: Event) -> None:
    rules.require_editable(s, "修改材料状态")
    rules.check_mark(e.payload.get("status"))
    _set_slot(s, e, s.marks, e.payload["material"], e.payload.get("status"))


def field_set(s: CaseState, e: Event) -> None:
    rules.require_editable(s, "修改表单")
    _set_slot(s, e, s.fields, e.payload["key"], e.payload.get("value"))


def notice_issued(s: CaseState, e: Event) -> None:
    p = e.payload
    missing = p.get("missing", [])
    rules.check_notice(s, p.get("reason"), missing)
    added = rules.notice_added(s, missing)  # named by no earlier notice: the reason says why
    rules.transition(s, "notice_issued")
    s.notices.append({"missing": list(missing), "deadline": p.get("deadline", ""),
                      "reason": p.get("reason", ""), "at": e.device_time, "by": e.actor, "added": added})
    s.changed_since_notice = False


def accepted(s: CaseState, e: Event) -> None:
    p = e.payload
    rules.transition(s, DECISION_EVENTS[e.type])
    if not s.items:
        for code, due in (p.get("items") or {}).items():
            s.items[code] = {"status": "pending", "due": due, "note": "", "document": ""}
        for code, check_due in (p.get("commitments") or {}).items():  # 告知承诺: post-check due
            if code in s.items:
                s.items[code]["commitment"] = check_due
    s.decided_at = e.device_time
    s.decision = {"type": e.type, "by": e.actor, "warnings": list(p.get("warnings", []))}
    if e.type == "case.accepted_deferred":
        s.deferred = list(p.get("deferred", []))
        s.decision["deferred"] = list(s.deferred)
        s.deferred_deadline = p.get("deadline", "")


def deferred_supplied(s: CaseState, e: Event) -> None:
    p = e.payload
    material: Any = p.get("material")  # any value until the rule below has checked it
    via = rules.check_supply(s, material, p.get("via", "paper"), p.get("licence", ""))
    s.deferred.remove(material)
    s.marks[material] = "handed_in"
    s.supplied[material] = {"via": via, "licence": p.get("licence", ""), "at": e.device_time, "by": e.actor}
    if not s.deferred and s.status == "accepted_deferred":
        rules.transition(s, "accepted")


def refused(s: CaseState, e: Event) -> None:
    p = e.payload
    rules.check_refusal(p.get("reason"))
    rules.transition(s, "refused")
    s.decided_at = e.device_time
    s.decision = {"type": e.type, "by": e.actor, "reason": p["reason"], "basis": p.get("basis", "")}


def dispatched(s: CaseState, e: Event) -> None:
    rules.transition(s, "dispatched")
    for item in s.items.values():
        if item["status"] == "pending":
            item["status"] = "dispatched"
            item["sent"] = e.device_time
    if e.payload.get("departments"):
        s.decision["departments"] = {d: list(c) for d, c in e.payload["departments"].items()}


def item_result(s: CaseState, e: Event) -> None:
    p = e.payload
    code: Any = p.get("item")  # any value until the rule below has checked it
    rules.check_item_result(s, code, p.get("status"), p.get("note"))
    s.items[code].update(status=p["status"], note=p.get("note", ""), document=p.get("document", ""),
                         at=e.device_time)
    if s.status == "dispatched" and all(i["status"] in ITEM_FINAL for i in s.items.values()):
        rules.transition(s, "completed")


def handed_over(s: CaseState, e: Event) -> None:
    p = e.payload
    method = p.get("method", "window")
    rules.check_hand_over(method)
    if p.get("waybill"):  # the service requires one for mail; older events have none
        check_waybill(p["waybill"])
    rules.transition(s, "handed_over")
    s.handed_over = {"method": method, "note": p.get("note", ""), "at": e.device_time, "by": e.actor}
    s.handed_over.update({k: p[k] for k in ("waybill", "collector", "collector_name") if p.get(k)})


def rated(s: CaseState, e: Event) -> None:
    p = e.payload
    level = rules.rating_level(p.get("level"))
    try:
        given = make_rating(level, p.get("dimensions"), p.get("reasons", ()), p.get("comment", ""))
    except RatingError as exc:
        raise CaseError(str(exc)) from None
    rules.transition(s, "rated")
    s.rating = {"level": level, "label": RATING_LEVELS[level], "comment": given.comment, "at": e.device_time,
                "reasons": list(given.reasons), "dimensions": dict(given.dimensions),
                "channel": p.get("channel", "window"), "by": e.actor}
    if given.bad:  # a bad rating opens its follow-up (due as computed where it was given)
        s.rating["follow_up"] = {"due": str(p.get("follow_up_due", "")),
                                 "steps": [{"step": "opened", "actor": e.actor, "at": e.device_time, "note": ""}]}


def follow_up(s: CaseState, e: Event) -> None:
    current = follow_up_of(s.rating)
    if current is None:
        raise CaseError("该办件没有需要整改回访的差评")
    try:
        advance(current, e.payload.get("step", ""), e.actor, e.device_time, e.payload.get("note", ""))
    except RatingError as exc:
        raise CaseError(str(exc)) from None
    s.rating["follow_up"]["steps"].append({"step": e.payload["step"], "actor": e.actor, "at": e.device_time,
                                           "note": e.payload["note"]})


def reviewed(s: CaseState, e: Event) -> None:
    note = e.payload.get("note")
    rules.check_review(s, note)
    s.needs_review = False
    s.reviews.append({"note": note, "by": e.actor, "at": e.device_time,
                      "conflicts": len(s.conflicts), "anomalies": len(s.anomalies)})


def voided(s: CaseState, e: Event) -> None:
    rules.check_void(e.payload.get("reason"))
    rules.transition(s, "voided")
    s.void_reason = e.payload["reason"]


def document_printed(s: CaseState, e: Event) -> None:
    p = e.payload
    s.documents.append({k: p.get(k, "") for k in ("kind", "path", "paper", "printer", "error")}
                       | {"at": e.device_time, "by": e.actor})


HANDLERS: dict[str, Handler] = {
    "case.started": started,
    "case.claimed": claimed,
    "case.step_set": step_set,
    "case.applicant_set": applicant_set,
    "case.proxy_set": proxy_set,
    "case.authorisation_set": authorisation_set,
    "case.duplicate_flagged": duplicate_flagged,
    "case.answer_set": answer_set,
    "case.material_marked": material_marked,
    "case.field_set": field_set,
    "case.notice_issued": notice_issued,
    "case.accepted": accepted,
    "case.accepted_deferred": accepted,
    "case.deferred_supplied": deferred_supplied,
    "case.refused": refused,
    "case.dispatched": dispatched,
    "case.item_result": item_result,
    "case.handed_over": handed_over,
    "case.rated": rated,
    "case.follow_up": follow_up,
    "case.reviewed": reviewed,
    "case.voided": voided,
    "case.document_printed": document_printed,
}

from hall_app.domain.case_handlers_after import AFTER_HANDLERS  # noqa: E402 - the events after the counter

HANDLERS.update(AFTER_HANDLERS)
