"""Decision use cases: 受理, 容缺受理, 一次性告知, 不予受理.

Each is one unit of work: the review is computed from the case read inside the
transaction, the decision's availability is the domain's (decisions.py), and what
the file filled in is recorded with the decision or not at all.
"""

from __future__ import annotations

from hall_app.domain.case import CaseState
from hall_app.domain.case_rules import check_notice
from hall_app.domain.decisions import deferred_materials
from hall_app.domain.text import clean
from hall_app.services.case_intake import CaseIntake
from hall_app.services.case_work import CaseWork
from hall_app.services.intake import IntakeError, Review, applicant_attr


class CaseDecisions(CaseIntake):
    def _review_in(self, w: CaseWork) -> Review:
        return self.review(w.state, w.drafts())

    def _materialise_prefill(self, w: CaseWork, review: Review) -> None:
        """Record what the file filled in, so the decided case stands on its own events."""
        for question in review.plan.prefilled:
            w.record("case.answer_set", {"question": question, "value": review.plan.answers[question]})
        for row in review.form:
            mirrored = applicant_attr(row.field, w.state.applicant) is not None
            if row.value and (row.source in ("prefill", "draft") or mirrored):
                if mirrored and row.source == "draft":  # typed on the form, not yet recorded: the applicant's
                    self._set_field(w, row.field.key, row.value)
                self._set_field(w, row.field.key, row.value, snapshot=mirrored)

    @staticmethod
    def _dues(review: Review) -> dict[str, str]:
        return {d.code: d.due for d in review.dues}

    def accept(self, case_id: str, actor: str, commitments: list[str] | tuple[str, ...] = ()) -> CaseState:
        """受理; ``commitments``: items the applicant signs a 告知承诺 for (the bundle must
        mark them eligible), each with its post-check due (事后核查, [deadlines] post_check_days)."""
        with self.work(case_id, actor) as w:
            review = self._review_in(w)
            review.options["accept"].require()
            checks = self._commitments(review, commitments)
            self._materialise_prefill(w, review)
            payload = {"items": self._dues(review), "warnings": list(review.warnings)}
            return w.record("case.accepted", payload | ({"commitments": checks} if checks else {}))

    def _commitments(self, review: Review, codes: list[str] | tuple[str, ...]) -> dict[str, str]:
        if not codes:
            return {}
        planned = {p.item.code: p.item for p in review.plan.items}
        due = self.ctx.calendar.add_working_days(self.ctx.today(), self.ctx.settings.post_check_days)
        out = {}
        for code in codes:
            item = planned.get(code)
            if item is None:
                raise IntakeError(f"本办件没有事项“{code}”")
            if not item.commitment:
                raise IntakeError(f"事项“{item.name}”不适用告知承诺制，须按材料审查办理")
            out[code] = due.date.isoformat()
        return out

    def defer(self, case_id: str, actor: str) -> CaseState:
        with self.work(case_id, actor) as w:
            review = self._review_in(w)
            review.options["defer"].require()
            self._materialise_prefill(w, review)
            days = review.plan.bundle.deferral.days or self.ctx.settings.deferral_days  # the bundle's, else the hall's
            deadline = self.ctx.calendar.add_working_days(self.ctx.today(), days)
            warnings = list(review.warnings)
            return w.record("case.accepted_deferred", {
                "items": self._dues(review), "deferred": deferred_materials(review.plan),
                "deadline": deadline.date.isoformat(),
                "warnings": warnings + [x for x in deadline.warnings if x not in warnings]})

    def issue_notice(self, case_id: str, actor: str, reason: str = "") -> CaseState:
        """The one-time notice (一次性告知书) of what is missing. A further one comes only
        after the materials changed, and one naming a material no earlier notice named
        needs the reason why (一次告知; the domain's case_rules.check_notice)."""
        with self.work(case_id, actor) as w:
            review = self._review_in(w)
            review.options["notice"].require()
            missing = [m.material.code for m in review.plan.missing]
            names = {m.material.code: m.material.name for m in review.plan.missing}
            check_notice(w.state, clean(reason), missing, names)
            deadline = self.ctx.calendar.add_working_days(self.ctx.today(), self.ctx.settings.notice_days)
            return w.record("case.notice_issued", {
                "missing": missing, "deadline": deadline.date.isoformat(),
                "reason": clean(reason), "warnings": list(deadline.warnings)})

    def refuse(self, case_id: str, actor: str, reason: str, basis: str = "") -> CaseState:
        with self.work(case_id, actor) as w:
            review = self._review_in(w)
            review.options["refuse"].require()
            return w.record("case.refused", {"reason": clean(reason), "basis": clean(basis)})
