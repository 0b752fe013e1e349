"""The intake planner: bundle + answers (+ applicant facts) → the exact plan.

Deterministic and total: the same inputs give the same plan, and any change of an
earlier answer recomputes everything from scratch (nothing is patched in place).
Every item, material and field carries the reason it is in the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hall_app.domain import conditions as cond
from hall_app.domain.bundle import Bundle, FieldDef, ItemDef, MaterialDef, QuestionDef
from hall_app.domain.case_state import MATERIAL_MARKS
from hall_app.domain.labels import MATERIAL_STATUS_LABELS  # noqa: F401 - re-exported

BASE_REASON = "本套餐基本事项"
MARKS = MATERIAL_MARKS


@dataclass(frozen=True)
class Applicant:
    """What the planner may know of the applicant: facts and e-licences on file."""

    facts: Mapping[str, str] = field(default_factory=dict)
    elicences: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PlannedItem:
    item: ItemDef
    reason: str


@dataclass(frozen=True)
class PlannedMaterial:
    material: MaterialDef
    reason: str
    status: str  # exempt / handed_in / missing / deferred
    items: tuple[str, ...]
    note: str | None = None

    @property
    def blocking(self) -> bool:
        """Missing and needed before acceptance (not optional, not deferred)."""
        return self.status == "missing" and self.material.requirement != "optional"


@dataclass(frozen=True)
class PlannedField:
    field: FieldDef
    items: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    bundle: Bundle
    answers: Mapping[str, str]
    questions: tuple[QuestionDef, ...]  # the questions that apply, in order
    pending: tuple[QuestionDef, ...]  # applicable questions not yet answered
    items: tuple[PlannedItem, ...]
    materials: tuple[PlannedMaterial, ...]
    fields: tuple[PlannedField, ...]
    fields_without_merge: int
    warnings: tuple[str, ...]
    prefilled: Mapping[str, str] = field(default_factory=dict)  # question id → why it is answered

    @property
    def fields_asked(self) -> int:
        return len(self.fields)

    @property
    def exempt(self) -> tuple[PlannedMaterial, ...]:
        return tuple(m for m in self.materials if m.status == "exempt")

    @property
    def missing(self) -> tuple[PlannedMaterial, ...]:
        return tuple(m for m in self.materials if m.blocking)

    @property
    def deferred(self) -> tuple[PlannedMaterial, ...]:
        return tuple(m for m in self.materials if m.status == "deferred")

    @property
    def missing_not_deferrable(self) -> tuple[PlannedMaterial, ...]:
        return tuple(m for m in self.missing if m.material.requirement != "deferrable")

    def suggested_decision(self) -> str:
        """accept / defer / notice: what the material check allows today."""
        if self.missing_not_deferrable:
            return "notice"
        if self.missing or self.deferred:
            return "defer"
        return "accept"

    def item_codes(self) -> list[str]:
        return [p.item.code for p in self.items]

    def material_codes(self) -> list[str]:
        return [p.material.code for p in self.materials]


def describe(node: cond.Node, bundle: Bundle) -> str:
    """A Chinese reading of a condition, for reasons the author did not write."""
    match node:
        case cond.Const(value):
            return "总是" if value else "从不"
        case cond.Has(name):
            return f"已有电子证照“{name}”"
        case cond.Compare(name, op, values):
            if name.startswith("fact."):
                label = name[5:]
            else:
                label = bundle.question(name).text.rstrip("?？")
            joined = "或".join(values)
            return f"{label}：{'不是' if op == '!=' else ''}{joined}"
        case cond.Not(operand):
            return f"并非（{describe(operand, bundle)}）"
        case cond.BoolOp(op, operands):
            return ("，且" if op == "and" else "，或").join(describe(o, bundle) for o in operands)
    return str(node)


def _reason(prefix_node: cond.Node | None, reason: str | None, bundle: Bundle) -> str:
    if reason:
        return reason if reason.startswith("因为") else f"因为：{reason}"
    if prefix_node is None:
        return BASE_REASON
    return f"因为：{describe(prefix_node, bundle)}"


def _walk_questions(bundle: Bundle, answers: Mapping[str, str], applicant: Applicant
                    ) -> tuple[list[QuestionDef], dict[str, str], dict[str, str]]:
    """Questions in order: which apply, the answers in force, and which of those the
    file answered (an explicit answer always wins over the file)."""
    applicable: list[QuestionDef] = []
    live: dict[str, str] = {}
    prefilled: dict[str, str] = {}
    for question in bundle.questions:
        node = question.ask_node
        if node is not None and not cond.evaluate(node, live, applicant.facts, applicant.elicences):
            continue
        applicable.append(question)
        value = answers.get(question.id)
        if value not in (None, ""):
            live[question.id] = value
        elif question.prefill_node is not None and cond.evaluate(
                question.prefill_node, live, applicant.facts, applicant.elicences):
            live[question.id] = "是"
            prefilled[question.id] = f"据档案：{describe(question.prefill_node, bundle)}"
    return applicable, live, prefilled


def make_plan(
    bundle: Bundle,
    answers: Mapping[str, str],
    applicant: Applicant | None = None,
    marks: Mapping[str, str] | None = None,
) -> Plan:
    applicant = applicant or Applicant()
    marks = marks or {}
    warnings: list[str] = []

    # Answers to questions that no longer apply are kept in history but not used.
    questions, live, prefilled = _walk_questions(bundle, answers, applicant)
    for question in questions:
        value = live.get(question.id)
        if value is not None and value not in question.options:
            warnings.append(f"问题“{question.text}”的答案“{value}”不是可选项，已忽略")
            del live[question.id]
    pending = tuple(q for q in questions if q.id not in live)

    def holds(node: cond.Node | None) -> bool:
        return node is None or cond.evaluate(node, live, applicant.facts, applicant.elicences)

    item_reasons: dict[str, str] = {}
    for item in bundle.items:
        if holds(item.when_node):
            item_reasons[item.code] = _reason(item.when_node, item.reason, bundle)
    material_force: dict[str, str] = {}  # added by a rule, with the rule's reason
    material_drop: set[str] = set()  # dropped by a rule (checked before material_force)
    for rule in bundle.rules:
        if not holds(rule.when_node):
            continue
        why = _reason(rule.when_node, rule.reason, bundle)
        for code in rule.add_items:
            item_reasons[code] = why
        for code in rule.drop_items:
            item_reasons.pop(code, None)
        for code in rule.add_materials:  # the later rule wins
            material_force[code] = why
            material_drop.discard(code)
        material_drop.update(rule.drop_materials)

    items = tuple(PlannedItem(i, item_reasons[i.code]) for i in bundle.items if i.code in item_reasons)
    included = set(item_reasons)

    materials: list[PlannedMaterial] = []
    for material in bundle.materials:
        serves = tuple(code for code in material.items if code in included)
        if material.code in material_drop or not serves:
            continue
        if material.code in material_force:
            why = material_force[material.code]
        elif holds(material.when_node):
            why = _reason(material.when_node, material.reason, bundle)
            if why == BASE_REASON:
                names = "、".join(bundle.item(c).name for c in serves)
                why = f"办理{names}所需"
        else:
            continue
        status, note = _material_status(material, marks.get(material.code), applicant)
        materials.append(PlannedMaterial(material, why, status, serves, note))

    fields: list[PlannedField] = []
    without_merge = 0
    for form_field in bundle.fields:
        serves = tuple(code for code in form_field.items if code in included) if form_field.items else tuple(included)
        if not serves or not holds(form_field.when_node):
            continue
        fields.append(PlannedField(form_field, serves))
        without_merge += len(serves)

    for code, mark in marks.items():
        if mark not in MARKS:
            warnings.append(f"材料 {code} 的状态“{mark}”无效，按缺少处理")
    return Plan(
        bundle=bundle,
        answers=live,
        questions=tuple(questions),
        pending=pending,
        items=items,
        materials=tuple(materials),
        fields=tuple(fields),
        fields_without_merge=without_merge,
        warnings=tuple(warnings),
        prefilled=prefilled,
    )


def _material_status(material: MaterialDef, mark: str | None, applicant: Applicant) -> tuple[str, str | None]:
    if material.elicence and material.elicence in applicant.elicences:
        return "exempt", f"电子证照“{material.elicence}”在库，免于提交"
    if mark == "handed_in":
        return "handed_in", None
    if mark == "deferred":
        if material.requirement == "deferrable":
            return "deferred", None
        return "missing", "此材料不属于可容缺材料"
    return "missing", None
