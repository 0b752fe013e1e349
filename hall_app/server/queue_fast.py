"""The window's "call next" on PostgreSQL: psycopg's async pool on the server's event loop.

Fifty windows pressing at once is the burst the hall's server must answer within 100 ms
at p99 (issue 10). The decision is written once, as a plan (queue_plans.py) that the
SQLAlchemy path runs too; here the plan runs on a plain psycopg ``AsyncConnection`` from
the queue's own ``AsyncConnectionPool``, on the event loop itself:

- no thread hop: with the plan on forty worker threads, a burst spent more of the
  server's CPU handing the interpreter lock round (and waiting for it after each round
  trip) than deciding; on the loop, the server's CPU per call fell from 2.3–2.6 to
  0.8–1.1 ms (docs/benchmarks.md, 2026-12-02 q12);
- the statements are the same SQLAlchemy objects, compiled once for psycopg
  (:func:`compiled`), and prepared on first use on each connection;
- the pool is opened whole when the server starts (:meth:`FastQueue.open`), and each new
  connection is warmed (:func:`warm`): PostgreSQL reads its catalog and plans the hot
  statements then, not during the first burst of the day;
- a refusal (nobody waiting, a double press) has written nothing and commits its
  read-only transaction: psycopg forgets a connection's prepared statements on a rollback;
- the database gone: the request is answered 503 (:func:`database_down`), and the pool
  checks its other connections at once, so one failed request replaces them all.

The pool belongs to the event loop that opened it (uvicorn's, one per worker process).
Called from any other loop — a test client that runs each request in a new loop — the
route takes the SQLAlchemy path instead (:meth:`FastQueue.ready`). SQLite (one machine,
the embedded queue) and every other route keep the SQLAlchemy path. ``HALL_QUEUE_FAST=0``
turns this path off (the same answers through SQLAlchemy: a side-by-side measurement,
or a fallback).

Measured before and not kept (docs/benchmarks.md): pipeline mode (BEGIN with the first
statement, COMMIT with the change) cost more of psycopg's Python bookkeeping than the
round trips it saved.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

import orjson
from sqlalchemy import JSON, Engine

from hall_app.domain.queue import QueueError, Ticket
from hall_app.server import queue_plans as plans
from hall_app.server import queue_read
from hall_app.server import queue_statements as st
from hall_app.server.queue_pick import pick_params, pick_statement
from hall_app.server.queue_rows import Actor
from hall_app.server.queue_store import QueueStore

log = logging.getLogger(__name__)

ENV_SWITCH = "HALL_QUEUE_FAST"
# Connections per server process, all opened at start (the SQLAlchemy pool gives up as
# many: db.sqlalchemy_pool_size). Eight measured better than twelve for fifty windows on
# two cores: more backends only queue for the same CPUs (docs/benchmarks.md, q12).
POOL_SIZE = 8
PREPARE_THRESHOLD = 0  # the hot statements are a handful: prepared on first use
OPEN_TIMEOUT = 30.0


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


async def run_plan(conn: Any, plan: plans.Plan) -> Any:
    """Run ``plan`` on a psycopg AsyncConnection (in autocommit: the transaction is opened here)."""
    refusal: QueueError | None = None
    answer: Any = None
    async with conn.transaction():
        try:
            step = next(plan)
            while True:
                if isinstance(step, plans.Fetch):
                    answer = await (await conn.execute(*bound(step.statement, step.params))).fetchone()
                else:
                    row = await (await conn.execute(*change_statement(step))).fetchone()
                    answer = st.change_answer(row, step.window is not None)
                step = plan.send(answer)
        except StopIteration as done:
            return done.value
        except QueueError as exc:  # nothing written (CHANGE is all or nothing): commit, keep the prepared statements
            refusal = exc
    raise refusal


# What a new connection runs once, with keys no row has: PostgreSQL reads the queue
# tables' catalog entries and plans (and psycopg prepares) the reads of every call next.
WARM_READS = ((st.WINDOW_FOR_UPDATE, {"k_hall": "", "k_window": ""}),
              (plans.TICKET_BY_ID, {"ticket": ""}),
              (pick_statement({"": 1}, False), pick_params("", "", "")))


async def warm(conn: Any) -> None:
    """Configure a new pool connection and warm it (see WARM_READS)."""
    conn.prepare_threshold = PREPARE_THRESHOLD
    for statement, params in WARM_READS:
        await (await conn.execute(*bound(statement, params))).fetchall()


class FastQueue:
    """The async psycopg pool (opened with the app, closed with it or its engine) and
    the hot operation."""

    def __init__(self, engine: Engine, store: QueueStore):
        from psycopg.conninfo import make_conninfo
        from sqlalchemy import event

        _args, params = engine.dialect.create_connect_args(engine.url)
        # what SQLAlchemy hands psycopg.connect, less its adapters map (SQLAlchemy's own)
        self.conninfo = make_conninfo("", **{k: v for k, v in params.items() if v is not None and k != "context"})
        self.store = store
        self._pool: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._naming: dict[str, asyncio.Future[Any]] = {}  # a hall's names being read, in a thread
        event.listen(engine, "engine_disposed", lambda _engine: self._forget())

    async def open(self) -> None:
        """Open the pool whole on the running loop (the app's start-up). If the database
        cannot be reached now, the route keeps the SQLAlchemy path (it answers 503 until
        the database is back) and this path stays off until the next start."""
        from psycopg.rows import namedtuple_row
        from psycopg_pool import AsyncConnectionPool

        pool = AsyncConnectionPool(self.conninfo, min_size=POOL_SIZE, max_size=POOL_SIZE, open=False,
                                   kwargs={"autocommit": True, "row_factory": namedtuple_row},
                                   configure=warm, name="hall-queue")
        try:
            self.precompile()
            await pool.open(wait=True, timeout=OPEN_TIMEOUT)
        except Exception as exc:  # the pool's own timeout, or a connection refused
            log.warning("queue fast path not opened (%s); call next takes the SQLAlchemy path", exc)
            await pool.close()
            return
        self._pool, self._loop = pool, asyncio.get_running_loop()

    def precompile(self) -> int:
        """Compile, before the first request, what a call next runs: the change statement
        (its first compilation took about 100 ms, which the first burst of the day waited
        for), the window and ticket reads, and the pick for every window's lines in force
        now, each kind first. A window switched later compiles its new pick on first use
        (a few ms). Answers how many statements are compiled."""
        from sqlalchemy import select

        from hall_app.domain.queue_schedule import effective_skills
        from hall_app.server.queue_models import queue_windows
        from hall_app.server.queue_rows import window_from_row

        statements = [st.CHANGE[True], st.CHANGE[False], st.WINDOW_FOR_UPDATE, plans.TICKET_BY_ID]
        now = self.store.now()[0]
        with self.store.engine.connect() as conn:
            windows = [window_from_row(row) for row in conn.execute(select(queue_windows))]
        for w in windows:
            skills = effective_skills(w, now)
            if skills:
                statements += [pick_statement(skills, True), pick_statement(skills, False)]
        for statement in statements:
            compiled(statement)
        return compiled.cache_info().currsize

    def ready(self) -> bool:
        """The pool is open on the loop running now."""
        if self._pool is None:
            return False
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    async def close(self) -> None:
        """Close the pool (the app's shutdown)."""
        pool, self._pool, self._loop = self._pool, None, None
        if pool is not None:
            await pool.close()

    def _forget(self) -> None:
        # the engine was disposed (a test's teardown): its loop may be gone; the pool's
        # connections close with it or when the process ends
        self._pool, self._loop = None, None

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[Any]:
        """A connection of the pool; when the database went away, the pool checks every
        connection at once, so a restart costs one failed request, not one per connection."""
        try:
            async with self._pool.connection() as conn:
                yield conn
        except Exception as exc:
            if database_down(exc) and self._pool is not None:
                await self._pool.check()
            raise

    async def call_next(self, actor: Actor, window: str) -> bytes:
        """QueueStore.call_next on this path; answers what queue_ops.run answers, as JSON."""
        actor.may_act_for(window)
        when = self.store.now()
        async with self._connection() as conn:
            ticket: Ticket = await run_plan(conn, plans.call_next(self.store, actor, window, when))
        await self._names_of(actor.hall)
        # orjson writes the view's dataclass itself: what jsonable (dataclasses.asdict, a deep
        # copy) then dumps would write, at a tenth of the CPU
        return orjson.dumps(queue_read.view_of(self.store, actor, ticket))

    async def authenticate(self, engine: Engine, header: str | None) -> Any:
        """auth.authenticate on this pool, on the loop: a token not checked in the last
        CACHE_SECONDS (every window's, when it presses "call next" a few minutes after its
        last request) was read through a worker thread and SQLAlchemy, and a burst of
        fifty such requests queued for the threads. The same refusals (AuthError), the
        same cache."""
        from hall_app.server import auth

        token = auth.token_of(header)
        begun = auth.check_begins()
        async with self._connection() as conn:
            cursor = await conn.execute(*bound(auth.DEVICE_BY_TOKEN, {"token_hash": auth.digest(token)}))
            row = await cursor.fetchone()
        return auth.device_from_row(engine, header or "", row._asdict() if row is not None else None, begun)

    async def _names_of(self, hall: str) -> None:
        """The hall's line and window names in the store's cache (the answer names them;
        they are kept 10 s: QueueStore.names). Read on a worker thread, once for every
        request of the hall waiting meanwhile: read on the loop, the read held up every
        request in flight, once each time the cache ran out."""
        if self.store.names_cached(hall):
            return
        reading = self._naming.get(hall)
        if reading is None:
            reading = self._naming[hall] = asyncio.ensure_future(asyncio.to_thread(self._read_names, hall))
            reading.add_done_callback(lambda _done: self._naming.pop(hall, None))
        await asyncio.shield(reading)

    def _read_names(self, hall: str) -> None:
        with self.store.engine.connect() as conn:
            self.store.names(conn, hall)


def database_down(exc: BaseException) -> bool:
    """A psycopg or pool error on this path (the database went away): answered 503 like DBAPIError."""
    import psycopg
    from psycopg_pool import PoolTimeout

    return isinstance(exc, psycopg.Error | PoolTimeout) and not isinstance(exc, QueueError)
