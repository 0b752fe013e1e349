"""Helpers of the queue suite (a clock the test moves, a hall set up, another
process's view of the same queue), imported by conftest.py and the tests."""

from __future__ import annotations

import datetime as dt

from hall_app.domain.queue_schedule import CHINA
from hall_app.services.queue import LocalQueue


class Clock:
    def __init__(self, start: str = "2026-12-01T09:00"):
        self.now = dt.datetime.fromisoformat(start).replace(tzinfo=CHINA)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += dt.timedelta(minutes=minutes)


def set_up_hall(queue) -> None:
    """Three lines, three windows (W03 tidal: firm first 09:00–11:00 … here from 12:00)."""
    queue.set_line("personal", "综合窗口·个人", "A", sort=1, service_minutes=8.0)
    queue.set_line("firm", "综合窗口·企业", "B", sort=2, service_minutes=15.0, slot_capacity=2)
    queue.set_line("estate", "不动产", "C", sort=3, service_minutes=20.0)
    queue.set_window("W01", "1号综合窗口", {"personal": 1})
    queue.set_window("W02", "2号综合窗口", {"personal": 1, "firm": 2})
    queue.set_window("W03", "3号综合窗口", {"firm": 1},
                     [{"from": "12:00", "to": "13:00", "lines": {"personal": 1}}])


def at_window(hall: LocalQueue, window: str, kind: str = "window") -> LocalQueue:
    """Another process's view of the same queue file, acting as a window device (or ``kind``)."""
    return LocalQueue(hall.engine.url.database, hall="JJ01", window=window, kind=kind, clock=hall.store.clock,
                      device_id=f"{kind}-{window or 1}")
