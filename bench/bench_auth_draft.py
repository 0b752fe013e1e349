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
import os
import shutil
import statistics
import time

from agent_laptop import demo_template, fresh_copy, open_laptop

from hall_app.services.users import SignedIn

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
    folder, template = demo_template("bench-auth-draft-")
    for encrypted in (False, True):
        path = fresh_copy(template, folder, encrypted)
        ctx = open_laptop(path, encrypted)
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
