"""Engine, sessions and schema upgrades for the device's SQLite database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration; checked against Alembic's own view in the tests, and used to
# skip importing Alembic at all when the database is already current (fast start).
HEAD_REVISION = "0002_h6_applicant_key"


class DatabaseError(Exception):
    """The database file cannot be used; the message says what to do."""


def check_file(path: Path) -> None:
    """Cheap start-up check of a SQLite file's header and size (no full scan).

    A file cut short (a full disk, a copy interrupted, a bad sector) is moved aside
    as ``<name>.broken-<time>`` so that nothing writes to it, and DatabaseError
    says where it is. The deeper ``quick_check`` runs once before the first sync.
    """
    if not path.is_file():
        return
    size = path.stat().st_size
    if size == 0:
        return
    with path.open("rb") as f:
        header = f.read(100)
    problem = ""
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        problem = "文件头已损坏或不是数据库文件"
    else:
        page_size = int.from_bytes(header[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        pages = int.from_bytes(header[28:32], "big")
        header_valid = pages > 0 and header[24:28] == header[92:96]
        wal = path.with_name(path.name + "-wal")
        wal_pending = wal.is_file() and wal.stat().st_size > 0
        if page_size < 512 or size % page_size:
            problem = "文件长度不是整页，文件被截断"
        elif header_valid and size < pages * page_size and not wal_pending:
            problem = f"文件应有 {pages} 页，实际只有 {size // page_size} 页，文件被截断"
    if problem:
        raise DatabaseError(broken_message(move_aside(path), problem))


def move_aside(path: Path) -> Path:
    """Rename a damaged database (and its -wal/-shm) so it is kept but not used."""
    import datetime as dt

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.broken-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.rename(target.with_name(target.name + suffix))
    return target


def broken_message(kept: Path, problem: str) -> str:
    return (f"本地数据库文件已损坏（{problem}），已停止使用并禁止同步。原文件已保留为 {kept}，"
            "其中可能有尚未上传的办件记录，请勿删除，并联系管理员恢复；重新启动将使用新的空数据库。")


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
