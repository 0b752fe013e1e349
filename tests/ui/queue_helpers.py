"""Helpers for the queue screens' UI tests: the real embedded queue (the server's queue
code on an SQLite file beside the test's device database) on the tests' fixed clock,
with the demo hall's service lines and windows, and a settle for the apps that have
no database queue of their own (kiosk, display)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from tests.ui.helpers import FIXED_NOW, _queued, key_event

LINES = (("A", "综合窗口·个人", "A"), ("B", "综合窗口·企业", "B"), ("K", "办不成事反映", "K"))
WINDOWS = (("W03", "3号综合窗口", ["A", "B"]), ("W01", "1号综合窗口", ["K", "A"]))


class Clock:
    """The tests' clock, which a test may move on (a ticket waited five minutes …)."""

    def __init__(self, now: dt.datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += dt.timedelta(minutes=minutes)


def open_test_queue(ctx, kind: str = "local", window: str = "", clock=None, user: str = ""):
    """The embedded queue of ``ctx`` (the same file ``open_queue(ctx)`` opens), on ``clock``."""
    from hall_app.services.queue import LocalQueue, queue_path

    return LocalQueue(queue_path(Path(ctx.settings.db_path)), hall=ctx.settings.hall, window=window, kind=kind,
                      device_id=ctx.device_id, user=user, clock=clock or ctx.clock)


def ensure_demo_queue(queue) -> None:
    """The demo hall's lines and windows, unless the demo seeding already set them up."""
    have = {line.line for line in queue.lines()}
    for code, name, prefix in LINES:
        if code not in have:
            queue.set_line(code, name, prefix)
    windows = {w.window for w in queue.windows()}
    for code, name, skills in WINDOWS:
        if code not in windows:
            queue.set_window(code, name, skills)


def serve_queue(db_path, port: int | None = None):
    """A real queue server (uvicorn in a thread) on the server database at ``db_path``."""
    from hall_app.server.db import open_engine
    from tests.sync.harness import ServerThread

    engine = open_engine(str(db_path))
    return ServerThread(engine, port=port), engine


async def settle_app(pilot, rounds: int = 2) -> None:
    """Until the app's workers have finished and every message was handled (twice in a row)."""
    app = pilot.app
    stable = 0
    for _ in range(2000):
        for worker in [w for w in app.workers if not w.is_finished]:
            try:
                await worker.wait()
            except Exception:
                pass
        await pilot.pause(0)
        if not any(not w.is_finished for w in app.workers) and not _queued(app):
            stable += 1
            if stable >= rounds:
                return
        else:
            stable = 0
        await asyncio.sleep(0.002)


async def wait_until(pilot, condition, seconds: float = 20.0) -> None:
    """Settle the app until ``condition()`` holds (a real condition, with a generous deadline
    for a loaded machine); fails with the condition's source if it never does."""
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not reached in {seconds} s"
        await settle_app(pilot)
        await asyncio.sleep(0.02)


async def keys(pilot, *names: str) -> None:
    """Press keys one at a time, each handled before the next (the kiosk, the display)."""
    for name in names:
        pilot.app._driver.send_message(key_event(pilot.app, name))
        await settle_app(pilot)


async def type_fast(pilot, text: str) -> None:
    """Every character queued at once, as a scanner types."""
    for ch in text:
        pilot.app._driver.send_message(key_event(pilot.app, ch))
    await settle_app(pilot)
