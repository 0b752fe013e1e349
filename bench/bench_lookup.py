"""Point look-ups over many realistic cases: tracking code, citizen ID, name prefix,
the window's page — before and after SQLite has statistics (ANALYZE).

Run by hand:  .venv/bin/python bench/bench_lookup.py [--cases 1000000]

Builds a throw-away database through the real migrations and the demo hall, then
bulk-loads case rows made from a real accepted demo case: the full projection
``state`` JSON (answers, form fields, materials, items — several KB a row, as a
real hall stores), a spread of statuses, windows and dates over a year, people
with one to three cases. Rows go in with raw sqlite3 ``executemany`` (the fastest
honest way to load a million). Then the same service calls the workbench search
box makes are timed; the database is ANALYZEd and they are timed again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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
STATUSES = ["rated"] * 40 + ["handed_over"] * 20 + ["completed"] * 15 + ["accepted"] * 10 + ["draft"] * 8 + \
           ["notice_issued"] * 4 + ["refused"] * 2 + ["voided"]
COLUMNS = ("case_id", "tracking_code", "bundle_code", "bundle_version", "bundle_name", "status", "step",
           "applicant_name", "applicant_id_number", "applicant_uscc", "applicant_key", "hall", "window",
           "created_by", "claimed_by", "created_at", "updated_at", "due_date", "needs_review", "version", "state")
INSERT = f"INSERT INTO cases ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"


def citizen_id(rng: random.Random) -> str:
    body = f"500116{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + id_check_char(body)


def load(ctx: HallContext, count: int, rng: random.Random) -> tuple[list[str], list[str], int]:
    """``count`` realistic rows; returns sample tracking codes, sample ID numbers and the
    average size of a row's state JSON."""
    from hall_app.services.demo import DemoSeeder

    DemoSeeder(ctx).seed()
    template = next(s for s in (ctx.cases.get(r.case_id) for r in ctx.cases.drafts() + ctx.cases.find("刘洋"))
                    if s.status == "accepted").to_dict()
    today = ctx.today()
    people = [(citizen_id(rng), rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN))
              for _ in range(max(1, count // 2))]
    codes, ids, state_bytes = [], [], 0
    conn = sqlite3.connect(ctx.settings.db_path)
    rows = []
    for n in range(count):
        code = new_tracking_code(rng.choice)
        pid, name = rng.choice(people)
        days = rng.randint(0, 365)
        window = f"W0{rng.randint(1, 6)}"
        day = today - dt.timedelta(days=days)
        when = f"{day.isoformat()}T{rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}:00+08:00"
        status = rng.choice(STATUSES)
        case_id = f"bench-{n:08d}"
        state = dict(template, case_id=case_id, tracking_code=code, status=status, window=window,
                     created_at=when, updated_at=when, applicant={**template["applicant"], "id_number": pid,
                                                                  "name": name})
        raw = json.dumps(state, ensure_ascii=False)
        state_bytes += len(raw.encode())
        rows.append((case_id, code, "newborn", 1, "新生儿出生", status, "decision", name, pid, "", pid, "JJ01",
                     window, "zhangli", "zhangli", when, when, "", 0, 7, raw))
        if n % max(1, count // 1000) == 0:
            codes.append(code)
            ids.append(pid)
        if len(rows) == 20_000:
            conn.executemany(INSERT, rows)
            rows.clear()
    if rows:
        conn.executemany(INSERT, rows)
    conn.commit()
    conn.close()
    return codes, ids, state_bytes // max(1, count)


def timed(fn, values) -> tuple[float, float]:
    samples = []
    for value in values:
        start = time.perf_counter()
        fn(value)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.99) - 1)]


def run(ctx: HallContext, codes: list[str], ids: list[str], title: str) -> None:
    print(title)
    since = (ctx.today() - dt.timedelta(days=30)).isoformat()
    for label, fn, values in (
        ("tracking code", lambda v: ctx.cases.find(v), codes),
        ("citizen ID", lambda v: ctx.cases.find(v), ids),
        ("name prefix (50 rows)", lambda v: ctx.cases.find(v), ["王伟", "李娜", "张敏", "刘洋"] * 25),
        ("window page 1 (20 rows)", lambda v: ctx.cases.window_page("W03", since=since), range(100)),
    ):
        p50, p99 = timed(fn, values)
        print(f"  {label:<26} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   ({len(values)} look-ups)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--dir", help="where the throw-away database goes (default: a temporary folder)")
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        db = Path(tmp) / "bench.db"
        ctx = HallContext(Settings(db=str(db), hall="JJ01", window="W03"))
        start = time.perf_counter()
        codes, ids, avg_state = load(ctx, args.cases, rng)
        size = db.stat().st_size + sum(p.stat().st_size for p in db.parent.glob("bench.db-*"))
        print(f"loaded {args.cases:,} cases in {time.perf_counter() - start:.1f} s; state JSON "
              f"{avg_state:,} bytes a row; database {size / 2**30:.2f} GiB")
        run(ctx, codes, ids, "without statistics")
        with ctx.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        run(ctx, codes, ids, "after ANALYZE")
        with ctx.engine.connect() as conn:
            plan = conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT * FROM cases WHERE applicant_key = ? AND applicant_key != '' "
                "ORDER BY updated_at DESC LIMIT 50", (ids[0],)).all()
        print("ID look-up plan after ANALYZE:", "; ".join(str(r[-1]) for r in plan))
        ctx.close()


if __name__ == "__main__":
    main()
