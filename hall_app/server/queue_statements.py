"""The queue's hot statements (every call next, every act), built once with bind
parameters. Building an UPDATE or INSERT with SQLAlchemy's expression language on each
call cost about as much CPU as running it (measured: docs/benchmarks.md); these are
the same statements, executed with a dict of values."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from hall_app.domain.event_types import EventInvalid, validate_event
from hall_app.domain.queue import QueueError, Ticket, Window
from hall_app.server.queue_models import queue_events, queue_tickets, queue_windows
from hall_app.server.queue_rows import Actor, ticket_row

W = queue_windows.c
T = queue_tickets.c

WINDOW = select(queue_windows).where(W.hall == bindparam("k_hall"), W.window == bindparam("k_window"))
WINDOW_FOR_UPDATE = WINDOW.with_for_update()

WINDOW_VALUES = ("state", "current", "streak", "manual", "manual_day", "version")


def _save_window(k: str = "k_", v: str = "v_") -> Any:
    return update(queue_windows).where(
        W.hall == bindparam(f"{k}hall"), W.window == bindparam(f"{k}window"), W.version == bindparam(f"{k}version")
    ).values({name: bindparam(f"{v}{name}") for name in WINDOW_VALUES})


SAVE_WINDOW = _save_window()

TICKET_COLUMNS = tuple(c.name for c in queue_tickets.columns if c.name != "ticket")
SAVE_TICKET = update(queue_tickets).where(T.ticket == bindparam("k_ticket"), T.version == bindparam("k_version")) \
    .values({name: bindparam(f"v_{name}") for name in TICKET_COLUMNS})

EVENT_COLUMNS = ("hall", "day", "at", "type", "ticket", "window", "line", "actor", "device_id", "payload")


def _insert_event(v: str = "v_") -> Any:
    return insert(queue_events).values({name: bindparam(f"{v}{name}") for name in EVENT_COLUMNS})


INSERT_EVENT = _insert_event()


def prefixed(values: dict, prefix: str = "v_") -> dict:
    return {f"{prefix}{k}": v for k, v in values.items()}


def _change(with_window: bool) -> Any:
    """A ticket's compare-and-set, its window's (optional) and the event, as one statement
    (data-modifying CTEs, PostgreSQL): one round trip instead of three. All or nothing by
    itself: the ticket is saved only if the window's version holds too, the window only
    if the ticket was saved, the event only if both were; so a refusal has written
    nothing even before the transaction ends (the async route then commits its
    transaction rather than roll it back: queue_fast.py). Answers how many ticket and window rows were saved, whether
    the ticket's version held (to say which one moved), and the event's seq (NULL when
    none was inserted)."""
    ticket = SAVE_TICKET
    if with_window:
        ticket = ticket.where(select(W.window).where(
            W.hall == bindparam("wk_hall"), W.window == bindparam("wk_window"),
            W.version == bindparam("wk_version")).exists())
    saved = ticket.returning(T.ticket).cte("t")
    matched = [select(saved.c.ticket).exists()]
    columns = [select(func.count()).select_from(saved).scalar_subquery().label("tickets"),
               select(T.ticket).where(T.ticket == bindparam("k_ticket"), T.version == bindparam("k_version"))
               .exists().label("ticket_held")]
    if with_window:
        window = _save_window("wk_", "wv_").where(matched[0]).returning(W.window).cte("w")
        matched.append(select(window.c.window).exists())
        columns.append(select(func.count()).select_from(window).scalar_subquery().label("windows"))
    values = select(*[bindparam(f"e_{name}", type_=queue_events.c[name].type) for name in EVENT_COLUMNS])
    event = insert(queue_events).from_select(list(EVENT_COLUMNS), values.where(*matched)) \
        .returning(queue_events.c.seq).cte("e")
    columns.append(select(event.c.seq).scalar_subquery().label("seq"))
    return select(*columns)


def change_answer(row: Any, with_window: bool) -> tuple[bool, bool, int]:
    """CHANGE's row as (the ticket's version held, the window's did, the event's seq)."""
    saved = row.tickets == 1
    return (saved or bool(row.ticket_held)), (not with_window or (saved and row.windows == 1)), int(row.seq or 0)


CHANGE = {True: _change(True), False: _change(False)}


def save_change(conn: Connection, ticket: dict[str, Any], window: dict[str, Any] | None,
                event: dict[str, Any]) -> tuple[bool, bool, int]:
    """Save a ticket (``ticket``: SAVE_TICKET's parameters), maybe its window (SAVE_WINDOW's)
    and insert one event (``event``: its columns), in one statement on PostgreSQL, three elsewhere.
    Answers (the ticket matched, the window matched, the event's seq); the caller refuses,
    and so rolls back the whole transaction, when a compare-and-set did not match."""
    if conn.dialect.name == "postgresql":
        params = ticket | prefixed(event, "e_")
        if window is not None:
            params |= {("w" + k): v for k, v in window.items()}
        return change_answer(conn.execute(CHANGE[window is not None], params).one(), window is not None)
    ticket_ok = conn.execute(SAVE_TICKET, ticket).rowcount == 1
    window_ok = window is None or conn.execute(SAVE_WINDOW, window).rowcount == 1
    seq = conn.execute(INSERT_EVENT, prefixed(event)).inserted_primary_key[0]  # type: ignore[index]
    return ticket_ok, window_ok, int(seq)


def event_values(actor: Actor, day: str, at: str, kind: str, payload: dict[str, Any], hall: str = "") -> dict[str, Any]:
    """An event's columns, its payload checked against its schema first (a refusal means a bug)."""
    try:
        validate_event(kind, payload)
    except EventInvalid as exc:
        raise QueueError(f"排队事件不合格：{exc}", "invalid", 422) from None
    return dict(hall=hall or actor.hall, day=day, at=at, type=kind, ticket=str(payload.get("ticket", "")),
                window=str(payload.get("window", "")), line=str(payload.get("line") or payload.get("to_line") or ""),
                actor=actor.user or actor.kind, device_id=actor.device_id, payload=payload)


def ticket_params(old: Ticket, new: Ticket) -> dict[str, Any]:
    """SAVE_TICKET's parameters: ``new``'s columns where ``old``'s version still holds."""
    values = ticket_row(new)
    del values["ticket"]
    return prefixed(values) | {"k_ticket": old.ticket, "k_version": old.version}


def window_params(old: Window, new: Window) -> dict[str, Any]:
    """SAVE_WINDOW's parameters (the version moves on at least by one)."""
    return {"k_hall": old.hall, "k_window": old.window, "k_version": old.version, "v_state": new.state,
            "v_current": new.current, "v_streak": new.streak, "v_manual": new.manual, "v_manual_day": new.manual_day,
            "v_version": new.version if new.version > old.version else old.version + 1}
