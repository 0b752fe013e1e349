"""The window's "call next" on PostgreSQL without SQLAlchemy on its path.

Fifty windows pressing at once made the server spend most of its CPU around the
decision rather than in it (docs/benchmarks.md, "Call next profiled …"); of the
queue's own share, SQLAlchemy's execute machinery around psycopg was a third. Here
the route runs the same plan as QueueStore.call_next (hall_app/server/queue_plans.py,
the decision's one home) on a plain psycopg connection from a small pool of its own
(``psycopg_pool``), in one trip to the thread pool:

- the statements are the same SQLAlchemy objects, compiled once for psycopg
  (:func:`compiled`); psycopg prepares each after ``PREPARE_THRESHOLD`` uses on a
  connection;
- a refusal (nobody waiting, a double press) has written nothing and commits its
  read-only transaction: psycopg forgets a connection's prepared statements on every
  rollback.

Measured and not kept (docs/benchmarks.md, 2026-12-02 q11): the same plan on psycopg's
AsyncConnection on the event loop (no thread hop) cost more CPU per call than the
SQLAlchemy path, and pipeline mode (BEGIN with the first statement, COMMIT with the
change) more again: psycopg's async waiting and its pipeline bookkeeping are Python
work per round trip.

SQLite (one machine, the embedded queue) and every other route keep the SQLAlchemy
path. ``HALL_QUEUE_FAST=0`` turns this path off (the same answers through SQLAlchemy:
a side-by-side measurement, or a fallback).
"""

from __future__ import annotations

import functools
import os
from typing import Any

from sqlalchemy import JSON, Engine

from hall_app.domain.queue import QueueError, Ticket
from hall_app.domain.queue_views import jsonable
from hall_app.server import queue_plans as plans
from hall_app.server import queue_statements as st
from hall_app.server.queue_rows import Actor
from hall_app.server.queue_store import QueueStore

ENV_SWITCH = "HALL_QUEUE_FAST"
POOL_MIN, POOL_MAX = 2, 12  # connections per server process (the SQLAlchemy pool keeps its own)
PREPARE_THRESHOLD = 2


def switched_on() -> bool:
    """``HALL_QUEUE_FAST`` is not 0/off/no (it is on by default)."""
    return os.environ.get(ENV_SWITCH, "1").strip() not in ("0", "off", "no")


def wanted(engine: Engine) -> bool:
    """Whether the server runs its hot queue route on this path: PostgreSQL, psycopg_pool
    installed, and not switched off."""
    if engine.dialect.name != "postgresql" or not switched_on():
        return False
    try:
        import psycopg_pool  # noqa: F401
    except ImportError:
        return False
    return True


@functools.lru_cache(maxsize=1024)
def compiled(statement: Any) -> tuple[str, dict[str, Any], frozenset[str]]:
    """``statement`` as psycopg takes it: the SQL text, the parameters it binds by itself
    (literals, an IN list's items) and the names of its JSON parameters. Statements are
    module constants or cached by shape (queue_pick._statement): compiled once each."""
    from sqlalchemy.dialects import postgresql

    unit = statement.compile(dialect=postgresql.psycopg.dialect())  # type: ignore[attr-defined]
    state = unit.construct_expanded_state({name: None for name, bind in unit.binds.items() if bind.required})
    json_names = frozenset(name for bind, name in unit.bind_names.items() if isinstance(bind.type, JSON))
    return state.statement, dict(state.parameters), json_names


def bound(statement: Any, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    from psycopg.types.json import Jsonb

    sql, defaults, json_names = compiled(statement)
    values = defaults | params
    for name in json_names & values.keys():
        values[name] = Jsonb(values[name])
    return sql, values


def change_statement(step: plans.Change) -> tuple[str, dict[str, Any]]:
    """queue_statements.save_change's one PostgreSQL statement for ``step``."""
    params = step.ticket | st.prefixed(step.event, "e_")
    if step.window is not None:
        params |= {("w" + k): v for k, v in step.window.items()}
    return bound(st.CHANGE[step.window is not None], params)


def run_plan(conn: Any, plan: plans.Plan) -> Any:
    """Run ``plan`` on a psycopg connection (in autocommit: the transaction is opened here)."""
    refusal: QueueError | None = None
    answer: Any = None
    with conn.transaction():
        try:
            step = next(plan)
            while True:
                if isinstance(step, plans.Fetch):
                    answer = conn.execute(*bound(step.statement, step.params)).fetchone()
                else:
                    row = conn.execute(*change_statement(step)).fetchone()
                    answer = st.change_answer(row, step.window is not None)
                step = plan.send(answer)
        except StopIteration as done:
            return done.value
        except QueueError as exc:  # nothing written (CHANGE is all or nothing): commit, keep the prepared statements
            refusal = exc
    raise refusal


class FastQueue:
    """The psycopg pool (opened on first use, closed with the app or its engine) and the
    hot operations."""

    def __init__(self, engine: Engine, store: QueueStore):
        import threading

        from psycopg.conninfo import make_conninfo
        from sqlalchemy import event

        _args, params = engine.dialect.create_connect_args(engine.url)
        # what SQLAlchemy hands psycopg.connect, less its adapters map (SQLAlchemy's own)
        self.conninfo = make_conninfo("", **{k: v for k, v in params.items() if v is not None and k != "context"})
        self.store = store
        self._pool: Any = None
        self._lock = threading.Lock()
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def pool(self) -> Any:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    from psycopg.rows import namedtuple_row
                    from psycopg_pool import ConnectionPool

                    def configure(conn: Any) -> None:
                        conn.prepare_threshold = PREPARE_THRESHOLD

                    pool = ConnectionPool(self.conninfo, min_size=POOL_MIN, max_size=POOL_MAX, open=False,
                                          kwargs={"autocommit": True, "row_factory": namedtuple_row},
                                          configure=configure, max_idle=60, name="hall-queue")
                    pool.open(wait=True, timeout=30)
                    self._pool = pool
        return self._pool

    def close(self) -> None:
        """Close the pool (the app's shutdown, or its engine disposed)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def call_next(self, actor: Actor, window: str) -> bytes:
        """QueueStore.call_next on this path; answers what queue_ops.run answers, as JSON."""
        import orjson

        from hall_app.server import queue_read

        actor.may_act_for(window)
        when = self.store.now()
        with self.pool().connection() as conn:
            ticket: Ticket = run_plan(conn, plans.call_next(self.store, actor, window, when))
        return orjson.dumps(jsonable(queue_read.view_of(self.store, actor, ticket)))


def database_down(exc: BaseException) -> bool:
    """A psycopg or pool error on this path (the database went away): answered 503 like DBAPIError."""
    import psycopg
    from psycopg_pool import PoolTimeout

    return isinstance(exc, psycopg.Error | PoolTimeout) and not isinstance(exc, QueueError)
