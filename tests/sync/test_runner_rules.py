"""The background runner's decisions, driven directly: the backoff bounds, the next
delay, what one attempt does with each outcome, and the worker thread's life."""

from __future__ import annotations

import threading
import time
import types

import pytest

from hall_app.store.models import Device
from hall_app.sync import core
from hall_app.sync.errors import SyncError
from hall_app.sync.runner import BackgroundSync, backoff_delay, start_background_sync
from hall_app.sync.status import SyncMonitor


class Bounds:
    """An RNG that answers ``uniform(a, b)`` with ``b`` and remembers every (a, b)."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.calls.append((a, b))
        return b


@pytest.mark.parametrize(("failures", "base", "cap", "bounds"), [
    (0, 2.0, 300.0, (1.0, 2.0)),
    (1, 2.0, 300.0, (1.0, 4.0)),
    (4, 2.0, 300.0, (1.0, 32.0)),
    (7, 2.0, 300.0, (1.0, 256.0)),
    (8, 2.0, 300.0, (1.0, 300.0)),  # capped
    (16, 1.0, 1e9, (0.5, 65536.0)),
    (17, 1.0, 1e9, (0.5, 65536.0)),  # the exponent stops at 16
    (40, 1.0, 1e9, (0.5, 65536.0)),
    (1, 10.0, 2.0, (2.0, 2.0)),  # a cap below half the base: never above the cap
])
def test_backoff_bounds(failures, base, cap, bounds):
    rng = Bounds()
    assert backoff_delay(failures, base, cap, rng) == bounds[1]
    assert rng.calls == [bounds]


def ctx_with(sync_interval=None):
    settings = types.SimpleNamespace() if sync_interval is None else types.SimpleNamespace(sync_interval=sync_interval)
    return types.SimpleNamespace(settings=settings)


@pytest.mark.parametrize(("interval", "setting", "expected"), [
    (None, None, 15.0), (None, 40, 40.0), (5, 40, 5.0), (0, 40, 0.0),
])
def test_the_interval_comes_from_the_argument_then_the_settings_then_15_seconds(interval, setting, expected):
    runner = BackgroundSync(ctx_with(setting), interval)
    assert runner.interval == expected and isinstance(runner.interval, float)
    assert (runner.max_backoff, runner.retry_base, runner.failures, runner.rounds) == (300.0, 2.0, 0, 0)
    assert runner.last_report is None and runner.last_error == "" and not runner.running


def test_the_next_delay_is_the_jittered_interval_after_success_and_the_backoff_after_failures():
    rng = Bounds()
    runner = BackgroundSync(ctx_with(), 10.0, max_backoff=50.0, retry_base=3.0, rng=rng)
    assert runner.next_delay() == pytest.approx(11.0)
    assert rng.calls == [(0.9, 1.1)]
    runner.failures = 2
    assert runner.next_delay() == 12.0  # 3·2², in [1.5, 12]
    runner.failures = 9
    assert runner.next_delay() == 50.0
    assert rng.calls[1:] == [(1.5, 12.0), (1.5, 50.0)]


def run(outcome, failures=0):
    """One attempt whose sync does ``outcome`` (a value to return or an exception to raise)."""
    calls, monitor = [], SyncMonitor()

    def sync(ctx, monitor):
        calls.append((ctx, monitor))
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    ctx = ctx_with()
    runner = BackgroundSync(ctx, 1.0, monitor=monitor, sync=sync)
    runner.failures = failures
    ok = runner.run_once()
    assert calls == [(ctx, monitor)] and runner.rounds == 1
    return ok, runner, monitor


def test_a_successful_attempt_resets_the_failures_and_keeps_the_report():
    report = object()
    ok, runner, _ = run(report, failures=5)
    runner_error = runner.last_error
    assert ok is True and runner.failures == 0 and runner.last_report is report and runner_error == ""
    runner.last_error = "旧错误"
    runner._sync = lambda ctx, monitor: report
    assert runner.run_once() is True and runner.last_error == "" and runner.rounds == 2


@pytest.mark.parametrize(("kind", "before", "after"), [
    ("offline", 0, 1), ("offline", 3, 4), ("server", 0, 1), ("refused", 0, 1),
    ("auth", 0, 8), ("database", 0, 8), ("config", 0, 8), ("auth", 9, 10),
])
def test_a_failed_attempt_counts_and_a_failure_that_will_not_heal_retries_rarely(kind, before, after):
    ok, runner, monitor = run(SyncError("无法连接中心服务器", kind), failures=before)
    assert ok is False and runner.failures == after and runner.last_error == "无法连接中心服务器"
    assert runner.last_report is None
    assert monitor.online is None  # sync_once reports its own SyncError to the monitor


def test_a_bug_in_the_round_is_reported_and_retried_not_raised():
    ok, runner, monitor = run(ValueError("坏了"), failures=2)
    assert ok is False and runner.failures == 3
    assert runner.last_error == "ValueError: 坏了"
    assert (monitor.online, monitor.last_error) == (False, "同步出错：ValueError: 坏了")


def test_an_unenrolled_device_does_not_sync_and_an_enrolled_one_runs_sync_once(ctx, monkeypatch):
    calls = []
    monkeypatch.setattr(core, "sync_once", lambda ctx_, monitor: calls.append(monitor) or "report")
    monitor = SyncMonitor()
    runner = BackgroundSync(ctx, 1.0, monitor=monitor)
    assert runner.run_once() is True and calls == [] and runner.last_report is None
    with ctx.Session.begin() as session:
        session.get(Device, ctx.device_id).server_url = "http://127.0.0.1:8840"
    assert runner.run_once() is True and calls == []  # a server but no token: still not enrolled
    with ctx.Session.begin() as session:
        session.get(Device, ctx.device_id).token = "t"
    assert runner.run_once() is True and calls == [monitor] and runner.last_report == "report"
    assert runner.rounds == 3


def wait_for(predicate, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.005)
    return predicate()


def test_the_worker_runs_at_once_then_waits_and_stops_without_another_round():
    calls = []
    first = threading.Event()

    def sync(ctx, monitor):
        calls.append(1)
        first.set()

    runner = BackgroundSync(ctx_with(), 60.0, sync=sync, monitor=SyncMonitor())
    assert runner.start() is runner
    thread = runner._thread
    assert thread is not None and thread.daemon and thread.name == "hall-sync"
    assert first.wait(5), "the first round runs at once, not after the interval"
    assert runner.start()._thread is thread  # already running: no second worker
    time.sleep(0.05)
    assert len(calls) == 1  # then the interval (60 s)
    runner.stop()
    assert not runner.running and len(calls) == 1  # stopping does not run one more round
    first.clear()
    runner.start()  # started again after a stop
    assert runner._thread is not thread and first.wait(5) and len(calls) == 2
    runner.poke()
    assert wait_for(lambda: len(calls) == 3)
    runner.stop()
    assert not runner.running


def test_stop_before_start_and_start_background_sync_passes_its_options():
    BackgroundSync(ctx_with(), 1.0).stop()  # never started: nothing to join
    seen = threading.Event()
    monitor = SyncMonitor()
    context = ctx_with()
    handle = start_background_sync(context, 60.0, monitor=monitor, max_backoff=9.0, retry_base=0.5,
                                   sync=lambda ctx, monitor: seen.set())
    try:
        assert handle.running and seen.wait(5) and handle.ctx is context
        assert (handle.interval, handle.max_backoff, handle.retry_base, handle.monitor) == (60.0, 9.0, 0.5, monitor)
    finally:
        handle.stop()
    assert not handle.running


def test_rounds_follow_each_other_on_the_interval_without_a_poke():
    calls = []
    runner = BackgroundSync(ctx_with(), 0.01, sync=lambda ctx, monitor: calls.append(1), monitor=SyncMonitor())
    runner.start()
    try:
        assert wait_for(lambda: len(calls) >= 3)
    finally:
        runner.stop()


def test_stop_waits_for_a_round_in_progress_only_as_long_as_it_is_told():
    release, entered = threading.Event(), threading.Event()

    def stuck(ctx, monitor):
        entered.set()
        release.wait(10)

    runner = BackgroundSync(ctx_with(), 60.0, sync=stuck, monitor=SyncMonitor()).start()
    assert entered.wait(5)
    began = time.monotonic()
    runner.stop(timeout=0.05)
    try:
        assert time.monotonic() - began < 5 and runner.running  # the round goes on; stop() returned
    finally:
        release.set()
    runner._thread.join(5)
    assert not runner.running and runner.rounds == 1
