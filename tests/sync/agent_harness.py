"""An agent's laptop in tests: authorise a principal, file a case for them through the
services the agent's keys call, and take one of three decisions."""

from __future__ import annotations

import datetime as dt

from hall_app.domain.authorisation import Draft
from hall_app.services.demo import CHEN_MIN
from hall_app.services.users import SignedIn

AGENT = SignedIn("wangqiang", "王强", "agent", "JJ01", "W03", "白沙镇")
BUNDLES = ("social_assistance", "elderly_care", "disability_assistance")


def authorise(ctx, principal: str, bundles=BUNDLES, received: bool = True, agent: SignedIn = AGENT):
    today = ctx.today()
    auth = ctx.authorisations.record(agent, Draft(principal, "帮代办员", tuple(bundles), today.isoformat(),
                                                  (today + dt.timedelta(days=90)).isoformat()))
    return ctx.agent_day.receive(agent, auth.auth_id) if received else auth


def _value(field, today: dt.date) -> str:
    from hall_app.domain.form import is_past_only

    if field.type == "choice":
        return field.choices[0]
    if field.type == "date":
        return "2020-05-18" if is_past_only(field) else (today + dt.timedelta(days=10)).isoformat()
    values = {"name": "王小明", "citizen_id": CHEN_MIN, "mobile": "13908312345", "phone": "023-47561234",
              "address": "重庆市江津区白沙镇石坝村3组8号", "number": "2"}
    return values.get(field.type, "按实填写的内容")


def file_case(ctx, auth, bundle: str, decision: str = "accept", agent: SignedIn = AGENT):
    """Start a case for the authorisation's principal and decide it: accept (every
    material handed in), notice (nothing handed in) or defer (only what may be deferred
    left out)."""
    svc, who = ctx.cases, agent.username
    cid = ctx.agent_day.start_for(agent, auth.auth_id, bundle).case_id
    for _ in range(40):
        pending = svc.plan(cid).pending
        if not pending:
            break
        svc.answer(cid, who, pending[0].id, pending[0].options[0])
    plan = svc.plan(cid)
    for planned in plan.materials:
        if planned.status in ("exempt", "handed_in"):
            continue
        if decision == "accept" or (decision == "defer" and planned.material.requirement != "deferrable"):
            svc.mark_material(cid, who, planned.material.code, "handed_in")
        elif decision == "defer":
            svc.mark_material(cid, who, planned.material.code, "deferred")
    for row in svc.form(cid):
        if not row.check.ok:
            svc.set_field(cid, who, row.field.key, _value(row.field, ctx.today()))
    if decision == "notice":
        return svc.issue_notice(cid, who)
    if decision == "defer":
        return svc.defer(cid, who)
    return svc.accept(cid, who)
