"""Checking the database file must not drop this process's SQLite locks on it.

Closing any descriptor of a file drops every POSIX lock the process holds on that file.
If the start-up check read the header with a descriptor of its own while a connection of
the same process was open, that connection lost its shared lock; another process closing
its connection (``hall-app sync`` beside the app) then took the exclusive lock,
checkpointed and deleted the WAL, and what the first connection wrote next went into a
deleted file: lost for every other process."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from hall_app.store.db import check_file, open_database

READ_AND_CLOSE = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], timeout=10)
print(conn.execute(sys.argv[2]).fetchone()[0])
conn.close()
"""


def other_process(path: Path, sql: str) -> str:
    """Run ``sql`` in another process that opens, reads and closes the database."""
    done = subprocess.run([sys.executable, "-c", READ_AND_CLOSE, str(path), sql],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_header_check_keeps_an_open_connections_lock(tmp_path):
    path = tmp_path / "hall.db"
    first = sqlite3.connect(path, timeout=10)
    first.execute("PRAGMA journal_mode=WAL")
    first.execute("CREATE TABLE t (x)")
    first.execute("INSERT INTO t VALUES (1)")
    first.commit()  # in the WAL; ``first`` keeps its shared lock on the file while open
    try:
        check_file(path)  # in this process, beside ``first``
        assert other_process(path, "SELECT count(*) FROM t") == "1"
        wal = tmp_path / "hall.db-wal"
        assert wal.is_file(), "the other process took the exclusive lock and deleted the WAL"
        first.execute("INSERT INTO t VALUES (2)")
        first.commit()
        assert other_process(path, "SELECT count(*) FROM t") == "2"  # the write reached the file
    finally:
        first.close()


def test_a_second_open_of_the_same_database_keeps_the_first_ones_lock(tmp_path, demo_template):
    """The realistic path: a process that holds the database opens it again
    (open_database runs the header check), and a sync job beside it finishes."""
    path = tmp_path / "hall.db"
    shutil.copy(demo_template, path)
    engine = open_database(path)
    try:
        with engine.connect() as conn:  # stays checked out: the pool does not close it
            conn.execute(text("CREATE TABLE probe (x)"))
            conn.commit()
            second = open_database(path)
            second.dispose()
            other_process(path, "SELECT count(*) FROM events")
            conn.execute(text("INSERT INTO probe VALUES (1)"))
            conn.commit()
            assert other_process(path, "SELECT count(*) FROM probe") == "1"
    finally:
        engine.dispose()


def small_database(path: Path) -> int:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [("x" * 3000,) for _ in range(20)])
    conn.commit()
    conn.close()
    return path.stat().st_size


@pytest.mark.parametrize("damage, words", [("header", "文件头已损坏"), ("pages", "截断"), ("bytes", "整页")])
def test_a_bad_header_or_length_is_still_found(tmp_path, damage, words):
    from hall_app.store.db import DatabaseError

    path = tmp_path / "bad.db"
    size = small_database(path)
    with path.open("r+b") as f:
        if damage == "header":
            f.write(b"not a database!!")
        else:
            f.truncate(size - (4096 * 3 if damage == "pages" else 1000))
    with pytest.raises(DatabaseError, match=words):
        check_file(path)
    assert list(tmp_path.glob("bad.db.broken-*")) and not path.exists()
