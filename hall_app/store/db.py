"""Engine, sessions and schema upgrades for the device's SQLite database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration; checked against Alembic's own view in the tests, and used to
# skip importing Alembic at all when the database is already current (fast start).
HEAD_REVISION = "0001_initial"


class DatabaseError(Exception):
    """The database file cannot be used; the message says what to do."""


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path).expanduser()}"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")  # a clerk's key survives a power cut
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:
            return None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run Alembic migrations up to ``revision`` on ``engine``."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def ensure_schema(engine: Engine) -> None:
    """Bring the schema to the head revision; a no-op (and no Alembic import) if current."""
    try:
        if current_revision(engine) == HEAD_REVISION:
            return
        upgrade(engine)
    except sqlite3.DatabaseError as exc:  # pragma: no cover - surfaced via SQLAlchemy below
        raise DatabaseError(f"数据库文件无法使用：{exc}") from exc
    except Exception as exc:
        if "file is not a database" in str(exc) or "malformed" in str(exc):
            raise DatabaseError(f"数据库文件已损坏或不是数据库：{exc}") from exc
        raise


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
