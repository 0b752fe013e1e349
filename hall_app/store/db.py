"""Engine, sessions and schema upgrades for the device's SQLite database.

Opening a device database (:func:`open_database`) refuses, with a plain Chinese
message, anything that is not a usable hall database:

- a bad path (a directory, a device such as ``/dev/null``, a missing parent
  directory, no permission to read or write) — :func:`check_path`, cheap and free of
  SQLAlchemy, so the full-screen app can say so before it takes over the terminal;
- a damaged file: a bad header or a truncated file (:func:`check_file`), then
  ``PRAGMA quick_check`` on open (files up to QUICK_CHECK_MAX_BYTES; larger ones are
  checked before their first sync). The file is moved aside (kept, never written to)
  and the message gives the recovery steps;
- another program's SQLite file (tables but not ours): refused untouched instead of
  having the hall schema added to it.

SQLAlchemy is imported inside the functions: the command line and the first frame
do not pay for it when the path is already wrong.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration; checked against Alembic's own view in the tests, and used to
# skip importing Alembic at all when the database is already current (fast start).
HEAD_REVISION = "0012_agents3"
# Tables every hall database has had since the first migration: a file with tables but
# without these (and without alembic_version) belongs to another program.
OWN_TABLES = frozenset({"alembic_version", "events", "cases", "device"})
# ``PRAGMA quick_check`` reads every page: about 2-8 ms per MB here (bench/bench_db_open.py).
# Up to this size it runs on every open; a larger file gets the header, size and
# foreign-file checks on open, and the full check before its first sync (sync/core.py).
QUICK_CHECK_MAX_BYTES = 256 * 1024 * 1024
# What SQLite says about a damaged file (as opposed to "database is locked", a busy disk…).
DAMAGE_WORDS = ("malformed", "not a database", "corrupt", "disk image")


class DatabaseError(Exception):
    """The database file cannot be used; the message says what to do."""


# -- the path ---------------------------------------------------------------------------------
def check_path(path: Path, *, create_parent: bool = False) -> None:
    """Refuse a path SQLite cannot use as the hall database, with the reason.

    ``create_parent``: the default location (the user data directory) is created when
    missing; a path the user gave (``--db``, ``HALL_DB``, ``db =``) must have an
    existing parent directory — a typo should not silently start an empty hall.
    """
    where = f"数据库路径 {path}"
    try:
        st = path.stat()
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise DatabaseError(f"{where} 无法使用：路径中的 {_first_file_in(path)} 是文件而不是目录。") from None
    except PermissionError:
        raise DatabaseError(f"{where} 无法使用：没有权限进入其所在目录 {path.parent}。") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise DatabaseError(f"{where} 是一个目录，不是数据库文件。请给出文件路径，例如 --db {path / 'hall.db'}")
        if not stat.S_ISREG(st.st_mode):
            raise DatabaseError(f"{where} 不是普通文件（是设备、管道或套接字），不能用作数据库。"
                                "请给出一个 .db 文件的路径。")
        if not os.access(path, os.R_OK):
            raise DatabaseError(f"{where} 没有读取权限。请让管理员检查该文件的属主和权限（ls -l {path}）。")
        if not os.access(path, os.W_OK):
            raise DatabaseError(f"{where} 没有写入权限（只读文件或只读磁盘）。办件必须能写入本机数据库，"
                                f"请让管理员检查该文件的属主和权限（ls -l {path}）。")
    parent = path.parent
    if not parent.exists():
        if create_parent:
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"无法创建数据库目录 {parent}：{exc.strerror or exc}") from None
        else:
            raise DatabaseError(f"{where} 所在的目录 {parent} 不存在。请先创建该目录（mkdir -p {parent}），"
                                "或改用已有目录中的文件。")
    if not parent.is_dir():
        raise DatabaseError(f"{where} 无法使用：{parent} 不是目录。")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise DatabaseError(f"{where} 所在的目录 {parent} 不可写。本机数据库需要在同一目录中建立日志文件"
                            "（-wal、-shm），请让管理员开放该目录的写权限，或改用其他目录。")


def _first_file_in(path: Path) -> Path:
    for ancestor in reversed(path.parents):
        if ancestor.is_file():
            return ancestor
    return path.parent


# -- a damaged file ---------------------------------------------------------------------------
def check_file(path: Path) -> None:
    """Cheap start-up check of a SQLite file's header and size (no full scan).

    A file cut short (a full disk, a copy interrupted, a bad sector) is moved aside
    as ``<name>.broken-<time>`` so that nothing writes to it, and DatabaseError
    says where it is and how to recover.

    The header is read through SQLite, never with a descriptor of our own: closing
    any other descriptor of a SQLite file drops every POSIX lock this process holds
    on it, so a connection already open here (a second open of the same database)
    would lose its shared lock, and another process closing its own connection
    (``hall-app sync``) would then checkpoint and delete the WAL under it. SQLite
    keeps one descriptor per file for all its connections in the process and defers
    closing it while a lock is held."""
    if not path.is_file():
        return
    size = path.stat().st_size
    if size == 0:
        return
    problem = _header_problem(path, size)
    if problem:
        raise DatabaseError(broken_message(move_aside(path), problem))


def _header_problem(path: Path, size: int) -> str:
    """What is wrong with the header or length of ``path``, read through SQLite ("" = nothing).

    Reading the schema makes SQLite check the header (magic, page size) and compare the
    page count it records with the pages the file and its WAL hold."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=10)
    except sqlite3.Error as exc:
        raise DatabaseError(f"数据库 {path} 无法打开：{exc}") from None
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        reason = str(exc).lower()
        if "not a database" in reason:
            return "文件头已损坏或不是数据库文件"
        if "malformed" in reason or "corrupt" in reason:
            return "文件短于文件头记录的页数或结构已损坏，文件被截断"
        raise DatabaseError(f"数据库 {path} 无法打开：{exc}") from None
    finally:
        conn.close()
    if page_size < 512 or size % page_size:
        return "文件长度不是整页，文件被截断"
    return ""


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
            "其中可能有尚未上传的办件记录，请勿删除。\n"
            "恢复步骤：\n"
            "  1. 重新启动本程序（同一 --db），将建立新的空数据库；\n"
            "  2. 请管理员在服务器上发一个新的登记码（hall-app server enroll-code --scope …），"
            "在本机运行 hall-app enroll 服务器地址 登记码 重新登记；\n"
            "  3. 运行 hall-app sync --once，从中心服务器取回本厅已上传的全部办件；\n"
            "  4. 登录用户不随同步恢复：启动后按提示建立管理员，或运行 hall-app user add 用户名 --role clerk；\n"
            "  5. 把保留的原文件交管理员，核对其中尚未上传的记录（sqlite3 原文件 .recover）。")


def check_contents(path: Path) -> None:
    """``PRAGMA quick_check`` and "is this ours?", before any migration touches the file.

    Read through a plain connection that changes nothing (no WAL switch, no table):
    a damaged file is moved aside (DatabaseError with the recovery steps); a file with
    tables that are not the hall's is refused and left exactly as it is.
    """
    import sqlite3

    if not path.exists() or path.stat().st_size == 0:
        return
    full = path.stat().st_size <= QUICK_CHECK_MAX_BYTES
    try:
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=10)
        try:
            result = [str(row[0]) for row in conn.execute("PRAGMA quick_check").fetchall()] if full else ["ok"]
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").fetchall()}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        reason = str(exc)
        if any(word in reason.lower() for word in DAMAGE_WORDS):
            raise DatabaseError(broken_message(move_aside(path), f"完整性检查失败，SQLite 报告：{reason}")) from None
        raise DatabaseError(f"数据库 {path} 无法打开：{reason}") from None
    if result != ["ok"]:
        detail = "；".join(result[:3]) + ("……" if len(result) > 3 else "")
        raise DatabaseError(broken_message(move_aside(path), f"完整性检查发现 {len(result)} 处错误：{detail}"))
    if tables and not tables >= OWN_TABLES:
        shown = "、".join(sorted(tables)[:5]) + ("……" if len(tables) > 5 else "")
        raise DatabaseError(f"{path} 是其他程序的 SQLite 数据库（其中有表：{shown}），不是本系统的数据库。"
                            "为免改动它，本系统不会在其中建表。请用 --db 指定另一个文件（不存在的文件会新建）。")


def open_database(path: Path, *, create_parent: bool = False, key: bytes | None = None) -> "Engine":
    """An engine on a checked, up-to-date hall database at ``path`` (or DatabaseError).

    An encrypted database (an agent's laptop: store/cipher.py) needs its ``key``; its
    file header is ciphertext, so the plain-file checks are replaced by SQLCipher's own
    (a wrong key or a damaged file cannot be read at all)."""
    from hall_app.store import cipher

    check_path(path, create_parent=create_parent)
    if cipher.is_encrypted(path):
        if key is None:
            raise DatabaseError(f"本机数据库 {path} 已加密：请在 hall-app 中登录解锁，"
                                f"或为命令行设置 {cipher.ENV_USER} 和 {cipher.ENV_PASSWORD}")
        engine = make_engine(sqlite_url(path), key=key)
        try:
            ensure_schema(engine)
        except DatabaseError:
            engine.dispose()
            raise DatabaseError(f"本机加密数据库 {path} 无法解开（密钥不符或文件已损坏）。文件未改动。") from None
        return engine
    check_file(path)
    check_contents(path)
    engine = make_engine(sqlite_url(path))
    ensure_schema(engine)
    return engine


# -- engines and migrations ---------------------------------------------------------------------
def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path).expanduser()}"


def make_engine(url: str, key: bytes | None = None) -> "Engine":
    from sqlalchemy import create_engine, event

    if url.startswith("sqlite"):
        options = {}
        if key is not None:  # SQLCipher: same SQL, same pragmas, every page encrypted
            from hall_app.store import cipher

            options["module"] = cipher.require_module().dbapi2
        engine = create_engine(url, connect_args={"timeout": 10}, **options)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            if key is not None:
                from hall_app.store.cipher import key_pragma

                cursor.execute(key_pragma(key))  # before anything reads a page
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")  # a clerk's key survives a power cut
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def current_revision(engine: "Engine") -> str | None:
    from sqlalchemy import text

    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:
            return None


def upgrade(engine: "Engine", revision: str = "head") -> None:
    """Run Alembic migrations up to ``revision`` on ``engine``."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def ensure_schema(engine: "Engine") -> None:
    """Bring the schema to the head revision; a no-op (and no Alembic import) if current."""
    revision = None
    try:
        revision = current_revision(engine)
        if revision == HEAD_REVISION:
            return
        upgrade(engine)
    except Exception as exc:
        message = str(exc)
        if "file is not a database" in message or "malformed" in message or "not a database" in message:
            raise DatabaseError(f"数据库文件已损坏或不是数据库：{exc}") from exc
        if "Can't locate revision" in message:
            raise DatabaseError(f"数据库由更新版本的 hall-app 建立（结构版本 {revision}），"
                                f"本程序只认识到 {HEAD_REVISION}。请升级本程序后再打开。") from None
        raise


def make_sessionmaker(engine: "Engine") -> "sessionmaker[Session]":
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(engine, expire_on_commit=False)
