"""CPU time to the first frame: the bare Textual app against the hall app (or two
checkouts of it), each started afresh, interleaved, headless at 100x32.

    .venv/bin/python bench/bench_startup_cpu.py [--runs 8] [--app-root OLD --app-root .]
    .venv/bin/python bench/bench_startup_cpu.py --instructions [--app-root OLD --app-root .]

`bench_startup.py` times the first screen on a real terminal (wall clock); on a shared
machine that clock mostly measures the neighbours. This one counts the CPU time the
process itself used (``time.process_time``) from its first line until the login screen's
first refresh (the bare app: its first refresh). Terminal output is not included (the
run is headless: the same for both), everything else before the first frame is: imports,
argument parsing, settings, stylesheet parsing, composing and laying out the screen.

``--instructions`` counts the instructions instead (valgrind, one run each: the count
is the same run after run, to 0.01%, however busy the machine), from the interpreter's
start to the first frame, where the process ends at once (``os._exit``). The apps are
byte-compiled first, as an installed app is (bench_startup.py says why).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r'''
import os, time, sys
T0 = time.process_time()
which, root, db = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, root)
def done(app):
    print(f"{(time.process_time() - T0) * 1000:.1f}", flush=True)
    if os.environ.get("HALL_BENCH_EXIT_AT_FRAME"):
        os._exit(0)
    app.exit()
from textual.app import App
if which == "bare":
    sys.path.insert(0, root + "/bench")
    from bare_app import BareApp
    app = BareApp()
    app.call_after_refresh(lambda: done(app))
    app.run(headless=True, size=(100, 32))
else:
    import screens.login as L
    mounted = L.LoginScreen.on_mount
    def on_mount(self):
        mounted(self)
        self.call_after_refresh(lambda: done(self.app))
    L.LoginScreen.on_mount = on_mount
    run = App.run
    App.run = lambda self, **k: run(self, headless=True, size=(100, 32))
    sys.argv = ["hall-app", "--db", db]
    from hall_app.cli import main
    try:
        main()
    except SystemExit:
        pass
'''


def one(which: str, root: Path, db: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(root))
    out = subprocess.run([sys.executable, "-c", CHILD, which, str(root), str(db)], cwd=root, env=env,
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return float(out.strip().splitlines()[0])


def instructions(which: str, root: Path, db: Path) -> float:
    """Millions of instructions (valgrind) from the interpreter's start to the first frame."""
    env = dict(os.environ, PYTHONPATH=str(root), PYTHONHASHSEED="0", HALL_BENCH_EXIT_AT_FRAME="1")
    proc = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                           sys.executable, "-c", CHILD, which, str(root), str(db)], cwd=root, env=env,
                          capture_output=True, text=True, check=True, timeout=900)
    match = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
    if not match:
        raise RuntimeError(proc.stderr[-2000:])
    return int(match.group(1).replace(",", "")) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--app-root", action="append", default=[])
    parser.add_argument("--instructions", action="store_true", help="count instructions with valgrind (one run each)")
    args = parser.parse_args()
    roots = [Path(r).resolve() for r in args.app_root] or [ROOT]
    import tempfile

    from bench_startup import compile_app

    for root in roots:
        compile_app(root)
    db = Path(tempfile.mkdtemp(prefix="hall-startcpu-")) / "demo.db"
    subprocess.run([sys.executable, "-m", "hall_app", "demo", "--db", str(db)], cwd=ROOT, check=True,
                   capture_output=True)
    if args.instructions:
        bare_ir = instructions("bare", ROOT, db)
        print(f"instructions to the first frame (valgrind, millions): bare Textual app {bare_ir:.1f}")
        for root in roots:
            hall_ir = instructions("hall", root, db)
            print(f"hall app ({root}): {hall_ir:.1f} → {hall_ir / bare_ir:.3f}x bare")
        return 0
    bare: list[float] = []
    hall: dict[Path, list[float]] = {r: [] for r in roots}
    one("bare", ROOT, db)  # warm the file cache
    for _ in range(args.runs):
        bare.append(one("bare", ROOT, db))
        for root in roots:
            hall[root].append(one("hall", root, db))
    med = statistics.median
    print(f"CPU ms to the first frame, {args.runs} runs each, interleaved, load average {os.getloadavg()[0]:.1f}")
    print(f"bare Textual app: min {min(bare):.0f}, median {med(bare):.0f}")
    for root, values in hall.items():
        print(f"hall app ({root}): min {min(values):.0f}, median {med(values):.0f} → "
              f"{min(values) / min(bare):.2f}x bare (min), {med(values) / med(bare):.2f}x (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
