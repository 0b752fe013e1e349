"""A visit's rating on the window's rate pad (issue 11): the window's last finished
visit as its pad reads it, and the one ``queue.visit_rated`` event per visit, decided
here under the window's row lock like every queue change (the rules:
hall_app/domain/visit_rating.py). Runs on the server and in the embedded queue alike
(queue_ops.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select

from hall_app.domain.calendar import WorkCalendar
from hall_app.domain.queue import QueueError
from hall_app.domain.queue_live import DEVICE_ACTORS
from hall_app.domain.rating import STEP_LABELS, RatingError
from hall_app.domain.visit_followup import (
    VISIT_FOLLOW_UP,
    VISIT_FOLLOW_UP_OPENED,
    next_step_payload,
    opened_payload,
    visit_follow_up,
)
from hall_app.domain.visit_rating import (
    VISIT_RATED,
    FinishedVisit,
    check_rateable,
    rating_of_payload,
    visit_rated_payload,
    visit_rating,
)
from hall_app.server.queue_models import queue_events
from hall_app.server.queue_store import Actor, QueueStore

FINISHED_EVENT = "queue.ticket_finished"


def _rating_row(conn: Connection, ticket: str) -> Any:
    return conn.execute(select(queue_events.c.payload).where(
        queue_events.c.ticket == ticket, queue_events.c.type == VISIT_RATED).limit(1)).first()


def _finished_row(conn: Connection, ticket: str) -> Any:
    return conn.execute(select(queue_events.c.at, queue_events.c.actor, queue_events.c.payload).where(
        queue_events.c.ticket == ticket, queue_events.c.type == FINISHED_EVENT)
        .order_by(queue_events.c.seq.desc()).limit(1)).first()


def _clerk(actor_column: str) -> str:
    """The person who finished the visit (the event's actor), not a device kind."""
    return "" if actor_column in DEVICE_ACTORS else actor_column


def last_visit(store: QueueStore, actor: Actor, window: str) -> FinishedVisit | None:
    """The visit last finished at ``window`` today, with whether it is rated yet."""
    actor.may_rate_for(window)
    _now, _at, day = store.now()
    with store.engine.connect() as conn:
        row = conn.execute(select(queue_events.c.ticket, queue_events.c.at, queue_events.c.actor,
                                  queue_events.c.payload).where(
            queue_events.c.hall == actor.hall, queue_events.c.day == day, queue_events.c.window == window,
            queue_events.c.type == FINISHED_EVENT).order_by(queue_events.c.seq.desc()).limit(1)).first()
        if row is None:
            return None
        rated = _rating_row(conn, row.ticket)
        ticket = store.find_ticket(conn, actor.hall, row.ticket, day, lock=False)
    label = rating_of_payload(rated.payload).label if rated is not None else ""
    return FinishedVisit(row.ticket, ticket.label, window, row.at, tuple(row.payload.get("cases") or ()),
                         _clerk(row.actor), rated is not None, label)


def rate_visit(store: QueueStore, actor: Actor, window: str, ticket_ref: str, level: Any,
               dimensions: Mapping[str, Any] | None = None, reasons: list[str] | None = None,
               how: str = "chosen") -> FinishedVisit:
    """Record the citizen's rating of a visit finished at ``window`` (``level`` None: 未评价)."""
    actor.may_rate_for(window)
    rating = visit_rating(level, dimensions, reasons or [])
    _now, at, day = store.now()
    with store.engine.begin() as conn:
        store.load_window(conn, actor.hall, window)  # the window's row lock: one rating decided at a time
        ticket = store.find_ticket(conn, actor.hall, ticket_ref, day, lock=False)
        check_rateable(ticket, window, _rating_row(conn, ticket.ticket) is not None)
        finished = _finished_row(conn, ticket.ticket)
        cases = list(finished.payload.get("cases") or ()) if finished is not None else []
        clerk = _clerk(finished.actor) if finished is not None else ""
        payload = visit_rated_payload(ticket, rating, clerk=clerk, cases=cases, how=how)
        store.emit(conn, actor, day, at, VISIT_RATED, payload)
        opened = opened_payload(payload)
        if opened is not None:  # a bad rating opens its follow-up (hall_app/domain/visit_followup.py)
            store.emit(conn, actor, day, at, VISIT_FOLLOW_UP_OPENED, opened)
    return FinishedVisit(ticket.ticket, ticket.label, window, finished.at if finished is not None else "",
                         tuple(cases), clerk, True, rating.label)


# -- the follow-up of a bad visit rating (hall_app/domain/visit_followup.py) --------------------
def _may_follow_up(actor: Actor) -> None:
    if actor.kind not in ("hall", "local", "admin", "supervisor"):
        raise QueueError("差评整改回访须由值班长的设备登记", "scope", 403)


# what names a device, never a person (an actor column or a scope kind)
DEVICE_NAMES = DEVICE_ACTORS | {"agent", "dept", "server"}


def recorded_by(actor: Actor, by: str) -> str:
    """Who records a follow-up step, checked as a case's ``case.follow_up`` is: the step is
    a person's (the device vouches for its signed-in user's role, services/ratings.py), never
    a device's; a supervisor's own device (its token names one supervisor,
    ``supervisor:HALL/NAME``) records steps only in that supervisor's name."""
    who = by.strip()
    if not who:
        raise QueueError("请写明登记整改回访的值班长（用户名）", "invalid", 422)
    if who.lower() in DEVICE_NAMES:
        raise QueueError(f"“{who[:32]}”是设备，不是人：整改回访须写明登记的值班长（用户名）", "invalid", 422)
    if actor.kind == "supervisor" and actor.person and who != actor.person:
        raise QueueError(f"本设备登记给值班长“{actor.person}”，不能代“{who[:32]}”登记差评整改回访", "scope", 403)
    return who


def _event(row: Any) -> dict[str, Any]:
    return {"at": row.at, "actor": row.actor, "payload": dict(row.payload)}


def _bad_visits(conn: Connection, hall: str, ticket: str = "") -> list[dict[str, Any]]:
    """Read through ix_queue_events_hall_type: the follow-ups' events only, never every rating."""
    found = select(queue_events.c.ticket, queue_events.c.type, queue_events.c.at, queue_events.c.actor,
                   queue_events.c.payload).where(
        queue_events.c.hall == hall, queue_events.c.type.in_((VISIT_FOLLOW_UP_OPENED, VISIT_FOLLOW_UP)))
    if ticket:
        found = found.where(queue_events.c.ticket == ticket)
    opened: dict[str, dict[str, Any]] = {}
    for row in conn.execute(found.order_by(queue_events.c.seq)):
        if row.type == VISIT_FOLLOW_UP_OPENED:
            opened[row.ticket] = {"rated": _event(row), "steps": []}
        elif row.ticket in opened:
            opened[row.ticket]["steps"].append(_event(row))
    return list(opened.values())


def bad_visits(store: QueueStore, actor: Actor, ticket: str = "") -> list[dict[str, Any]]:
    """The hall's bad visit ratings (不满意 / 非常不满意), each with its follow-up steps in
    order: ``{"rated": event, "steps": [event, ...]}`` (the device computes the deadline
    with its working-day calendar)."""
    _may_follow_up(actor)
    with store.engine.connect() as conn:
        return _bad_visits(conn, actor.hall, ticket)


def follow_up_visit(store: QueueStore, actor: Actor, ticket: str, step: str, note: str, by: str) -> dict[str, Any]:
    """Record one step of a bad visit rating's follow-up, decided under the window's row
    lock (QueueError, nothing recorded, when the rules refuse it); returns the visit's
    record as ``bad_visits`` gives it."""
    _may_follow_up(actor)
    who = recorded_by(actor, by)
    if step not in STEP_LABELS or step == "opened":  # opened only by the bad rating itself
        raise QueueError(f"未知的整改步骤：{step[:12]}（可用：{'、'.join(s for s in STEP_LABELS if s != 'opened')}）",
                         "invalid", 422)
    _now, at, day = store.now()
    with store.engine.begin() as conn:
        record = _bad_visits(conn, actor.hall, ticket)
        if not record:
            raise QueueError(f"号票 {ticket[:32]} 的服务没有差评，无需整改回访", "not_found", 404)
        store.load_window(conn, actor.hall, str(record[0]["rated"]["payload"]["window"]))
        record = _bad_visits(conn, actor.hall, ticket)  # again, under the lock
        # the order of the steps only: the deadline is the device's (its calendar and settings)
        current = visit_follow_up(record[0]["rated"], record[0]["steps"], WorkCalendar())
        try:
            payload = next_step_payload(current, ticket, step, who, at, note.strip())
        except RatingError as exc:
            raise QueueError(str(exc), "refused", 409) from None
        store.emit(conn, actor, day, at, VISIT_FOLLOW_UP, payload)
        return _bad_visits(conn, actor.hall, ticket)[0]
