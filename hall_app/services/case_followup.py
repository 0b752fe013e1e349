"""After the decision: deferred materials, dispatch, department results, hand-over,
rating, review of a flagged case, voiding, printed documents.

The rules (which statuses, notes and levels are allowed) are the domain's
(case_rules.py); these use cases only shape the payload and write it.
"""

from __future__ import annotations

from hall_app.domain.case import CaseState
from hall_app.domain.text import clean
from hall_app.services.case_work import CaseServiceBase
from hall_app.services.intake import IntakeError
from hall_app.store.models import Device


class CaseFollowUp(CaseServiceBase):
    def supply_deferred(self, case_id: str, actor: str, material: str, licence: str = "") -> CaseState:
        """A deferred material handed in; with ``licence``, its e-licence fetched instead."""
        payload = {"material": material} | ({"via": "elicence", "licence": licence} if licence else {})
        return self._write(case_id, actor, "case.deferred_supplied", payload)

    def dispatch(self, case_id: str, actor: str) -> CaseState:
        """One package per department (services/dispatch.py; the server does it for enrolled devices)."""
        from hall_app.services.dispatch import DispatchService

        return DispatchService(self.ctx).dispatch(case_id, actor)

    def record_item_result(self, case_id: str, actor: str, item: str, status: str,
                           note: str = "", document: str = "") -> CaseState:
        """A department's result, recorded on this machine: only in single-machine mode
        (the demo hall). A device enrolled with a server never writes one: departments
        post their results to the server (POST /v1/results), which refuses the event
        from a hall device (server/scopes.py), so it would only sit in quarantine."""
        with self.work(case_id, actor) as w:
            device = w.session.get(Device, self.ctx.device_id)
            if device is not None and device.server_url:
                raise IntakeError("办理结果由各部门系统回传到中心服务器；已登记到服务器的设备不能在本机录入")
            return w.record("case.item_result",
                            {"item": item, "status": status, "note": clean(note), "document": document})

    def hand_over(self, case_id: str, actor: str, method: str = "window", note: str = "") -> CaseState:
        return self._write(case_id, actor, "case.handed_over", {"method": method, "note": clean(note)})

    def rate(self, case_id: str, actor: str, level: int, comment: str = "", **more) -> CaseState:
        """The citizen's rating (好差评); services/ratings.py checks it and dates a bad one's follow-up."""
        from hall_app.services.ratings import RatingService

        return RatingService(self.ctx).rate(case_id, actor, level, comment=comment, **more)

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
