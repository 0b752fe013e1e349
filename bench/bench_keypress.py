"""Key press → updated screen during intake, with 100,000 cases in the local database.

    .venv/bin/python bench/bench_keypress.py [--cases 100000] [--repeat 15]

Builds a throw-away database (real migrations, the demo hall), bulk-inserts the cases
and one event each with SQLAlchemy (the bench only: the app never writes like this),
then drives the real app headless at 100x32 through Textual's pilot. Each sample is
the time from posting the key event until the app is quiet again: the database job
done, its result on the widgets, every message handled. (A real terminal then paints
within one frame, ≤ 16 ms at Textual's 60 fps.) Before each step change the bench
pauses as a clerk would (not measured): the app builds the next step meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hall_app.domain.ids import id_check_char  # noqa: E402
from hall_app.domain.tracking import new_tracking_code  # noqa: E402
from hall_app.services.demo import LIU_YANG  # noqa: E402
from tests.ui.helpers import key_event, open_ctx, seed_template, settle  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
THINK = 0.6  # seconds a clerk spends on a step before pressing on (not measured)
STATUSES = ["rated"] * 40 + ["handed_over"] * 20 + ["completed"] * 15 + ["accepted"] * 10 + ["draft"] * 8 + \
           ["notice_issued"] * 4 + ["refused"] * 2 + ["voided"]


def bulk_load(ctx, count: int, rng: random.Random) -> float:
    """``count`` cases over the past year at six windows (about 300 today at W03)."""
    from sqlalchemy import insert

    from hall_app.store.models import CaseRow, EventRow

    template = ctx.cases.by_tracking_code("Y55BB55KBCBY").to_dict()  # a real accepted case
    today = ctx.today()
    from sqlalchemy import select

    with ctx.read() as session:
        codes: set[str] = set(session.scalars(select(CaseRow.tracking_code)))  # the demo's
    start = time.perf_counter()
    batch_cases, batch_events = [], []
    with ctx.Session.begin() as session:
        for n in range(count):
            code = new_tracking_code(rng.choice)
            while code in codes:
                code = new_tracking_code(rng.choice)
            codes.add(code)
            body = f"500116{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
            pid = body + id_check_char(body)
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            days = 0 if n % 330 == 0 else rng.randint(1, 365)
            window = "W03" if days == 0 else f"W0{rng.randint(1, 6)}"
            day = today - dt.timedelta(days=days)
            when = f"{day.isoformat()}T{rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}:00+08:00"
            status = rng.choice(STATUSES)
            case_id = f"bench-{n:08d}"
            state = dict(template, case_id=case_id, tracking_code=code, status=status, window=window,
                         created_at=when, updated_at=when, step="decision" if status != "draft" else "form",
                         applicant={**template["applicant"], "id_number": pid, "name": name})
            batch_cases.append(dict(case_id=case_id, tracking_code=code, bundle_code="newborn", bundle_version=1,
                                    bundle_name="新生儿出生", status=status, step=state["step"], applicant_name=name,
                                    applicant_id_number=pid, applicant_uscc="", applicant_key=pid, hall="JJ01", window=window,
                                    created_by="zhangli", claimed_by="zhangli", created_at=when, updated_at=when,
                                    due_date="", needs_review=False, version=1, state=state))
            batch_events.append(dict(event_id=f"bench-ev-{n:08d}", case_id=case_id, device_id="bench-device",
                                     device_seq=n + 1, actor="zhangli", type="case.started",
                                     payload={"tracking_code": code, "bundle_code": "newborn"},
                                     device_time=when, schema_version=1, content_hash=f"{n:064d}",
                                     sync_state="sent", sync_error=""))
            if len(batch_cases) == 5000:
                session.execute(insert(CaseRow), batch_cases)
                session.execute(insert(EventRow), batch_events)
                batch_cases, batch_events = [], []
        if batch_cases:
            session.execute(insert(CaseRow), batch_cases)
            session.execute(insert(EventRow), batch_events)
    return time.perf_counter() - start


async def measure(ctx, repeat: int) -> dict[str, list[float]]:
    from screens.app import HallApp

    app = HallApp(ctx, cursor_blink=False)
    samples: dict[str, list[float]] = {}

    async with app.run_test(size=(100, 32)) as pilot:
        async def timed(label: str, *keys: str) -> None:
            start = time.perf_counter()
            for key in keys:
                app._driver.send_message(key_event(app, key))
            await settle(pilot, rounds=1)
            samples.setdefault(label, []).append((time.perf_counter() - start) * 1000)

        async def think() -> None:
            """A clerk looks at a step for a while before moving on (the app builds the
            next step meanwhile); the pause itself is not measured."""
            await asyncio.sleep(THINK)
            await settle(pilot)

        async def keys(*keys: str) -> None:
            for key in keys:
                app._driver.send_message(key_event(app, key))
                await settle(pilot)

        await settle(pilot)
        await keys(*"zhangli", "enter", *"demo123")
        await timed("sign in → workbench with today's cases and drafts", "enter")
        await timed("workbench: search a citizen ID (100,000 cases)", *LIU_YANG, "enter")
        await keys("escape")
        await timed("workbench: search a name prefix", *"王伟", "enter")
        await keys("escape")
        app.screen.query_one("#today").focus()
        for _ in range(repeat):
            await timed("workbench: next page of today's cases", "pagedown")
        for n in range(repeat):
            if n:
                await keys("escape")
            await timed("F2 new intake → need step with suggestions", "f2")
            await timed("Enter → case started, flow chart shown", "enter")
            await think()
            await timed("Enter → applicant step", "enter")
            for ch in LIU_YANG[:-1]:
                await timed("a keystroke in the ID field (saved as scratch)", ch)
            await timed("last ID digit → checked, person file and e-licences shown", LIU_YANG[-1])
            await think()
            await timed("Enter → situation questions", "enter")
            for _ in range(8):
                await timed("an answer (number key) → plan recomputed, change shown", "1")
            await think()
            await timed("Enter → materials checklist", "enter")
            await timed("a tick (1 = handed in) on a material", "1")
            await timed("a → every material handed in", "a")
            await think()
            await timed("Enter → one form (14 merged fields)", "enter")
            for ch in "刘思远":
                await timed("a keystroke in a form field (saved as scratch)", ch)
            await timed("Enter in a field → recorded, checked, next field", "enter")
            await think()
            await timed("F7 → back a step", "f7")
            await think()
            await timed("F8 → forward a step", "f8")
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=12)
    parser.add_argument("--db", help="keep the database here (default: a temporary directory)")
    args = parser.parse_args()
    work = Path(args.db).parent if args.db else Path(tempfile.mkdtemp(prefix="hall-keypress-"))
    db = Path(args.db) if args.db else work / "bench.db"
    fresh = not db.exists()
    if fresh:
        seed_template(db)
    ctx = open_ctx(db, work / "documents")
    if fresh:
        seconds = bulk_load(ctx, args.cases, random.Random(100_000))
        print(f"bulk-loaded {args.cases:,} cases (+1 event each) in {seconds:.1f} s; "
              f"database {db.stat().st_size / 1e6:.0f} MB")
    samples = asyncio.run(measure(ctx, args.repeat))
    print(f"machine: {platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{platform.system()} {platform.release()}")
    print(f"{'action':<58} {'n':>4} {'median':>9} {'p95':>9} {'max':>9}")
    for label, values in samples.items():
        values.sort()
        p95 = values[max(0, int(round(len(values) * 0.95)) - 1)]
        print(f"{label:<58} {len(values):>4} {statistics.median(values):>7.1f}ms {p95:>7.1f}ms "
              f"{values[-1]:>7.1f}ms")
    ctx.close()
    print(json.dumps({k: round(statistics.median(v), 1) for k, v in samples.items()}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
