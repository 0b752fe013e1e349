"""Read models for intake: the plan of a case, its merged form and its review."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hall_app.domain.bundle import FieldDef
from hall_app.domain.case import CaseState
from hall_app.domain.decisions import DecisionOption
from hall_app.domain.form import FieldCheck, check_field, check_phone
from hall_app.domain.labels import STEP_LABELS, STEPS  # noqa: F401 - re-exported for the services
from hall_app.domain.planner import Plan


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


# -- the applicant: one source of truth ----------------------------------------------------
#
# The case's ``applicant`` (recorded on step ③) is the only place the applicant's ID,
# name and phone live. A form field whose prefill names one of them shows that value
# and writes back to it; it never keeps a copy that could disagree. An address field
# (落户地址, 邮寄地址 …) is a fact of its own: it starts from the applicant's address
# as ③ recorded it (typed or from the file) and is then the clerk's to change.

APPLICANT_PREFILL = {
    "person.id_number": "id_number", "person.name": "name", "person.phone": "phone",
    "firm.uscc": "uscc", "firm.name": "name", "firm.phone": "phone",
}
STARTS_FROM_APPLICANT = {"person.address": "address", "firm.address": "address"}
FILE_ATTRS = ("name", "phone", "address")  # what the file fills on ③
# The start of ``hall_app.domain.ids.address_warning``'s notes: shown only for numbers
# the file does not hold (for a person on file the note tells the clerk nothing).
ADDRESS_NOTE = "地址码"


def applicant_kind(applicant: dict[str, str]) -> str:
    return "firm" if applicant.get("uscc") else "person"


def applicant_attr(spec: FieldDef, applicant: dict[str, str]) -> str | None:
    """The applicant attribute a form field mirrors (None: the field is its own value)."""
    if not spec.prefill or spec.prefill not in APPLICANT_PREFILL:
        return None
    head = spec.prefill.split(".", 1)[0]
    return APPLICANT_PREFILL[spec.prefill] if head == applicant_kind(applicant) else None


def applicant_spec(key: str, applicant: dict[str, str]) -> FieldDef:
    """How an applicant attribute typed on ③ is checked (the form's own rules)."""
    firm = applicant_kind(applicant) == "firm"
    if key == "name":
        return FieldDef(key="name", label="名称" if firm else "姓名", type="text" if firm else "name")
    if key == "address":
        return FieldDef(key="address", label="地址", type="address", required=False)
    return FieldDef(key=key, label="联系电话", type="text", required=False)


def check_applicant(key: str, value: str, applicant: dict[str, str]) -> FieldCheck:
    """Check one applicant attribute as ③ records it (name, phone, address)."""
    if key == "phone":
        return check_phone(value, "联系电话")
    return check_field(applicant_spec(key, applicant), value)


def applicant_changes(old: dict[str, str], old_file: dict[str, str] | None,
                      new_file: dict[str, str] | None) -> dict[str, str]:
    """What changes when the applicant's ID changes to another number: the new file's
    name, phone and address replace the old ones; values that came from the previous
    person's file go (they belong to someone else); values the clerk typed for a person
    not on file stay (a corrected typo in the ID is still the same person)."""
    changes: dict[str, str] = {}
    for attr in FILE_ATTRS:
        current = old.get(attr, "")
        fresh = (new_file or {}).get(attr) or ""
        from_old_file = bool(current) and old_file is not None and (old_file.get(attr) or "") == current
        if fresh and fresh != current:
            changes[attr] = fresh
        elif not fresh and from_old_file:
            changes[attr] = ""
        elif new_file is not None and old_file is not None and not fresh and current:
            changes[attr] = ""  # one person on file to another: nothing of the first stays
    return changes


def file_checked(check: FieldCheck, spec: FieldDef, on_file) -> FieldCheck:
    """Leave out the address-code note for a citizen ID the file holds: the file vouches
    for the number and the note would tell the clerk nothing."""
    if spec.type != "citizen_id" or not check.ok or not check.warnings or on_file is None:
        return check
    notes = tuple(w for w in check.warnings if not w.startswith(ADDRESS_NOTE))
    if notes == check.warnings or not on_file(check.value):
        return check
    return FieldCheck(check.value, check.error, notes)


def form_rows(plan: Plan, state: CaseState, drafts: dict[str, str], prefill,
              file_value=None, today=None, on_file=None) -> tuple[FormRow, ...]:
    """Each merged field once, with the value from (newest first) a draft being typed,
    the recorded value, or the person/firm file. A field that mirrors the applicant
    shows the applicant as recorded on ③ (``prefill`` when the file gave that value)."""
    rows = []
    for planned in plan.fields:
        spec = planned.field
        attr = applicant_attr(spec, state.applicant)
        if spec.key in drafts:
            value, source = drafts[spec.key], "draft"
        elif attr is not None:
            value = state.applicant.get(attr, "")
            from_file = file_value(spec.prefill) if file_value else prefill(spec.prefill)
            source = "" if not value else "prefill" if from_file == value else "typed"
        elif spec.key in state.fields:
            value, source = state.fields[spec.key], "typed"
        else:
            pre = prefill(spec.prefill)
            start = STARTS_FROM_APPLICANT.get(spec.prefill or "")
            if start and spec.prefill and spec.prefill.split(".", 1)[0] == applicant_kind(state.applicant):
                pre = state.applicant.get(start) or pre
            value, source = (pre, "prefill") if pre else ("", "")
        rows.append(FormRow(spec, value, source, file_checked(check_field(spec, value, today), spec, on_file)))
    return tuple(rows)
