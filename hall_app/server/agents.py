"""The server's checks of an agent's proxy cases (帮办代办, issue 13).

An agent device (scope ``agent:NAME@HALL``) may file only under a valid authorisation
and only for principals of the township it serves. The device checks both before it
writes; the server checks them again when the events arrive, per event, after the
scope check (hall_app/server/scopes.py) and before anything is stored:

- ``case.authorisation_set``: the copy's proxy must be this agent, and its principal's
  township the agent's (``agent_townships``; no row: not checked);
- ``case.accepted`` / ``case.accepted_deferred``: the case as the server holds it, plus
  the earlier events of the same batch, must carry a received, unrevoked, in-scope
  authorisation for its applicant, valid on the day of the decision
  (domain/authorisation.case_problem).

A refused event is answered ``rejected`` with code ``authorisation`` or ``township``;
the device keeps it in quarantine and shows it, so nothing is lost and nothing passes
silently. The decision's day is the device's date (an agent decides offline and syncs
later), never later than the server's own date.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, select

from hall_app.domain.authorisation import Authorisation, case_problem, township_problem
from hall_app.domain.events import Event
from hall_app.server.auth import DeviceInfo, utc_now
from hall_app.server.models import agent_townships, feed
from hall_app.server.scopes import Verdict, refuse

DECISIONS = frozenset({"case.accepted", "case.accepted_deferred"})
CHECKED = DECISIONS | {"case.authorisation_set"}


def township_of_agent(conn: Connection, hall: str, agent: str) -> str:
    return conn.execute(select(agent_townships.c.township).where(
        agent_townships.c.hall == hall, agent_townships.c.agent == agent)).scalar() or ""


def set_township(engine: Engine, hall: str, agent: str, township: str) -> None:
    """Record (or change) the township an agent serves (``hall-app server agent-township``)."""
    from hall_app.server.writes import insert_for

    hall, agent, township = hall.strip(), agent.strip(), township.strip()
    if not (hall and agent and township) or len(township) > 32 or not township.isprintable():
        raise ValueError("请给出大厅、帮代办员和乡镇（街道）名称（最多32字）")
    with engine.begin() as conn:
        stmt = insert_for(conn)(agent_townships).values(hall=hall, agent=agent, township=township,
                                                         updated_at=utc_now())
        conn.execute(stmt.on_conflict_do_update(index_elements=["hall", "agent"],
                                                set_={"township": township, "updated_at": utc_now()}))


def decision_day(event: Event) -> dt.date:
    today = dt.datetime.now(dt.UTC).date()
    try:
        day = dt.datetime.fromisoformat(event.device_time).date()
    except (TypeError, ValueError):
        return today
    return min(day, today + dt.timedelta(days=1))  # a clock set ahead gains nothing


class AgentGate:
    """The checks for one push batch of one agent device (events in batch order)."""

    def __init__(self, conn: Connection, device: DeviceInfo):
        self.conn, self.device = conn, device
        self.township = township_of_agent(conn, device.hall, device.agent)
        self.batch: dict[str, list[Event]] = {}  # the events let through so far, per case

    def _events(self, case_id: str) -> list[Event]:
        """The case as the server holds it, then this batch's events of it (read only
        for a decision: most batches carry none)."""
        from hall_app.server.feed import events_of

        return [e for _, e in events_of(self.conn, case_id)] + self.batch.get(case_id, [])

    def passed(self, event: Event) -> None:
        """An event of the batch that was let through: later decisions see it."""
        self.batch.setdefault(event.case_id, []).append(event)

    def _copy_problem(self, data: dict) -> Verdict | None:
        """An authorisation this agent may hold: theirs, for a principal of their township."""
        auth = Authorisation.from_payload(data)
        if self.device.agent not in (auth.agent, auth.agent_name):
            return refuse("authorisation", f"授权委托书的受托人是 {auth.agent_name or auth.agent}，"
                                           f"不是本设备的帮代办员 {self.device.agent}")
        problem = township_problem(self.township, auth.township)
        return refuse("township", problem) if problem else None

    def _register(self, event: Event) -> Verdict | None:
        """A register entry (``register.authorisation_saved``): its stream is the
        authorisation's id, and it stays the agent's who first wrote it."""
        data = event.payload.get("authorisation") or {}
        if data.get("auth_id") != event.case_id:
            return refuse("invalid", "登记簿事件的编号与授权委托书编号不一致")
        owner = self.conn.execute(select(feed.c.hall, feed.c.agent).where(feed.c.case_id == event.case_id)
                                  .order_by(feed.c.seq).limit(1)).first()
        if owner is not None and (owner.hall, owner.agent) != (self.device.hall, self.device.agent):
            return refuse("scope", "该授权委托书属于另一位帮代办员的登记簿，不能修改")
        return self._copy_problem(data)

    def check(self, event: Event) -> Verdict | None:
        """None: the event may go on; else the refusal."""
        if event.type == "register.authorisation_saved":
            return self._register(event)
        if event.type == "case.authorisation_set":
            data = event.payload.get("authorisation")
            return self._copy_problem(data) if data else None
        if event.type not in DECISIONS:
            return None
        from hall_app.domain.event_types import replay_checked

        state = replay_checked(self._events(event.case_id))
        if state is None:
            return None  # the scope check refuses a case the server does not hold
        state.channel = "proxy"  # every case an agent device decides is a proxy case
        reason = case_problem(state, decision_day(event))
        if not reason and state.authorisation:
            reason = township_problem(self.township, str(state.authorisation.get("township", "")))
        if reason:
            return refuse("authorisation", f"代办办件须附有效的授权委托书，服务器拒收该决定：{reason}")
        return None
