"""The server's hall figures (GET /v1/dashboard, hall_app/server/dashboards.py) over a
busy year of events in PostgreSQL. Run by hand; results go in docs/benchmarks.md.

    .venv/bin/python bench/bench_dashboard.py                 # 100,000 cases in one hall, a year
    .venv/bin/python bench/bench_dashboard.py --cases 20000 --repeat 5
    .venv/bin/python bench/bench_dashboard.py --without-index  # the same, index dropped, for comparison

Works in a fresh schema of ``--pg`` (or HALL_TEST_PG_URL), dropped afterwards. The
events are written by one INSERT … SELECT (generate_series), shaped like a device's:
per case started (with its window), a decision (accepted / deferred / notice /
refused), dispatched, three item results, handed over, for 70% a rating (10% of them
bad, with a follow-up due date) and for two thirds of the bad ones a closing step —
about nine events a case, spread evenly over 365 days and 10 windows.

It then times, for a busy day, ``--repeat`` times each (min / median / max): the live
part (the day and the open follow-ups), the month, and the whole endpoint.

``--visits N`` adds N bad visit ratings of the rate pads over the year to the queue's log
(``queue.visit_follow_up_opened``; two thirds stepped verified → explained → revisited →
closed), and times the whole endpoint alternately with and without counting their
follow-ups (the two visit functions made to return none).

``--tickets N`` writes a year of N queue tickets into the queue's log (issued, called,
served, finished; 70% asked to rate, the bad ratings followed up): the issue's busy hall is
``--cases 100000 --tickets 300000`` (about 1.3 million queue events).

Side by side with a baseline tree (``git archive main | tar -x -C /tmp/base``): write a
schema with each tree's migrations and keep it, then time them in turn::

    .venv/bin/python bench/bench_dashboard.py --cases 100000 --tickets 300000 --keep d_new --repeat 1
    .venv/bin/python bench/bench_dashboard.py --cases 100000 --tickets 300000 --keep d_base --repeat 1 \
        --app-root /tmp/base
    for i in 1 2 3; do
      .venv/bin/python bench/bench_dashboard.py --schema d_base --app-root /tmp/base --repeat 7
      .venv/bin/python bench/bench_dashboard.py --schema d_new --repeat 7
    done
    psql -h 127.0.0.1 -U postgres test -c 'DROP SCHEMA d_new CASCADE; DROP SCHEMA d_base CASCADE'
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proc_stat import proc_cpu

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# one row per (case i, step k); steps a case does not take are filtered out
EVENTS_SQL = """
INSERT INTO feed (seq, kind, event_id, case_id, device_id, device_seq, actor, type, payload, device_time,
                  schema_version, content_hash, hall, agent, received_at)
SELECT i * 10 + k, 'event', md5(i::text || '/' || k::text), 'case-' || i, 'dev-' || (i % 10), i * 10 + k,
       'clerk' || (i % 25),
       CASE k WHEN 0 THEN 'case.started'
              WHEN 1 THEN (CASE WHEN i % 20 = 0 THEN 'case.refused' WHEN i % 20 < 3 THEN 'case.notice_issued'
                                WHEN i % 20 < 5 THEN 'case.accepted_deferred' ELSE 'case.accepted' END)
              WHEN 2 THEN 'case.dispatched' WHEN 6 THEN 'case.handed_over' WHEN 7 THEN 'case.rated'
              WHEN 8 THEN 'case.follow_up' ELSE 'case.item_result' END,
       CASE k WHEN 0 THEN jsonb_build_object('window', 'W' || lpad((i % 10 + 1)::text, 2, '0'),
                                             'bundle_code', 'newborn', 'tracking_code', 'T' || i)
              WHEN 7 THEN jsonb_build_object('level', lvl, 'channel', 'window', 'comment', '',
                                             'follow_up_due', CASE WHEN lvl <= 2
                                                 THEN to_char(day + 21, 'YYYY-MM-DD') ELSE '' END)
              WHEN 8 THEN jsonb_build_object('step', 'closed', 'note', '已回访')
              WHEN 3 THEN jsonb_build_object('item', 'a', 'status', 'completed')
              ELSE '{}'::jsonb END,
       to_char(day + (k * interval '1 day') + interval '9 hours' + (i % 400) * interval '1 minute',
               'YYYY-MM-DD"T"HH24:MI:SS"+08:00"'),
       1, md5(i::text || k::text), 'JJ01', '', ''
FROM (SELECT i, date '2026-01-01' + (i % 365) AS day,
             CASE WHEN i % 50 = 0 THEN 1 WHEN i % 25 = 0 THEN 2 WHEN i % 5 = 0 THEN 3
                  WHEN i % 2 = 0 THEN 4 ELSE 5 END AS lvl
      FROM generate_series(1, :n) AS i) AS c
CROSS JOIN generate_series(0, 8) AS k
WHERE (k <> 7 OR i % 10 < 7) AND (k <> 8 OR (i % 10 < 7 AND (i % 50 = 0 OR i % 25 = 0) AND i % 3 <> 0))
  AND (k NOT IN (2, 3, 4, 5, 6, 7, 8) OR i % 20 >= 3)
"""
VISITS_SQL = """
INSERT INTO queue_events (hall, day, at, type, ticket, "window", line, actor, device_id, payload)
SELECT 'JJ01', to_char(d, 'YYYY-MM-DD'), to_char(d, 'YYYY-MM-DD') || 'T10:00:00+08:00',
       CASE k WHEN 0 THEN 'queue.visit_follow_up_opened' ELSE 'queue.visit_follow_up' END,
       'v' || i, 'W' || lpad((i % 10 + 1)::text, 2, '0'), '', CASE k WHEN 0 THEN 'pad' ELSE 'supervisor' END, 'dev',
       CASE k WHEN 0 THEN jsonb_build_object('ticket', 'v' || i, 'window', 'W01', 'label', 'A' || (i % 900),
                                             'level', 1 + i % 2, 'reasons', '[]'::jsonb, 'cases', '[]'::jsonb)
              ELSE jsonb_build_object('ticket', 'v' || i, 'step', (ARRAY['verified', 'explained', 'revisited',
                                      'closed'])[k], 'note', '说明', 'by', 'chenjing') END
FROM (SELECT i, date '2026-01-01' + (i % 365) AS base FROM generate_series(1, :n) AS i) AS v
CROSS JOIN generate_series(0, 4) AS k
CROSS JOIN LATERAL (SELECT base + k * 3 AS d) AS dd
WHERE k = 0 OR i % 3 <> 0
ORDER BY i, k
"""
# A year of the hall's queue: per ticket issued, called, served and finished at one of 10
# windows by one of 25 clerks; 70% asked to rate on the pad (one in ten of those 未评价, a
# null level), levels as the cases'; a bad rating opens its follow-up, two thirds of them
# stepped verified → explained → revisited → closed a few days apart, a third left open.
TICKETS_SQL = """
INSERT INTO queue_events (hall, day, at, type, ticket, "window", line, actor, device_id, payload)
SELECT 'JJ01', to_char(d, 'YYYY-MM-DD'),
       to_char(d + interval '9 hours' + (i % 480) * interval '1 minute' + k * interval '3 minutes',
               'YYYY-MM-DD"T"HH24:MI:SS"+08:00"'),
       (ARRAY['queue.ticket_issued', 'queue.ticket_called', 'queue.serving_started', 'queue.ticket_finished',
              'queue.visit_rated', 'queue.visit_follow_up_opened', 'queue.visit_follow_up', 'queue.visit_follow_up',
              'queue.visit_follow_up', 'queue.visit_follow_up'])[k + 1],
       't' || i, CASE WHEN k = 0 THEN '' ELSE w END, 'L' || (i % 10),
       CASE WHEN k = 0 THEN 'kiosk' WHEN k IN (4, 5) THEN 'pad' WHEN k > 5 THEN 'supervisor' ELSE clerk END, 'dev',
       CASE WHEN k = 0 THEN jsonb_build_object('ticket', 't' || i, 'line', 'L' || (i % 10), 'prefix', 'A',
                                               'number', 1 + i % 900)
            WHEN k IN (4, 5) THEN jsonb_build_object('ticket', 't' || i, 'window', w, 'label', 'A' || (1 + i % 900),
                                                     'clerk', clerk, 'level', lvl, 'reasons', '[]'::jsonb,
                                                     'cases', '[]'::jsonb, 'how', 'chosen')
            WHEN k > 5 THEN jsonb_build_object('ticket', 't' || i, 'window', w, 'note', '说明', 'by', 'chenjing',
                                               'step', (ARRAY['verified', 'explained', 'revisited', 'closed'])[k - 5])
            ELSE jsonb_build_object('ticket', 't' || i) END
FROM (SELECT i, date '2026-01-01' + (i % 365) + CASE WHEN k > 5 THEN (k - 5) * 3 ELSE 0 END AS d, k,
             'W' || lpad((i % 10 + 1)::text, 2, '0') AS w, 'clerk' || (i % 25) AS clerk,
             CASE WHEN i % 70 = 0 THEN NULL WHEN i % 50 = 0 THEN 1 WHEN i % 25 = 0 THEN 2 WHEN i % 5 = 0 THEN 3
                  WHEN i % 2 = 0 THEN 4 ELSE 5 END AS lvl
      FROM generate_series(1, :n) AS i CROSS JOIN generate_series(0, 9) AS k) AS t
WHERE (k < 4 OR i % 10 < 7)                          -- 70% asked to rate
  AND (k < 5 OR lvl IN (1, 2))                       -- a bad rating opens a follow-up
  AND (k < 6 OR i % 3 <> 0)                          -- two thirds stepped to closed
ORDER BY i, k
"""
CASES_SQL = """
INSERT INTO cases (case_id, tracking_code, hall, agent, bundle_code, bundle_hash)
SELECT 'case-' || i, 'T' || i, 'JJ01', '', 'newborn', '' FROM generate_series(1, :n) AS i
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("HALL_TEST_PG_URL", DEFAULT_PG))
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--day", default="2026-11-20")
    parser.add_argument("--without-index", action="store_true", help="drop ix_feed_hall_type_time first")
    parser.add_argument("--visits", type=int, default=0, help="bad visit ratings with follow-ups in the queue log")
    parser.add_argument("--tickets", type=int, default=0,
                        help="a year of queue tickets (issued … finished, rated, bad ones followed up)")
    parser.add_argument("--keep", default="", help="write into this schema and keep it (for --schema)")
    parser.add_argument("--schema", default="", help="time an existing schema (from --keep); write nothing")
    parser.add_argument("--app-root", default=str(ROOT), help="the tree whose hall_app is timed (a baseline)")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(args.app_root).resolve()))  # before any hall_app import
    from hall_app.server.db import open_engine

    schema = args.schema or args.keep or "bench_dash_" + secrets.token_hex(4)
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    sep = "&" if "?" in args.pg else "?"
    url = f"{args.pg}{sep}options=-csearch_path%3D{schema}"
    if args.schema:  # written before (perhaps by another tree): no migration, no writing
        engine = create_engine(url, pool_size=2)
    else:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = open_engine(url, pool_size=2)
    try:
        if not args.schema:
            _write(engine, args)
        with engine.connect() as conn:
            events = conn.execute(text("SELECT count(*) FROM feed")).scalar_one()
            queue = conn.execute(text("SELECT count(*) FROM queue_events")).scalar_one()
        print(f"schema {schema}: {events:,} feed events, {queue:,} queue events (app {args.app_root})")
        _time(engine, dt.date.fromisoformat(args.day), args.repeat, args.visits and not args.schema)
    finally:
        engine.dispose()
        if not (args.keep or args.schema):
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _write(engine, args) -> None:
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text(CASES_SQL), {"n": args.cases})
        conn.execute(text(EVENTS_SQL), {"n": args.cases})
        if args.without_index:
            conn.execute(text("DROP INDEX ix_feed_hall_type_time"))
        if args.visits:
            conn.execute(text(VISITS_SQL), {"n": args.visits})
        if args.tickets:
            conn.execute(text(TICKETS_SQL), {"n": args.tickets})
    # as autovacuum leaves a year-old table: statistics, and the visibility map that lets an
    # index-only scan skip the table (VACUUM runs outside a transaction)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("feed", "cases", "queue_events"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))
    print(f"{args.cases:,} cases, {args.tickets:,} tickets, {args.visits:,} extra bad visits written in "
          f"{time.perf_counter() - started:.1f} s{' (index dropped)' if args.without_index else ''}")


def _time(engine, day, repeat: int, visits: bool) -> None:
    from hall_app.server.dashboards import _visit_ratings, hall_figures, live_figures, month_figures

    first = day.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    figures: dict = {}
    for name, fn in (("live (day + open follow-ups)", live_figures), ("month", month_figures),
                     ("month's visit ratings (GET /v1/dashboard/visit-ratings)",
                      lambda conn, hall, _day: _visit_ratings(conn, hall, first, last)),
                     ("whole endpoint", hall_figures)):
        times, cpu, pg_cpu = [], [], 0.0
        for _ in range(repeat):
            with engine.connect() as conn:
                backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
                t0, c0, p0 = time.perf_counter(), time.process_time(), proc_cpu(backend)
                answer = fn(conn, "JJ01", day)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                pg_cpu += proc_cpu(backend) - p0
            figures = answer if name == "whole endpoint" else figures
        print(f"{name} ({day}): min {min(times):.1f} ms, median {statistics.median(times):.1f} ms, "
              f"max {max(times):.1f} ms over {repeat} runs; CPU a call: this process {statistics.median(cpu):.1f} ms "
              f"(median), PostgreSQL {pg_cpu / repeat * 1000:.0f} ms (mean; /proc, 10 ms ticks)")
    if visits:
        _with_and_without_visits(engine, day, repeat)
    print(f"  day: started {figures['day']['started']}, rated {figures['day']['ratings']['rated']}, "
          f"visits asked {figures['day']['visit_ratings']['asked']}; "
          f"month: started {figures['month']['started']}, rated {figures['month']['ratings']['rated']}, "
          f"visits asked {figures['month']['visit_ratings']['asked']}, "
          f"follow-ups closed {figures['month']['follow_ups']['closed']}; "
          f"open follow-ups {len(figures['follow_ups_open'])}")


def _with_and_without_visits(engine, day, repeat: int) -> None:
    """The whole endpoint counting the visit follow-ups and not (as before they were), alternately."""
    from hall_app.server import dashboards

    counting = (dashboards._open_visit_follow_ups, dashboards._closed_visit_follow_ups)
    times: dict[str, list[float]] = {"with visit follow-ups": [], "without them": []}
    for _ in range(repeat):
        for name in times:
            if name.startswith("with "):
                dashboards._open_visit_follow_ups, dashboards._closed_visit_follow_ups = counting
            else:
                dashboards._open_visit_follow_ups = dashboards._closed_visit_follow_ups = lambda *_a, **_k: []
            with engine.connect() as conn:
                t0 = time.perf_counter()
                dashboards.hall_figures(conn, "JJ01", day)
                times[name].append((time.perf_counter() - t0) * 1000)
    dashboards._open_visit_follow_ups, dashboards._closed_visit_follow_ups = counting
    for name, ts in times.items():
        print(f"whole endpoint, {name}: min {min(ts):.1f} ms, median {statistics.median(ts):.1f} ms, "
              f"max {max(ts):.1f} ms over {repeat} runs")
    with engine.connect() as conn:
        print(f"  open visit follow-ups: {len(counting[0](conn, 'JJ01'))}")


if __name__ == "__main__":
    main()
