"""Hall display: how long after a call the call is on the screen.

    .venv/bin/python bench/bench_display_screen.py [--calls 40] [--poll 0.5] [--db /tmp/display-bench.db]

Measured from outside, as a person in the hall sees it: ``hall-app display`` runs in a
pseudo-terminal (the real terminal driver, the real clock, the embedded queue of the
demo hall, its own poll timer); this script calls tickets on that same queue (another
process's view of the file, as a window's would be) at random moments and records, for
each call, the time from the call's commit to the first frame the display writes that
holds the called number in its large digits. The aim (issue 10): ≤ 1 s at p95.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pty_terminal import PtyTerminal

COLS, ROWS = 160, 48


def digits_row(label: str) -> bytes:
    """The top row of ``label`` as the display draws it (bold large digits)."""
    from rich.style import Style

    from screens.widgets.ticket_digits import TicketRenderable

    rows = [seg.text for seg in TicketRenderable(label, Style(bold=True)).render(Style(bold=True))
            if seg.text != "\n"]
    return rows[0].encode()


def setup(db: Path):
    """The demo hall with its queue (what ``hall-app demo`` makes), every window open."""
    from hall_app.config import Settings
    from hall_app.services.context import HallContext
    from hall_app.services.demo import DemoSeeder
    from hall_app.services.queue_demo import seed_demo_queue

    for path in db.parent.glob(db.name + "*"):
        path.unlink()
    for path in db.parent.glob(db.stem + ".queue.db*"):
        path.unlink()
    ctx = HallContext(Settings(db=str(db), pdf_dir=str(db.parent / "documents")))
    DemoSeeder(ctx).seed()
    seed_demo_queue(ctx.queue, ctx.now())
    return ctx


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--poll", type=float, default=0.5, help="the display's poll period (display_poll_seconds)")
    parser.add_argument("--db", default=str(Path(tempfile.gettempdir()) / "display-bench" / "hall.db"))
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    db = Path(args.db)
    db.parent.mkdir(parents=True, exist_ok=True)
    ctx = setup(db)
    queue = ctx.queue
    windows = [w.window for w in queue.windows() if w.state == "open"]
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS),
               HALL_DISPLAY_POLL_SECONDS=str(args.poll), PYTHONPATH=str(ROOT))
    term = PtyTerminal([sys.executable, "-m", "hall_app", "--db", str(db), "display"], env, cols=COLS, rows=ROWS)
    delays: list[float] = []
    missed = 0
    try:
        if term.first_with(0, "各业务等候人数".encode(), timeout=60) is None:
            raise RuntimeError("the display did not start")
        time.sleep(1.0)
        for n in range(args.calls):
            window = windows[n % len(windows)]
            view = queue.window_view(window)
            if view.current is not None:
                if view.current.state == "called":
                    queue.start_serving(window=window)
                queue.finish(window=window)
            skills = list(view.skills)
            queue.issue_ticket(skills[0])
            time.sleep(rng.uniform(0.1, 1.2))  # calls come at any moment of the display's poll cycle
            since = term.mark()
            ticket = queue.call_next(window)
            called = time.perf_counter()
            shown = term.first_with(since, digits_row(ticket.label))
            if shown is None:
                missed += 1
                continue
            delays.append((shown - called) * 1000)
    finally:
        term.close()
        queue.close()
        ctx.close()
    if not delays:
        print("no call was seen on the display")
        return 1
    print(f"display update after a call, {len(delays)} calls (poll {args.poll} s), missed {missed}:")
    print(f"  p50 {statistics.median(delays):.0f} ms   p95 {pct(delays, 0.95):.0f} ms   max {max(delays):.0f} ms   "
          f"mean {statistics.mean(delays):.0f} ms")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
