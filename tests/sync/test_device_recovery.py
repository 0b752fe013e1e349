"""The recovery steps printed for a damaged device database really work: the file is
moved aside, a new empty database is enrolled again and a pull brings back every case
the server holds. Runs the exact commands the message names (PostgreSQL)."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest
from harness import ROOT, dispatched_case, enroll, make_device, new_case, projections, sync_until_ok

from hall_app.config import Settings
from hall_app.server import auth
from hall_app.services.context import HallContext
from hall_app.store.db import DatabaseError


def hall(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "hall_app", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_damaged_database_recovered_by_re_enrolling_and_pulling(tmp_path, server, server_engine):
    ctx = make_device(tmp_path, "a")
    enroll(ctx, server_engine, server.url)
    cases = [new_case(ctx), dispatched_case(ctx)]
    sync_until_ok(ctx)
    before = projections(ctx)
    ctx.close()
    path = tmp_path / "a.db"
    size = path.stat().st_size
    with path.open("r+b") as f:  # garbage in the middle, header intact
        f.seek((size // 4096 // 2) * 4096)
        f.write(bytes(random.Random(3).randrange(256) for _ in range(4096 * 2)))

    with pytest.raises(DatabaseError) as err:
        HallContext(Settings(db=str(path)))
    assert "hall-app enroll" in str(err.value) and "hall-app sync --once" in str(err.value)
    assert list(tmp_path.glob("a.db.broken-*")) and not path.exists()

    # the steps, as printed: a new code from the server's admin, enroll, pull
    code = auth.make_enrollment_code(server_engine, "hall:JJ01")
    done = hall("enroll", server.url, code, "--db", str(path))
    assert done.returncode == 0, done.stderr
    done = hall("sync", "--once", "--db", str(path))
    assert done.returncode == 0, done.stderr
    restored = HallContext(Settings(db=str(path)))
    after = projections(restored)
    assert set(cases) <= set(after)
    for case_id in cases:
        assert after[case_id] == before[case_id]
    restored.close()
