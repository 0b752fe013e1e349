"""A decision's writes in one statement on PostgreSQL (queue_statements.save_change): the
ticket's and the window's compare-and-set still refuse a stale version, and a refusal
leaves no event and no half-written row behind (the whole transaction rolls back)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from hall_app.domain.queue import QueueError
from hall_app.server import queue_statements as st
from hall_app.server.queue_models import queue_events
from hall_app.server.queue_store import Actor, QueueStore


def counts(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(queue_events)).scalar_one()


@pytest.mark.parametrize("stale", ["ticket", "window"])
def test_a_stale_version_refuses_and_writes_nothing(server_engine, stale):
    store, boss = QueueStore(server_engine), Actor("hall", "JJ01")
    store.put_line(boss, "personal", "综合窗口·个人", "A")
    store.put_window(boss, "W01", "一号窗口", {"personal": 1})
    store.window_action(boss, "W01", "open")
    ticket = store.issue(boss, "personal")
    actor = Actor("window", "JJ01", "W01", "d1")
    _now, at, day = store.now()
    events = counts(server_engine)
    with pytest.raises(QueueError) as refused, server_engine.begin() as conn:
        w = store.load_window(conn, "JJ01", "W01")
        t = store.find_ticket(conn, "JJ01", ticket.ticket, day)
        old_t = replace(t, version=t.version + 5) if stale == "ticket" else t
        old_w = replace(w, version=w.version + 5) if stale == "window" else w
        store.change(conn, (old_t, replace(t, state="called", window="W01", version=t.version + 1)),
                     (old_w, replace(w, current=t.ticket, version=w.version + 1)),
                     st.event_values(actor, day, at, "queue.ticket_called",
                                     {"ticket": t.ticket, "window": "W01", "line": t.line, "how": "next",
                                      "streak": 0, "label": t.label}))
    assert refused.value.status == 409
    assert counts(server_engine) == events  # the event inserted in the same statement is gone too
    with server_engine.connect() as conn:
        assert store.load_window(conn, "JJ01", "W01", lock=False).current == ""
        assert store.find_ticket(conn, "JJ01", ticket.ticket, day, lock=False).state == "waiting"


def test_the_one_statement_answers_matches_and_the_event_seq(server_engine):
    store, boss = QueueStore(server_engine), Actor("hall", "JJ01")
    store.put_line(boss, "personal", "综合窗口·个人", "A")
    store.put_window(boss, "W01", "一号窗口", {"personal": 1})
    store.window_action(boss, "W01", "open")
    store.issue(boss, "personal")
    called = store.call_next(Actor("window", "JJ01", "W01", "d1"), "W01")
    with server_engine.connect() as conn:
        last = conn.execute(select(queue_events).order_by(queue_events.c.seq.desc())).first()
        assert store.load_window(conn, "JJ01", "W01", lock=False).current == called.ticket
    assert last.type == "queue.ticket_called" and last.ticket == called.ticket and last.window == "W01"
