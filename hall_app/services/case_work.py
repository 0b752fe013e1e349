"""The unit of work of a case use case, and the read models every use case shares.

Each operation on a case runs in one ``CaseWork``: one transaction that takes the
write lock first, reads the case inside it, checks its conditions on that read and
appends however many events it needs; all of them or none are written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hall_app.domain.authorisation import case_problem
from hall_app.domain.case import CaseError, CaseState
from hall_app.domain.decisions import decision_options, identity_blockers, question_blockers
from hall_app.domain.planner import Applicant, Plan, make_plan
from hall_app.services.intake import FILE_ATTRS, DueLine, FormRow, IntakeError, Review, check_applicant, form_rows
from hall_app.store.models import FieldDraft
from hall_app.store.repository import CaseRepository

if TYPE_CHECKING:
    from hall_app.services.context import HallContext


class CaseWork:
    """One case inside one transaction: ``state`` is current, ``record`` appends."""

    def __init__(self, ctx: "HallContext", session: Session, repo: CaseRepository, state: CaseState, actor: str):
        self.ctx, self.session, self.repo, self.actor = ctx, session, repo, actor
        self.state = state

    @property
    def case_id(self) -> str:
        return self.state.case_id

    def record(self, kind: str, payload: dict[str, Any]) -> CaseState:
        self.state = self.ctx.record(self.session, self.repo, self.case_id, self.actor, kind, payload, self.state)
        return self.state

    def drafts(self) -> dict[str, str]:
        rows = self.session.scalars(select(FieldDraft).where(FieldDraft.case_id == self.case_id))
        return {r.key: r.value for r in rows}

    def drop_draft(self, key: str) -> None:
        self.session.execute(delete(FieldDraft).where(FieldDraft.case_id == self.case_id, FieldDraft.key == key))


class CaseServiceBase:
    def __init__(self, ctx: "HallContext"):
        self.ctx = ctx

    @contextmanager
    def work(self, case_id: str, actor: str) -> Iterator[CaseWork]:
        """One unit of work on ``case_id``; a rule the case refuses becomes IntakeError
        and nothing of the unit is written."""
        try:
            with self.ctx.unit_of_work() as (session, repo):
                self.ctx.hold_write_lock(session)
                state = repo.get(case_id)
                if state is None:
                    raise IntakeError("找不到该办件")
                yield CaseWork(self.ctx, session, repo, state, actor)
        except CaseError as exc:
            raise IntakeError(str(exc)) from None

    def _write(self, case_id: str, actor: str, kind: str, payload: dict[str, Any]) -> CaseState:
        with self.work(case_id, actor) as w:
            return w.record(kind, payload)

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

    def form(self, case: str | CaseState, drafts: dict[str, str] | None = None) -> tuple[FormRow, ...]:
        state = self.get(case) if isinstance(case, str) else case
        plan = self.plan(state)
        _, record = self.applicant_of(state)
        from hall_app.services.people import PersonFileService

        drafts = self.drafts_of(state.case_id) if drafts is None else drafts
        return form_rows(plan, state, drafts, lambda source: PersonFileService.prefill_value(record, source),
                         today=self.ctx.today(), on_file=self._on_file)

    def _on_file(self, number: str) -> bool:
        return self.ctx.people.lookup(number) is not None

    def review(self, case: str | CaseState, drafts: dict[str, str] | None = None) -> Review:
        """The case's plan, form, due dates and what each decision needs, as of now."""
        state = self.get(case) if isinstance(case, str) else case
        plan = self.plan(state)
        _, record = self.applicant_of(state)
        form = self.form(state, drafts)
        today = self.ctx.today()
        dues = []
        for planned in plan.items:
            due = self.ctx.calendar.add_working_days(today, planned.item.promised_days)
            dues.append(DueLine(planned.item.code, planned.item.name, planned.item.department,
                                planned.item.promised_days, due.date.isoformat(), due.warnings))
        blockers = identity_blockers(state.applicant) + question_blockers(plan)
        accept_blockers = tuple(f"{row.field.label}：{row.check.error}" for row in form if not row.check.ok)
        accept_blockers += tuple(f"申请人{check.error}" for attr in FILE_ATTRS if state.applicant.get(attr)
                                 and not (check := check_applicant(attr, state.applicant[attr], state.applicant)).ok)
        dishonest = bool(record and record.dishonest)
        options = decision_options(state, plan, accept_blockers, dishonest, case_problem(state, today))
        return Review(state, plan, form, tuple(dues), blockers, accept_blockers, plan.suggested_decision(),
                      dishonest, options)
