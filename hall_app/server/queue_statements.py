"""The queue's hot statements (every call next, every act), built once with bind
parameters. Building an UPDATE or INSERT with SQLAlchemy's expression language on each
call cost about as much CPU as running it (measured: docs/benchmarks.md); these are
the same statements, executed with a dict of values."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select, update

from hall_app.server.queue_models import queue_events, queue_tickets, queue_windows

W = queue_windows.c
T = queue_tickets.c

WINDOW = select(queue_windows).where(W.hall == bindparam("k_hall"), W.window == bindparam("k_window"))
WINDOW_FOR_UPDATE = WINDOW.with_for_update()

SAVE_WINDOW = update(queue_windows).where(
    W.hall == bindparam("k_hall"), W.window == bindparam("k_window"), W.version == bindparam("k_version")).values(
    {name: bindparam(f"v_{name}") for name in ("state", "current", "streak", "manual", "manual_day", "version")})

TICKET_COLUMNS = tuple(c.name for c in queue_tickets.columns if c.name != "ticket")
SAVE_TICKET = update(queue_tickets).where(T.ticket == bindparam("k_ticket"), T.version == bindparam("k_version")) \
    .values({name: bindparam(f"v_{name}") for name in TICKET_COLUMNS})

EVENT_COLUMNS = ("hall", "day", "at", "type", "ticket", "window", "line", "actor", "device_id", "payload")
INSERT_EVENT = insert(queue_events).values({name: bindparam(f"v_{name}") for name in EVENT_COLUMNS})


def prefixed(values: dict, prefix: str = "v_") -> dict:
    return {f"{prefix}{k}": v for k, v in values.items()}
