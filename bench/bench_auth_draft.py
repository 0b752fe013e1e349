"""What keeping the authorisation form as it is typed costs (issue 13): one keystroke
of the F6 form (``AuthorisationService.keep_draft``, every field of the form) side by
side with one keystroke of the intake (``CaseIntake.type_field``, one field), on a
plain and on a SQLCipher database, alternated, with the load average.

    .venv/bin/python bench/bench_auth_draft.py [--keys 200] [--rounds 3]

Both run in the app's database thread (coalesced: a fast typist's keys are not
queued one by one), so what matters is that the form costs about what the intake does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hall_app.config import Settings
from hall_app.services.context import CHINA, HallContext
from hall_app.services.demo import DemoSeeder
from hall_app.services.users import SignedIn
from hall_app.store import cipher

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=CHINA)
AGENT = SignedIn("wangqiang", "王强", "agent", "", "", "白沙镇")
TYPED = "５００１１６１９４２０６１１３６６"
FORM = {"principal_id": "", "principal_name": "周桂英（女）", "address": "白沙镇高屋村３组，１２号",
        "relation": "帮代办员", "method": "委托人签名", "valid_from": "2026-11-23", "valid_until": "2027-02-21",
        "attested_by": "", "bundles": ["newborn"]}


def per_key(fn, keys: int, *before: str) -> float:
    t0 = time.perf_counter()
    for n in range(keys):
        fn(*before, TYPED[: n % len(TYPED) + 1])
    return (time.perf_counter() - t0) / keys * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-auth-draft-"))
    template = folder / "demo.db"
    seeder = HallContext(Settings(db=str(template)), clock=lambda: NOW)
    DemoSeeder(seeder).seed()
    seeder.close()
    for encrypted in (False, True):
        path = folder / ("enc.db" if encrypted else "plain.db")
        shutil.copy(template, path)
        if encrypted:
            cipher.encrypt_database(path, {"wangqiang": "demo123"})
        key = cipher.unlock(path, "wangqiang", "demo123") if encrypted else None
        ctx = HallContext(Settings(db=str(path)), clock=lambda: NOW, db_key=key)
        intake, form = [], []
        for _ in range(args.rounds):  # alternated
            intake.append(per_key(ctx.cases.type_field, args.keys, "bench-case", "k"))
            form.append(per_key(lambda v, c=ctx: c.authorisations.keep_draft(AGENT, {**FORM, "principal_id": v}),
                                args.keys))
        a, b = statistics.median(intake), statistics.median(form)
        print(f"{'SQLCipher' if encrypted else 'plain    '}: intake keystroke {a:5.2f} ms   F6 form keystroke "
              f"{b:5.2f} ms   ratio {b / a:.2f}   load {os.getloadavg()[0]:.1f}")
        ctx.close()
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
