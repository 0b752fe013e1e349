"""Key press → frame on the terminal, with 100,000 realistic cases in the database.

    .venv/bin/python bench/bench_keypress.py [--cases 100000] [--rounds 2] [--db /tmp/h8kp.db]

What the clerk feels, measured from outside: the app runs in a pseudo-terminal
(``bench/pty_app.py``: the real terminal driver, the real clock, the full catalog)
and this script types into it byte for byte as a terminal would. For every key it
records when the bytes were written and when the app wrote to the terminal:

* **first paint**: the first frame written after the key;
* **settled**: the last frame before the terminal stays quiet for ``--quiet`` seconds
  (the database job done, its result drawn).

The same is measured for ``bench/bare_app.py --keys`` (a one-line Textual app that
re-sets its text on every key): the floor of key → frame in this terminal.

The database: the demo hall, then ``--cases`` cases bulk-loaded over the past year at
six windows (about 300 today at W03), each with the state JSON of a real accepted case
(what the rows of a working hall hold) and one event. The intake runs through every
complete bundle of the full catalog as a clerk takes it: the need, the applicant, every
question (answers until none is open), the materials, every form field (a valid value of
its type, in the order the app focuses them), the review, up to the decision (not taken).
There is no pause before a step change: the next step is not built ahead while a clerk
"thinks". The bench reads the database to know what the app did (the step it recorded,
the questions still open, the field to fill next); a step not reached is reported as
"the drive went off", never measured as if it had been.

Each key also gets the app's CPU time from the key until the screen settled (``CPU
mean``): the work it set off, which the machine's load moves much less than the clock.
The last line of each report: first paint p50/p95 and CPU mean over every key pressed,
and per class (typing, step change, list page / search).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from proc_stat import proc_cpu
from pty_terminal import PtyTerminal

from hall_app.domain.ids import id_check_char
from hall_app.domain.tracking import new_tracking_code
from hall_app.services.demo import LIU_YANG

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
STATUSES = ["rated"] * 40 + ["handed_over"] * 20 + ["completed"] * 15 + ["accepted"] * 10 + ["draft"] * 8 + \
           ["notice_issued"] * 4 + ["refused"] * 2 + ["voided"]
KEYS = {"enter": b"\r", "escape": b"\x1b", "f2": b"\x1bOQ", "f7": b"\x1b[18~", "f8": b"\x1b[19~", "up": b"\x1b[A",
        "down": b"\x1b[B", "pagedown": b"\x1b[6~", "pageup": b"\x1b[5~", "tab": b"\t"}
COLS, ROWS = 160, 48


def bulk_load(ctx, count: int, rng: random.Random) -> float:
    """``count`` cases over the past year at six windows (about 300 today at W03)."""
    from sqlalchemy import insert, select

    from hall_app.store.models import CaseRow, EventRow

    with ctx.read() as session:  # a real accepted case of the demo: answers, fields, events' worth of state
        accepted = session.scalar(select(CaseRow.case_id).where(CaseRow.status == "accepted").limit(1))
    template = ctx.cases.get(accepted).to_dict()
    today = ctx.today()

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
            body = (f"500116{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
                    f"{rng.randint(0, 999):03d}")
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
                                    applicant_id_number=pid, applicant_uscc="", applicant_key=pid, hall="JJ01",
                                    window=window,
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


class Terminal(PtyTerminal):
    """The app (or the bare app) in a pseudo-terminal of the bench's size, keys by name."""

    def __init__(self, argv: list[str], quiet: float, root: Path = ROOT) -> None:
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS), PYTHONPATH=str(root))
        super().__init__(argv, env, cols=COLS, rows=ROWS, cwd=root, quiet=quiet)

    def key(self, name: str) -> tuple[float, float, float] | None:
        """Send one key; (first paint, settled, the app's CPU time until settled) in ms, None
        if nothing was drawn. The CPU time (user + system, from /proc, 10 ms ticks: read as a
        mean over many keys) is the work a key sets off, much less moved by the machine's
        load than the times on the clock."""
        before = self.cpu_ms()
        result = self.press(KEYS.get(name, name.encode()))
        return None if result is None else (*result, self.cpu_ms() - before)

    def cpu_ms(self) -> float:
        return proc_cpu(self.pid) * 1000

    def close(self, sig: int = signal.SIGKILL) -> None:
        if os.environ.get("HALL_PROFILE"):  # bench/pty_app.py writes its profile first
            os.kill(self.pid, signal.SIGUSR1)
            time.sleep(3.0)
        super().close(sig)


class Samples:
    def __init__(self) -> None:
        self.first: dict[str, list[float]] = {}
        self.settled: dict[str, list[float]] = {}
        self.silent: dict[str, int] = {}
        self.cpu: dict[str, list[float]] = {}
        self.crashes: list[str] = []
        self.misses: list[str] = []  # what the bench expected the app to do and it did not

    def expect(self, ctx, case_id: str, step: str, bundle: str, after: str) -> bool:
        """The app is on ``step`` (as it recorded): else the drive is off, said and counted."""
        if case_id:
            wait_until(lambda: step_of(ctx, case_id) == step, timeout=15.0)  # a loaded machine is slow
        got = step_of(ctx, case_id) if case_id else "(no case)"
        if got != step:
            self.misses.append(f"{bundle}: after {after} the app is on {got!r}, not {step!r}")
            print(f"  !! {self.misses[-1]}", file=sys.stderr)
            return False
        return True

    def merge(self, other: "Samples") -> None:
        for label, values in other.first.items():
            self.first.setdefault(label, []).extend(values)
            self.settled.setdefault(label, []).extend(other.settled[label])
            self.cpu.setdefault(label, []).extend(other.cpu.get(label, []))
        for label, n in other.silent.items():
            self.silent[label] = self.silent.get(label, 0) + n
        self.crashes += other.crashes
        self.misses += other.misses

    def add(self, label: str, result: tuple[float, float, float] | None) -> None:
        if result is None:
            self.silent[label] = self.silent.get(label, 0) + 1
            return
        self.first.setdefault(label, []).append(result[0])
        self.settled.setdefault(label, []).append(result[1])
        self.cpu.setdefault(label, []).append(result[2])


def wait_until(check, timeout: float = 5.0):
    """Poll the database until ``check()`` is truthy (the app writes in a worker thread: on
    a loaded machine the write may come after the frame); its last value."""
    deadline = time.perf_counter() + timeout
    while True:
        value = check()
        if value or time.perf_counter() > deadline:
            return value
        time.sleep(0.02)


def newest_case(ctx) -> str:
    """The case being taken: the newest one started (by the event log's own order, not by
    ``created_at``: the bulk-loaded cases of today lie later in the hall's day than a case
    started before 08:00 there, which made the bench answer for one of them)."""
    from sqlalchemy import select

    from hall_app.store.models import EventRow

    with ctx.read() as session:
        return session.scalar(select(EventRow.case_id).where(EventRow.type == "case.started")
                              .order_by(EventRow.local_seq.desc()).limit(1)) or ""


def questions_left(ctx, case_id: str) -> tuple[int, int]:
    """(open questions, answers) of the case being taken: the bench answers until none is open."""
    plan = ctx.cases.plan(ctx.cases.get(case_id))
    return len(plan.pending), len(plan.answers)


def step_of(ctx, case_id: str) -> str:
    """The step the app recorded for the case (it records every step change)."""
    try:
        return ctx.cases.get(case_id).step
    except Exception as exc:  # not readable yet (its first write still in flight)
        return f"({exc})"


def form_todo(ctx, case_id: str):
    """The form's first field still to fill (required and empty, or failing its check):
    where the app puts the focus (``FormStep._focus_next``), so the bench types into the
    field on screen. None: every required field is done (the app then walks the empty
    optional ones after the last field filled, each skipped with Enter)."""
    from hall_app.domain.form import check_field

    state = ctx.cases.get(case_id)
    rows = ctx.cases.form(state)
    today = ctx.today()
    todo = [n for n, r in enumerate(rows)
            if not check_field(r.field, r.value, today).ok or (r.field.required and not r.value)]
    return rows[todo[0]].field if todo else None


def field_value(field) -> str:
    """A valid value of the field's type, as a clerk would type it."""
    from hall_app.services.demo import HOTPOT_FIRM

    value = {"citizen_id": LIU_YANG, "uscc": HOTPOT_FIRM, "mobile": "13800138000", "phone": "13800138000",
             "date": "2020-01-15", "number": "12", "name": "刘思远", "address": "重庆市江津区几江街道滨江路1号",
             "text": "软件开发；信息技术咨询服务"}.get(field.type, "刘思远")
    if field.max_length and len(value) > field.max_length:  # a short text field (建筑面积): a number
        value = "120"[:field.max_length]
    return value


def sign_in(term: Terminal, out: Samples) -> None:
    term.wait_for("演示账号")
    term.settle()
    for ch in "zhangli":
        term.key(ch)
    term.key("enter")
    for ch in "demo123":
        term.key(ch)
    out.add("sign in → workbench", term.key("enter"))
    term.settle(timeout=5)


def run_hall(db: Path, ctx, bundles: list[str], rounds: int, quiet: float, app_root: Path = ROOT) -> Samples:
    """One sitting: sign in, the workbench, then every bundle ``rounds`` times. Should the
    app crash, the crash is reported and the app is started again for the next bundle."""
    argv = [sys.executable, str(ROOT / "bench" / "pty_app.py"), str(db), str(app_root)]
    term = Terminal(argv, quiet, app_root)
    out = Samples()
    try:
        sign_in(term, out)
        for ch in LIU_YANG:
            out.add("workbench: a keystroke in the search box", term.key(ch))
        out.add("workbench: search an ID (Enter)", term.key("enter"))
        term.key("escape")
        for ch in "王伟":
            term.key(ch)
        out.add("workbench: search a name prefix (Enter)", term.key("enter"))
        term.key("escape")
        term.key("down")
        for _ in range(rounds * 3):
            out.add("workbench: next page (PgDn)", term.key("pagedown"))
            out.add("workbench: previous page (PgUp)", term.key("pageup"))
        for _ in range(rounds):
            for name in bundles:
                try:
                    intake(term, ctx, out, name)
                except RuntimeError as exc:
                    tail = str(exc).splitlines()[-2:]
                    print(f"  !! the app crashed during {name}: {' '.join(tail)[-300:]}", file=sys.stderr)
                    out.crashes.append(f"{name}: {tail[-1][-200:] if tail else exc}")
                    term.close()
                    term = Terminal(argv, quiet, app_root)
                    sign_in(term, Samples())
    finally:
        term.close()
    return out


def intake(term: Terminal, ctx, out: Samples, bundle: str) -> None:
    """One complete bundle as a clerk takes it: the need, the applicant, every question,
    the materials, every form field, the review, up to the decision (not taken: the case
    stays a draft, so the next round starts from the same database)."""
    print(f"  … {bundle}", file=sys.stderr, flush=True)
    before = newest_case(ctx)
    out.add("F2 → new intake (need step)", term.key("f2"))
    for ch in bundle:
        out.add("need: a keystroke (suggestions)", term.key(ch))
    out.add("Enter → case started, flow chart", term.key("enter"))
    case_id = wait_until(lambda: (newest_case(ctx) != before) and newest_case(ctx))
    if not out.expect(ctx, case_id, "flow", bundle, "Enter on the need"):
        return
    out.add("Enter → applicant step", term.key("enter"))
    for ch in LIU_YANG[:-1]:
        out.add("applicant: a keystroke in the ID field", term.key(ch))
    out.add("applicant: last ID digit → checked, file shown", term.key(LIU_YANG[-1]))
    out.add("F8 → questions step", term.key("f8"))
    if not out.expect(ctx, case_id, "questions", bundle, "F8 on the applicant"):
        return
    for key in ("down", "down", "up", "up"):
        out.add("questions: ↑/↓ move", term.key(key))
    for _ in range(30):
        left, answered = questions_left(ctx, case_id)
        if not left:
            break
        out.add("questions: an answer (1)", term.key("1"))
        wait_until(lambda n=answered: questions_left(ctx, case_id)[1] > n, timeout=3.0)
    out.add("Enter → materials step", term.key("enter"))
    if not out.expect(ctx, case_id, "materials", bundle, "the answers and Enter"):
        return
    out.add("materials: a tick (1)", term.key("1"))
    out.add("materials: a (all handed in)", term.key("a"))
    out.add("Enter → form step", term.key("enter"))
    if not out.expect(ctx, case_id, "form", bundle, "Enter on the materials"):
        return
    for _ in range(60):  # every field to fill, in the order the app focuses them
        field = form_todo(ctx, case_id)
        if field is None:
            break
        if field.type == "choice":
            out.add("form: a choice (1) → recorded, next field", term.key("1"))
        else:
            for ch in field_value(field):
                out.add("form: a keystroke", term.key(ch))
            out.add("form: Enter → recorded, next field", term.key("enter"))
        if not wait_until(lambda key=field.key: getattr(form_todo(ctx, case_id), "key", None) != key, timeout=3.0):
            out.misses.append(f"{bundle}: the form field {field.label} ({field.type}) stays to fill")
            print(f"  !! {out.misses[-1]}", file=sys.stderr)
            return
    for _ in range(20):  # the empty optional fields the app still shows, skipped with Enter
        if step_of(ctx, case_id) != "form":
            break
        out.add("form: Enter → next field or review step", term.key("enter"))
        wait_until(lambda: step_of(ctx, case_id) != "form", timeout=1.0)  # the step is recorded after the frame
    if not out.expect(ctx, case_id, "review", bundle, "the last form field"):
        return
    out.add("Enter → decision step", term.key("enter"))
    if not out.expect(ctx, case_id, "decision", bundle, "Enter on the review"):
        return
    out.add("decision: ↑/↓ move", term.key("down"))
    out.add("decision: ↑/↓ move", term.key("up"))
    out.add("F7 → back a step", term.key("f7"))
    out.add("F8 → forward a step", term.key("f8"))
    out.expect(ctx, case_id, "decision", bundle, "F7 and F8")
    term.key("escape")
    term.settle()


def run_bare(keys: int, quiet: float) -> Samples:
    term = Terminal([sys.executable, str(ROOT / "bench" / "bare_app.py"), "--keys"], quiet)
    out = Samples()
    try:
        term.wait_for("BARE-READY")
        term.settle()
        for n in range(keys):
            out.add("bare app: a key re-sets one line", term.key("1234567890"[n % 10]))
    finally:
        term.close()
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[max(0, round(len(values) * q) - 1)]


def key_class(label: str) -> str:
    """Which kind of key a sample is: typing (a character, an answer, a tick, a move), a
    step change (a new screen or step), or a list page or search of the workbench."""
    if "PgDn" in label or "PgUp" in label or "search an ID" in label or "search a name" in label:
        return "list page / search"
    if " step" in label or "sign in" in label or "flow chart" in label:
        return "step change"
    return "typing"


def summary(samples: Samples) -> dict:
    """First paint p50/p95 over every key pressed, and per class of key."""
    groups: dict[str, list[float]] = {"all keys": []}
    cpus: dict[str, list[float]] = {"all keys": []}
    for label, firsts in samples.first.items():
        groups["all keys"] += firsts
        groups.setdefault(key_class(label), []).extend(firsts)
        cpus["all keys"] += samples.cpu.get(label, [])
        cpus.setdefault(key_class(label), []).extend(samples.cpu.get(label, []))
    out = {}
    for name, values in groups.items():
        if values:
            out[name] = dict(n=len(values), first_p50=round(statistics.median(values), 1),
                             first_p95=round(pct(values, 0.95), 1),
                             cpu_mean=round(statistics.fmean(cpus.get(name) or [0.0]), 1))
    return out


def report(name: str, samples: Samples, floor: float) -> dict:
    print(f"\n{name}")
    print(f"{'action':<48} {'n':>4} {'first p50':>10} {'p95':>7} {'settled p50':>12} {'p95':>7} {'÷ bare':>7} "
          f"{'CPU mean':>9}")
    rows = {}
    for label, firsts in samples.first.items():
        settled = samples.settled[label]
        p50 = statistics.median(firsts)
        cpu = statistics.fmean(samples.cpu.get(label) or [0.0])
        rows[label] = dict(n=len(firsts), first_p50=round(p50, 1), first_p95=round(pct(firsts, 0.95), 1),
                           settled_p50=round(statistics.median(settled), 1), settled_p95=round(pct(settled, 0.95), 1),
                           cpu_mean=round(cpu, 1))
        print(f"{label:<48} {len(firsts):>4} {p50:>8.1f}ms {pct(firsts, 0.95):>5.1f}ms "
              f"{statistics.median(settled):>10.1f}ms {pct(settled, 0.95):>5.1f}ms {p50 / floor:>6.1f}x "
              f"{cpu:>7.1f}ms")
    for label, n in samples.silent.items():
        print(f"  (no frame at all after {n} × {label})")
    for crash in samples.crashes:
        print(f"  (the app crashed and was restarted: {crash})")
    for miss in samples.misses:
        print(f"  (the drive went off: {miss})")
    total = summary(samples)
    print("summary, first paint: " + " · ".join(
        f"{k} n={v['n']} p50 {v['first_p50']:.1f} ms p95 {v['first_p95']:.1f} ms CPU {v['cpu_mean']:.1f} ms"
        for k, v in total.items()))
    rows["summary"] = total
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1, help="times through every complete bundle")
    parser.add_argument("--quiet", type=float, default=0.15, help="seconds of silence that end a sample")
    parser.add_argument("--db", help="keep the database here and reuse it (default: a temporary directory)")
    parser.add_argument("--app-root", action="append", default=[],
                        help="checkout whose app to run (default: this one); give two to compare versions "
                             "on the same database, alternating round by round")
    parser.add_argument("--build-only", action="store_true", help="build the database and stop")
    parser.add_argument("--bundles", type=int, default=0,
                        help="take only this many complete bundles, spread over the catalog (0: all); "
                             "for a quick side-by-side run on a busy machine")
    args = parser.parse_args()
    roots = [Path(r) for r in args.app_root] or [ROOT]

    from hall_app.config import Settings
    from hall_app.services.context import HallContext
    from hall_app.services.demo import DemoSeeder

    work = Path(args.db).parent if args.db else Path(tempfile.mkdtemp(prefix="hall-keypress-"))
    db = Path(args.db) if args.db else work / "bench.db"
    fresh = not db.exists()
    ctx = HallContext(Settings(db=str(db), pdf_dir=str(work / "documents")))
    if fresh:
        DemoSeeder(ctx).seed()
        seconds = bulk_load(ctx, args.cases, random.Random(100_000))
        print(f"bulk-loaded {args.cases:,} cases (+1 event each) in {seconds:.1f} s; "
              f"database {db.stat().st_size / 1e6:.0f} MB")
    if args.build_only:
        return 0
    bundles = [b.name for b in ctx.catalog.complete()]
    if args.bundles and args.bundles < len(bundles):
        step = len(bundles) / args.bundles
        bundles = [bundles[int(n * step)] for n in range(args.bundles)]
    bare = run_bare(60, args.quiet)
    results = {root: Samples() for root in roots}
    for _ in range(args.rounds):
        for root in roots:  # alternating: the machine's load falls on both alike
            one = run_hall(db, ctx, bundles, 1, args.quiet, root)
            results[root].merge(one)
    bare.merge(run_bare(60, args.quiet))  # before and after: the machine's load moves
    ctx.close()

    import textual

    print(f"machine: {platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{platform.system()} {platform.release()} · textual {textual.__version__} · terminal {COLS}x{ROWS} (pty) · "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"bundles: {', '.join(bundles)} · rounds {args.rounds} · quiet {args.quiet * 1000:.0f} ms")
    floor = statistics.median(bare.first["bare app: a key re-sets one line"])
    out = {"bare": report("bare Textual app (bench/bare_app.py --keys)", bare, floor)}
    for root, samples in results.items():
        out[str(root)] = report(f"hall app from {root}", samples, floor)
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
