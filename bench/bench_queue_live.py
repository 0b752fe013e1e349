"""The live hall on the server (GET /v1/queue/live, hall_app/server/queue_live.py) and its
panel's refresh on screen, for a busy hall: 10 lines, 50 windows, a day of --tickets
tickets, over a year of other days' queue events in PostgreSQL. Run by hand; results go
in docs/benchmarks.md.

    .venv/bin/python bench/bench_queue_live.py                       # 1,500 tickets today, 300,000 in the year
    .venv/bin/python bench/bench_queue_live.py --tickets 3000 --repeat 9

Works in a fresh schema of ``--pg`` (or HALL_TEST_PG_URL), dropped afterwards. The year
is one ``queue.ticket_issued`` row per ticket (INSERT … SELECT generate_series), so the
day's read must find its rows among them (index ``ix_queue_events_hall_day``). The busy
day is written event by event: each ticket issued, called by one of the windows after
0–39 minutes, served 5–20 minutes, one in 12 a no-show; the last hour's tickets still
wait. It times, ``--repeat`` times (min / median / max): the server's read (the day's
events, the line and window rows, the fold, the tidal suggestions), and the panel's
refresh (QueuePanel.show with that answer, 50 windows and 10 lines) in a headless app.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hall_app.domain.queue_live import LiveTargets
from hall_app.domain.queue_schedule import CHINA
from hall_app.server.db import open_engine
from hall_app.server.queue_live import live
from hall_app.server.queue_models import queue_events
from hall_app.server.queue_store import Actor, QueueStore

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DAY = dt.date(2026, 11, 20)
YEAR_SQL = """
INSERT INTO queue_events (hall, day, at, type, ticket, "window", line, actor, device_id, payload)
SELECT 'JJ01', to_char(d, 'YYYY-MM-DD'), to_char(d, 'YYYY-MM-DD') || 'T10:00:00+08:00', 'queue.ticket_issued',
       'Y' || i, '', 'L' || (i % 10), 'kiosk', '',
       jsonb_build_object('ticket', 'Y' || i, 'line', 'L' || (i % 10), 'prefix', 'A', 'number', 1 + i % 900,
                          'sort_at', to_char(d, 'YYYY-MM-DD') || 'T10:00:00+08:00')
FROM generate_series(1, :n) AS i, LATERAL (SELECT DATE '2025-11-20' + (i % 365) AS d) AS days
"""


def day_events(tickets: int) -> list[dict]:
    start = dt.datetime.combine(DAY, dt.time(9, 0), CHINA)
    rows: list[tuple[dt.datetime, int, str, dict, str, str]] = []
    for w in range(50):
        rows.append((start, 0, "queue.window_opened", {"window": f"W{w:02d}"}, f"W{w:02d}", f"clerk{w}"))
    span = 8 * 60 * 60 / tickets
    for i in range(tickets):
        tid, line, window = f"T{i:05d}", f"L{i % 10}", f"W{i % 50:02d}"
        issued = start + dt.timedelta(seconds=i * span)
        rows.append((issued, 2, "queue.ticket_issued", {"ticket": tid, "line": line, "prefix": chr(65 + i % 10),
                                                         "number": i // 10 + 1, "sort_at": issued.isoformat()},
                     "", "kiosk"))
        if issued > start + dt.timedelta(hours=7):
            continue  # the last hour still waits
        called = issued + dt.timedelta(minutes=i * 7 % 40)
        rows.append((called, 3, "queue.ticket_called", {"ticket": tid, "window": window, "line": line}, window,
                     f"clerk{i % 50}"))
        if i % 12 == 0:
            rows.append((called + dt.timedelta(minutes=2), 1, "queue.ticket_no_show", {"ticket": tid,
                                                                                    "window": window}, window, ""))
            continue
        rows.append((called + dt.timedelta(minutes=1), 4, "queue.serving_started", {"ticket": tid, "window": window},
                     window, ""))
        rows.append((called + dt.timedelta(minutes=6 + i % 15), 1, "queue.ticket_finished",
                     {"ticket": tid, "window": window}, window, ""))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [{"hall": "JJ01", "day": DAY.isoformat(), "at": at.isoformat(timespec="milliseconds"), "type": kind,
             "ticket": p.get("ticket", ""), "window": window, "line": p.get("line", ""), "actor": actor,
             "device_id": "", "payload": p} for at, _o, kind, p, window, actor in rows]


async def panel_refresh(answers: list, repeat: int) -> tuple[float, list[float]]:
    """QueuePanel.show in a headless app at 160x48: the first answer (tables built), then
    answers a minute apart in turn (the same rows, new figures: cells updated in place)."""
    from textual.app import App

    from screens.dashboard_queue import LivePoll, QueuePanel

    class Bench(App):
        ctx = None

        def compose(self):
            yield QueuePanel(0)

    times = []
    app = Bench()
    async with app.run_test(size=(160, 48)) as pilot:
        panel = app.query_one(QueuePanel)
        panel._targets = lambda: LiveTargets()  # type: ignore[method-assign]
        t0 = time.perf_counter()
        panel.show(LivePoll(answers[0]))
        await pilot.pause()
        first = (time.perf_counter() - t0) * 1000
        for n in range(repeat):
            t0 = time.perf_counter()
            panel.show(LivePoll(answers[(n + 1) % len(answers)]))
            await pilot.pause()
            times.append((time.perf_counter() - t0) * 1000)
    return first, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("HALL_TEST_PG_URL", DEFAULT_PG))
    parser.add_argument("--tickets", type=int, default=1500)
    parser.add_argument("--year", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    schema = "bench_live_" + secrets.token_hex(4)
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in args.pg else "?"
    engine = open_engine(f"{args.pg}{sep}options=-csearch_path%3D{schema}", pool_size=2)
    try:
        now = dt.datetime.combine(DAY, dt.time(17, 0), CHINA)
        store = QueueStore(engine, lambda: now)
        hall = Actor("hall", "JJ01")
        for n in range(10):
            store.put_line(hall, f"L{n}", f"业务{n}", chr(65 + n), sort=n)
        for w in range(50):
            store.put_window(hall, f"W{w:02d}", f"{w}号窗口", {f"L{w % 10}": 1, f"L{(w + 1) % 10}": 2}, [])
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text(YEAR_SQL), {"n": args.year})
            conn.execute(insert(queue_events), day_events(args.tickets))
            conn.execute(text("UPDATE queue_windows SET state = 'open'"))
        with engine.begin() as conn:
            conn.execute(text("ANALYZE queue_events"))
            total = conn.execute(text("SELECT count(*) FROM queue_events")).scalar_one()
        print(f"{total:,} queue events ({args.tickets:,} tickets today) written in "
              f"{time.perf_counter() - started:.1f} s")
        times, cpu, answer = [], [], None
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            answer = live(store, Actor("supervisor", "JJ01"), LiveTargets())
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        assert answer is not None
        print(f"server read: min {min(times):.1f} ms, median {statistics.median(times):.1f} ms, "
              f"max {max(times):.1f} ms over {args.repeat} runs; this process's CPU median "
              f"{statistics.median(cpu):.1f} ms")
        print(f"  waiting {answer.waiting}, served {sum(x.served for x in answer.lines)}, "
              f"{len(answer.windows)} windows, {len(answer.alerts)} alerts")
        later = QueueStore(engine, lambda: now + dt.timedelta(minutes=1))
        answers = [answer, live(later, Actor("supervisor", "JJ01"), LiveTargets())]
        first, shown = asyncio.run(panel_refresh(answers, args.repeat))
        print(f"panel: first fill {first:.1f} ms; refresh (50 windows, 10 lines, a minute later): "
              f"min {min(shown):.1f} ms, median {statistics.median(shown):.1f} ms, max {max(shown):.1f} ms "
              f"over {args.repeat} runs")
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
