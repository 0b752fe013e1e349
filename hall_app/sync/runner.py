"""Background sync for the app: a worker thread that runs ``sync_once`` on a timer.

It keeps retrying on its own (it does not wait for the next local write): after a
failure it waits with exponential backoff and jitter (so a hall's devices do not all
come back at the same second), after a success it waits the normal interval.
``poke()`` asks for a round soon (e.g. after the clerk accepts a case). Each attempt
is reported to ``MONITOR`` (hall_app.sync.status), which the status bar reads.

Usage from the UI::

    handle = start_background_sync(ctx)      # returns at once
    ...                                      # sync_status(ctx).label() for the status bar
    handle.poke()                            # optional: sync soon
    handle.stop()                            # on exit; waits for the round in progress
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from hall_app.sync.errors import SyncError
from hall_app.sync.status import MONITOR, SyncMonitor

if TYPE_CHECKING:
    from hall_app.services.context import HallContext
    from hall_app.sync.core import SyncReport


def backoff_delay(failures: int, base: float, cap: float, rng: random.Random) -> float:
    """Full-jitter exponential backoff: uniform in [base/2, min(cap, base·2^failures)]."""
    ceiling = min(cap, base * (2 ** min(failures, 16)))
    return rng.uniform(min(base / 2, ceiling), ceiling)


class BackgroundSync:
    def __init__(self, ctx: "HallContext", interval: float | None = None, max_backoff: float = 300.0,
                 retry_base: float = 2.0, monitor: SyncMonitor = MONITOR,
                 sync: Callable[..., "SyncReport"] | None = None, rng: random.Random | None = None):
        self.ctx = ctx
        self.interval = float(interval if interval is not None else getattr(ctx.settings, "sync_interval", 15.0))
        self.max_backoff = max_backoff
        self.retry_base = retry_base
        self.monitor = monitor
        self._sync = sync
        self._rng = rng or random.Random()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0
        self.rounds = 0
        self.last_report: "SyncReport | None" = None
        self.last_error: str = ""

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> "BackgroundSync":
        if not self.running:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._loop, name="hall-sync", daemon=True)
            self._thread.start()
        return self

    def poke(self) -> None:
        """Run a round as soon as possible (still one at a time)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def next_delay(self) -> float:
        if self.failures == 0:
            return self.interval * self._rng.uniform(0.9, 1.1)
        return backoff_delay(self.failures, self.retry_base, self.max_backoff, self._rng)

    def run_once(self) -> bool:
        """One attempt; True on success. Never raises (the thread must live on)."""
        from hall_app.sync.core import server_of, sync_once

        sync = self._sync or sync_once
        try:
            if self._sync is None and not all(server_of(self.ctx)):
                return True  # not enrolled: nothing to do, the status bar says 单机模式
            self.last_report = sync(self.ctx, monitor=self.monitor)
        except SyncError as exc:
            self.last_error = str(exc)
            self.failures += 1
            if exc.kind in ("auth", "database", "config"):
                self.failures = max(self.failures, 8)  # will not heal by itself: retry rarely
            return False
        except Exception as exc:  # a bug or a locked database: report, retry later
            self.last_error = f"{type(exc).__name__}: {exc}"
            self.monitor.failure(f"同步出错：{self.last_error}")
            self.failures += 1
            return False
        finally:
            self.rounds += 1
        self.failures = 0
        self.last_error = ""
        return True

    def _loop(self) -> None:
        self._wake.set()  # first round at once
        while not self._stopping.is_set():
            self._wake.wait(self.next_delay())
            self._wake.clear()
            if self._stopping.is_set():
                break
            self.run_once()


def start_background_sync(ctx: "HallContext", interval: float | None = None, **options) -> BackgroundSync:
    """Start syncing ``ctx`` in the background; returns the handle (``.stop()``, ``.poke()``)."""
    return BackgroundSync(ctx, interval, **options).start()
