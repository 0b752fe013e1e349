"""A hypothesis state machine over the real queue code on PostgreSQL: twenty windows and
a kiosk doing random things, legal or not, within one hall day.

After every step: no ticket is at two windows, a window's current ticket is called or
in service at that window, every ticket is in a known state. At the end of each run
the day is closed: every ticket ends in exactly one final state, no ticket was called
by a second window while the first still had it, and replaying the event log gives
the live tickets and windows."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select

from hall_app.domain import queue as q
from hall_app.domain.queue import QueueError
from hall_app.domain.queue_replay import replay
from hall_app.domain.queue_schedule import CHINA
from hall_app.server import queue_days, queue_read
from hall_app.server.queue_models import queue_tickets, queue_windows
from hall_app.server.queue_store import Actor, QueueStore, ticket_from_row, window_from_row

pytestmark = pytest.mark.postgres

WINDOWS = [f"W{n:02d}" for n in range(1, 21)]
LINES = ["personal", "firm", "estate"]
HALLS = itertools.count(1)


class QueueMachine(RuleBasedStateMachine):
    engine = None  # set by the test

    def __init__(self):
        super().__init__()
        self.hall = f"H{next(HALLS)}"  # a fresh hall per run, in the test's own schema
        self.now = dt.datetime(2026, 12, 1, 8, 30, tzinfo=CHINA)
        self.store = QueueStore(self.engine, lambda: self.now)
        self.boss = Actor("hall", self.hall)
        for i, (line, prefix) in enumerate(zip(LINES, "ABC"), 1):
            self.store.put_line(self.boss, line, line, prefix, sort=i)
        for n, window in enumerate(WINDOWS):
            skills = {LINES[n % 3]: 1, LINES[(n + 1) % 3]: 2}
            schedule = [{"from": "10:00", "to": "11:00", "lines": {LINES[(n + 2) % 3]: 1}}] if n % 4 == 0 else []
            self.store.put_window(self.boss, window, window, skills, schedule)
            self.store.window_action(self.boss, window, "open")
        self.now = self.now.replace(hour=9)
        self.tickets: list[str] = [
            self.store.issue(self.boss, LINES[i % 3], priority="老年人" if i % 4 == 0 else "").ticket for i in range(8)]

    def actor(self, window: str) -> Actor:
        return Actor("window", self.hall, window, f"dev-{window}")

    def attempt(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except QueueError:
            return None  # refused: the invariants check nothing changed wrongly

    # -- the clock stays inside one hall day (08:30 … 17:30) ---------------------------------
    @rule(minutes=st.integers(0, 7))
    def time_passes(self, minutes):
        self.now = min(self.now + dt.timedelta(minutes=minutes), self.now.replace(hour=17, minute=30))

    # -- kiosk ------------------------------------------------------------------------------------
    @rule(line=st.sampled_from(LINES + ["nope"]), priority=st.sampled_from(["", "", "老年人", "孕妇"]))
    def issue(self, line, priority):
        t = self.attempt(self.store.issue, Actor("kiosk", self.hall), line, priority=priority)
        if t is not None:
            self.tickets.append(t.ticket)

    @rule(window=st.sampled_from(WINDOWS))
    def serve_and_finish(self, window):
        """A whole visit at one window (a random walk rarely strings the three together)."""
        if self.attempt(self.store.call_next, self.actor(window), window) is not None:
            self.now += dt.timedelta(minutes=1)
            self.attempt(self.store.act, self.actor(window), window, "serve")
            self.now += dt.timedelta(minutes=3)
            self.attempt(self.store.act, self.actor(window), window, "finish")

    # -- windows ----------------------------------------------------------------------------------
    @rule(window=st.sampled_from(WINDOWS), action=st.sampled_from(["open", "open", "pause", "close"]))
    def window_state(self, window, action):
        self.attempt(self.store.window_action, self.actor(window), window, action)

    @rule(window=st.sampled_from(WINDOWS))
    def call_next(self, window):
        self.attempt(self.store.call_next, self.actor(window), window)

    @precondition(lambda self: self.tickets)
    @rule(window=st.sampled_from(WINDOWS), pick=st.integers(0, 10_000))
    def call_given(self, window, pick):
        self.attempt(self.store.call, self.actor(window), window, self.tickets[pick % len(self.tickets)])

    @rule(window=st.sampled_from(WINDOWS),
          action=st.sampled_from(["recall", "serve", "serve", "finish", "finish", "hold", "no_show", "transfer"]),
          line=st.sampled_from(LINES))
    def act(self, window, action, line):
        self.attempt(self.store.act, self.actor(window), window, action, to_line=line)

    @rule(pick=st.integers(0, 10_000),
          action=st.sampled_from(["recall", "serve", "serve", "finish", "finish", "hold", "no_show", "transfer"]),
          line=st.sampled_from(LINES))
    def act_at_a_busy_window(self, pick, action, line):
        """The same, at a window that has a ticket (most random windows have none)."""
        busy = sorted(w.window for w in self.live()[1].values() if w.current)
        if busy:
            window = busy[pick % len(busy)]
            self.attempt(self.store.act, self.actor(window), window, action, to_line=line)

    @precondition(lambda self: self.tickets)
    @rule(window=st.sampled_from(WINDOWS), pick=st.integers(0, 10_000),
          action=st.sampled_from(["finish", "no_show", "recall", "hold"]))
    def act_on_another(self, window, pick, action):
        """A window acting on any ticket: refused unless it is that window's."""
        self.attempt(self.store.act, self.actor(window), window, action, self.tickets[pick % len(self.tickets)])

    @precondition(lambda self: self.tickets)
    @rule(pick=st.integers(0, 10_000))
    def leave(self, pick):
        self.attempt(self.store.leave, self.boss, self.tickets[pick % len(self.tickets)])

    @rule(window=st.sampled_from(WINDOWS), lines=st.one_of(st.none(), st.sampled_from(LINES)))
    def switch(self, window, lines):
        self.attempt(self.store.switch, self.boss, window, {lines: 1} if lines else None)

    # -- what must always hold ------------------------------------------------------------------------
    def live(self):
        with self.engine.connect() as conn:
            tickets = {r.ticket: ticket_from_row(r) for r in conn.execute(
                select(queue_tickets).where(queue_tickets.c.hall == self.hall))}
            windows = {r.window: window_from_row(r) for r in conn.execute(
                select(queue_windows).where(queue_windows.c.hall == self.hall))}
        return tickets, windows

    @invariant()
    def one_window_per_ticket(self):
        tickets, windows = self.live()
        current = [w.current for w in windows.values() if w.current]
        assert len(current) == len(set(current)), "a ticket is at two windows"
        for w in windows.values():
            if w.current:
                t = tickets[w.current]
                assert t.state in (q.CALLED, q.SERVING) and t.window == w.window
        at_windows = {t.ticket for t in tickets.values() if t.state in (q.CALLED, q.SERVING)}
        assert at_windows == set(current)
        assert all(t.state in q.TICKET_STATES for t in tickets.values())

    def teardown(self):
        queue_days.close_day(self.store, self.boss)
        tickets, windows = self.live()
        assert all(t.state in q.FINAL_STATES for t in tickets.values())
        events = queue_read.events(self.store, self.boss, limit=100_000)
        # every ticket ends exactly once
        ends = [e.payload["ticket"] for e in events if e.type in (
            "queue.ticket_finished", "queue.ticket_no_show", "queue.ticket_left", "queue.ticket_expired")]
        assert sorted(ends) == sorted(tickets)
        # no ticket was called while another window still held it
        holder: dict[str, str] = {}
        for e in events:
            p = e.payload
            if e.type == "queue.ticket_called":
                assert p["ticket"] not in holder, f"{p['ticket']} called at {p['window']} while at {holder}"
                holder[p["ticket"]] = p["window"]
            elif e.type in ("queue.ticket_held", "queue.ticket_transferred", "queue.ticket_finished",
                            "queue.ticket_no_show", "queue.ticket_expired"):
                holder.pop(p["ticket"], None)
        state = replay(events)
        assert {k: (t.state, t.line, t.window, t.calls, t.called_at, t.ended_at) for k, t in state.tickets.items()} \
            == {k: (t.state, t.line, t.window, t.calls, t.called_at, t.ended_at) for k, t in tickets.items()}
        assert {k: (w.state, w.current, w.streak) for k, w in state.windows.items()} \
            == {k: (w.state, w.current, w.streak) for k, w in windows.items()}


def test_queue_state_machine(server_engine):
    from hypothesis.stateful import run_state_machine_as_test
    from sqlalchemy import event

    @event.listens_for(server_engine, "connect")
    def _fast(dbapi_connection, _record):  # durability is not what this test is about; speed is
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
        dbapi_connection.commit()

    server_engine.dispose()  # new connections, with the setting
    QueueMachine.engine = server_engine
    run_state_machine_as_test(QueueMachine, settings=settings(
        max_examples=6, stateful_step_count=50, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
