"""The cases a ticket produced (issue 10). A window records each case it starts on the
ticket it is serving as a ``queue.case_linked`` event, decided here like every queue
change: the link outlives the window program (a restart no longer forgets which case
its serving ticket belongs to), the finished ticket lists every linked case even when
the window passes none, and the figures per case (service time: domain/queue_replay.py
``case_visits``) read it from the queue's own log. A ticket's links are read back by
folding its link events (``ix_queue_events_ticket``): no table, no migration.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from hall_app.domain import queue as q
from hall_app.domain.queue import QueueError, Ticket
from hall_app.domain.queue_replay import fold_links, merge_cases
from hall_app.server.queue_models import queue_events
from hall_app.server.queue_store import Actor, QueueStore

LINKED = "queue.case_linked"


def linked_cases(conn: Connection, ticket: str) -> list[str]:
    """The cases linked to ``ticket`` (id), oldest first."""
    rows = conn.execute(select(queue_events.c.payload).where(
        queue_events.c.ticket == ticket, queue_events.c.type == LINKED).order_by(queue_events.c.seq)).all()
    return fold_links([dict(r.payload) for r in rows])


def finished_cases(conn: Connection, ticket: str, named: list[str]) -> list[str]:
    """What a finished ticket records: its linked cases, then any other the window names."""
    return merge_cases(linked_cases(conn, ticket), [str(c) for c in named])[:50]


def link_case(store: QueueStore, actor: Actor, window: str, case: str, ref: str = "",
              replaces: str = "") -> tuple[Ticket, list[str]]:
    """Record that ``case`` was started on the ticket ``ref`` (default: the window's
    current one), which must be in service at ``window``; ``replaces``: the case it
    takes the place of. Saying it twice records it once. Returns the ticket and its cases."""
    actor.may_act_for(window)
    case, replaces = (case or "").strip(), (replaces or "").strip()
    if not case:
        raise QueueError("没有给出办件编号", "invalid", 422)
    _now, at, day = store.now()
    with store.engine.begin() as conn:
        w = store.load_window(conn, actor.hall, window)  # the window's row lock: one decision at a time
        if not ref and not w.current:
            raise QueueError("本窗口当前没有办理中的号，办件不能记到号上", "refused", 409)
        ticket = store.find_ticket(conn, actor.hall, ref or w.current, day, lock=False)
        if ticket.state != q.SERVING or ticket.window != window:
            where = f"在{ticket.window}" if ticket.window and ticket.window != window else ""
            raise QueueError(f"{ticket.label} 号{where}{q.STATE_LABELS.get(ticket.state, ticket.state)}，"
                             "不在本窗口办理中，办件不能记到这个号上", "refused", 409)
        cases = linked_cases(conn, ticket.ticket)
        if case in cases and not (replaces and replaces in cases):
            return ticket, cases
        payload = {"ticket": ticket.ticket, "window": window, "case": case, "label": ticket.label}
        if replaces:
            payload["replaces"] = replaces
        store.emit(conn, actor, day, at, LINKED, payload)
        return ticket, fold_links([{"case": c} for c in cases] + [payload])
