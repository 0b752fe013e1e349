"""Queue benchmarks against a real PostgreSQL and a real server process on loopback.

Run by hand (results and the machine's load go in docs/benchmarks.md):

    .venv/bin/python bench/bench_queue.py                        # all three sections
    .venv/bin/python bench/bench_queue.py --only call --windows 50 --rounds 20 --workers 2
    .venv/bin/python bench/bench_queue.py --only call --rounds 10 --waiting 2000  # a busy hall
    .venv/bin/python bench/bench_queue.py --only issue --tickets 500
    .venv/bin/python bench/bench_queue.py --only day --day-tickets 400

``--pg`` (or HALL_TEST_PG_URL) names the database; each section works in a fresh schema
that is dropped afterwards.

1. call: N windows press "call next" at the same moment (a barrier), R rounds; each
   window then marks its ticket a no-show (not timed) and waits for the next round.
   Latency of each call over HTTP (p50/p99), errors, tickets called twice (must be 0).
2. issue: tickets issued by one kiosk one after another, and by 4 kiosks at once
   (tickets per second).
3. day: the simulated hall day (hall_app/services/queue_sim.py) with and without tidal
   switching: mean/p90 wait per line and the estimated-wait error (MAE).
"""

from __future__ import annotations

import argparse
import os
import secrets
import ssl
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hall_app.server import auth
from hall_app.server.db import open_engine
from hall_app.server.queue_store import Actor, QueueStore

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PLAIN = ssl.create_default_context()
FLOOR_ROUNDS = 5


@contextmanager
def schema(base: str):
    name = "hall_qb_" + secrets.token_hex(4)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children (uvicorn's workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


@contextmanager
def server(url: str, workers: int, usage: dict | None = None):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "hall_app", "server", "--db", url, "--port", str(port),
                             "--log-level", "warning", "--workers", str(workers)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        start = cpu_seconds(proc.pid)
        yield base
    finally:
        if usage is not None:
            usage["server_cpu_s"] = cpu_seconds(proc.pid) - start
        proc.terminate()
        proc.wait(20)


def token(engine, scope: str, device_id: str) -> str:
    return auth.enroll(engine, auth.make_enrollment_code(engine, scope), device_id)[1]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_call(pg: str, windows: int, rounds: int, workers: int, waiting: int = 0) -> dict:
    with schema(pg) as url:
        engine = open_engine(url, pool_size=4)
        store, boss = QueueStore(engine), Actor("hall", "JJ01")
        store.put_line(boss, "personal", "综合窗口·个人", "A")
        names = [f"W{n:02d}" for n in range(1, windows + 1)]
        for name in names:
            store.put_window(boss, name, name, {"personal": 1})
            store.window_action(boss, name, "open")
        with engine.begin() as conn:  # ``waiting`` more than the burst takes: a busy hall's queue
            for _ in range(windows * rounds + waiting):
                store.issue(boss, "personal", conn=conn)
        tokens = {name: token(engine, f"window:JJ01/{name}", f"bench-{name}") for name in names}
        latencies: list[float] = []
        errors: list[str] = []
        called: list[str] = []
        floor: list[float] = []
        lock = threading.Lock()
        barrier = threading.Barrier(windows)
        usage: dict = {}
        with server(url, workers, usage) as base:
            def window(name: str) -> None:
                with httpx.Client(base_url=base, timeout=60, verify=PLAIN,
                                  headers={"Authorization": f"Bearer {tokens[name]}"}) as client:
                    client.get(f"/v1/queue/windows/{name}")  # connection open, server warm
                    for _ in range(FLOOR_ROUNDS):  # the same burst to an endpoint that does nothing
                        barrier.wait()
                        start = time.perf_counter()
                        client.get("/healthz")
                        took = time.perf_counter() - start
                        with lock:
                            floor.append(took * 1000)
                    for _ in range(rounds):
                        barrier.wait()
                        start = time.perf_counter()
                        answer = client.post(f"/v1/queue/windows/{name}/call-next")
                        took = time.perf_counter() - start
                        with lock:
                            latencies.append(took * 1000)
                            if answer.status_code == 200:
                                called.append(answer.json()["ticket"])
                            else:
                                errors.append(answer.text[:100])
                        barrier.wait()
                        client.post(f"/v1/queue/windows/{name}/act", json={"action": "no_show"})
            threads = [threading.Thread(target=window, args=(n,)) for n in names]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        engine.dispose()
    return {"windows": windows, "rounds": rounds, "workers": workers, "waiting_after": waiting, "calls": len(latencies),
            "p50_ms": round(statistics.median(latencies), 1), "p99_ms": round(pct(latencies, 0.99), 1),
            "max_ms": round(max(latencies), 1), "errors": len(errors), "called_twice": len(called) - len(set(called)),
            # the server's CPU per request (each round: a call next and a no-show per window)
            "server_cpu_ms_per_request": round(
                usage["server_cpu_s"] * 1000 / (2 * len(latencies) + windows * (1 + FLOOR_ROUNDS)), 2),
            # the floor: the same burst of /healthz (no database, no work), through this
            # client process and the server's HTTP stack on the same two cores
            "healthz_p50_ms": round(statistics.median(floor), 1), "healthz_p99_ms": round(pct(floor, 0.99), 1)}


def bench_issue(pg: str, tickets: int, workers: int) -> dict:
    with schema(pg) as url:
        engine = open_engine(url, pool_size=4)
        store, boss = QueueStore(engine), Actor("hall", "JJ01")
        store.put_line(boss, "personal", "综合窗口·个人", "A")
        kiosks = [token(engine, f"kiosk:JJ01/K{n}", f"bench-k{n}") for n in range(4)]
        out = {}
        with server(url, workers) as base:
            def issue(raw: str, count: int) -> None:
                with httpx.Client(base_url=base, timeout=60, verify=PLAIN,
                                  headers={"Authorization": f"Bearer {raw}"}) as client:
                    for _ in range(count):
                        assert client.post("/v1/queue/tickets", json={"line": "A"}).status_code == 200

            issue(kiosks[0], 5)  # warm
            start = time.perf_counter()
            issue(kiosks[0], tickets)
            out["one_kiosk_per_s"] = round(tickets / (time.perf_counter() - start), 1)
            threads = [threading.Thread(target=issue, args=(k, tickets // 4)) for k in kiosks]
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            out["four_kiosks_per_s"] = round((tickets // 4 * 4) / (time.perf_counter() - start), 1)
        with engine.connect() as conn:
            numbers = conn.execute(text("SELECT count(*), count(DISTINCT number) FROM queue_tickets")).one()
        out["duplicates"] = numbers[0] - numbers[1]
        engine.dispose()
    return out


def bench_day(day_tickets: int) -> list[dict]:
    from hall_app.services.queue_sim import SimConfig, run_simulation

    rows = []
    for tidal in (False, True):
        report = run_simulation(SimConfig(tickets=day_tickets, tidal=tidal))
        print(report.text(), flush=True)
        rows.append({"tidal": tidal, "mean_wait": report.mean_wait, "p90_wait": report.p90_wait,
                     "mae": report.estimate_mae, "switches": report.switches,
                     "lines": {r.name: (r.mean_wait, r.p90_wait) for r in report.lines}})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default=os.environ.get("HALL_TEST_PG_URL", DEFAULT_PG))
    parser.add_argument("--only", choices=["call", "issue", "day"])
    parser.add_argument("--windows", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--waiting", type=int, default=0, help="tickets still waiting after the last round")
    parser.add_argument("--tickets", type=int, default=400)
    parser.add_argument("--day-tickets", type=int, default=400)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}", flush=True)
    if args.only in (None, "call"):
        print("call-next:", bench_call(args.pg, args.windows, args.rounds, args.workers, args.waiting), flush=True)
    if args.only in (None, "issue"):
        print("issue:", bench_issue(args.pg, args.tickets, args.workers), flush=True)
    if args.only in (None, "day"):
        for row in bench_day(args.day_tickets):
            print("day:", row, flush=True)
    print(f"load average after: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
