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
   Latency of each call over HTTP (p50/p99), errors, tickets called twice (must be 0);
   the slowest call of each round (``round_max_ms``) and the p99 without the first round
   (``p99_after_first_round_ms``: the first burst after the server started, shown apart).
   ``BENCH_PYSPY=FILE`` records the server with py-spy (``--gil``, raw format) meanwhile.
2. issue: tickets issued by one kiosk one after another, and by 4 kiosks at once
   (tickets per second).
3. day: the simulated hall day (hall_app/services/queue_sim.py) with and without tidal
   switching: mean/p90 wait per line and the estimated-wait error (MAE).
"""

from __future__ import annotations

import argparse
import json
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
from sqlalchemy import NullPool, create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from proc_stat import cpu_of, proc_cpu, stat_fields

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
        # application_name: the server's PostgreSQL backends are found by it (PgCpu)
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{name}&application_name={name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children (uvicorn's workers), from /proc."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = stat_fields(stat)
        if fields is not None and (int(stat.parent.name) == pid or int(fields[1]) == pid):  # [1]: the parent
            total += cpu_of(fields)
    return total


class PgCpu:
    """CPU time of the PostgreSQL backends serving one bench schema (found by application_name;
    PostgreSQL on this machine). A backend that exits between two reads loses its last share
    (an undercount); one that starts counts from its start, connecting included."""

    def __init__(self, url: str):
        self.name = url.rsplit("application_name=", 1)[1]
        self.admin = create_engine(url.split("?")[0], isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.seen: dict[int, float] = {}

    def __call__(self) -> float:
        with self.admin.connect() as conn:
            pids = [r[0] for r in conn.execute(text("SELECT pid FROM pg_stat_activity WHERE application_name = :n"),
                                               {"n": self.name})]
        now = {pid: proc_cpu(pid) for pid in pids}
        spent = sum(cpu - self.seen.get(pid, 0.0) for pid, cpu in now.items())
        self.seen = now
        return spent


PORT = [0]  # --port: the server's port (0: any free one)


@contextmanager
def server(url: str, workers: int):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", PORT[0]))
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
    spy = None
    if os.environ.get("BENCH_PYSPY"):  # a profile of the server during the run (py-spy, by hand)
        spy = subprocess.Popen(["py-spy", "record", "-p", str(proc.pid), "-o", os.environ["BENCH_PYSPY"],
                                "--format", "raw", "-r", "400", "--nonblocking", "--gil"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
    try:
        yield base, proc.pid
    finally:
        if spy is not None:
            spy.send_signal(2)
            spy.wait(30)
        proc.terminate()
        proc.wait(20)


def token(engine, scope: str, device_id: str) -> str:
    return auth.enroll(engine, auth.make_enrollment_code(engine, scope), device_id)[1]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_call(pg: str, windows: int, rounds: int, workers: int, waiting: int = 0, client: str = "async",
               processes: int = 1) -> dict:
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
        with server(url, workers) as (base, pid):
            run = burst_async if client == "async" else burst_threads
            out = run(base, pid, tokens, rounds, processes, PgCpu(url))
        engine.dispose()
    latencies, floor = out["call_ms"], out["healthz_ms"]
    return {"windows": windows, "rounds": rounds, "workers": workers, "waiting_after": waiting,
            "client": client if client != "async" else f"async x{processes}", "calls": len(latencies),
            "p50_ms": round(statistics.median(latencies), 1), "p99_ms": round(pct(latencies, 0.99), 1),
            "max_ms": round(max(latencies), 1), "errors": len(out["errors"]),
            # the same without the first burst after the server started (its first calls
            # of the day): the steady state, reported beside the whole, never instead of it
            "p99_after_first_round_ms": round(pct(latencies[windows:], 0.99), 1) if rounds > 1 else "-",
            "called_twice": len(out["called"]) - len(set(out["called"])),
            # the server's CPU (all its processes, from /proc) per request, phase by phase
            "server_cpu_ms_call": round(out["cpu_call_s"] * 1000 / len(latencies), 2),
            "server_cpu_ms_no_show": round(out["cpu_no_show_s"] * 1000 / len(latencies), 2),
            # the floor: the same burst to /healthz (no database, no work), through this
            # client and the server's HTTP stack on the same two cores
            "server_cpu_ms_healthz": round(out["cpu_healthz_s"] * 1000 / len(floor), 2),
            "pg_cpu_ms_call": round(out["pg_call_s"] * 1000 / len(latencies), 2) if "pg_call_s" in out else "-",
            "healthz_p50_ms": round(statistics.median(floor), 1), "healthz_p99_ms": round(pct(floor, 0.99), 1),
            "send_skew_ms": out.get("skew_ms", "-"), "round_max_ms": out.get("round_max_ms", "-")}


def burst_async(base: str, pid: int, tokens: dict[str, str], rounds: int, processes: int, pg_cpu: PgCpu) -> dict:
    """The bursts through bench/burst_client.py (asyncio, one connection per window)."""
    from burst_client import BurstClient

    out: dict = {"call_ms": [], "healthz_ms": [], "errors": [], "called": [], "cpu_call_s": 0.0,
                 "cpu_no_show_s": 0.0, "cpu_healthz_s": 0.0, "pg_call_s": 0.0}
    skew: list[float] = []
    with BurstClient(base, tokens, processes) as client:
        client.burst("GET", "/v1/queue/windows/{window}")  # server warm, names cached
        for _ in range(FLOOR_ROUNDS):
            before = cpu_seconds(pid)
            answers = client.burst("GET", "/healthz")
            out["cpu_healthz_s"] += cpu_seconds(pid) - before
            out["healthz_ms"] += [a.ms for a in answers]
        for _ in range(rounds):
            before, _ = cpu_seconds(pid), pg_cpu()
            answers = client.burst("POST", "/v1/queue/windows/{window}/call-next")
            middle = cpu_seconds(pid)
            out["pg_call_s"] += pg_cpu()
            done = client.burst("POST", "/v1/queue/windows/{window}/act", {"action": "no_show"})
            out["cpu_call_s"] += middle - before
            out["cpu_no_show_s"] += cpu_seconds(pid) - middle
            out["call_ms"] += [a.ms for a in answers]
            out.setdefault("round_max_ms", []).append(round(max(a.ms for a in answers)))
            skew.append(max(a.late_ms for a in answers))
            for a in answers:
                if a.status == 200:
                    out["called"].append(json.loads(a.body)["ticket"])
                else:
                    out["errors"].append(a.body[:100])
            out["errors"] += [a.body[:100] for a in done if a.status != 200]
    out["skew_ms"] = f"p50 {statistics.median(skew):.1f}, max {max(skew):.1f}"
    return out


def burst_threads(base: str, pid: int, tokens: dict[str, str], rounds: int, _processes: int, _pg: PgCpu) -> dict:
    """The bursts as before: one httpx client thread per window in this process (for comparison).
    Every phase ends at a barrier this thread shares, so it reads the server's CPU between phases."""
    names = list(tokens)
    out: dict = {"call_ms": [], "healthz_ms": [], "errors": [], "called": []}
    lock = threading.Lock()
    go, done = threading.Barrier(len(names) + 1), threading.Barrier(len(names) + 1)

    def window(name: str) -> None:
        with httpx.Client(base_url=base, timeout=60, verify=PLAIN,
                          headers={"Authorization": f"Bearer {tokens[name]}"}) as client:
            client.get(f"/v1/queue/windows/{name}")  # connection open, server warm
            done.wait()
            for _ in range(FLOOR_ROUNDS):  # the same burst to an endpoint that does nothing
                go.wait()
                start = time.perf_counter()
                client.get("/healthz")
                with lock:
                    out["healthz_ms"].append((time.perf_counter() - start) * 1000)
                done.wait()
            for _ in range(rounds):
                go.wait()
                start = time.perf_counter()
                answer = client.post(f"/v1/queue/windows/{name}/call-next")
                took = time.perf_counter() - start
                with lock:
                    out["call_ms"].append(took * 1000)
                    if answer.status_code == 200:
                        out["called"].append(answer.json()["ticket"])
                    else:
                        out["errors"].append(answer.text[:100])
                done.wait()
                go.wait()
                answer = client.post(f"/v1/queue/windows/{name}/act", json={"action": "no_show"})
                if answer.status_code != 200:
                    with lock:
                        out["errors"].append(answer.text[:100])
                done.wait()

    def phase() -> float:
        before = cpu_seconds(pid)
        go.wait()
        done.wait()
        return cpu_seconds(pid) - before

    threads = [threading.Thread(target=window, args=(n,)) for n in names]
    for t in threads:
        t.start()
    done.wait()
    out["cpu_healthz_s"] = sum(phase() for _ in range(FLOOR_ROUNDS))
    out["cpu_call_s"] = out["cpu_no_show_s"] = 0.0
    for _ in range(rounds):
        out["cpu_call_s"] += phase()
        out["cpu_no_show_s"] += phase()
    for t in threads:
        t.join()
    return out


def bench_issue(pg: str, tickets: int, workers: int) -> dict:
    with schema(pg) as url:
        engine = open_engine(url, pool_size=4)
        store, boss = QueueStore(engine), Actor("hall", "JJ01")
        store.put_line(boss, "personal", "综合窗口·个人", "A")
        kiosks = [token(engine, f"kiosk:JJ01/K{n}", f"bench-k{n}") for n in range(4)]
        out = {}
        with server(url, workers) as (base, _pid):
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
    parser.add_argument("--client", choices=["async", "threads"], default="async",
                        help="async: bench/burst_client.py; threads: one httpx thread per window (the old client)")
    parser.add_argument("--client-processes", type=int, default=1, help="client processes for --client async")
    parser.add_argument("--waiting", type=int, default=0, help="tickets still waiting after the last round")
    parser.add_argument("--tickets", type=int, default=400)
    parser.add_argument("--day-tickets", type=int, default=400)
    parser.add_argument("--port", type=int, default=0, help="the server's port (default: any free one)")
    args = parser.parse_args()
    PORT[0] = args.port
    print(f"HALL_QUEUE_FAST={os.environ.get('HALL_QUEUE_FAST', '(unset)')}", flush=True)
    print(f"load average before: {os.getloadavg()}", flush=True)
    if args.only in (None, "call"):
        print("call-next:", bench_call(args.pg, args.windows, args.rounds, args.workers, args.waiting,
                                           args.client, args.client_processes), flush=True)
    if args.only in (None, "issue"):
        print("issue:", bench_issue(args.pg, args.tickets, args.workers), flush=True)
    if args.only in (None, "day"):
        for row in bench_day(args.day_tickets):
            print("day:", row, flush=True)
    print(f"load average after: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
