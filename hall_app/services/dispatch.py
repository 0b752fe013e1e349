"""After the counter, the window's side (docs/dispatch.md): dispatch on this machine
(standalone), each department's state per case, the supplement (补正) a department
asked for, deferred materials handed in later, an overdue deferral's termination
(终止), and the clerk's follow-up list.

The rules are the domain's (domain/dispatch.py, case_rules.py); these use cases shape
the payloads, check what the clerk typed against the case's bundle, and write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import or_, select

from hall_app.domain import deferral
from hall_app.domain import dispatch as rules
from hall_app.domain.case import CaseState
from hall_app.domain.dashboard import URGENCY, DeadlineLine, clerk_due
from hall_app.domain.deferral import DeferralStage
from hall_app.domain.text import clean
from hall_app.services.case_work import CaseServiceBase
from hall_app.services.intake import IntakeError
from hall_app.store.models import CaseRow
from hall_app.store.repository import state_from_dict

# Statuses in which a case may still need the clerk (results back, material asked, deadlines).
OPEN_STATUSES = ("notice_issued", "accepted", "accepted_deferred", "dispatched", "completed")
# Statuses whose items' promised dates still bind (domain/dashboard.py ``_deadlines_of``).
DUE_STATUSES = ("accepted", "accepted_deferred", "dispatched")
DISPATCH_ACTOR = "数据分发"
LATE = "已超过承诺期限"  # domain/dispatch.py follow_up_flags: an item past its promised date


@dataclass(frozen=True)
class FollowUp:
    """One case on the clerk's follow-up list and why."""

    case_id: str
    tracking_code: str
    bundle_name: str
    applicant_name: str
    status: str
    window: str
    flags: tuple[str, ...]
    deferral_action: str = ""  # the deferral's next step: remind / terminate / revoke (domain/deferral.py)
    deferral_stage: str = ""  # its stage as the clerk reads it (应提醒, 已逾期 …)
    due: DeadlineLine | None = None  # the clerk's own case near or past its items' promised date
    due_what: str = ""  # those items by name, grouped under their departments

    def urgency_key(self) -> tuple[int, dt.date, str]:
        """Most urgent first: overdue (the longest late first), due today, due soon, the rest."""
        if self.due is not None:
            return list(URGENCY).index(self.due.urgency), self.due.due, self.tracking_code
        late = any("逾期" in x or "超过" in x for x in self.flags)
        return (0 if late else len(URGENCY)), dt.date.max, self.tracking_code


class DispatchService(CaseServiceBase):
    # -- dispatch -------------------------------------------------------------------------
    def departments_map(self, state: CaseState) -> dict[str, list[str]]:
        bundle = self.ctx.catalog_service.bundle_for(state.bundle_code, state.bundle_hash)
        return rules.departments(bundle, list(state.items))

    def dispatch(self, case_id: str, actor: str = DISPATCH_ACTOR) -> CaseState:
        """Send the items to their departments (one package each). On a device enrolled
        with a server the server does this when the acceptance reaches it."""
        with self.work(case_id, actor) as w:
            return w.record("case.dispatched", {"items": list(w.state.items),
                                                "departments": self.departments_map(w.state)})

    def dispatch_accepted(self) -> list[str]:
        """Standalone (no server): dispatch every accepted case of this machine, as the
        server does for enrolled devices. Returns the cases dispatched."""
        with self.ctx.read() as session:
            ids = list(session.scalars(select(CaseRow.case_id).where(
                CaseRow.status.in_(rules.ACCEPTANCE_STATUSES)).order_by(CaseRow.created_at)))
        for case_id in ids:
            self.dispatch(case_id)
        return ids

    def department_rows(self, case: str | CaseState) -> list[dict[str, Any]]:
        """Each department's share of the case, with ``took``: working days from dispatch
        to its last report when done, else until today ("" before dispatch)."""
        state = self.get(case) if isinstance(case, str) else case
        bundle = self.ctx.catalog_service.bundle_for(state.bundle_code, state.bundle_hash)
        rows = rules.department_rows(bundle, state)
        for row in rows:
            start = rules.parse_day(row["sent"])
            end = rules.parse_day(row["updated"]) if row["status"] == "done" else self.ctx.today()
            row["took"] = self.ctx.calendar.working_days_between(start, end) if start and end and end >= start else ""
        return rows

    # -- supplements (补正) and deferred materials (容缺) ------------------------------------
    def supplement(self, case_id: str, actor: str, item: str, materials: list[str], note: str = "") -> CaseState:
        """The applicant brought what the department asked for: the item goes back to it,
        its promised date moved by the working days it waited."""
        with self.work(case_id, actor) as w:
            bundle = self.ctx.catalog_service.bundle_for(w.state.bundle_code, w.state.bundle_hash)
            wanted = {m.code: m.name for m in bundle.materials if item in m.items}
            codes = [clean(m) for m in materials if clean(m)]
            for code in codes:
                if code not in wanted:
                    raise IntakeError(f"“{code}”不是事项 {item} 所需的材料（可选：{'、'.join(wanted) or '无'}）")
            rules.check_supplement(w.state, item, codes)
            return w.record("case.supplemented", {"item": item, "materials": codes, "note": clean(note),
                                                  "due": self._moved_due(w.state.items[item])})

    def supplement_choices(self, case: str | CaseState) -> list[tuple[str, str, str, list[tuple[str, str]]]]:
        """The items a department sent back (需补正), for the window's 补正 dialog: (code,
        name, the department's note, the bundle's materials for that item as (code, name))."""
        state = self.get(case) if isinstance(case, str) else case
        bundle = self.ctx.catalog_service.bundle_for(state.bundle_code, state.bundle_hash)
        return [(i.code, i.name, str(state.items[i.code].get("note", "")),
                 [(m.code, m.name) for m in bundle.materials if i.code in m.items])
                for i in bundle.items if state.items.get(i.code, {}).get("status") == "needs_material"]

    def _moved_due(self, item: dict[str, Any]) -> str:
        due, returned = rules.parse_day(item.get("due")), rules.parse_day(item.get("at"))
        if due is None or returned is None:
            return str(item.get("due", ""))
        today = self.ctx.today()
        waited = self.ctx.calendar.working_days_between(returned, today) if today > returned else 0
        return self.ctx.calendar.add_working_days(due, waited).date.isoformat() if waited else due.isoformat()

    def supply(self, case_id: str, actor: str, material: str, elicence: bool = False) -> CaseState:
        """A deferred material (容缺) handed in later; ``elicence``: not on paper, its
        e-licence now on the applicant's file is fetched (电子证照已调取)."""
        state = self.get(case_id)
        code = clean(material)
        if code not in state.deferred:
            names = self.names(state)
            listed = "、".join(names.get(c, c) for c in state.deferred) or "无"
            label = f"“{names[code]}”（{code}）" if code in names else f"“{code}”"
            raise IntakeError(f"该办件不需要补交{label}（待补交的容缺材料：{listed}）")
        licence = self.elicence_for(state, code) if elicence else ""
        return self.ctx.cases.supply_deferred(case_id, actor, code, licence)

    def elicence_for(self, state: CaseState, material: str) -> str:
        """The e-licence type that stands for ``material``, if the applicant's file holds it
        now; else the reason it cannot be fetched (IntakeError)."""
        bundle = self.ctx.catalog_service.bundle_for(state.bundle_code, state.bundle_hash)
        found = next((m for m in bundle.materials if m.code == material), None)
        if found is None or not found.elicence:
            raise IntakeError(f"“{found.name if found else material}”没有对应的电子证照，请收取纸质材料")
        key = state.applicant.get("uscc") or state.applicant.get("id_number") or ""
        record = self.ctx.people.lookup(key)
        if record is None or found.elicence not in record.elicences:
            raise IntakeError(f"申请人档案中还没有“{found.elicence}”电子证照，请收取纸质“{found.name}”")
        return found.elicence

    def names(self, state: CaseState) -> dict[str, str]:
        """The names of the case's items and materials by code (for what the clerk reads)."""
        bundle = self.ctx.catalog_service.bundle_for(state.bundle_code, state.bundle_hash)
        return {i.code: i.name for i in bundle.items} | {m.code: m.name for m in bundle.materials}

    def supply_choices(self, case: str | CaseState) -> list[tuple[str, str, str]]:
        """The case's materials for the window's 补交 list: (code, name, status), the
        deferred ones first (``deferred_elicence`` when the applicant's file now holds
        its e-licence: it can be fetched instead of paper; ``deferred`` otherwise), then
        the rest as the plan has them."""
        state = self.get(case) if isinstance(case, str) else case
        plan = self.plan(state)

        def status(p) -> str:
            if p.material.code not in state.deferred:
                return p.status
            return "deferred_elicence" if p.status == "exempt" else "deferred"

        rows = [(p.material.code, p.material.name, status(p)) for p in plan.materials]
        return sorted(rows, key=lambda row: not row[2].startswith("deferred"))

    # -- a deferral's stage, its reminder and its consequence (domain/deferral.py) ------------
    def deferral_stage(self, case: str | CaseState) -> DeferralStage | None:
        """Where the case's deferral stands today under its bundle's policy (the 承诺书's)."""
        state = self.get(case) if isinstance(case, str) else case
        if not state.deferred:
            return None
        bundle = self.ctx.catalog_service.bundle_for(state.bundle_code, state.bundle_hash)
        return deferral.stage(state, bundle.deferral, self.ctx.calendar, self.ctx.today())

    def remind(self, case_id: str, actor: str, channel: str = "phone", note: str = "") -> CaseState:
        """The applicant was reminded of the deferred materials still due (as the 承诺书 says)."""
        if channel not in deferral.REMINDER_CHANNELS:
            ways = "、".join(f"{k}（{v}）" for k, v in deferral.REMINDER_CHANNELS.items())
            raise IntakeError(f"提醒方式应为：{ways}")
        with self.work(case_id, actor) as w:
            problem = deferral.reminder_problem(self.deferral_stage(w.state))
            if problem:
                raise IntakeError(problem)
            return w.record("case.deferral_reminded", {"materials": list(w.state.deferred), "channel": channel,
                                                       "deadline": w.state.deferred_deadline, "note": clean(note)})

    def overdue_reason(self, state: CaseState) -> str:
        """The reason the 终止/撤销 notice prints, from the commitment (prefilled for the clerk)."""
        names = self.names(state)
        listed = "、".join(names.get(c, c) for c in state.deferred)
        return f"容缺材料逾期未补交（承诺补交期限 {state.deferred_deadline}）：{listed}"

    def terminate_overdue(self, case_id: str, actor: str, reason: str = "") -> CaseState:
        """An overdue deferral, reminded and past its grace days: 终止办理 or 撤销受理, as
        the bundle's 容缺受理承诺书 says."""
        with self.work(case_id, actor) as w:
            st = self.deferral_stage(w.state)
            problem = deferral.consequence_problem(st)
            if problem or st is None:
                raise IntakeError(problem)
            bundle = self.ctx.catalog_service.bundle_for(w.state.bundle_code, w.state.bundle_hash)
            return w.record("case.terminated", {
                "kind": st.on_overdue, "reason": clean(reason) or self.overdue_reason(w.state),
                "basis": f"容缺受理承诺书：{deferral.consequence_text(bundle.deferral)}"})

    def revoke(self, case_id: str, actor: str, reason: str) -> CaseState:
        """撤销 a case decided on a commitment the post-check found untrue."""
        with self.work(case_id, actor) as w:
            failed = [code for code, check in w.state.checks.items() if check["result"] == "failed"]
            if not failed:
                raise IntakeError("该办件没有核查不实的告知承诺事项，不能撤销")
            return w.record("case.terminated", {"kind": "revoke", "reason": clean(reason),
                                                "basis": f"告知承诺书：承诺内容与实际不符（{'、'.join(failed)}）"})

    def notice_return(self, case: str | CaseState) -> list[tuple[str, str, bool]]:
        """A citizen back after a one-time notice: the notice's materials only, each with
        its name and whether it is handed in now (nothing already answered is asked again)."""
        state = self.get(case) if isinstance(case, str) else case
        if state.status != "notice_issued" or not state.notices:
            return []
        plan = self.plan(state)
        names = {p.material.code: p.material.name for p in plan.materials}
        ready = {p.material.code for p in plan.materials if p.status in ("handed_in", "exempt")}
        return [(code, names.get(code, code), code in ready) for code in state.notices[-1]["missing"]]

    # -- the clerk's list ---------------------------------------------------------------------
    def follow_ups_of(self, state: CaseState, named: bool = False) -> list[str]:
        """The case's follow-up flags; ``named``: items and materials by name, not code."""
        return rules.follow_up_flags(state, self.ctx.today(), self.names(state) if named else None,
                                     self.deferral_stage(state))

    def follow_ups(self, window: str | None = None, limit: int = 200, named: bool = False,
                   clerk: str | None = None) -> list[FollowUp]:
        """Cases that need the clerk now: results back, material asked, rejections,
        deferrals and notices due or overdue, failed post-checks; with ``clerk``, also
        that clerk's own cases due or overdue (``own_due``). Most urgent first."""
        query = select(CaseRow).where(CaseRow.status.in_(OPEN_STATUSES))
        if window:
            query = query.where(CaseRow.window == window)
        with self.ctx.unit_of_work() as (session, repo):
            rows = list(session.scalars(query.order_by(CaseRow.updated_at.desc()).limit(limit)))
            states = [(row, repo.get(row.case_id)) for row in rows]
        today, out = self.ctx.today(), {}
        for row, state in states:
            if state is None:
                continue
            st = self.deferral_stage(state)
            flags = rules.follow_up_flags(state, today, self.names(state) if named else None, st)
            if flags:
                out[row.case_id] = FollowUp(row.case_id, row.tracking_code, row.bundle_name, row.applicant_name,
                                            state.status, row.window, tuple(flags), st.action if st else "",
                                            st.label if st else "")
        for found in self.own_due(clerk, named) if clerk else ():
            listed = out.get(found.case_id)
            out[found.case_id] = found if listed is None else replace(listed, flags=found.flags, due=found.due,
                                                                      due_what=found.due_what)
        return sorted(out.values(), key=FollowUp.urgency_key)

    def own_due(self, clerk: str, named: bool = False) -> list[FollowUp]:
        """The clerk's own open cases (taken, or claimed: 接手) whose items are overdue, due
        today or due within the at-risk working days: the deadline board's rule
        (domain/dashboard.py ``clerk_due``). Reads only the columns the list shows."""
        mine = or_(CaseRow.claimed_by == clerk, CaseRow.created_by == clerk)  # clerk_due says whose it is now
        query = select(CaseRow.case_id, CaseRow.tracking_code, CaseRow.bundle_name, CaseRow.applicant_name,
                       CaseRow.window, CaseRow.state).where(CaseRow.status.in_(DUE_STATUSES), mine)
        with self.ctx.read() as session:
            rows = {r.case_id: r for r in session.execute(query)}
        states = {case_id: state_from_dict(r.state) for case_id, r in rows.items()}
        today, out = self.ctx.today(), []
        for line in clerk_due(states.values(), clerk, today, self.ctx.calendar,
                              self.ctx.settings.deadlines.at_risk_days):
            r, state = rows[line.case_id], states[line.case_id]
            st, names = self.deferral_stage(state), self.names(state) if named else {}
            said = tuple(f"事项 {names.get(code, code)} {LATE}" for code in line.what.split("、"))
            flags = [f for f in rules.follow_up_flags(state, today, names or None, st)
                     if not f.startswith(said)]  # the items the due line names as late already
            out.append(FollowUp(r.case_id, r.tracking_code, r.bundle_name, r.applicant_name, state.status, r.window,
                                tuple(flags), st.action if st else "", st.label if st else "", line,
                                self.due_what(state, line.what.split("、"), named)))
        return out

    def due_what(self, state: CaseState, items: list[str], named: bool = True) -> str:
        """The items by department, the department first (the one to chase):
        市卫生健康委（出生医学证明、预防接种证）、市医保局（…）."""
        bundle = self.ctx.catalog_service.bundle_for(state.bundle_code, state.bundle_hash)
        by_code = {i.code: i for i in bundle.items}
        grouped: dict[str, list[str]] = {}
        for code in items:
            item = by_code.get(code)
            grouped.setdefault(item.department if item else "", []).append(item.name if item and named else code)
        return "、".join(f"{dept}（{'、'.join(names)}）" if dept else "、".join(names)
                        for dept, names in grouped.items())
