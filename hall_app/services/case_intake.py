"""Intake use cases: who works on the case, the applicant, answers, materials, the form."""

from __future__ import annotations

from hall_app.domain import case_rules as rules
from hall_app.domain.case import CaseState
from hall_app.domain.form import check_field
from hall_app.domain.ids import CheckResult, check_citizen_id, identifier_kind, identify
from hall_app.domain.planner import MARKS
from hall_app.domain.text import clean, text_problem
from hall_app.services.case_work import CaseServiceBase, CaseWork
from hall_app.services.intake import (
    FILE_ATTRS,
    FormRow,
    IntakeError,
    PlanChange,
    applicant_attr,
    applicant_changes,
    check_applicant,
    file_checked,
)
from hall_app.services.people import FileRecord
from hall_app.store.models import FieldDraft

MAX_DRAFT = 4000  # characters of a field being typed (the field's own limit is checked when it is set)


class CaseIntake(CaseServiceBase):
    def claim(self, case_id: str, actor: str, force: bool = False) -> CaseState:
        """Take a draft to work on. Someone else's draft needs ``force`` (the UI asks first)."""
        with self.work(case_id, actor) as w:
            rules.check_claim(w.state, actor, force)
            return w.state if w.state.claimed_by == actor else w.record("case.claimed", {"user": actor})

    def set_step(self, case_id: str, actor: str, step: str) -> CaseState:
        with self.work(case_id, actor) as w:
            rules.check_step(step)
            return w.state if w.state.step == step else w.record("case.step_set", {"step": step})

    def set_applicant_id(self, case_id: str, actor: str, raw: str) -> CheckResult:
        """Record the applicant's ID number or USCC; the file fills name, phone and address
        (another number: what belonged to the previous person goes, see ``applicant_changes``)."""
        result, record = self._identify(raw)  # the file is asked before the case is locked
        with self.work(case_id, actor) as w:
            self._set_applicant_id(w, result, record)
        return result

    def _identify(self, raw: str) -> tuple[CheckResult, FileRecord | None]:
        result = identify(raw)
        return result, self.ctx.people.lookup(result.value) if result.ok else None

    def _set_applicant_id(self, w: CaseWork, result: CheckResult, record: FileRecord | None) -> None:
        key = identifier_kind(result.value)
        other = "id_number" if key == "uscc" else "uscc"
        before = w.state.applicant
        old_key = before.get("id_number") or before.get("uscc") or ""
        if old_key == result.value and before.get(key) == result.value:
            return
        old_file = self.ctx.people.lookup(old_key) if old_key and identify(old_key).ok else None
        w.record("case.applicant_set", {"key": key, "value": result.value})
        if w.state.applicant.get(other):
            w.record("case.applicant_set", {"key": other, "value": ""})
        changes = applicant_changes(before, old_file.attributes if old_file else None,
                                    record.attributes if record else None)
        for attr, value in changes.items():
            w.record("case.applicant_set", {"key": attr, "value": value})

    def set_applicant(self, case_id: str, actor: str, key: str, value: str) -> CaseState:
        """One applicant attribute, checked as the form checks it; kept as typed when wrong
        (the review says why acceptance waits)."""
        found = self._identify(value) if key in ("id_number", "uscc") else None
        with self.work(case_id, actor) as w:
            return self._set_applicant(w, key, value, found)

    def _set_applicant(self, w: CaseWork, key: str, value: str,
                       found: tuple[CheckResult, FileRecord | None] | None = None) -> CaseState:
        rules.check_applicant_key(key)
        if key in ("id_number", "uscc"):
            self._set_applicant_id(w, *(found or self._identify(value)))
            return w.state
        check = check_applicant(key, value, w.state.applicant) if key in FILE_ATTRS else None
        stored = check.value if check is not None and check.ok else clean(value)
        if w.state.applicant.get(key, "") == stored:
            return w.state
        return w.record("case.applicant_set", {"key": key, "value": stored})

    def set_proxy(self, case_id: str, actor: str, name: str, id_number: str, relation: str,
                  kind: str = "relative") -> CheckResult:
        """亲人帮助办理 / 帮代办: who acts for the applicant and how they are related."""
        result = check_citizen_id(id_number)
        self._write(case_id, actor, "case.proxy_set", {"proxy": {
            "name": clean(name), "id_number": result.value, "relation": relation, "kind": kind}})
        return result

    def clear_proxy(self, case_id: str, actor: str) -> CaseState:
        return self._write(case_id, actor, "case.proxy_set", {"proxy": None})

    def answer(self, case_id: str, actor: str, question: str, value: str | None) -> PlanChange:
        with self.work(case_id, actor) as w:
            before = self.plan(w.state)
            q = next((q for q in before.bundle.questions if q.id == question), None)
            if q is None:
                raise IntakeError(f"本套餐没有问题 {question}")
            if value is not None and value not in q.options:
                raise IntakeError(f"“{q.text}”请从以下选择：{'、'.join(q.options)}")
            if w.state.answers.get(question) == value:
                return PlanChange()
            w.record("case.answer_set", {"question": question, "value": value})
            return PlanChange.between(before, self.plan(w.state))

    def mark_material(self, case_id: str, actor: str, material: str, status: str) -> CaseState:
        if status not in MARKS:
            raise IntakeError("材料状态应为：已收、缺、容缺后补")
        with self.work(case_id, actor) as w:
            planned = next((m for m in self.plan(w.state).materials if m.material.code == material), None)
            if planned is None:
                raise IntakeError(f"本次办理不需要材料 {material}")
            if planned.status == "exempt":
                raise IntakeError(f"“{planned.material.name}”已有电子证照，无需提交")
            if status == "deferred" and planned.material.requirement != "deferrable":
                raise IntakeError(f"“{planned.material.name}”不是可容缺材料，不能后补")
            return w.record("case.material_marked", {"material": material, "status": status})

    def type_field(self, case_id: str, key: str, value: str) -> None:
        """Keystroke-level save of a field being typed (no event until it is set). A
        character that could never be stored (NUL, a lone surrogate…) is refused here
        already, with the same words the event check would use; the screen keeps the text."""
        problem = text_problem(value, MAX_DRAFT, multiline=True)
        if problem:
            raise IntakeError(f"输入{problem}")
        with self.ctx.Session.begin() as session:
            draft = session.get(FieldDraft, (case_id, key))
            if draft is None:
                session.add(FieldDraft(case_id=case_id, key=key, value=value, updated_at=self.ctx.now_iso()))
            else:
                draft.value, draft.updated_at = value, self.ctx.now_iso()

    def set_field(self, case_id: str, actor: str, key: str, value: str, *, snapshot: bool = False) -> FormRow:
        """Record one form field. A field mirroring the applicant (name, ID, phone) is
        recorded on the applicant; ``snapshot`` (at the decision) also records it as the
        form's value, so the decided form stands on its own events."""
        with self.work(case_id, actor) as w:
            return self._set_field(w, key, value, snapshot=snapshot)

    def _set_field(self, w: CaseWork, key: str, value: str, *, snapshot: bool = False) -> FormRow:
        planned = next((f for f in self.plan(w.state).fields if f.field.key == key), None)
        if planned is None:
            raise IntakeError(f"本次表单没有字段 {key}")
        check = file_checked(check_field(planned.field, value, self.ctx.today()), planned.field, self._on_file)
        stored = check.value if check.ok else clean(value)
        attr = applicant_attr(planned.field, w.state.applicant)
        if attr is not None and not snapshot:  # the applicant's own data: recorded on the applicant, nowhere else
            self._set_applicant(w, attr, stored)
        elif w.state.fields.get(key) != stored:
            w.record("case.field_set", {"key": key, "value": stored})
        w.drop_draft(key)
        return FormRow(planned.field, stored, "typed", check)
