"""Read models for intake: the plan of a case, its merged form and its review."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hall_app.domain.bundle import FieldDef
from hall_app.domain.case import CaseState
from hall_app.domain.decisions import DecisionOption
from hall_app.domain.form import FieldCheck, check_field
from hall_app.domain.planner import Plan

from hall_app.domain.labels import STEP_LABELS, STEPS  # noqa: F401 - re-exported for the services


class IntakeError(Exception):
    """An intake action that cannot be done now; the message is for the clerk."""


@dataclass(frozen=True)
class FormRow:
    field: FieldDef
    value: str
    source: str  # typed / prefill / draft / "" (empty)
    check: FieldCheck

    @property
    def prefilled(self) -> bool:
        return self.source == "prefill"


@dataclass(frozen=True)
class PlanChange:
    added_items: tuple[str, ...] = ()
    removed_items: tuple[str, ...] = ()
    added_materials: tuple[str, ...] = ()
    removed_materials: tuple[str, ...] = ()
    added_questions: tuple[str, ...] = ()
    removed_questions: tuple[str, ...] = ()

    @classmethod
    def between(cls, before: Plan, after: Plan) -> "PlanChange":
        def diff(old: list[str], new: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
            return tuple(x for x in new if x not in old), tuple(x for x in old if x not in new)

        names_i = {i.code: i.name for i in after.bundle.items}
        names_m = {m.code: m.name for m in after.bundle.materials}
        ai, ri = diff(before.item_codes(), after.item_codes())
        am, rm = diff(before.material_codes(), after.material_codes())
        aq, rq = diff([q.id for q in before.questions], [q.id for q in after.questions])
        texts = {q.id: q.text for q in after.bundle.questions}
        return cls(tuple(names_i[c] for c in ai), tuple(names_i[c] for c in ri),
                   tuple(names_m[c] for c in am), tuple(names_m[c] for c in rm),
                   tuple(texts[c] for c in aq), tuple(texts[c] for c in rq))

    @property
    def empty(self) -> bool:
        return not any((self.added_items, self.removed_items, self.added_materials,
                        self.removed_materials, self.added_questions, self.removed_questions))

    def describe(self) -> str:
        parts = []
        for label, values in (("新增事项", self.added_items), ("移除事项", self.removed_items),
                              ("新增材料", self.added_materials), ("移除材料", self.removed_materials),
                              ("新增问题", self.added_questions), ("不再询问", self.removed_questions)):
            if values:
                parts.append(f"{label}：{'、'.join(values)}")
        return "；".join(parts) if parts else "办理清单无变化"


@dataclass(frozen=True)
class DueLine:
    code: str
    name: str
    department: str
    promised_days: int
    due: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Review:
    state: CaseState
    plan: Plan
    form: tuple[FormRow, ...]
    dues: tuple[DueLine, ...]
    blockers: tuple[str, ...]  # what stops any decision
    accept_blockers: tuple[str, ...]  # what stops a plain acceptance
    suggested: str  # accept / defer / notice
    dishonest: bool
    options: Mapping[str, DecisionOption] = field(default_factory=dict)  # each decision, why not now

    @property
    def exempt_count(self) -> int:
        return len(self.plan.exempt)

    @property
    def warnings(self) -> tuple[str, ...]:
        seen: list[str] = []
        for line in self.dues:
            for w in line.warnings:
                if w not in seen:
                    seen.append(w)
        return tuple(seen) + self.plan.warnings

    @property
    def spared_text(self) -> str:
        return (f"免交 {self.exempt_count} 项材料，填写 {self.plan.fields_asked} 项而非 "
                f"{self.plan.fields_without_merge} 项")


def form_rows(plan: Plan, state: CaseState, drafts: dict[str, str], prefill) -> tuple[FormRow, ...]:
    """Each merged field once, with the value from (newest first) a draft being typed,
    the recorded value, or the person/firm file."""
    rows = []
    for planned in plan.fields:
        spec = planned.field
        if spec.key in drafts:
            value, source = drafts[spec.key], "draft"
        elif spec.key in state.fields:
            value, source = state.fields[spec.key], "typed"
        else:
            pre = prefill(spec.prefill)
            value, source = (pre, "prefill") if pre else ("", "")
        rows.append(FormRow(spec, value, source, check_field(spec, value)))
    return tuple(rows)
