"""The server's "call next" on psycopg's async pool (hall_app/server/queue_fast.py, its
own pool, no SQLAlchemy) decides exactly what the SQLAlchemy path decides (the same plan:
queue_plans.py), and the change statement is all or nothing by itself."""

from __future__ import annotations

from dataclasses import replace

import orjson
import pytest
from harness import pg_schema
from queue_fixtures import Clock, set_up_hall
from sqlalchemy import func, select

from hall_app.domain.queue import QueueError
from hall_app.domain.queue_replay import replay
from hall_app.server import queue_ops, queue_read
from hall_app.server import queue_statements as st
from hall_app.server.db import open_engine
from hall_app.server.queue_fast import FastQueue
from hall_app.server.queue_models import queue_events, queue_tickets, queue_windows
from hall_app.server.queue_store import Actor, QueueStore, ticket_from_row, window_from_row
from hall_app.services.queue import LocalQueue

pytestmark = pytest.mark.postgres

# (window, what): "call" is call next; the rest are the window's acts on its current ticket
SCRIPT = [("W01", "call"), ("W01", "call"), ("W02", "call"), ("W03", "call"), ("W01", "serve"),
          ("W01", "finish"), ("W02", "no_show"), ("W02", "call"), ("W02", "hold"), ("W03", "no_show"),
          ("W01", "call"), ("W03", "call"), ("W02", "call"), ("noon", ""), ("W03", "no_show"), ("W03", "call"),
          ("W01", "no_show"), ("W01", "call"), ("W01", "no_show"), ("W02", "no_show"), ("W02", "call"),
          ("W03", "no_show"), ("W03", "call"), ("W01", "call"), ("W01", "no_show"), ("W01", "call"),
          ("W02", "no_show"), ("W02", "call"), ("W01", "no_show"), ("W01", "call"), ("W03", "pause"),
          ("W03", "call"), ("W02", "no_show"), ("W02", "call"), ("W01", "no_show"), ("W01", "call")]


def hall_on(url: str, clock: Clock) -> tuple[LocalQueue, QueueStore]:
    hall = LocalQueue("", hall="JJ01", engine=open_engine(url, pool_size=2), clock=clock)
    set_up_hall(hall)
    for window in ("W01", "W02", "W03"):
        hall.open_window(window)
    for n in range(14):  # both lines, every third a priority ticket, a minute apart
        hall.issue_ticket("A" if n % 3 else "B", priority="老年人" if n % 3 == 2 else "")
        clock.advance(1)
    return hall, hall.store


def strip(answer: dict) -> dict:
    """An answer without what differs between two databases by chance (random ids)."""
    return {k: v for k, v in answer.items() if k != "ticket"}


async def play(store: QueueStore, clock: Clock, fast: FastQueue | None) -> list:
    out: list = []
    for window, what in SCRIPT:
        if window == "noon":  # W03's tidal schedule: personal first from 12:00
            clock.now = clock.now.replace(hour=12, minute=10)
            continue
        actor = Actor("window", "JJ01", window, f"d-{window}", user="张敏")
        try:
            if what == "call" and fast is not None:
                out.append(strip(orjson.loads(await fast.call_next(actor, window))))
            elif what == "call":
                out.append(strip(queue_ops.run(store, actor, "call_next", {"window": window})))
            elif what == "pause":
                out.append(queue_ops.run(store, actor, "window_action", {"window": window, "action": "pause"})["state"])
            else:
                out.append(strip(queue_ops.run(store, actor, "act", {"window": window, "action": what})))
        except QueueError as exc:
            out.append((str(exc), exc.code, exc.status))
        clock.advance(0.5)
    return out


def log_of(store: QueueStore) -> list:
    events = queue_read.events(store, Actor("hall", "JJ01"), limit=10_000)
    return [(e.type, e.at, e.actor, e.device_id, {k: v for k, v in e.payload.items() if k != "ticket"}) for e in events]


async def test_the_psycopg_call_next_decides_as_the_sqlalchemy_path():
    """The same hall, the same script, twice: call next on the psycopg path in one database
    and on the SQLAlchemy path in another. Every answer (and every refusal: a double press,
    nobody waiting, a paused window), the priority ratio, the tidal switch at noon and
    every event agree; and the events replay to the live state."""
    with pg_schema() as fast_url, pg_schema() as sync_url:
        fast_clock, sync_clock = Clock(), Clock()
        fast_hall, fast_store = hall_on(fast_url, fast_clock)
        sync_hall, sync_store = hall_on(sync_url, sync_clock)
        fast = FastQueue(fast_store.engine, fast_store)
        await fast.open()
        assert fast.ready()
        try:
            got = await play(fast_store, fast_clock, fast)
            want = await play(sync_store, sync_clock, None)
            assert got == want
            labels = [a["label"] for a in got if isinstance(a, dict) and a.get("state") == "called"]
            assert len(labels) >= 12 and any(label.startswith("B") for label in labels)
            assert {a[1] for a in got if isinstance(a, tuple)} >= {"refused", "empty"}
            assert log_of(fast_store) == log_of(sync_store)
            with fast_store.engine.connect() as conn:
                tickets = {r.ticket: ticket_from_row(r) for r in conn.execute(select(queue_tickets))}
                windows = {r.window: window_from_row(r) for r in conn.execute(select(queue_windows))}
            state = replay(queue_read.events(fast_store, Actor("hall", "JJ01"), limit=10_000))
            assert {k: (t.state, t.window, t.calls, t.called_at) for k, t in state.tickets.items()} \
                == {k: (t.state, t.window, t.calls, t.called_at) for k, t in tickets.items()}
            assert {k: (w.state, w.current, w.streak) for k, w in state.windows.items()} \
                == {k: (w.state, w.current, w.streak) for k, w in windows.items()}
        finally:
            await fast.close()
            fast_hall.close()
            sync_hall.close()


def test_the_change_statement_is_all_or_nothing_by_itself(server_engine):
    """A stale version writes nothing even when the transaction is then committed (the
    psycopg path commits a refused transaction to keep its prepared statements)."""
    store, boss = QueueStore(server_engine), Actor("hall", "JJ01")
    store.put_line(boss, "personal", "综合窗口·个人", "A")
    store.put_window(boss, "W01", "一号窗口", {"personal": 1})
    store.window_action(boss, "W01", "open")
    ticket = store.issue(boss, "personal")
    actor = Actor("window", "JJ01", "W01", "d1")
    _now, at, day = store.now()
    for stale in ("ticket", "window"):
        with server_engine.begin() as conn:  # committed, whatever the statement answers
            before = conn.execute(select(func.count()).select_from(queue_events)).scalar_one()
            w = store.load_window(conn, "JJ01", "W01")
            t = store.find_ticket(conn, "JJ01", ticket.ticket, day)
            old_t = replace(t, version=t.version + 5) if stale == "ticket" else t
            old_w = replace(w, version=w.version + 5) if stale == "window" else w
            new_t = replace(t, state="called", window="W01", version=t.version + 1)
            matched = st.save_change(conn, st.ticket_params(old_t, new_t),
                                     st.window_params(old_w, replace(w, current=t.ticket, version=w.version + 1)),
                                     st.event_values(actor, day, at, "queue.ticket_called",
                                                     {"ticket": t.ticket, "window": "W01", "line": t.line,
                                                      "how": "next", "streak": 0, "label": t.label}))
        assert matched[:2] == ((False, False) if stale == "ticket" else (True, False))
        with server_engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(queue_events)).scalar_one() == before
            assert store.load_window(conn, "JJ01", "W01", lock=False).current == ""
            assert store.find_ticket(conn, "JJ01", ticket.ticket, day, lock=False).state == "waiting"


def test_the_fast_pool_is_taken_from_the_processes_connection_budget(monkeypatch):
    # 40 SQLAlchemy connections + 12 of the queue's psycopg pool per process made two workers
    # 104 against PostgreSQL's default max_connections of 100: the total stays 2 × pool_size
    from hall_app.server import db, queue_fast

    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # never connected: only the pool's size is read
    monkeypatch.delenv(queue_fast.ENV_SWITCH, raising=False)
    engine = db.make_engine(url, pool_size=20)
    assert engine.pool.size() + queue_fast.POOL_SIZE == 40
    engine.dispose()
    monkeypatch.setenv(queue_fast.ENV_SWITCH, "0")
    engine = db.make_engine(url, pool_size=20)
    assert engine.pool.size() == 40
    engine.dispose()
