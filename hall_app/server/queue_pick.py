"""Which waiting ticket "call next" takes, found through the index in one statement.

The calling order is: skill rank (1 first), then the kind the priority ratio prefers
(priority or normal), then place in line (``sort_at``, issue time, number). One
statement ordering every waiting ticket of the window's lines by CASE expressions
cannot use an index: PostgreSQL read and sorted all of them on every call (6–15 ms
for 1,000 waiting tickets, on each of fifty windows calling at once). Here each bucket
(a rank's lines × one kind) is an arm ``LIMIT 1 FOR UPDATE SKIP LOCKED`` on
``ix_queue_tickets_waiting`` (hall, day, state, line, is_priority, sort_at), already
in place order; the arms are joined by UNION ALL under one ``LIMIT 1``. PostgreSQL
runs the arms in order and stops at the first row, so one round trip reads one or two
index entries and locks only the ticket it returns (row locks rule out a parallel
plan; tests/queue/test_queue_pick.py checks both the order and the locks). SQLite
does the same in order; it has no row locks (BEGIN IMMEDIATE serialises writers).
(Tried and dropped: one query per bucket, an extra round trip whenever the preferred
kind had nobody; an IN over each bucket's first hundred, planned as a hash join over
every waiting row.)

``SKIP LOCKED`` as before: a ticket another window is taking this instant is skipped,
so fifty windows calling at once each get a different ticket or none.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Connection, bindparam, or_, select, union_all

from hall_app.domain import queue as q
from hall_app.server.queue_models import queue_tickets


def buckets(skills: dict[str, int], prefer_priority: bool) -> list[tuple[list[str], bool]]:
    """(lines, is_priority) in calling order: each rank's lines, preferred kind first."""
    out: list[tuple[list[str], bool]] = []
    for rank in sorted(set(skills.values())):
        lines = sorted(line for line, r in skills.items() if r == rank)
        out += [(lines, prefer_priority), (lines, not prefer_priority)]
    return out


def pick_next(conn: Connection, hall: str, day: str, window: str, skills: dict[str, int],
              prefer_priority: bool) -> Any:
    """The row of the next ticket for ``window`` (locked), or None when nobody waits."""
    return conn.execute(pick_statement(skills, prefer_priority), pick_params(hall, day, window)).first()


def pick_statement(skills: dict[str, int], prefer_priority: bool) -> Any:
    """The pick for these skills and this preferred kind (the same object each time)."""
    return _statement(tuple((tuple(lines), is_priority) for lines, is_priority in buckets(skills, prefer_priority)))


def pick_params(hall: str, day: str, window: str) -> dict[str, str]:
    return {"hall": hall, "day": day, "window": window}


@functools.lru_cache(maxsize=512)
def _statement(shape: tuple[tuple[tuple[str, ...], bool], ...]) -> Any:
    """The statement for one shape of buckets, built once: building it (four arms of
    select, where, order, limit) cost more CPU than PostgreSQL spent running it."""
    c = queue_tickets.c
    arms = []
    for lines, is_priority in shape:
        line = c.line == lines[0] if len(lines) == 1 else c.line.in_(list(lines))
        arms.append(select(queue_tickets).where(
            c.hall == bindparam("hall"), c.day == bindparam("day"), c.state == q.WAITING, line,
            c.is_priority == is_priority, or_(c.target_window == "", c.target_window == bindparam("window")))
            .order_by(c.sort_at, c.issued_at, c.number)
            .limit(1).with_for_update(skip_locked=True).subquery().select())
    # one round trip: the arms run in order and the outer LIMIT stops at the first row,
    # so only the ticket returned is locked (row locks rule out a parallel plan)
    return union_all(*arms).limit(1) if len(arms) > 1 else arms[0]
