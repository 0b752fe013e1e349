"""Opening the device database: a damaged file, another program's file and every bad
``--db`` get a plain Chinese message (CLI: stderr, exit 2; the full-screen app: before it
starts), never a traceback, an empty workbench or a hall schema added to a stranger's file."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from hall_app.config import Settings
from hall_app.services.context import HallContext
from hall_app.store.db import DatabaseError, check_path

ROOT = Path(__file__).resolve().parents[1]


def hall(*args, user: int | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    prefix = []
    if user is not None:
        prefix = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "HOME": tempfile.gettempdir()}
    env.pop("HALL_DB", None)
    return subprocess.run([*prefix, sys.executable, "-m", "hall_app", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def refused(proc: subprocess.CompletedProcess, *words: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("hall-app: ")
    for word in words:
        assert word in proc.stderr, proc.stderr
    return proc.stderr


@pytest.fixture
def filled_db(tmp_path, demo_template) -> Path:
    """A closed demo database (checkpointed: the WAL is empty)."""
    target = tmp_path / "hall.db"
    shutil.copy(demo_template, target)
    return target


# -- a damaged file ---------------------------------------------------------------------------
def scribble_middle(path: Path, pages: int = 2) -> None:
    size = path.stat().st_size
    assert size > 4096 * 8
    with path.open("r+b") as f:
        f.seek((size // 4096 // 2) * 4096)
        f.write(bytes(random.Random(7).randrange(256) for _ in range(4096 * pages)))


def test_garbage_in_the_middle_is_refused_moved_aside_with_the_recovery_steps(filled_db, tmp_path):
    scribble_middle(filled_db)
    damaged = filled_db.read_bytes()
    with pytest.raises(DatabaseError) as err:
        HallContext(Settings(db=str(filled_db)))
    message = str(err.value)
    assert "已损坏" in message and "完整性检查" in message and "禁止同步" in message
    for step in ("恢复步骤", "hall-app enroll", "hall-app sync --once", "enroll-code"):
        assert step in message
    [kept] = tmp_path.glob("hall.db.broken-*")
    assert str(kept) in message and kept.read_bytes() == damaged  # kept as it was
    assert not filled_db.exists()
    ctx = HallContext(Settings(db=str(filled_db)))  # step 1 of the recovery: a new empty database
    assert ctx.users.count() == 0
    ctx.close()


def test_garbage_in_the_middle_on_the_command_line(filled_db):
    scribble_middle(filled_db)
    refused(hall("db", "upgrade", "--db", str(filled_db)), "本地数据库文件已损坏", "恢复步骤")
    assert list(filled_db.parent.glob("hall.db.broken-*"))


def test_an_intact_database_opens_and_keeps_its_data(filled_db):
    ctx = HallContext(Settings(db=str(filled_db)))
    assert ctx.users.count() > 0
    ctx.close()


# -- another program's SQLite file --------------------------------------------------------------
def foreign_file(path: Path) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO contacts (name) VALUES ('张三')")
    conn.commit()
    conn.close()
    return path.read_bytes()


def test_a_foreign_sqlite_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "contacts.db"
    before = foreign_file(path)
    with pytest.raises(DatabaseError) as err:
        HallContext(Settings(db=str(path)))
    assert "其他程序的 SQLite 数据库" in str(err.value) and "contacts" in str(err.value)
    assert path.read_bytes() == before  # no hall table added, not moved
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["contacts"]
    conn.close()
    refused(hall("db", "upgrade", "--db", str(path)), "其他程序")


def test_another_alembic_application_is_foreign_too(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    conn.execute("INSERT INTO alembic_version VALUES ('abc123')")
    conn.execute("CREATE TABLE orders (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="其他程序"):
        HallContext(Settings(db=str(path)))


def test_an_empty_file_becomes_a_hall_database(tmp_path):
    path = tmp_path / "new.db"
    path.touch()
    ctx = HallContext(Settings(db=str(path)))
    ctx.close()
    assert HallContext(Settings(db=str(path))).users.count() == 0


# -- bad paths ----------------------------------------------------------------------------------
def test_bad_paths_give_a_message_each(tmp_path):
    cases = {
        str(tmp_path): "是一个目录",
        os.devnull: "不是普通文件",
        str(tmp_path / "missing" / "hall.db"): "不存在",
        str(tmp_path / "file.txt" / "hall.db"): "是文件而不是目录",
    }
    (tmp_path / "file.txt").write_text("x")
    for db, words in cases.items():
        with pytest.raises(DatabaseError, match=words):
            check_path(Path(db))
        refused(hall("db", "upgrade", "--db", db), words)
    assert not (tmp_path / "missing").exists()  # a typo does not create directories


def test_the_default_location_is_created(tmp_path):
    check_path(tmp_path / "data" / "dir" / "hall.db", create_parent=True)
    assert (tmp_path / "data" / "dir").is_dir()


def test_the_full_screen_app_says_so_before_it_starts(tmp_path, capsys, monkeypatch):
    import screens.app
    from hall_app.cli import main

    def not_yet(*_a, **_k):
        raise AssertionError("the app was started with a bad --db")

    monkeypatch.setattr(screens.app, "HallApp", not_yet)
    for db in (str(tmp_path), os.devnull, str(tmp_path / "missing" / "x.db")):
        assert main(["--db", db]) == 2
        assert "数据库路径" in capsys.readouterr().err


def _other_user() -> int | None:
    """A uid the permission bits apply to: nobody when running as root (root ignores them)."""
    if os.geteuid() != 0:
        return None
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permission bits cannot be tested")
    return 65534


@pytest.fixture
def open_dir():
    """A directory any user can reach (pytest's tmp_path is private to its owner)."""
    path = Path(tempfile.mkdtemp(prefix="hall-perm-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_unreadable_and_unwritable_paths(open_dir):
    user = _other_user()
    unreadable = open_dir / "unreadable.db"
    unreadable.write_bytes(b"")
    unreadable.chmod(0o200 if user is None else 0o600)  # root owns it: other users may not read
    readonly = open_dir / "readonly.db"
    readonly.write_bytes(b"")
    readonly.chmod(0o444)
    locked_dir = open_dir / "locked"
    locked_dir.mkdir()
    locked_dir.chmod(0o555)
    refused(hall("db", "upgrade", "--db", str(unreadable), user=user), "没有读取权限")
    refused(hall("db", "upgrade", "--db", str(readonly), user=user), "没有写入权限")
    refused(hall("db", "upgrade", "--db", str(locked_dir / "hall.db"), user=user), "不可写")


def test_a_file_over_the_size_limit_still_gets_the_cheap_checks(tmp_path, monkeypatch):
    import hall_app.store.db as store_db

    monkeypatch.setattr(store_db, "QUICK_CHECK_MAX_BYTES", 1024)  # every file is "large"
    foreign = tmp_path / "other.db"
    foreign_file(foreign)
    with pytest.raises(DatabaseError, match="其他程序"):
        store_db.check_contents(foreign)
    (tmp_path / "bad.db").write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    with pytest.raises(DatabaseError, match="已损坏"):
        store_db.open_database(tmp_path / "bad.db")
