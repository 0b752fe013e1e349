"""Opening the device database: what the checks on open cost (``PRAGMA quick_check``,
the foreign-file check, the header check) against the size of the file.

    .venv/bin/python bench/bench_db_open.py [--sizes 50,200,800] [--runs 5]

For each size a database is built from the demo hall plus synthetic events of a
realistic size (about 1 KB of JSON each) until the file reaches the size in MB; then
``open_database`` (all checks and the schema check) and the bare ``quick_check`` are
timed, median of ``--runs``, and a plain SQLAlchemy engine + first query as the floor.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hall_app.config import Settings
from hall_app.services.context import HallContext
from hall_app.store import db


def build(path: Path, megabytes: int) -> None:
    ctx = HallContext(Settings(db=str(path)))
    ctx.close()
    conn = sqlite3.connect(path)
    cols = [r[1] for r in conn.execute("PRAGMA table_info(events)")]
    names = [c for c in cols if c != "local_seq"]
    payload = json.dumps({"key": "address", "value": "重庆市江津区几江街道" * 20, "base": "x" * 64},
                         ensure_ascii=False)
    n = 0
    while path.stat().st_size < megabytes * 1_000_000:
        rows = []
        for _ in range(20_000):
            n += 1
            row = {c: None for c in cols if c != "local_seq"}
            row.update(event_id=f"e{n:012d}", case_id=f"c{n // 30:09d}", device_id="bench", device_seq=n,
                       actor="zhangli", type="case.applicant_set", payload=payload,
                       device_time="2026-11-21T10:00:00+08:00", sync_state="sent", schema_version=1,
                       content_hash="0" * 64, sync_error="")
            rows.append(tuple(row[c] for c in names))
        marks = ",".join("?" * len(names))
        try:
            conn.executemany(f"INSERT INTO events ({','.join(names)}) VALUES ({marks})", rows)
        except sqlite3.IntegrityError as exc:  # a NOT NULL column this script does not know
            raise SystemExit(f"adjust build(): {exc}") from None
        conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def timed(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,200,800")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hall-open-"))
    try:
        print("| file | open_database (all checks) | quick_check alone | engine + first query |")
        print("|---|---|---|---|")
        for size in (int(s) for s in args.sizes.split(",")):
            path = work / f"{size}.db"
            build(path, size)

            def full() -> None:
                db.open_database(path).dispose()  # noqa: B023 - timed below, in this iteration

            def quick() -> None:
                conn = sqlite3.connect(path)  # noqa: B023 - timed below, in this iteration
                conn.execute("PRAGMA quick_check").fetchall()
                conn.close()

            def floor() -> None:
                engine = db.make_engine(db.sqlite_url(path))  # noqa: B023 - timed below, in this iteration
                db.current_revision(engine)
                engine.dispose()

            mb = path.stat().st_size / 1e6
            print(f"| {mb:.0f} MB | {timed(full, args.runs) * 1000:.0f} ms | {timed(quick, args.runs) * 1000:.0f} ms "
                  f"| {timed(floor, args.runs) * 1000:.0f} ms |", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
