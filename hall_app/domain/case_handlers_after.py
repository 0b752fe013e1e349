"""Handlers of the events after the counter (docs/dispatch.md): dispatch's department
map, a supplement (补正) handed in at the window, termination (终止/撤销) and the
告知承诺 post-check. Registered into ``case_handlers.HANDLERS``."""

from __future__ import annotations

from typing import Any

from hall_app.domain import case_rules as rules
from hall_app.domain.case_state import CaseError, CaseState
from hall_app.domain.deferral import check_reminder
from hall_app.domain.dispatch import CHECK_RESULTS, check_supplement, check_terminate
from hall_app.domain.events import Event


def supplemented(s: CaseState, e: Event) -> None:
    p = e.payload
    item: Any = p.get("item")
    check_supplement(s, item, p.get("materials"))
    if s.status not in rules.RESULT_OPEN:
        raise CaseError(f"办件当前状态为“{s.status_label}”，不能登记补正")
    entry = s.items[item]
    entry.setdefault("supplements", []).append({"materials": list(p["materials"]), "note": p.get("note", ""),
                                                "at": e.device_time, "by": e.actor})
    entry.update(status="supplemented", at=e.device_time)
    if p.get("due"):
        entry["due"] = p["due"]


def terminated(s: CaseState, e: Event) -> None:
    p = e.payload
    check_terminate(p.get("kind"), p.get("reason"))
    rules.transition(s, "terminated")
    s.termination = {"kind": p["kind"], "reason": p["reason"], "basis": p.get("basis", ""), "at": e.device_time,
                     "by": e.actor}


def deferral_reminded(s: CaseState, e: Event) -> None:
    p = e.payload
    check_reminder(s, p.get("materials"))
    s.deferral_reminders.append({"at": e.device_time, "by": e.actor, "channel": p.get("channel", ""),
                                 "materials": list(p["materials"]), "note": p.get("note", "")})


def check_recorded(s: CaseState, e: Event) -> None:
    p = e.payload
    item: Any = p.get("item")
    if item not in s.items:
        raise CaseError(f"本办件没有事项 {item}")
    if not s.items[item].get("commitment"):
        raise CaseError(f"事项 {item} 不是告知承诺办理，没有事后核查")
    if item in s.checks:
        raise CaseError(f"事项 {item} 已登记过核查结果")
    result = p.get("result")
    if result not in CHECK_RESULTS:
        raise CaseError("核查结果应为 passed（核查通过）或 failed（核查不实）")
    if result == "failed" and not str(p.get("note", "")).strip():
        raise CaseError("核查不实须写明情况")
    s.checks[item] = {"result": result, "note": p.get("note", ""), "at": e.device_time, "by": e.actor}


AFTER_HANDLERS = {
    "case.supplemented": supplemented,
    "case.terminated": terminated,
    "case.check_recorded": check_recorded,
    "case.deferral_reminded": deferral_reminded,
}
