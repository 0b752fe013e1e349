"""The agent's day (帮代办员的一天, issue 13): what the agent's workbench shows and the
one action it adds to the intake: starting a case for an authorised principal.

- my principals: the register's authorisations with their validity;
- my cases by stage of the proxy process 委托 → 受理 → 办理 → 送达 → 归档 → 回访,
  each with the next thing to do, how many of its events wait to sync, and what came
  back from the server (results, a return for supplement);
- the sync state (kept across restarts) and how old the offline data is.

Everything reads the local database only: it all works with no server.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from hall_app.domain.authorisation import Authorisation, status_label, township_problem, why_not
from hall_app.domain.case import STATUS_LABELS
from hall_app.services.intake import IntakeError
from hall_app.store.models import BundleVersion, CaseRow, Device, EventRow

if TYPE_CHECKING:
    from hall_app.domain.case import CaseState
    from hall_app.services.context import HallContext
    from hall_app.services.person_extracts import ExtractAge
    from hall_app.services.users import SignedIn

STAGES = ("委托", "受理", "办理", "送达", "归档", "回访")
# status → (stage, the next thing to do)
STAGE_OF = {
    "draft": ("受理", "继续录入并受理"),
    "notice_issued": ("受理", "按告知书补齐材料后再受理"),
    "accepted": ("办理", "等待部门办理"),
    "accepted_deferred": ("办理", "催交容缺材料"),
    "dispatched": ("办理", "等待部门办理"),
    "completed": ("送达", "领取结果，上门送达委托人（F9）"),
    "handed_over": ("归档", "回访委托人并代为评价（F10）"),
    "rated": ("回访", "已回访"),
    "refused": ("归档", "向委托人说明不予受理的理由"),
    "voided": ("归档", "已作废"),
}
CLOSED = ("voided", "refused", "rated", "handed_over")  # a new filing of the same need is no duplicate
CASES_SHOWN = 200
STALE_HOURS = 24.0
FOLLOW_UP_DAYS = 5  # working days after a home delivery, the 回访 call


@dataclass(frozen=True)
class PrincipalLine:
    auth: Authorisation
    status: str  # 有效 / 待收回签署件 / 已过期 …
    bundle_names: tuple[str, ...]
    file: "ExtractAge | None" = None  # how old the person-file extract is (services/person_extracts.py)


@dataclass(frozen=True)
class AgentCaseLine:
    case_id: str
    tracking_code: str
    principal: str
    bundle_name: str
    status: str
    status_label: str
    stage: str
    next_step: str
    waiting: int  # events of the case not yet on the server
    came_back: str  # what the server brought back ("" for nothing)
    updated_at: str
    auth_id: str = ""  # the authorisation the case was filed under
    principal_id: str = ""  # the principal's 身份证号 (the case's applicant)

    @property
    def editable(self) -> bool:
        return self.status in ("draft", "notice_issued")


@dataclass(frozen=True)
class Freshness:
    """How old the laptop's catalog and person-file data are."""

    configured: bool
    synced_at: str  # the last successful sync ("" never)
    catalog_at: str  # the newest catalog version the laptop holds ("" the built-in one)
    age_hours: float | None
    stale: bool
    calendar: str = ""  # which years' holiday tables the laptop holds ("⚠ …" when one is missing)

    def line(self) -> str:
        return self._data() + (f"；{self.calendar}" if self.calendar else "")

    def _data(self) -> str:
        if not self.configured:
            return "单机模式：目录与证照数据为本机数据，未与服务器同步"
        if not self.synced_at:
            return "⚠ 尚未与服务器同步：目录与证照数据可能已过期"
        age = _age(self.age_hours or 0.0)
        catalog = f"目录版本 {self.catalog_at[:10]}，" if self.catalog_at else ""
        text = f"{catalog}目录与证照数据更新于 {self.synced_at[5:16].replace('T', ' ')}（{age}前）"
        return ("⚠ " + text + "，已过期，请联网同步后再受理") if self.stale else text

    def short(self) -> str:
        """For the status bar of every agent screen: the last sync and the data's age."""
        if not self.configured:
            return ""
        if not self.synced_at:
            return "⚠ 从未同步"
        when = f"同步于 {self.synced_at[5:16].replace('T', ' ')}"
        if self.stale:
            return f"{when} · ⚠ 数据已{_age(self.age_hours or 0.0)}未更新"
        return when + (" · ⚠ 日历" if self.calendar.startswith("⚠") else "")


@dataclass(frozen=True)
class SyncLine:
    configured: bool
    online: bool | None
    pending: int
    oldest_seconds: float | None
    last_success: str
    last_error: str
    label: str

    @property
    def revoked(self) -> bool:
        return "吊销" in self.last_error


@dataclass(frozen=True)
class AgentDayView:
    principals: list[PrincipalLine]
    cases: list[AgentCaseLine]
    sync: SyncLine
    freshness: Freshness
    stages: dict[str, int] = field(default_factory=dict)
    register_waiting: int = 0  # register entries (authorisations) not yet on the server

    @property
    def drafts(self) -> list[AgentCaseLine]:
        return [c for c in self.cases if c.editable]

    @property
    def came_back(self) -> list[AgentCaseLine]:
        return [c for c in self.cases if c.came_back]

    @property
    def waiting(self) -> int:
        return sum(c.waiting for c in self.cases) + self.register_waiting


def _age(hours: float) -> str:
    if hours < 1:
        return f"{int(hours * 60)}分钟"
    if hours < 48:
        return f"{int(hours)}小时"
    return f"{int(hours // 24)}天"


def came_back_of(status: str, items: dict) -> str:
    if status == "notice_issued":
        return "退回补正材料"
    if any(i.get("status") == "rejected" for i in items.values()):
        return "部门不予批准"
    if status == "completed":
        return "结果已返回，待送达"
    return "服务器有更新"


def duplicate_step(d: dict) -> str:
    """The workbench's short "next step" for a flagged duplicate (the case view has the whole line)."""
    from hall_app.domain.tracking import format_tracking_code

    who = f"（{d['other_agent']}）" if d.get("other_agent") else (
        f"（窗口 {d['other_window']}）" if d.get("other_window") else "")
    return f"疑似重复：另有 {format_tracking_code(str(d.get('other_tracking_code', '')))}{who}，请核实"


class AgentDay:
    def __init__(self, ctx: "HallContext"):
        self.ctx = ctx

    # -- reading -------------------------------------------------------------------------------
    def view(self, agent: "SignedIn") -> AgentDayView:
        principals = self.principals(agent.username)
        cases = self.cases(agent.username)
        stages = {stage: 0 for stage in STAGES}
        for line in cases:
            if line.status != "voided":
                stages[line.stage] += 1
        with self.ctx.read() as session:
            register = session.scalar(select(func.count()).where(EventRow.sync_state == "pending",
                                                                 EventRow.type.like("register.%"))) or 0
        return AgentDayView(principals, cases, self.sync_line(), self.freshness(), stages, int(register))

    def principals(self, agent: str) -> list[PrincipalLine]:
        today = self.ctx.today()
        catalog = self.ctx.catalog
        from hall_app.services.person_extracts import extract_ages

        auths = self.ctx.authorisations.of_agent(agent)
        fresh = self.freshness()
        limit = float(getattr(self.ctx.settings, "stale_hours", STALE_HOURS))
        ages = extract_ages(self.ctx, sorted({a.principal_id for a in auths}), fresh.configured, limit)
        out = []
        for auth in auths:
            names = tuple(getattr(catalog.get(code), "name", code) for code in auth.bundles)
            out.append(PrincipalLine(auth, status_label(auth, today), names, ages.get(auth.principal_id)))
        return out

    def cases(self, agent: str) -> list[AgentCaseLine]:
        with self.ctx.read() as session:
            rows = session.scalars(select(CaseRow).where(CaseRow.created_by == agent)
                                   .order_by(CaseRow.updated_at.desc()).limit(CASES_SHOWN)).all()
            ids = [r.case_id for r in rows]
            waiting = dict(session.execute(
                select(EventRow.case_id, func.count()).where(EventRow.sync_state == "pending",
                                                             EventRow.case_id.in_(ids))
                .group_by(EventRow.case_id)).all()) if ids else {}
            remote = set(session.scalars(select(EventRow.case_id).where(
                EventRow.sync_state == "remote", EventRow.case_id.in_(ids)).distinct())) if ids else set()
            out = []
            for r in rows:
                stage, next_step = STAGE_OF.get(r.status, ("受理", ""))
                auth = (r.state or {}).get("authorisation") or {}
                if r.status == "draft" and auth and not auth.get("received_at"):
                    stage, next_step = "委托", "收回委托人签署的授权委托书（F7）"
                back = came_back_of(r.status, (r.state or {}).get("items") or {}) if r.case_id in remote else ""
                duplicates = (r.state or {}).get("duplicates") or []
                if duplicates and r.needs_review:  # the server found another agent's filing of this need
                    next_step, back = duplicate_step(duplicates[-1]), "疑似重复代办"
                out.append(AgentCaseLine(r.case_id, r.tracking_code, r.applicant_name, r.bundle_name, r.status,
                                         STATUS_LABELS.get(r.status, r.status), stage, next_step,
                                         int(waiting.get(r.case_id, 0)), back, r.updated_at,
                                         str(auth.get("auth_id") or ""), r.applicant_key or ""))
            return out

    def sync_line(self) -> SyncLine:
        from hall_app.sync.status import sync_status

        s = sync_status(self.ctx)
        if not s.configured:  # never enrolled: no server to be on or off line with
            return SyncLine(False, None, s.pending, s.oldest_pending_seconds, "", "", s.label())
        return SyncLine(s.configured, s.online, s.pending, s.oldest_pending_seconds, s.last_success,
                        s.last_error, s.label())

    def freshness(self) -> Freshness:
        with self.ctx.read() as session:
            device = session.get(Device, self.ctx.device_id)
            catalog_at = session.scalar(select(func.max(BundleVersion.published_at))) or ""
            configured = bool(device and device.server_url and device.token)
            synced = device.last_sync_ok if device else ""
        age = None
        if synced:
            try:
                age = max(0.0, (self.ctx.now() - dt.datetime.fromisoformat(synced)).total_seconds() / 3600)
            except ValueError:
                age = None
        limit = float(getattr(self.ctx.settings, "stale_hours", STALE_HOURS))
        stale = configured and (age is None or age > limit)
        return Freshness(configured, synced, catalog_at, age, stale, self.calendar_note())

    def calendar_note(self) -> str:
        """The holiday tables (调休) this laptop's deadlines are counted with: this year's
        must be published; near the year's end, next year's too."""
        today = self.ctx.today()
        calendar = self.ctx.calendar
        if not calendar.is_published(today.year):
            return f"⚠ 日历：{today.year}年节假日安排未载入，期限按周末推算"
        if today.month == 12 and not calendar.is_published(today.year + 1):
            return f"⚠ 日历：{today.year + 1}年节假日安排尚未载入"
        return f"日历：{today.year}年节假日安排已载入"

    def status_line(self) -> str:
        """What the app's status bar adds for an agent, on every screen."""
        return self.freshness().short()

    # -- starting a case for a principal -----------------------------------------------------------
    def duplicate_of(self, principal_id: str, bundle: str) -> CaseRow | None:
        """An open case of the same person for the same bundle (filed here or synced in)."""
        with self.ctx.read() as session:
            return session.scalars(select(CaseRow).where(CaseRow.applicant_key == principal_id,
                                                         CaseRow.bundle_code == bundle,
                                                         CaseRow.status.not_in(CLOSED))
                                   .order_by(CaseRow.created_at).limit(1)).first()

    def start_for(self, agent: "SignedIn", auth_id: str, bundle: str) -> "CaseState":
        """Start a proxy case for the authorisation's principal: refused without a valid,
        in-scope authorisation, outside the agent's township, or when the same person
        already has an open case of the same bundle. One draft, ready for the intake:
        the authorisation's copy, the principal as applicant (from the person file),
        the agent as proxy."""
        from hall_app.domain.authorisation import AuthorisationError

        try:
            auth = self.ctx.authorisations.get(auth_id)
        except AuthorisationError as exc:
            raise IntakeError(str(exc)) from None
        entry = self.ctx.catalog.entry(bundle)
        if entry is None:
            raise IntakeError(f"目录中没有“{bundle}”")
        code = entry.bundle.code
        reason = why_not(auth, auth.principal_id, agent.username, code, self.ctx.today())
        if reason:
            raise IntakeError(f"不能为{auth.principal_name}代办：{reason}")
        problem = township_problem(agent.township, auth.township)
        if problem:
            raise IntakeError(problem)
        same = self.duplicate_of(auth.principal_id, code)
        if same is not None:
            from hall_app.domain.tracking import format_tracking_code

            status = STATUS_LABELS.get(same.status, same.status)
            raise IntakeError(f"{auth.principal_name}的“{entry.bundle.name}”已有办件 "
                              f"{format_tracking_code(same.tracking_code)}（{status}），请勿重复代办")
        cases = self.ctx.cases
        state = cases.start(code, agent.username, channel="proxy", window=agent.window)
        with cases.work(state.case_id, agent.username) as w:
            w.record("case.authorisation_set", {"authorisation": auth.to_payload()})
            cases._set_applicant_id(w, *cases._identify(auth.principal_id))
            w.record("case.proxy_set", {"proxy": {"name": agent.display_name, "id_number": "",
                                                  "relation": auth.relation,
                                                  "kind": "agent" if agent.role == "agent" else "relative"}})
            w.record("case.step_set", {"step": "applicant"})
            return w.state

    def receive(self, agent: "SignedIn", auth_id: str, scan=None) -> Authorisation:
        """The signed paper is back: recorded in the register, and the copy on each of the
        principal's open cases under it is brought up to date."""
        auth = self.ctx.authorisations.receive(auth_id, scan)
        with self.ctx.read() as session:
            rows = session.scalars(select(CaseRow.case_id).where(CaseRow.created_by == agent.username,
                                                                 CaseRow.applicant_key == auth.principal_id,
                                                                 CaseRow.status.in_(("draft", "notice_issued")))
                                   ).all()
        for case_id in rows:
            state = self.ctx.cases.get(case_id)
            if (state.authorisation or {}).get("auth_id") == auth.auth_id:
                self.ctx.cases._write(case_id, agent.username, "case.authorisation_set",
                                      {"authorisation": auth.to_payload()})
        return auth

    # -- hand-over and follow-up -------------------------------------------------------------------
    def _own(self, agent: "SignedIn", case_id: str) -> "CaseState":
        state = self.ctx.cases.get(case_id)
        if state.created_by != agent.username or state.channel != "proxy":
            raise IntakeError("只能处理本人代办的办件")
        return state

    def deliver(self, agent: "SignedIn", case_id: str, received_by: str) -> "CaseState":
        """The agent collected the results (under the authorisation) and delivered them at
        home: who received them is recorded, the case reaches 已送达, and the 回访 call is
        due FOLLOW_UP_DAYS working days later."""
        from hall_app.domain.authorisation import Authorisation
        from hall_app.domain.text import clean, text_problem

        state = self._own(agent, case_id)
        who = clean(received_by)
        if not who:
            raise IntakeError("请写明签收人（委托人本人或其亲属）")
        problem = text_problem(who, 100)
        if problem:
            raise IntakeError(f"签收人{problem}")
        if state.status != "completed":
            raise IntakeError(f"办件当前为“{state.status_label}”，办结后才能送达")
        auth = Authorisation.from_payload(state.authorisation) if state.authorisation else None
        reason = why_not(auth, state.applicant.get("id_number", ""), agent.username, state.bundle_code,
                         self.ctx.today(), need_received=True)
        if reason:
            raise IntakeError(f"不能代领办理结果：{reason}")
        due = self.ctx.calendar.add_working_days(self.ctx.today(), FOLLOW_UP_DAYS).date.isoformat()
        return self.ctx.cases.hand_over(case_id, agent.username, "home",
                                        f"签收人：{who}；受托人：{agent.display_name}；回访日期：{due}")

    def follow_up(self, agent: "SignedIn", case_id: str, level: int, comment: str = "") -> "CaseState":
        """The 回访 call: the principal's rating, recorded by the agent on their behalf
        (channel ``agent``, shown as 帮代办员代为评价); a bad one opens its follow-up."""
        self._own(agent, case_id)
        return self.ctx.ratings.rate(case_id, agent.username, level, comment=comment, channel="agent")
