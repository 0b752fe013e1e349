"""What encryption at rest costs an agent's laptop (issue 13): the same work on a plain
and on a SQLCipher database (hall_app/store/cipher.py).

    .venv/bin/python bench/bench_cipher.py [--cases 20] [--runs 3]

Per database: open (unlock + schema check), write ``--cases`` whole proxy cases
through the services (authorisation copy, applicant from the file, every answer,
material and field, the decision), and load the agent's day view. Median of ``--runs``
wall-clock seconds; unlocking (scrypt) is timed on its own.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

from agent_laptop import ROOT, demo_template, fresh_copy, open_laptop

sys.path.insert(0, str(ROOT / "tests" / "sync"))

from agent_harness import AGENT, authorise, file_case

from hall_app.services.demo import HE_DEGUI
from hall_app.store import cipher


def run(template: Path, folder: Path, encrypted: bool, cases: int) -> tuple[float, float, float]:
    path = fresh_copy(template, folder, encrypted)
    t0 = time.perf_counter()
    ctx = open_laptop(path, encrypted)
    _ = ctx.catalog
    opened = time.perf_counter() - t0
    t0 = time.perf_counter()
    bundles = ("social_assistance", "elderly_care", "disability_assistance")
    for n in range(cases):
        auth = authorise(ctx, HE_DEGUI, bundles=(bundles[n % 3],))
        state = file_case(ctx, auth, bundles[n % 3])
        ctx.cases.void(state.case_id, "wangqiang", "压测") if state.status == "draft" else None
        if state.status != "draft":
            ctx.cases.dispatch(state.case_id, "wangqiang")
            for item in ctx.cases.get(state.case_id).items:
                ctx.cases.record_item_result(state.case_id, "dept", item, "completed")
            ctx.agent_day.deliver(AGENT, state.case_id, "何德贵")
    written = time.perf_counter() - t0
    t0 = time.perf_counter()
    ctx.agent_day.view(AGENT)
    viewed = time.perf_counter() - t0
    ctx.close()
    return opened, written, viewed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder, template = demo_template("bench-cipher-")
    locked = folder / "locked.db"
    shutil.copy(template, locked)
    cipher.encrypt_database(locked, {"wangqiang": "demo123"})
    t0 = time.perf_counter()
    for _ in range(5):
        cipher.unlock(locked, "wangqiang", "demo123")
    print(f"unlock (scrypt n=2^14, r=8): {(time.perf_counter() - t0) / 5 * 1000:.0f} ms")
    for encrypted in (False, True):
        rows = [run(template, folder, encrypted, args.cases) for _ in range(args.runs)]
        med = [statistics.median(r[i] for r in rows) for i in range(3)]
        print(f"{'SQLCipher' if encrypted else 'plain    '}: open {med[0] * 1000:6.0f} ms   "
              f"{args.cases} cases {med[1]:6.2f} s ({med[1] / args.cases * 1000:.0f} ms each)   "
              f"day view {med[2] * 1000:5.0f} ms")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
