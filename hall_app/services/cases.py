"""Case use cases, one module per group (this is their front door):

- case_work.py      the unit of work and the shared read models (plan, form, review)
- case_intake.py    claim, step, applicant, proxy, answers, materials, form fields
- case_decisions.py 受理 / 容缺受理 / 一次性告知 / 不予受理
- case_followup.py  deferred materials, dispatch, results, hand-over, rating, void, prints
- case_finding.py   search, tracking codes, the window's list, timelines

Every rule they apply is the domain's (hall_app/domain/case_rules.py, decisions.py,
ids.identify); every operation is one transaction however many events it writes.
"""

from __future__ import annotations

from hall_app.domain.case import APPLICANT_KEYS, PROXY_RELATIONS, CaseState  # noqa: F401 - re-exported
from hall_app.domain.identifiers import uuid7
from hall_app.domain.ids import identify  # noqa: F401 - re-exported for the screens and the CLI
from hall_app.domain.tracking import new_tracking_code
from hall_app.services.case_decisions import CaseDecisions
from hall_app.services.case_finding import CaseFinding
from hall_app.services.case_followup import CaseFollowUp
from hall_app.services.intake import IntakeError


class CaseService(CaseDecisions, CaseFollowUp, CaseFinding):
    def start(self, bundle: str, actor: str, channel: str = "window", window: str | None = None,
              tracking_code: str | None = None, ticket: str = "", ticket_label: str = "") -> CaseState:
        """``ticket``: the queue ticket (its id) being served, ``ticket_label`` its number;
        the case records them in its start."""
        entry = self.ctx.catalog.entry(bundle)
        if entry is None:
            raise IntakeError(f"目录中没有“{bundle}”")
        if not entry.bundle.complete:
            raise IntakeError(f"“{entry.bundle.name}”尚未完成配置，暂不能受理")
        case_id = uuid7()
        with self.ctx.unit_of_work() as (session, repo):
            self.ctx.hold_write_lock(session)
            self.ctx.catalog_service.remember(session, entry)
            tracking = tracking_code or new_tracking_code()
            while repo.by_tracking_code(tracking) is not None:  # astronomically rare
                tracking = new_tracking_code()
            payload = {"bundle_code": entry.bundle.code, "bundle_version": entry.bundle.version,
                       "bundle_hash": entry.content_hash, "tracking_code": tracking,
                       "hall": self.ctx.settings.hall, "window": window or self.ctx.settings.window,
                       "channel": channel}
            if ticket:  # served from the queue (issue 10): the case records its ticket
                payload["ticket"] = ticket
            if ticket and ticket_label:
                payload["ticket_label"] = ticket_label
            return self.ctx.record(session, repo, case_id, actor, "case.started", payload, None,
                                   entry.bundle.name)
