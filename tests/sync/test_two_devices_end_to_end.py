"""Done means: two devices enrolled to one server take cases offline, the network returns,
and both see every case and every department result (background sync, real processes)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import pytest
from harness import ROOT, ServerProcess, dispatched_case, free_port, make_device, new_case, projections
from sqlalchemy import select

from hall_app.server.auth import make_enrollment_code
from hall_app.store.models import EventRow
from hall_app.sync.runner import start_background_sync
from hall_app.sync.status import SyncMonitor, sync_status

pytestmark = pytest.mark.postgres


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hall_app", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def wait_for(check, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not reached within {timeout} s: {check.__doc__ or check}")


def test_offline_work_then_network_returns_and_departments_answer(tmp_path, pg_url, server_engine):
    port = free_port()
    a, b = make_device(tmp_path, "a"), make_device(tmp_path, "b")
    with ServerProcess(pg_url, port) as server:
        for name in ("a", "b"):
            done = cli("enroll", server.url, make_enrollment_code(server_engine, "hall:JJ01"),
                       "--db", str(tmp_path / f"{name}.db"))
            assert done.returncode == 0 and "已登记" in done.stdout
    # the server is gone: the hall keeps working
    cases = [dispatched_case(a), new_case(a, "zhangli"), dispatched_case(b, "chenjing")]
    monitors = {a: SyncMonitor(), b: SyncMonitor()}
    runners = [start_background_sync(ctx, interval=0.3, retry_base=0.1, max_backoff=0.4, monitor=monitors[ctx])
               for ctx in (a, b)]
    try:
        wait_for(lambda: monitors[a].online is False and monitors[b].online is False)
        status = sync_status(a, monitors[a])
        with a.read() as session:
            oldest = session.scalar(select(EventRow.device_time).where(EventRow.sync_state == "pending")
                                    .order_by(EventRow.local_seq).limit(1))
        age = (a.now() - dt.datetime.fromisoformat(oldest)).total_seconds()
        assert status.label().startswith("离线") and status.pending > 0
        assert abs(status.oldest_pending_seconds - age) < 5 and status.oldest_pending_seconds > 0
        with ServerProcess(pg_url, port):  # the network returns; nobody presses anything
            def all_cases_everywhere():
                """both devices hold all three cases and nothing waits"""
                return all(set(cases) <= set(projections(ctx)) and sync_status(ctx).pending == 0 for ctx in (a, b))

            wait_for(all_cases_everywhere)
            sim = cli("server", "simulate-departments", "--db", pg_url, "--delay", "0", "--interval", "0.1",
                      "--rounds", "4")
            assert sim.returncode == 0 and "共登记办理结果" in sim.stdout

            def results_everywhere():
                """both devices see every department result"""
                return all(ctx.cases.get(case_id).status == "completed" for ctx in (a, b)
                           for case_id in (cases[0], cases[2]))

            wait_for(results_everywhere)
            wait_for(lambda: projections(a) == projections(b), 10)
            for runner in runners:  # before the server goes: a round in flight would fail (offline)
                runner.stop()
    finally:
        for runner in runners:
            runner.stop()
    assert monitors[a].online and monitors[b].online, (monitors[a].last_error, monitors[b].last_error)
    assert sync_status(a, monitors[a]).label().startswith("在线")
    state = b.cases.get(cases[0])
    assert all(item["status"] == "completed" and item["document"] for item in state.items.values())
