"""The window's "call next" on PostgreSQL without a thread hop or SQLAlchemy on its path.

Fifty windows pressing at once made the server spend most of its CPU around the
decision rather than in it (docs/benchmarks.md, "Call next profiled …"): a hop to the
thread pool and back, the lock hand-offs of forty threads, and SQLAlchemy's execute
machinery around psycopg. Here the route is ``async`` and runs the same plan as
QueueStore.call_next (hall_app/server/queue_plans.py, the decision's one home) on
psycopg's AsyncConnection from a small async pool on the server's event loop:

- the statements are the same SQLAlchemy objects, compiled once for psycopg
  (:func:`compiled`); psycopg prepares each after ``PREPARE_THRESHOLD`` uses on a
  connection;
- the transaction runs in pipeline mode: BEGIN goes with the window's SELECT … FOR
  UPDATE, and the COMMIT with the change (queue_statements.CHANGE, all or nothing by
  itself, so a refused compare-and-set has written nothing even though its COMMIT was
  already sent): three round trips, where the SQLAlchemy path takes five.

SQLite (one machine, the embedded queue) and every other route keep the synchronous
path. ``HALL_QUEUE_ASYNC=0`` turns this path off (the same answers through the thread
pool: a side-by-side measurement, or a fallback).
"""

from __future__ import annotations

import asyncio
import functools
import os
import weakref
from typing import Any

from sqlalchemy import JSON, Engine

from hall_app.domain.queue import QueueError, Ticket
from hall_app.domain.queue_views import jsonable
from hall_app.server import queue_plans as plans
from hall_app.server import queue_statements as st
from hall_app.server.queue_rows import Actor
from hall_app.server.queue_store import QueueStore

ENV_SWITCH = "HALL_QUEUE_ASYNC"
POOL_MIN, POOL_MAX = 2, 12  # connections per server process (the SQLAlchemy pool keeps its own)
PREPARE_THRESHOLD = 2


def wanted(engine: Engine) -> bool:
    """Whether the server runs its hot queue route on this path: PostgreSQL, psycopg_pool
    installed, and not switched off."""
    if engine.dialect.name != "postgresql" or os.environ.get(ENV_SWITCH, "1").strip() in ("0", "off", "no"):
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


async def run_async(conn: Any, plan: plans.Plan) -> Any:
    """Run ``plan`` on an AsyncConnection (in autocommit: the transaction is opened here).
    The plan's last step may be a Change: it is sent with the COMMIT. A refusal before
    it (nobody waiting, a double press) has written nothing: its transaction is
    committed, not rolled back — the same outcome, and psycopg forgets a connection's
    prepared statements on every rollback."""
    change: Any = None
    refusal: QueueError | None = None
    async with conn.pipeline(), conn.transaction():
        try:
            step = next(plan)
            while isinstance(step, plans.Fetch):
                cursor = await conn.execute(*bound(step.statement, step.params))
                step = plan.send(await cursor.fetchone())
        except QueueError as exc:
            refusal = exc
        else:
            change = await conn.execute(*change_statement(step))
        # the COMMIT is queued; leaving the pipeline sends it with the change, one round trip
    if refusal is not None:
        raise refusal
    row = await change.fetchone()
    try:
        plan.send(st.change_answer(row, step.window is not None))
    except StopIteration as done:
        return done.value
    raise RuntimeError("a queue plan went on after its change")  # a bug: plans end with their change


class FastQueue:
    """The async pool (one per event loop, opened on first use) and the hot operations."""

    def __init__(self, engine: Engine, store: QueueStore):
        from psycopg.conninfo import make_conninfo

        _args, params = engine.dialect.create_connect_args(engine.url)
        # what SQLAlchemy hands psycopg.connect, less its adapters map (SQLAlchemy's own)
        self.conninfo = make_conninfo("", **{k: v for k, v in params.items() if v is not None and k != "context"})
        self.store = store
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Future[Any]] = \
            weakref.WeakKeyDictionary()

    async def pool(self) -> Any:
        loop = asyncio.get_running_loop()
        opening = self._pools.get(loop)
        if opening is None:
            opening = self._pools[loop] = loop.create_task(self._open())
        return await asyncio.shield(opening)

    async def _open(self) -> Any:
        from psycopg.rows import namedtuple_row
        from psycopg_pool import AsyncConnectionPool

        async def configure(conn: Any) -> None:
            conn.prepare_threshold = PREPARE_THRESHOLD

        pool = AsyncConnectionPool(self.conninfo, min_size=POOL_MIN, max_size=POOL_MAX, open=False,
                                   kwargs={"autocommit": True, "row_factory": namedtuple_row},
                                   configure=configure, max_idle=60, name="hall-queue")
        await pool.open(wait=True, timeout=30)
        return pool

    async def close(self) -> None:
        """Close this loop's pool (the app's shutdown)."""
        opening = self._pools.pop(asyncio.get_running_loop(), None)
        if opening is not None:
            await (await opening).close()

    async def call_next(self, actor: Actor, window: str) -> Any:
        """QueueStore.call_next on this path; answers what queue_ops.run answers (plain JSON)."""
        from hall_app.server import queue_read

        actor.may_act_for(window)
        when = self.store.now()
        pool = await self.pool()
        async with pool.connection() as conn:
            ticket: Ticket = await run_async(conn, plans.call_next(self.store, actor, window, when))
        if self.store.names_cached(actor.hall):  # the answer needs only the names: no query
            return jsonable(queue_read.view_of(self.store, actor, ticket))
        import anyio.to_thread

        return jsonable(await anyio.to_thread.run_sync(queue_read.view_of, self.store, actor, ticket))


def database_down(exc: BaseException) -> bool:
    """A psycopg error on this path (the database went away): answered 503 like DBAPIError."""
    import psycopg

    return isinstance(exc, psycopg.Error) and not isinstance(exc, QueueError)
