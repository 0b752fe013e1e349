"""What filing every case under its principal costs a hall's push (duplicate filings,
hall_app/server/duplicates.py; docs/agents.md "Measured").

Run by hand against PostgreSQL (HALL_TEST_PG_URL; a fresh schema, dropped after):

    .venv/bin/python bench/bench_duplicates.py [N]

One window device pushes N window cases (the demo's nine people, one bundle, so every
person has many window cases and the peer look-up has rows to read) through a real
server on loopback; prints the whole sync and the time spent in ``after_push`` with
window cases filed ("on") and with only proxy cases filed, as before ("off").
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "sync")]

from harness import ServerThread, enroll, make_device, pg_schema

import hall_app.server.app as app_module
from hall_app.server import duplicates
from hall_app.server.db import open_engine
from hall_app.services.demo import PEOPLE
from hall_app.sync.core import sync_once


def run(n: int, window_cases: bool) -> tuple[float, float]:
    spent: list[float] = []
    original = duplicates.after_push

    def timed(engine, raw, outcomes):
        start = time.perf_counter()
        try:
            return original(engine, raw, outcomes)
        finally:
            spent.append(time.perf_counter() - start)

    app_module.duplicates.after_push = timed  # type: ignore[attr-defined]
    duplicates.APPLICANT = "case.applicant_set" if window_cases else "(none)"
    try:
        with pg_schema() as url, tempfile.TemporaryDirectory() as tmp:
            engine = open_engine(url, pool_size=10)
            with ServerThread(engine) as server:
                ctx = make_device(Path(tmp), "window")
                enroll(ctx, engine, server.url, "window:JJ01/W03")
                for i in range(n):
                    case_id = ctx.cases.start("social_assistance", "zhangli").case_id
                    ctx.cases.set_applicant_id(case_id, "zhangli", PEOPLE[i % len(PEOPLE)][0])
                start = time.perf_counter()
                sync_once(ctx)
                total = time.perf_counter() - start
                ctx.close()
            engine.dispose()
    finally:
        app_module.duplicates.after_push = original  # type: ignore[attr-defined]
        duplicates.APPLICANT = "case.applicant_set"
    return total, sum(spent)


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    for label, on in (("window cases filed", True), ("proxy cases only", False)):
        total, checks = run(count, on)
        print(f"{label:>20}: {count} cases, sync {total * 1000:.0f} ms, duplicate checks {checks * 1000:.0f} ms")
