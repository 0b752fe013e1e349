"""The server's database: PostgreSQL (psycopg 3) in production, SQLite embedded.

``--db`` takes a SQLAlchemy URL (``postgresql://user@host/db`` is read as psycopg 3)
or a file path for SQLite. Opening runs the server's own Alembic migrations.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD_REVISION = "s0031_q12"
ENV_URL = "HALL_SERVER_DB"


class ServerDatabaseError(Exception):
    """The server's database cannot be reached or upgraded; the message says why."""


def default_url() -> str:
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    import platformdirs

    path = Path(platformdirs.user_data_dir("hall-app", appauthor=False)) / "server.db"
    return f"sqlite:///{path}"


def normalise_url(raw: str | None) -> str:
    url = (raw or "").strip() or default_url()
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def make_engine(raw_url: str | None, pool_size: int = 20) -> Engine:
    url = normalise_url(raw_url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # one writer at a time, no upgrade deadlocks

        return engine
    # At most 2 × pool_size connections, as before, but all of them kept once opened: with
    # overflow connections a burst of requests (fifty windows calling at once) opened and
    # closed up to pool_size PostgreSQL connections every time (a backend started for each).
    engine = create_engine(url, pool_size=sqlalchemy_pool_size(pool_size), max_overflow=0, pool_timeout=60)
    ping_when_idle(engine)
    return engine


def sqlalchemy_pool_size(pool_size: int) -> int:
    """2 × pool_size connections per server process in all, as before the queue's own psycopg
    pool (hall_app/server/queue_fast.py, its POOL_SIZE) came: that pool's share is taken
    from this one's, so two workers stay within PostgreSQL's default max_connections (100)."""
    from hall_app.server.queue_fast import POOL_SIZE, switched_on

    return max(pool_size, 2 * pool_size - (POOL_SIZE if switched_on() else 0))


# A pooled connection idle for longer than this is pinged before use (one round trip);
# one given back less than this ago is used as it is. pool_pre_ping pinged on every
# checkout: one round trip of the six of a call next, and a statement for PostgreSQL,
# on every request (docs/benchmarks.md, "Call next: ...").
PING_AFTER_IDLE_SECONDS = 1.0


def ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection that sat idle (a database restarted meanwhile would have
    closed it) before handing it out; a dead one is replaced, the request never sees it.

    The bound: when the database restarts less than PING_AFTER_IDLE_SECONDS after a
    connection was last used, the request that next takes it fails once (503), and that
    failure makes SQLAlchemy replace every older connection of the pool (a disconnect
    invalidates the pool), so the requests after it find fresh ones."""

    from sqlalchemy.exc import DisconnectionError

    @event.listens_for(engine, "checkin")
    def _given_back(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_connection, record, _proxy):
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return  # a new connection, or one used a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"idle connection lost: {exc}") from exc  # the pool opens another
        if not alive:
            raise DisconnectionError("idle connection lost")


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:
        return None


def upgrade(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_engine(raw_url: str | None, pool_size: int = 20) -> Engine:
    """An engine on an up-to-date schema, or ServerDatabaseError with a plain message."""
    engine = make_engine(raw_url, pool_size)
    try:
        if current_revision(engine) != HEAD_REVISION:
            upgrade(engine)
    except Exception as exc:
        engine.dispose()
        raise ServerDatabaseError(f"无法打开服务器数据库 {safe_url(engine)}：{_first_line(exc)}") from exc
    return engine


def safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
