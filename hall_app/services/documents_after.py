"""The data of the documents after the counter (docs/dispatch.md), built from a case:
送达回证, 补交材料收据, 告知承诺书, 终止办理通知书. Called by DocumentService.build."""

from __future__ import annotations

from typing import Any

from hall_app.domain import documents as d
from hall_app.domain.case import CaseState
from hall_app.domain.dispatch import TERMINATION_KINDS
from hall_app.domain.labels import HAND_OVER_METHODS, SUPPLY_LABELS
from hall_app.domain.planner import Plan
from hall_app.services.intake import IntakeError

KINDS = ("delivery", "supply", "pledge", "termination")  # printable in: domain/documents.PRINTABLE_IN
PREFIX = {"delivery": "送", "supply": "补", "pledge": "承", "termination": "终"}
COLLECTORS = {"applicant": "申请人本人", "proxy": "代办人"}


def _items(plan: Plan, state: CaseState, only: set[str] | None = None) -> tuple[d.ItemLine, ...]:
    return tuple(d.ItemLine(p.item.name, p.item.department, p.item.promised_days,
                            str(state.items[p.item.code].get("due", "")), p.item.output)
                 for p in plan.items if p.item.code in state.items and (only is None or p.item.code in only))


def build(kind: str, state: CaseState, plan: Plan, base: dict[str, Any], line) -> Any:
    by_code = {p.material.code: p for p in plan.materials}
    if kind == "delivery":
        items = _items(plan, state)
        codes = [p.item.code for p in plan.items if p.item.code in state.items]
        results = tuple(_result(state.items[c], item.output) for c, item in zip(codes, items))
        h = state.handed_over
        return d.DeliveryData(**base, items=items, results=results,
                              method=HAND_OVER_METHODS.get(h.get("method", ""), ""), waybill=h.get("waybill", ""),
                              collector=COLLECTORS.get(h.get("collector", ""), ""),
                              collector_name=h.get("collector_name", ""), delivered_at=h.get("at", ""))
    if kind == "supply":
        promised = state.decision.get("deferred") or []
        supplied = [c for c in promised if c not in state.deferred]
        if not supplied:
            raise IntakeError("本办件还没有补交过容缺材料")
        return d.SupplyData(**base, supplied=tuple(_supplied_line(state, by_code[c], line) for c in supplied
                                                   if c in by_code),
                            still_due=tuple(line(by_code[c]) for c in state.deferred if c in by_code),
                            deadline=state.deferred_deadline)
    if kind == "pledge":
        pledged = {c for c, item in state.items.items() if item.get("commitment")}
        if not pledged:
            raise IntakeError("本办件没有按告知承诺办理的事项")
        return d.PledgeData(**base, items=_items(plan, state, pledged),
                            check_due=max(str(state.items[c]["commitment"]) for c in pledged))
    t = state.termination
    return d.TerminationData(**base, kind=TERMINATION_KINDS.get(t.get("kind", ""), ""), reason=t.get("reason", ""),
                             basis=t.get("basis", ""))


def _supplied_line(state: CaseState, planned, line) -> d.MaterialLine:
    """A supplied material as the receipt lists it: on paper as the bundle describes it,
    or the e-licence fetched in its place (电子证照已调取)."""
    how = state.supplied.get(planned.material.code, {})
    if how.get("via") == "elicence":
        return d.MaterialLine(planned.material.name, form=SUPPLY_LABELS["elicence"],
                              note=str(how.get("licence", "")))
    return line(planned)


def _result(item: dict[str, Any], output: str) -> str:
    if item.get("status") == "rejected":
        return f"不予批准：{item.get('note', '')}"
    return f"{output} {item.get('document', '')}".strip()
