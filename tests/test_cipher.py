"""A lost laptop reveals nothing (issue 13): the device database encrypted with
SQLCipher, the key wrapped per user by their password (hall_app/store/cipher.py).
Checked as ``strings`` would: the bytes of the copied files hold no ID number, name,
phone or address."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hall_app.config import Settings
from hall_app.domain.authorisation import Draft
from hall_app.services.context import HallContext
from hall_app.services.demo import PEOPLE, ZHOU_GUIYING
from hall_app.services.users import SignedIn
from hall_app.store import cipher
from hall_app.store.db import DatabaseError

pytest.importorskip("sqlcipher3")
ROOT = Path(__file__).resolve().parents[1]
SECRETS = [s for pid, name, _sex, _birth, phone, address, *_ in PEOPLE for s in (pid, name, phone, address[-8:])]


def leaks(path: Path) -> list[str]:
    """Personal data found in the raw bytes of the database and its -wal/-shm files."""
    blob = b"".join(Path(str(path) + s).read_bytes() for s in ("", "-wal", "-shm") if Path(str(path) + s).exists())
    return [s for s in SECRETS if s.encode() in blob or s.encode("utf-16-le") in blob]


@pytest.fixture
def laptop(tmp_path, demo_template, clock):
    path = tmp_path / "laptop.db"
    shutil.copy(demo_template, path)
    assert leaks(path)  # the plain demo database shows them (the check can fail)
    cipher.encrypt_database(path, {"wangqiang": "demo123"})
    return path


def test_the_copied_file_shows_no_personal_data(laptop, tmp_path, clock):
    assert leaks(laptop) == [] and laptop.read_bytes()[:16] != b"SQLite format 3\x00"
    key = cipher.unlock(laptop, "wangqiang", "demo123")
    ctx = HallContext(Settings(db=str(laptop), pdf_dir=str(tmp_path / "pdf")), clock=clock, db_key=key)
    try:
        agent = SignedIn("wangqiang", "王强", "agent", "JJ01", "W03", "白沙镇")
        auth = ctx.authorisations.record(agent, Draft(ZHOU_GUIYING, "帮代办员", ("newborn",), "2026-11-21",
                                                      "2026-12-31"))
        ctx.agent_day.start_for(agent, auth.auth_id, "newborn")
        assert ctx.people.lookup(ZHOU_GUIYING).attributes["name"] == "周桂英"
        copy = tmp_path / "stolen.db"
        for suffix in ("", "-wal", "-shm"):  # copied while open: the WAL holds the newest pages
            if Path(str(laptop) + suffix).exists():
                shutil.copy(Path(str(laptop) + suffix), Path(str(copy) + suffix))
        assert leaks(copy) == []
    finally:
        ctx.close()
    assert leaks(laptop) == []


def test_no_key_no_data(laptop, clock):
    with pytest.raises(DatabaseError, match="已加密"):
        HallContext(Settings(db=str(laptop)), clock=clock)
    with pytest.raises(cipher.CipherError, match="用户名或密码错误"):
        cipher.unlock(laptop, "wangqiang", "wrong-password")
    with pytest.raises(cipher.CipherError, match="用户名或密码错误"):
        cipher.unlock(laptop, "zhangli", "demo123")  # no slot for this user
    with pytest.raises(DatabaseError, match="无法解开"):
        HallContext(Settings(db=str(laptop)), clock=clock, db_key=os.urandom(32))
    assert laptop.exists()  # a wrong key never moves or changes the file


def test_a_user_added_later_can_unlock(laptop, clock):
    ctx = HallContext(Settings(db=str(laptop)), clock=clock, db_key=cipher.unlock(laptop, "wangqiang", "demo123"))
    try:
        ctx.users.create("lisi", "secret9", "agent", "李四", township="白沙镇")
    finally:
        ctx.close()
    key = cipher.unlock(laptop, "lisi", "secret9")
    again = HallContext(Settings(db=str(laptop)), clock=clock, db_key=key)
    try:
        assert again.users.authenticate("lisi", "secret9").township == "白沙镇"
    finally:
        again.close()


def test_the_command_line(tmp_path, demo_template):
    path = tmp_path / "cli.db"
    shutil.copy(demo_template, path)
    queue = tmp_path / "cli.queue.db"  # the demo hall's queue beside it: appointments with ID numbers, in clear
    queue.write_bytes(b"SQLite format 3\x00" + ZHOU_GUIYING.encode())
    env = {**os.environ, "HALL_DB": str(path)}
    encrypt = [sys.executable, "-m", "hall_app", "db", "encrypt", "--user", "wangqiang"]
    run = subprocess.run(encrypt, cwd=ROOT, input="demo123\n", capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 2 and "--drop-queue" in run.stderr and str(queue) in run.stderr
    assert not cipher.is_encrypted(path) and queue.is_file()  # nothing changed
    run = subprocess.run([*encrypt, "--drop-queue"], cwd=ROOT, input="wrong\n", capture_output=True, text=True,
                         env=env, timeout=120)
    assert run.returncode == 2 and "用户名或密码错误" in run.stderr and not cipher.is_encrypted(path)
    assert queue.is_file()
    run = subprocess.run([*encrypt, "--drop-queue"], cwd=ROOT, input="demo123\n", capture_output=True, text=True,
                         env=env, timeout=120)
    assert run.returncode == 0 and "已加密" in run.stdout and leaks(path) == []
    assert not queue.exists() and "排队叫号数据库" in run.stdout
    locked = subprocess.run([sys.executable, "-m", "hall_app", "db", "upgrade"], cwd=ROOT, capture_output=True,
                            text=True, env=env, timeout=120)
    assert locked.returncode != 0 and "HALL_DB_PASSWORD" in locked.stderr
    env |= {cipher.ENV_USER: "wangqiang", cipher.ENV_PASSWORD: "demo123"}
    opened = subprocess.run([sys.executable, "-m", "hall_app", "db", "upgrade"], cwd=ROOT, capture_output=True,
                            text=True, env=env, timeout=120)
    assert opened.returncode == 0, opened.stderr
