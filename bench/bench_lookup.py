"""Point look-ups with a million cases: tracking code, citizen ID, name prefix.

Run by hand:  .venv/bin/python bench/bench_lookup.py [--cases 1000000]
Builds a throw-away database through the real migrations, bulk-loads synthetic
projection rows (raw sqlite3 executemany, the fastest honest way to get a million
rows), then times the same service calls the workbench search box makes.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from hall_app.config import Settings
from hall_app.domain.ids import id_check_char
from hall_app.domain.tracking import new_tracking_code
from hall_app.services.context import HallContext

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"


def citizen_id(rng: random.Random) -> str:
    body = f"500116{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + id_check_char(body)


def load(db: Path, count: int, rng: random.Random) -> tuple[list[str], list[str]]:
    codes, ids = [], []
    conn = sqlite3.connect(db)
    rows = []
    for n in range(count):
        code, pid = new_tracking_code(rng.choice), citizen_id(rng)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        day = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T10:00:00+08:00"
        rows.append((f"c{n:08d}", code, "newborn", 1, "新生儿出生", "accepted", "decision", name, pid, "", "JJ01",
                     f"W0{n % 6 + 1}", "zhangli", "", day, day, "", 0, 1, "{}"))
        if n % 1000 == 0:
            codes.append(code)
            ids.append(pid)
        if len(rows) == 50_000:
            conn.executemany("INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            rows.clear()
    if rows:
        conn.executemany("INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.commit()
    conn.close()
    return codes, ids


def timed(fn, values) -> tuple[float, float]:
    samples = []
    for value in values:
        start = time.perf_counter()
        fn(value)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        ctx = HallContext(Settings(db=str(db)))
        start = time.perf_counter()
        codes, ids = load(db, args.cases, rng)
        print(f"loaded {args.cases:,} cases in {time.perf_counter() - start:.1f} s")
        for label, fn, values in (
            ("tracking code", lambda v: ctx.cases.find(v), codes),
            ("citizen ID", lambda v: ctx.cases.find(v), ids),
            ("name prefix (50 rows)", lambda v: ctx.cases.find(v), ["王伟", "李娜", "张敏", "刘洋"] * 25),
            ("window page 1 (20 rows)", lambda v: ctx.cases.window_page("W03", since="2026-11-01"), range(100)),
        ):
            p50, p99 = timed(fn, values)
            print(f"{label:<26} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   ({len(values)} look-ups)")
        ctx.close()


if __name__ == "__main__":
    main()
