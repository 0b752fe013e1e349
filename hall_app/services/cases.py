"""Case use cases: start an intake, record every answer, decide, follow through."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from hall_app.domain.case import CaseError, CaseState, ITEM_STATUS_LABELS
from hall_app.domain.ids import CheckResult, check_citizen_id, check_uscc
from hall_app.domain.identifiers import uuid7
from hall_app.domain.planner import MARKS, Applicant, Plan, make_plan
from hall_app.domain.text import clean, compact
from hall_app.domain.tracking import new_tracking_code, parse_tracking_code
from hall_app.services.intake import (FILE_ATTRS, STEPS, DueLine, FormRow, IntakeError, PlanChange, Review,
                                      applicant_attr, applicant_changes, check_applicant, file_checked, form_rows)
from hall_app.store.models import CaseRow, FieldDraft

if TYPE_CHECKING:
    from hall_app.services.context import HallContext

APPLICANT_KEYS = {"id_number", "uscc", "name", "phone", "address", "firm_name"}
PROXY_RELATIONS = ("配偶", "子女", "父母", "其他亲属", "帮代办员", "村（社区）干部")


def identify(raw: str) -> CheckResult:
    """A citizen ID or a USCC, whichever the value looks like."""
    value = compact(raw).upper()
    if len(value) == 18 and value[:17].isdigit():
        return check_citizen_id(value)
    if len(value) == 18:
        return check_uscc(value)
    return check_citizen_id(value)


class CaseService:
    def __init__(self, ctx: "HallContext"):
        self.ctx = ctx

    # -- writing ------------------------------------------------------------------------
    def _write(self, case_id: str, actor: str, kind: str, payload: dict[str, Any]) -> CaseState:
        try:
            with self.ctx.unit_of_work() as (session, repo):
                state = repo.get(case_id)
                if state is None:
                    raise IntakeError("找不到该办件")
                return self.ctx.record(session, repo, case_id, actor, kind, payload, state)
        except CaseError as exc:
            raise IntakeError(str(exc)) from None

    def start(self, bundle: str, actor: str, channel: str = "window", window: str | None = None,
              tracking_code: str | None = None) -> CaseState:
        entry = self.ctx.catalog.entry(bundle)
        if entry is None:
            raise IntakeError(f"目录中没有“{bundle}”")
        if not entry.bundle.complete:
            raise IntakeError(f"“{entry.bundle.name}”尚未完成配置，暂不能受理")
        case_id = uuid7()
        with self.ctx.unit_of_work() as (session, repo):
            self.ctx.catalog_service.remember(session, entry)
            tracking = tracking_code or new_tracking_code()
            while repo.by_tracking_code(tracking) is not None:  # astronomically rare
                tracking = new_tracking_code()
            payload = {"bundle_code": entry.bundle.code, "bundle_version": entry.bundle.version,
                       "bundle_hash": entry.content_hash, "tracking_code": tracking,
                       "hall": self.ctx.settings.hall, "window": window or self.ctx.settings.window,
                       "channel": channel}
            return self.ctx.record(session, repo, case_id, actor, "case.started", payload, None,
                                   entry.bundle.name)

    def claim(self, case_id: str, actor: str, force: bool = False) -> CaseState:
        """Take a draft to work on. Someone else's draft needs ``force`` (the UI asks first)."""
        state = self.get(case_id)
        if state.claimed_by and state.claimed_by != actor and not force:
            raise IntakeError(f"该办件正由 {state.claimed_by} 办理；确需接手请确认")
        if state.claimed_by == actor:
            return state
        return self._write(case_id, actor, "case.claimed", {"user": actor})

    def set_step(self, case_id: str, actor: str, step: str) -> CaseState:
        if step not in STEPS:
            raise IntakeError(f"未知步骤 {step}")
        state = self.get(case_id)
        return state if state.step == step else self._write(case_id, actor, "case.step_set", {"step": step})

    def set_applicant_id(self, case_id: str, actor: str, raw: str) -> CheckResult:
        """Record the applicant's ID number or USCC; the file fills name, phone and address
        (another number: what belonged to the previous person goes, see ``applicant_changes``)."""
        result = identify(raw)
        key = "uscc" if len(result.value) == 18 and not result.value[:17].isdigit() else "id_number"
        other = "id_number" if key == "uscc" else "uscc"
        before = self.get(case_id)
        old_key = before.applicant.get("id_number") or before.applicant.get("uscc") or ""
        if old_key == result.value and before.applicant.get(key) == result.value:
            return result
        old_file = self.ctx.people.lookup(old_key) if old_key and identify(old_key).ok else None
        new_file = self.ctx.people.lookup(result.value) if result.ok else None
        state = self._write(case_id, actor, "case.applicant_set", {"key": key, "value": result.value})
        if state.applicant.get(other):
            state = self._write(case_id, actor, "case.applicant_set", {"key": other, "value": ""})
        changes = applicant_changes(before.applicant, old_file.attributes if old_file else None,
                                    new_file.attributes if new_file else None)
        for attr, value in changes.items():
            state = self._write(case_id, actor, "case.applicant_set", {"key": attr, "value": value})
        return result

    def set_applicant(self, case_id: str, actor: str, key: str, value: str) -> CaseState:
        """One applicant attribute, checked as the form checks it; kept as typed when wrong
        (the review says why acceptance waits)."""
        if key not in APPLICANT_KEYS:
            raise IntakeError(f"未知的申请人信息 {key}")
        if key in ("id_number", "uscc"):
            self.set_applicant_id(case_id, actor, value)
            return self.get(case_id)
        state = self.get(case_id)
        check = check_applicant(key, value, state.applicant) if key in FILE_ATTRS else None
        stored = check.value if check is not None and check.ok else clean(value)
        if state.applicant.get(key, "") == stored:
            return state
        return self._write(case_id, actor, "case.applicant_set", {"key": key, "value": stored})

    def set_proxy(self, case_id: str, actor: str, name: str, id_number: str, relation: str,
                  kind: str = "relative") -> CheckResult:
        """亲人帮助办理 / 帮代办: who acts for the applicant and how they are related."""
        result = check_citizen_id(id_number)
        name = clean(name)
        if not name:
            raise IntakeError("请填写代办人姓名")
        if relation not in PROXY_RELATIONS:
            raise IntakeError(f"关系请从以下选择：{'、'.join(PROXY_RELATIONS)}")
        self._write(case_id, actor, "case.proxy_set", {"proxy": {
            "name": name, "id_number": result.value, "relation": relation, "kind": kind}})
        return result

    def clear_proxy(self, case_id: str, actor: str) -> CaseState:
        return self._write(case_id, actor, "case.proxy_set", {"proxy": None})

    def answer(self, case_id: str, actor: str, question: str, value: str | None) -> PlanChange:
        state = self.get(case_id)
        before = self.plan(state)
        q = next((q for q in before.bundle.questions if q.id == question), None)
        if q is None:
            raise IntakeError(f"本套餐没有问题 {question}")
        if value is not None and value not in q.options:
            raise IntakeError(f"“{q.text}”请从以下选择：{'、'.join(q.options)}")
        if state.answers.get(question) == value:
            return PlanChange()
        state = self._write(case_id, actor, "case.answer_set", {"question": question, "value": value})
        return PlanChange.between(before, self.plan(state))

    def mark_material(self, case_id: str, actor: str, material: str, status: str) -> CaseState:
        state = self.get(case_id)
        plan = self.plan(state)
        planned = next((m for m in plan.materials if m.material.code == material), None)
        if planned is None:
            raise IntakeError(f"本次办理不需要材料 {material}")
        if status not in MARKS:
            raise IntakeError("材料状态应为：已收、缺、容缺后补")
        if planned.status == "exempt":
            raise IntakeError(f"“{planned.material.name}”已有电子证照，无需提交")
        if status == "deferred" and planned.material.requirement != "deferrable":
            raise IntakeError(f"“{planned.material.name}”不是可容缺材料，不能后补")
        return self._write(case_id, actor, "case.material_marked", {"material": material, "status": status})

    def type_field(self, case_id: str, key: str, value: str) -> None:
        """Keystroke-level save of a field being typed (no event until it is set)."""
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
        state = self.get(case_id)
        plan = self.plan(state)
        planned = next((f for f in plan.fields if f.field.key == key), None)
        if planned is None:
            raise IntakeError(f"本次表单没有字段 {key}")
        from hall_app.domain.form import check_field

        check = file_checked(check_field(planned.field, value, self.ctx.today()), planned.field, self._on_file)
        stored = check.value if check.ok else clean(value)
        attr = applicant_attr(planned.field, state.applicant)
        if attr is not None and not snapshot:  # the applicant's own data: recorded on the applicant, nowhere else
            self.set_applicant(case_id, actor, attr, stored)
            with self.ctx.Session.begin() as session:
                session.execute(delete(FieldDraft).where(FieldDraft.case_id == case_id, FieldDraft.key == key))
            return FormRow(planned.field, stored, "typed", check)
        with self.ctx.unit_of_work() as (session, repo):
            if state.fields.get(key) != stored:
                try:
                    state = self.ctx.record(session, repo, case_id, actor, "case.field_set",
                                            {"key": key, "value": stored}, state)
                except CaseError as exc:
                    raise IntakeError(str(exc)) from None
            session.execute(delete(FieldDraft).where(FieldDraft.case_id == case_id, FieldDraft.key == key))
        return FormRow(planned.field, stored, "typed", check)

    # -- reading ----------------------------------------------------------------------------
    def get(self, case_id: str) -> CaseState:
        with self.ctx.unit_of_work() as (_, repo):
            state = repo.get(case_id)
        if state is None:
            raise IntakeError("找不到该办件")
        return state

    def applicant_of(self, state: CaseState) -> tuple[Applicant, Any]:
        record = self.ctx.people.for_case(state.applicant)
        return (record.applicant() if record else Applicant()), record

    def plan(self, case: str | CaseState) -> Plan:
        state = self.get(case) if isinstance(case, str) else case
        bundle = self.ctx.catalog_service.bundle_for(state.bundle_code, state.bundle_hash)
        applicant, _ = self.applicant_of(state)
        return make_plan(bundle, state.answers, applicant, state.marks)

    def drafts_of(self, case_id: str) -> dict[str, str]:
        with self.ctx.read() as session:
            rows = session.scalars(select(FieldDraft).where(FieldDraft.case_id == case_id))
            return {r.key: r.value for r in rows}

    def form(self, case: str | CaseState) -> tuple[FormRow, ...]:
        state = self.get(case) if isinstance(case, str) else case
        plan = self.plan(state)
        _, record = self.applicant_of(state)
        from hall_app.services.people import PersonFileService

        return form_rows(plan, state, self.drafts_of(state.case_id),
                         lambda source: PersonFileService.prefill_value(record, source), today=self.ctx.today(),
                         on_file=self._on_file)

    def _on_file(self, number: str) -> bool:
        return self.ctx.people.lookup(number) is not None

    def review(self, case: str | CaseState) -> Review:
        state = self.get(case) if isinstance(case, str) else case
        plan = self.plan(state)
        _, record = self.applicant_of(state)
        form = self.form(state)
        today = self.ctx.today()
        dues = []
        for planned in plan.items:
            due = self.ctx.calendar.add_working_days(today, planned.item.promised_days)
            dues.append(DueLine(planned.item.code, planned.item.name, planned.item.department,
                                planned.item.promised_days, due.date.isoformat(), due.warnings))
        blockers = self._identity_blockers(state) + self._question_blockers(plan)
        accept_blockers = tuple(f"{row.field.label}：{row.check.error}" for row in form if not row.check.ok)
        accept_blockers += tuple(f"申请人{check.error}" for attr in FILE_ATTRS if state.applicant.get(attr)
                                 and not (check := check_applicant(attr, state.applicant[attr], state.applicant)).ok)
        return Review(state, plan, form, tuple(dues), blockers, accept_blockers, plan.suggested_decision(),
                      bool(record and record.dishonest))

    @staticmethod
    def _identity_blockers(state: CaseState) -> tuple[str, ...]:
        out = []
        key = state.applicant.get("id_number") or state.applicant.get("uscc")
        if not key:
            out.append("尚未录入申请人身份证号码或统一社会信用代码")
        elif not identify(key).ok:
            out.append(f"申请人证件号码有误：{identify(key).error}")
        if not state.applicant.get("name"):
            out.append("尚未录入申请人姓名")
        return tuple(out)

    @staticmethod
    def _question_blockers(plan: Plan) -> tuple[str, ...]:
        return tuple(f"情形问题未回答：{q.text}" for q in plan.pending)

    # -- decisions ----------------------------------------------------------------------------
    def _due_map(self, review: Review) -> tuple[dict[str, str], list[str]]:
        return {d.code: d.due for d in review.dues}, list(review.warnings)

    def _materialise_prefill(self, review: Review, actor: str) -> None:
        """Record what the file filled in, so the decided case stands on its own events."""
        for question in review.plan.prefilled:
            self._write(review.state.case_id, actor, "case.answer_set",
                        {"question": question, "value": review.plan.answers[question]})
        for row in review.form:
            mirrored = applicant_attr(row.field, review.state.applicant) is not None
            if row.value and (row.source in ("prefill", "draft") or mirrored):
                if mirrored and row.source == "draft":  # typed on the form, not yet recorded: the applicant's
                    self.set_field(review.state.case_id, actor, row.field.key, row.value)
                self.set_field(review.state.case_id, actor, row.field.key, row.value, snapshot=mirrored)

    def accept(self, case_id: str, actor: str) -> CaseState:
        review = self.review(case_id)
        problems = list(review.blockers + review.accept_blockers)
        if review.plan.missing or review.plan.deferred:
            names = "、".join(m.material.name for m in review.plan.missing + review.plan.deferred)
            problems.append(f"材料未收齐（{names}）：请出具一次性告知书，或（仅缺可容缺材料时）容缺受理")
        if problems:
            raise IntakeError("不能受理：" + "；".join(problems))
        self._materialise_prefill(review, actor)
        items, warnings = self._due_map(review)
        return self._write(case_id, actor, "case.accepted", {"items": items, "warnings": warnings})

    def defer(self, case_id: str, actor: str) -> CaseState:
        review = self.review(case_id)
        problems = []
        if review.dishonest:
            problems.append("申请人有未结失信记录，不适用容缺受理")
        problems += review.blockers + review.accept_blockers
        if review.plan.missing_not_deferrable:
            names = "、".join(m.material.name for m in review.plan.missing_not_deferrable)
            problems.append(f"缺少非容缺材料（{names}），应出具一次性告知书")
        deferred = [m.material.code for m in review.plan.missing] + [m.material.code for m in review.plan.deferred]
        if not deferred and not problems:
            problems.append("材料已齐全，直接受理即可")
        if problems:
            raise IntakeError("不能容缺受理：" + "；".join(problems))
        self._materialise_prefill(review, actor)
        deadline = self.ctx.calendar.add_working_days(self.ctx.today(), self.ctx.settings.deferral_days)
        items, warnings = self._due_map(review)
        return self._write(case_id, actor, "case.accepted_deferred", {
            "items": items, "deferred": deferred, "deadline": deadline.date.isoformat(),
            "warnings": warnings + [w for w in deadline.warnings if w not in warnings]})

    def issue_notice(self, case_id: str, actor: str, reason: str = "") -> CaseState:
        review = self.review(case_id)
        if review.blockers:
            raise IntakeError("不能出具告知书：" + "；".join(review.blockers))
        missing = [m.material.code for m in review.plan.missing]
        if not missing:
            raise IntakeError("没有缺少的材料，无需一次性告知")
        if review.state.status == "notice_issued" and not clean(reason):
            raise IntakeError("已出具过一次性告知书；再次告知须写明情况变化的原因")
        deadline = self.ctx.calendar.add_working_days(self.ctx.today(), self.ctx.settings.notice_days)
        return self._write(case_id, actor, "case.notice_issued", {
            "missing": missing, "deadline": deadline.date.isoformat(), "reason": clean(reason),
            "warnings": list(deadline.warnings)})

    def refuse(self, case_id: str, actor: str, reason: str, basis: str = "") -> CaseState:
        if not clean(reason):
            raise IntakeError("不予受理必须写明理由")
        review = self.review(case_id)
        identity = self._identity_blockers(review.state)
        if identity:
            raise IntakeError("不予受理通知书须写明申请人：" + "；".join(identity))
        return self._write(case_id, actor, "case.refused", {"reason": clean(reason), "basis": clean(basis)})

    # -- after the decision ----------------------------------------------------------------------
    def supply_deferred(self, case_id: str, actor: str, material: str) -> CaseState:
        return self._write(case_id, actor, "case.deferred_supplied", {"material": material})

    def dispatch(self, case_id: str, actor: str) -> CaseState:
        state = self.get(case_id)
        return self._write(case_id, actor, "case.dispatched", {"items": list(state.items)})

    def record_item_result(self, case_id: str, actor: str, item: str, status: str,
                           note: str = "", document: str = "") -> CaseState:
        if status not in ITEM_STATUS_LABELS or status in ("pending", "dispatched"):
            raise IntakeError("办理结果应为：received、approved、rejected、completed")
        if status == "rejected" and not clean(note):
            raise IntakeError("不予批准须写明理由")
        return self._write(case_id, actor, "case.item_result",
                           {"item": item, "status": status, "note": clean(note), "document": document})

    def hand_over(self, case_id: str, actor: str, method: str = "window", note: str = "") -> CaseState:
        if method not in ("window", "mail"):
            raise IntakeError("送达方式应为窗口领取或邮政寄递")
        return self._write(case_id, actor, "case.handed_over", {"method": method, "note": clean(note)})

    def rate(self, case_id: str, actor: str, level: int, comment: str = "") -> CaseState:
        return self._write(case_id, actor, "case.rated", {"level": int(level), "comment": clean(comment)})

    def mark_reviewed(self, case_id: str, actor: str, note: str) -> CaseState:
        """A supervisor has checked a flagged case (sync conflicts, anomalies); both values
        stay in the history, the flag is cleared."""
        return self._write(case_id, actor, "case.reviewed", {"note": clean(note)})

    def void(self, case_id: str, actor: str, reason: str) -> CaseState:
        return self._write(case_id, actor, "case.voided", {"reason": clean(reason)})

    def record_print(self, case_id: str, actor: str, kind: str, path: str, paper: str,
                     printer: str = "", error: str = "") -> CaseState:
        return self._write(case_id, actor, "case.document_printed",
                           {"kind": kind, "path": path, "paper": paper, "printer": printer, "error": error})

    # -- finding -----------------------------------------------------------------------------------
    def find(self, query: str, limit: int = 50) -> list[CaseRow]:
        """One search box: tracking code or scanned URL, ID number, USCC, or a name."""
        text = clean(query)
        if not text:
            return []
        with self.ctx.unit_of_work() as (_, repo):
            code = parse_tracking_code(text)
            if code:
                row = repo.by_tracking_code(code)
                return [row] if row else []
            key = compact(text).upper()
            if len(key) == 18 and key.isalnum():
                return repo.by_id_number(key, limit)
            return repo.by_name(text, limit)

    def by_tracking_code(self, raw: str) -> CaseState:
        code = parse_tracking_code(raw)
        if code is None:
            raise IntakeError(f"“{raw}”不是有效的跟踪码（12位，校验位不符或含无效字符）")
        with self.ctx.unit_of_work() as (_, repo):
            row = repo.by_tracking_code(code)
            if row is None:
                raise IntakeError(f"没有跟踪码为 {code} 的办件")
            return repo.get(row.case_id)

    def window_page(self, window: str, page: int = 0, size: int = 20, since: str | None = None):
        since = since or self.ctx.today().isoformat()
        with self.ctx.unit_of_work() as (_, repo):
            return repo.window_page(window, since, page * size, size)

    def drafts(self, window: str | None = None, limit: int = 50) -> list[CaseRow]:
        with self.ctx.unit_of_work() as (_, repo):
            return repo.drafts(window, limit)

    def timeline(self, case_id: str) -> list[dict[str, Any]]:
        with self.ctx.unit_of_work() as (_, repo):
            return [{"time": r.device_time, "actor": r.actor, "type": r.type, "payload": r.payload,
                     "device": r.device_id, "sync": r.sync_state} for r in repo.event_rows(case_id)]
