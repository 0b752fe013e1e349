"""Which waiting ticket "call next" takes, read from the index a bucket at a time.

The calling order is: skill rank (1 first), then the kind the priority ratio prefers
(priority or normal), then place in line (``sort_at``, issue time, number). One
statement ordering every waiting ticket of the window's lines by CASE expressions
cannot use an index: PostgreSQL read and sorted all of them on every call (6–15 ms
for 1,000 waiting tickets, on each of fifty windows calling at once). Here each bucket
(a rank's lines × one kind) is one ``LIMIT 1`` query on ``ix_queue_tickets_waiting``
(hall, day, state, line, is_priority, sort_at), already in place order (0.1 ms); the
first bucket with a ticket gives it: one or two index look-ups for most windows.
(One statement over a UNION of each bucket's first hundred was tried: its planner
chose a hash join over every waiting row, no faster than the old sort.)

``FOR UPDATE SKIP LOCKED`` as before: a ticket another window is taking this instant
is skipped, so fifty windows calling at once each get a different ticket or none.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

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
    c = queue_tickets.c
    for lines, is_priority in buckets(skills, prefer_priority):
        line = c.line == lines[0] if len(lines) == 1 else c.line.in_(lines)
        row = conn.execute(
            select(queue_tickets).where(
                c.hall == hall, c.day == day, c.state == q.WAITING, line, c.is_priority == is_priority,
                c.target_window.in_(("", window)))
            .order_by(c.sort_at, c.issued_at, c.number)
            .limit(1).with_for_update(skip_locked=True)).first()
        if row is not None:
            return row
    return None
