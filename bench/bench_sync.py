"""Sync benchmarks against a real PostgreSQL and a real server process on loopback.

Run by hand (results and the machine go in docs/sync.md):

    .venv/bin/python bench/bench_sync.py                      # all three sections
    .venv/bin/python bench/bench_sync.py --only push --events 10000
    .venv/bin/python bench/bench_sync.py --only fleet --devices 200
    .venv/bin/python bench/bench_sync.py --only idle --rows 1000000

``--pg`` (or HALL_TEST_PG_URL) names the database; each section works in a fresh
schema that is dropped afterwards.

1. push: 10,000 events pushed by one device (HTTP, JSON, dedupe, feed positions,
   acknowledgements written back to the device's SQLite), against psycopg inserting
   the same rows straight into a table of the same shape, side by side.
2. fleet: N simulated devices (asyncio + httpx, one connection each) push and pull at
   once: events per second, p50/p99 request latency, errors.
3. idle: a pull with nothing new, with 1,000,000 events stored: latency over HTTP,
   and the query plan (one statement, index probes only).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from proc_stat import proc_cpu

from hall_app.config import Settings
from hall_app.domain.events import Event
from hall_app.domain.identifiers import uuid7
from hall_app.server.auth import make_enrollment_code
from hall_app.server.db import open_engine

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def schema(base: str):
    name = "hall_bench_" + secrets.token_hex(4)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{name}", name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def own_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def backend_cpu(engine, application_name: str) -> dict[int, float]:
    """CPU seconds of the PostgreSQL backends of one client (by application_name), per pid."""
    with engine.connect() as conn:
        pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE application_name = :n"),
                            {"n": application_name}).scalars().all()
    return {pid: proc_cpu(pid) for pid in pids}


@contextmanager
def server_process(url: str, workers: int = 1, pids: list[int] | None = None):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "hall_app", "server", "--db", url, "--port", str(port),
                             "--log-level", "warning", "--workers", str(workers)], cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    if pids is not None:
        pids.append(proc.pid)
    for _ in range(200):
        try:
            httpx.get(base + "/healthz", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def fake_events(device_id: str, count: int, per_case: int = 50, start: int = 1) -> list[Event]:
    out, case = [], ""
    for n in range(count):
        if n % per_case == 0:
            case = uuid7()
            out.append(Event(uuid7(), case, device_id, start + n, "zhangli", "case.started", {
                "bundle_code": "newborn", "bundle_version": 1, "tracking_code": secrets.token_hex(6).upper(),
                "hall": "JJ01", "window": "W03", "channel": "window"}, "2026-11-21T10:00:00+08:00"))
        else:
            out.append(Event(uuid7(), case, device_id, start + n, "zhangli", "case.field_set",
                             {"key": f"field_{n % 40}", "value": f"值 {n}", "base": ""}, "2026-11-21T10:00:00+08:00"))
    return out


# -- 1. push 10,000 events vs a direct psycopg insert -------------------------------------------
def bench_push(pg: str, count: int, batch: int) -> dict:
    from sqlalchemy import insert

    from hall_app.services.context import HallContext
    from hall_app.store.models import Device, EventRow
    from hall_app.store.repository import event_row
    from hall_app.sync.client import ServerClient
    from hall_app.sync.core import enroll_device
    from hall_app.sync.push import PushReport, push_outbox

    with schema(pg) as (url, name), tempfile.TemporaryDirectory() as tmp:
        engine = open_engine(url, pool_size=2)
        ctx = HallContext(Settings(db=str(Path(tmp) / "device.db")))
        events = fake_events(ctx.device_id, count)
        with ctx.Session.begin() as session:
            rows = []
            for e in events:
                r = event_row(e)
                rows.append({c.key: getattr(r, c.key) for c in EventRow.__table__.columns if c.key != "local_seq"}
                            | {"sync_state": "pending", "sync_error": ""})
            session.execute(insert(EventRow), rows)
            session.get(Device, ctx.device_id).last_seq = count
        app_name = "hall_bench_push_" + secrets.token_hex(3)  # to find the server's PostgreSQL backends
        server_pids: list[int] = []
        with server_process(f"{url}&application_name={app_name}", pids=server_pids) as base:
            enroll_device(ctx, base, make_enrollment_code(engine, "hall:JJ01"))
            with ctx.read() as session:
                token = session.get(Device, ctx.device_id).token
            report = PushReport()
            with ServerClient(base, token) as client:
                # Warm, as a hall's server and a working device are: the server has answered
                # requests before (its first one imports the thread-pool backend) and the
                # device has checked events before (the payload schemas are imported).
                import hall_app.domain.event_types  # noqa: F401

                client.state()
                client.push([])
                cpu = (own_cpu(), proc_cpu(server_pids[0]), backend_cpu(engine, app_name))
                started = time.perf_counter()
                push_outbox(ctx, client, batch, report)
                pushed = time.perf_counter() - started
                pg_after = backend_cpu(engine, app_name)
                cpu_push = (own_cpu() - cpu[0], proc_cpu(server_pids[0]) - cpu[1],
                            sum(t - cpu[2].get(pid, 0.0) for pid, t in pg_after.items()))
        assert report.sent == count, report
        direct, direct_one, cpu_direct = direct_insert(url, name, events, batch)
        ctx.close()
        engine.dispose()
    return {"events": count, "batch": batch, "push_s": pushed, "direct_s": direct, "direct_one_tx_s": direct_one,
            "ratio": pushed / direct, "push_events_per_s": count / pushed, "cpu_push": cpu_push,
            "cpu_direct": cpu_direct}


def direct_insert(url: str, schema_name: str, events: list[Event], batch: int
                  ) -> tuple[float, float, tuple[float, float]]:
    """psycopg executemany of the same rows into a copy of ``feed`` (same columns and indexes);
    the times batched and in one transaction, and the batched run's CPU (client, backend)."""
    import psycopg
    from psycopg.types.json import Jsonb

    dsn = url.replace("postgresql+psycopg://", "postgresql://").split("?")[0]
    with psycopg.connect(dsn, options=f"-csearch_path={schema_name}") as conn:
        rows = [(n + 1, "event", e.event_id, e.case_id, e.device_id, e.device_seq, e.actor, e.type, Jsonb(e.payload),
                 e.device_time, e.schema_version, e.content_hash(), "JJ01", "", "2026-11-21T02:00:00+00:00")
                for n, e in enumerate(events)]
        sql = ("INSERT INTO {t} (seq, kind, event_id, case_id, device_id, device_seq, actor, type, payload, "
               "device_time, schema_version, content_hash, hall, agent, received_at) VALUES "
               "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
        timings, cpu = [], []
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        for table, size in (("direct_batched", batch), ("direct_one", len(rows))):
            conn.execute(f"CREATE TABLE {table} (LIKE feed INCLUDING ALL)")
            conn.commit()
            cpu.append((own_cpu(), proc_cpu(backend)))
            started = time.perf_counter()
            for i in range(0, len(rows), size):
                with conn.cursor() as cur:
                    cur.executemany(sql.format(t=table), rows[i:i + size])
                conn.commit()
            timings.append(time.perf_counter() - started)
            cpu[-1] = (own_cpu() - cpu[-1][0], proc_cpu(backend) - cpu[-1][1])
    return timings[0], timings[1], cpu[0]


# -- 2. a fleet of devices at once --------------------------------------------------------------
async def one_device(c: httpx.AsyncClient, token: str, device_id: str, events: int, batch: int, lat: list,
                     errors: list) -> None:
    """One device: push its events in batches, pulling its hall's feed to the end after each."""
    auth = {"Authorization": f"Bearer {token}"}
    evs = [e.to_dict() for e in fake_events(device_id, events, per_case=25)]
    cursor = 0
    for i in range(0, len(evs), batch):
        calls = [("POST", "/v1/push", {"json": {"events": evs[i:i + batch]}})]
        while calls:
            method, path, kwargs = calls.pop()
            started = time.perf_counter()
            try:
                r = await c.request(method, path, headers=auth, **kwargs)
                r.raise_for_status()
            except httpx.HTTPError as exc:
                errors.append(f"{method} {path}: {type(exc).__name__} {exc}")
                return
            lat.append(time.perf_counter() - started)
            body = r.json()
            if method == "POST":
                if not all(x["status"] == "stored" for x in body["results"]):
                    errors.append("not stored")
            else:
                cursor = body["next"]
            if method == "POST" or body["more"]:
                calls.append(("GET", "/v1/pull", {"params": {"after": cursor, "limit": 500}}))


def bench_fleet(pg: str, devices: int, events: int, batch: int, per_hall: int = 5, workers: int = 1) -> dict:
    with schema(pg) as (url, _):
        engine = open_engine(url, pool_size=2)
        with server_process(url, workers) as base:
            creds = []
            with httpx.Client(base_url=base) as c:
                for n in range(devices):
                    device_id = f"bench-{n:03d}-{uuid7()[:8]}"
                    code = make_enrollment_code(engine, f"hall:H{n // per_hall}")
                    creds.append((c.post("/v1/enroll", json={"code": code, "device_id": device_id}).json()["token"],
                                  device_id))
            lat, errors = [], []

            async def device(token: str, device_id: str) -> None:
                from hall_app.sync.client import tls_context

                # one client (one connection) per device, as on a real hall's machines
                async with httpx.AsyncClient(base_url=base, timeout=120, verify=tls_context()) as c:
                    await one_device(c, token, device_id, events, batch, lat, errors)

            async def run():
                await asyncio.gather(*(device(tok, dev) for tok, dev in creds))

            started = time.perf_counter()
            asyncio.run(run())
            wall = time.perf_counter() - started
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT count(*) FROM feed")).scalar()
        engine.dispose()
    return {"devices": devices, "per_hall": per_hall, "workers": workers, "events_per_device": events, "batch": batch,
            "wall_s": wall,
            "stored": stored,
            "events_per_s": stored / wall, "requests": len(lat), "p50_ms": pct(lat, 50) * 1000,
            "p99_ms": pct(lat, 99) * 1000, "errors": len(errors), "first_errors": errors[:3]}


# -- 3. the idle pull with a million events -----------------------------------------------------
FILL = """INSERT INTO feed (seq, kind, event_id, case_id, device_id, device_seq, actor, type, payload, device_time,
  schema_version, content_hash, hall, agent, received_at)
SELECT g, 'event', 'bench-' || g, 'case-' || (g / 20), 'bench-dev-' || (g % 500), g, 'zhangli', 'case.field_set',
  '{"key": "k", "value": "v", "base": ""}'::jsonb, '2026-11-21T10:00:00+08:00', 1, md5(g::text) || md5(g::text),
  'H' || (g % 50), '', '' FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) g"""


def bench_idle(pg: str, rows: int, requests: int) -> dict:
    from hall_app.server.auth import DeviceInfo
    from hall_app.server.feed import pull_query

    out = {}
    with schema(pg) as (url, _):
        engine = open_engine(url, pool_size=2)
        loaded = 0
        for size in (10_000, rows):
            started = time.perf_counter()
            with engine.begin() as conn:
                for lo in range(loaded + 1, size + 1, 200_000):
                    conn.execute(text(FILL), {"lo": lo, "hi": min(size, lo + 199_999)})
                conn.execute(text("UPDATE feed_counter SET last = :n WHERE id = 1"), {"n": size})
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE feed"))
            fill_s, loaded = time.perf_counter() - started, size
            with server_process(url) as base:
                code = make_enrollment_code(engine, "hall:H7")
                token = httpx.post(base + "/v1/enroll",
                                   json={"code": code, "device_id": f"idle-{size}"}).json()["token"]
                lat = []
                with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
                    for _ in range(requests):
                        t = time.perf_counter()
                        page = c.get("/v1/pull", params={"after": size, "limit": 500}).json()
                        lat.append(time.perf_counter() - t)
                        assert page["items"] == [] and page["next"] == size
            query = pull_query(DeviceInfo(f"idle-{size}", "hall:H7", "H7"), size, 500, False, True)
            sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
            with engine.connect() as conn:
                plan = list(conn.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql)).scalars())
            out[size] = {"rows": size, "fill_s": fill_s, "p50_ms": pct(lat, 50) * 1000, "p99_ms": pct(lat, 99) * 1000,
                         "plan": plan}
        engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", default=os.environ.get("HALL_TEST_PG_URL", DEFAULT_PG))
    parser.add_argument("--only", choices=["push", "fleet", "idle"])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the push comparison (median reported)")
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--device-events", type=int, default=50)
    parser.add_argument("--per-hall", type=int, default=5, help="devices per hall (each pulls its hall's events)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes for the fleet section")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if args.only in (None, "push"):
        rounds = [bench_push(args.pg, args.events, args.batch) for _ in range(args.repeat)]
        for r in rounds:
            print(f"\npush {r['events']} events in batches of {r['batch']}: {r['push_s']:.2f} s "
                  f"({r['push_events_per_s']:.0f} events/s); direct psycopg insert, same rows, same batches: "
                  f"{r['direct_s']:.2f} s (one transaction: {r['direct_one_tx_s']:.2f} s); "
                  f"ratio {r['ratio']:.2f}x")
            device, server, pg = r["cpu_push"]
            print(f"  CPU seconds: push device {device:.2f} + server {server:.2f} + PostgreSQL {pg:.2f} = "
                  f"{device + server + pg:.2f}; direct client {r['cpu_direct'][0]:.2f} + PostgreSQL "
                  f"{r['cpu_direct'][1]:.2f} = {sum(r['cpu_direct']):.2f}")
        print(f"median push {statistics.median(r['push_s'] for r in rounds):.2f} s, median direct "
              f"{statistics.median(r['direct_s'] for r in rounds):.2f} s, median ratio "
              f"{statistics.median(r['ratio'] for r in rounds):.2f}x over {len(rounds)} rounds; load average "
              f"{os.getloadavg()[0]:.1f}")
    if args.only in (None, "fleet"):
        r = bench_fleet(args.pg, args.devices, args.device_events, 25, args.per_hall, args.workers)
        print(f"\n{r['devices']} devices at once ({r['per_hall']} per hall, server workers {r['workers']}), "
              f"{r['events_per_device']} events each "
              f"(batches of {r['batch']}, pull after each): {r['wall_s']:.2f} s, {r['stored']} stored, "
              f"{r['events_per_s']:.0f} events/s")
        print(f"{r['requests']} requests: p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, errors {r['errors']} "
              f"{r['first_errors']}")
    if args.only in (None, "idle"):
        for size, r in bench_idle(args.pg, args.rows, 300).items():
            print(f"\nidle pull with {size} events stored (filled in {r['fill_s']:.1f} s): "
                  f"p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms over HTTP")
            print("\n".join("    " + line for line in r["plan"]))


if __name__ == "__main__":
    main()
