"""The hot window decisions (call next, and the steps it shares with calling a given
ticket) written once, as plans that two drivers run.

A plan is a generator: it yields the database work it needs — :class:`Fetch` (one
statement, its first row back) or :class:`Change` (a ticket's and a window's
compare-and-set with the event: queue_statements.save_change) — and decides
everything else itself, through the domain (hall_app/domain/queue.py,
queue_schedule.py). So the decision has one home whichever way it reaches the
database:

- :func:`run_sync` — SQLAlchemy on a connection of the store's engine: the
  embedded queue (SQLite), every other server route, and the tests that call
  QueueStore directly;
- ``queue_fast.run_plan`` — psycopg's AsyncConnection on the server's event loop
  (PostgreSQL), for the window's "call next" over HTTP: no thread hop and no
  SQLAlchemy execution on the hot route; the statements are the same objects,
  compiled once for psycopg.

The plans take the time (``now, at, day``) from the caller, which also checks the
actor's scope before any transaction begins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, select

from hall_app.domain import queue as q
from hall_app.domain.queue import QueueError, Ticket, Window
from hall_app.domain.queue_schedule import effective_skills
from hall_app.server import queue_statements as st
from hall_app.server.queue_models import queue_tickets
from hall_app.server.queue_rows import Actor, ticket_from_row, window_from_row

if TYPE_CHECKING:
    from hall_app.server.queue_store import QueueStore


@dataclass(frozen=True)
class Fetch:
    """Run ``statement`` with ``params``; the plan gets its first row (or None)."""

    statement: Any
    params: dict[str, Any]


@dataclass(frozen=True)
class Change:
    """save_change's three writes; the plan gets (ticket matched, window matched, seq)."""

    ticket: dict[str, Any]  # queue_statements.ticket_params
    window: dict[str, Any] | None  # queue_statements.window_params
    event: dict[str, Any]  # queue_statements.event_values


Step = Fetch | Change
Plan = Generator[Step, Any, Any]
When = tuple[dt.datetime, str, str]  # QueueStore.now(): the time, its ISO text, the hall day

TICKET_BY_ID = select(queue_tickets).where(queue_tickets.c.ticket == bindparam("ticket"))


def run_sync(conn: Connection, plan: Plan) -> Any:
    """Run ``plan`` on a SQLAlchemy connection (inside the caller's transaction)."""
    try:
        step = next(plan)
        while True:
            if isinstance(step, Fetch):
                answer: Any = conn.execute(step.statement, step.params).first()
            else:
                answer = st.save_change(conn, step.ticket, step.window, step.event)
            step = plan.send(answer)
    except StopIteration as done:
        return done.value


def load_window(hall: str, window: str) -> Plan:
    """The window's row, locked: one decision per window at a time."""
    row = yield Fetch(st.WINDOW_FOR_UPDATE, {"k_hall": hall, "k_window": window})
    if row is None:
        raise QueueError(f"没有窗口“{window[:32]}”", "not_found", 404)
    return window_from_row(row)


def ready_to_call(w: Window) -> Plan:
    """Refused unless the window is open with no ticket called or in service."""
    if w.state != q.W_OPEN:
        raise QueueError(f"{w.name or w.window} {q.WINDOW_STATE_LABELS[w.state]}中，请先开放窗口再叫号",
                         "refused", 409)
    if w.current:
        row = yield Fetch(TICKET_BY_ID, {"ticket": w.current})
        if row is not None:
            current = ticket_from_row(row)
            doing = "办理" if current.state == q.SERVING else "呼叫"
            raise QueueError(f"本窗口正在{doing} {current.label} 号，请先办结、挂起或过号", "refused", 409)
        shown = w.current[:20] if w.current.isprintable() else "?"
        raise QueueError(f"今天没有“{shown}”号", "not_found", 404)  # as QueueStore.find_ticket says it


def changed(ticket: tuple[Ticket, Ticket], window: tuple[Window, Window] | None, event: dict[str, Any]) -> Plan:
    """The ticket's and the window's compare-and-set and the event; refused (and so rolled
    back, or never written: queue_statements.CHANGE) when either version moved meanwhile."""
    ticket_ok, window_ok, _seq = yield Change(st.ticket_params(*ticket),
                                              st.window_params(*window) if window else None, event)
    if not ticket_ok:
        raise QueueError(f"{ticket[0].label} 号刚被其他窗口处理，请刷新后重试", "refused", 409)
    if not window_ok:
        raise QueueError("窗口状态刚被改变，请重试", "refused", 409)


def called(store: "QueueStore", actor: Actor, w: Window, ticket: Ticket, when: When, how: str) -> Plan:
    """Call ``ticket`` at ``w`` (``how``: next — the ratio's streak moves on — or direct)."""
    _now, at, day = when
    new = q.ticket_after(ticket, "call", window=w.window, now=at, policy=store.policy)
    streak = q.streak_after(w.streak, ticket.is_priority, store.policy.priority_ratio) if how == "next" \
        else w.streak
    yield from changed((ticket, new), (w, replace(w, current=new.ticket, streak=streak, version=w.version + 1)),
                       st.event_values(actor, day, at, "queue.ticket_called",
                                       {"ticket": new.ticket, "window": w.window, "line": new.line, "how": how,
                                        "streak": streak, "label": new.label}))
    return new


def call_next(store: "QueueStore", actor: Actor, window: str, when: When) -> Plan:
    """Call the next ticket for ``window`` (叫号). Refused when the window is not open,
    already has a ticket called or in service (a double press), or nobody waits."""
    from hall_app.server.queue_pick import pick_params, pick_statement

    now, _at, day = when
    w = yield from load_window(actor.hall, window)
    yield from ready_to_call(w)
    skills = effective_skills(w, now)
    if not skills:
        raise QueueError(f"{w.name or w.window} 当前没有可办理的业务类别", "refused", 409)
    # the first waiting ticket by skill rank, then the kind the ratio prefers, then
    # place in line, a bucket at a time on the index; rows being taken are skipped
    prefer = q.preferred_first(w.streak, store.policy.priority_ratio)
    row = yield Fetch(pick_statement(skills, prefer), pick_params(actor.hall, day, window))
    if row is None:
        raise QueueError("当前没有等候的号", "empty", 409)
    return (yield from called(store, actor, w, ticket_from_row(row), when, "next"))
