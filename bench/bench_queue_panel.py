"""The live hall panel's refresh, this version against a previous one side by side, in
one process under the same load: 10 lines, 50 windows, the busy day of
bench_queue_live.py (1,500 tickets) folded in memory (the fold the server runs, no
PostgreSQL needed), shown a minute apart in turn in a headless app at 160x48 with the
dashboard's table sizes (at most 12 lines a table, as in screens/dashboard.tcss).
Results go in docs/benchmarks.md.

    .venv/bin/python bench/bench_queue_panel.py                    # against main's panel
    .venv/bin/python bench/bench_queue_panel.py --against 5147246 --rounds 9

The previous panel is ``git show REV:screens/dashboard_queue.py`` loaded as its own module
with the LiveTable of the same revision (the other widgets and the strings are this
tree's, so a revision too far back may not load). Each round times one refresh of each
version (``show`` and the pilot's pause until it is drawn), alternating which goes first;
the ratio is this version's median over the previous one's, in wall time and in this
process's CPU time (``time.process_time``: what the refresh itself costs, less disturbed
by the other processes' load). "pause" is the harness alone (a pause with nothing to
draw), printed so the refresh's own cost can be told from it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_queue_live import DAY, day_events

from hall_app.domain.queue_live import LineConf, LiveTargets, WindowConf, live_hall
from hall_app.domain.queue_schedule import CHINA
from hall_app.server.queue_live import LiveEvent

CSS = """
QueuePanel { height: auto; }
QueuePanel DataTable { height: auto; max-height: 12; margin: 0 1; }
Screen { overflow-y: auto; }
"""


def answers(tickets: int, count: int, step_seconds: float = 60) -> list:
    """The live hall at 17:00 and every ``step_seconds`` after it, as the server folds it."""
    rows = day_events(tickets)
    events = [LiveEvent(n, r["at"], r["type"], r["payload"], r["actor"]) for n, r in enumerate(rows, 1)]
    lines = [LineConf(f"L{n}", f"业务{n}", chr(65 + n)) for n in range(10)]
    windows = [WindowConf(f"W{w:02d}", f"{w}号窗口", "open", {f"L{w % 10}": 1, f"L{(w + 1) % 10}": 2})
               for w in range(50)]
    now = dt.datetime.combine(DAY, dt.time(17, 0), CHINA)
    return [live_hall(DAY.isoformat(), events, now + dt.timedelta(seconds=m * step_seconds), lines, windows)
            for m in range(count)]


def _load(rev: str, path: str, name: str) -> ModuleType:
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"],
                            check=True, capture_output=True, text=True).stdout
    file = Path(tempfile.mkdtemp(prefix="bench_panel_")) / f"{name}.py"
    file.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def previous_panel(rev: str) -> ModuleType:
    """The panel of ``rev`` with the LiveTable of ``rev`` (screens/widgets/live_table.py), so
    that a change to either shows; the strings and other widgets are this tree's."""
    import screens.widgets.live_table as current

    previous_table = _load(rev, "screens/widgets/live_table.py", "previous_live_table")
    sys.modules["screens.widgets.live_table"] = previous_table  # what the previous panel imports
    try:
        return _load(rev, "screens/dashboard_queue.py", "previous_dashboard_queue")
    finally:
        sys.modules["screens.widgets.live_table"] = current


async def compare(versions: dict[str, ModuleType], hall: list, rounds: int) -> dict[str, list[float]]:
    from textual.app import App

    class Bench(App):
        def __init__(self, module: ModuleType):
            super().__init__()
            self.module = module

        CSS = globals()["CSS"]
        ctx = None

        def compose(self):
            yield self.module.QueuePanel(0)

    times: dict[str, list[float]] = {name: [] for name in versions}
    cpu: dict[str, list[float]] = {name: [] for name in versions}
    async with Bench(versions["previous"]).run_test(size=(160, 48)) as a, \
            Bench(versions["this"]).run_test(size=(160, 48)) as b:
        pilots = {"previous": a, "this": b}
        panels = {}
        for name, pilot in pilots.items():
            panel = pilot.app.query_one(versions[name].QueuePanel)
            panel._targets = lambda: LiveTargets()
            panel.show(versions[name].LivePoll(hall[0]))  # the first fill: tables built
            await pilot.pause()
            panels[name] = panel
        for n in range(rounds):
            order = ["previous", "this"] if n % 2 == 0 else ["this", "previous"]
            for name in order:
                t0, c0 = time.perf_counter(), time.process_time()
                panels[name].show(versions[name].LivePoll(hall[1 + n % (len(hall) - 1)]))
                await pilots[name].pause()
                times[name].append((time.perf_counter() - t0) * 1000)
                cpu[name].append((time.process_time() - c0) * 1000)
        times["pause"], cpu["pause"] = [], []  # the harness alone: a pause with nothing to refresh
        for n in range(rounds):
            t0, c0 = time.perf_counter(), time.process_time()
            await pilots["this" if n % 2 else "previous"].pause()
            times["pause"].append((time.perf_counter() - t0) * 1000)
            cpu["pause"].append((time.process_time() - c0) * 1000)
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", default="main", help="the revision whose panel is the previous version")
    parser.add_argument("--tickets", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--step", type=float, default=60,
                        help="seconds between the answers shown (60: every minute figure changes; 5: the poll's pace)")
    args = parser.parse_args()
    import screens.dashboard_queue as this

    hall = answers(args.tickets, args.rounds + 1, args.step)
    h = hall[0]
    print(f"{len(h.lines)} lines, {len(h.windows)} windows, {len(h.alerts)} alerts, {h.waiting} waiting; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    times, cpu = asyncio.run(compare({"previous": previous_panel(args.against), "this": this}, hall, args.rounds))
    for name, values in times.items():
        print(f"{name:>8}: min {min(values):.1f} ms, median {statistics.median(values):.1f} ms, "
              f"max {max(values):.1f} ms over {len(values)} refreshes; "
              f"CPU median {statistics.median(cpu[name]):.1f} ms")
    this_cpu, previous_cpu = statistics.median(cpu["this"]), statistics.median(cpu["previous"])
    print(f"CPU ratio this / previous (medians): {this_cpu / previous_cpu:.2f}")
    this_ms, previous_ms, pause = (statistics.median(times[k]) for k in ("this", "previous", "pause"))
    print(f"ratio this / previous (medians): {this_ms / previous_ms:.2f}; without the harness's empty pause: "
          f"{this_ms - pause:.1f} / {previous_ms - pause:.1f} ms = {(this_ms - pause) / (previous_ms - pause):.2f}")
    print("load average after "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
