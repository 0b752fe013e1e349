"""Hand-over (送达): results collected at the window, mailed (邮政寄递) or delivered as
e-licences, once every department's result is back; then the case asks for a rating.

At the window the collector is verified by ID number: the applicant, or the proxy
(代办人) recorded on the case. By post the EMS waybill number is checked as typed
(domain/dispatch.py, ``check_waybill``); the tracking page shows it, never who collected.
"""

from __future__ import annotations

from hall_app.domain.case import CaseError, CaseState
from hall_app.domain.dispatch import check_waybill
from hall_app.domain.ids import check_citizen_id
from hall_app.domain.text import clean
from hall_app.services.case_work import CaseServiceBase
from hall_app.services.intake import IntakeError

RATING_PROMPT = "已送达。请邀请申请人对本次服务评价（好差评）：非常满意、满意、基本满意、不满意、非常不满意"


class HandOverService(CaseServiceBase):
    def problem(self, state: CaseState) -> str | None:
        """Why the case cannot be handed over now (None: it can), the open items by name."""
        if state.status != "completed":
            bundle = self.ctx.catalog_service.bundle_for(state.bundle_code, state.bundle_hash)
            names = {i.code: i.name for i in bundle.items}
            waiting = [names.get(c, c) for c, i in state.items.items() if i["status"] not in ("completed", "rejected")]
            detail = f"（尚未办结：{'、'.join(waiting)}）" if waiting else ""
            return f"办件当前为“{state.status_label}”，办理结果全部返回后才能送达{detail}"
        return None

    def _ready(self, state: CaseState) -> None:
        problem = self.problem(state)
        if problem:
            raise IntakeError(problem)

    def at_window(self, case_id: str, actor: str, collector_id: str, note: str = "") -> CaseState:
        """Window pickup: the collector's ID number must be the applicant's or the proxy's."""
        check = check_citizen_id(collector_id)
        if not check.ok:
            raise IntakeError(f"领取人身份证号码：{check.error}")
        with self.work(case_id, actor) as w:
            self._ready(w.state)
            proxy = w.state.proxy or {}
            if check.value == w.state.applicant.get("id_number", "").upper():
                collector, name = "applicant", w.state.applicant.get("name", "")
            elif proxy and check.value == str(proxy.get("id_number", "")).upper():
                collector, name = "proxy", str(proxy.get("name", ""))
            else:
                raise IntakeError("领取人身份证号码与申请人及登记的代办人均不符，不能交付；"
                                  "代他人领取须先登记代办人及授权委托书")
            return w.record("case.handed_over", {"method": "window", "note": clean(note), "collector": collector,
                                                 "collector_name": name})

    def by_mail(self, case_id: str, actor: str, waybill: str, note: str = "") -> CaseState:
        """Post (邮政寄递): the EMS waybill number of the package."""
        try:
            number = check_waybill(waybill)
        except CaseError as exc:
            raise IntakeError(str(exc)) from None
        with self.work(case_id, actor) as w:
            self._ready(w.state)
            return w.record("case.handed_over", {"method": "mail", "note": clean(note), "waybill": number})

    def elicence(self, case_id: str, actor: str, note: str = "") -> CaseState:
        """The results are e-licences (电子证照), delivered to the applicant's licence wallet."""
        with self.work(case_id, actor) as w:
            self._ready(w.state)
            return w.record("case.handed_over", {"method": "elicence", "note": clean(note)})
