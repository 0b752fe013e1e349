"""What the status bar shows of sync: online or not, events waiting, oldest age.

The background sync worker reports each attempt to a ``SyncMonitor``; the counts
come straight from the outbox (indexed), so they are right even before the first
attempt or with no server configured.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from hall_app.store.models import EventRow

if TYPE_CHECKING:
    from hall_app.services.context import HallContext


@dataclass(frozen=True)
class SyncStatus:
    configured: bool  # a server is enrolled
    online: bool | None  # None: not tried yet
    pending: int  # events in the outbox
    oldest_pending_seconds: float | None
    quarantined: int
    last_error: str = ""
    last_success: str = ""

    def label(self) -> str:
        """One short Chinese line for the status bar."""
        if not self.configured:
            return "单机模式"  # nothing is uploaded from a machine not enrolled: no queue to worry about
        if self.online is None:
            state = "尚未同步"
        else:
            state = "在线" if self.online else "离线"
        parts = [state, f"待上传 {self.pending} 条"]
        if self.oldest_pending_seconds is not None and self.pending:
            parts.append(f"最早 {_age(self.oldest_pending_seconds)}前")
        if self.quarantined:
            parts.append(f"隔离 {self.quarantined} 条")
        return " · ".join(parts)


def _age(seconds: float) -> str:
    if seconds < 60:
        return f"{int(seconds)}秒"
    if seconds < 3600:
        return f"{int(seconds // 60)}分钟"
    if seconds < 86400:
        return f"{int(seconds // 3600)}小时"
    return f"{int(seconds // 86400)}天"


class SyncMonitor:
    """Thread-safe record of the last sync attempt (one per process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.online: bool | None = None
        self.last_error = ""
        self.last_success = ""
        self.last_attempt = ""  # when the last attempt ended (the device's clock, ISO)

    def success(self, when: str) -> None:
        with self._lock:
            self.online, self.last_error, self.last_success, self.last_attempt = True, "", when, when

    def failure(self, error: str, when: str = "") -> None:
        with self._lock:
            self.online, self.last_error = False, error
            self.last_attempt = when or self.last_attempt


MONITOR = SyncMonitor()


def sync_status(ctx: "HallContext", monitor: SyncMonitor = MONITOR) -> SyncStatus:
    from hall_app.store.models import Device

    with ctx.read() as session:
        pending = session.scalar(select(func.count()).where(EventRow.sync_state == "pending")) or 0
        quarantined = session.scalar(select(func.count()).where(EventRow.sync_state == "quarantined")) or 0
        oldest = session.scalar(select(EventRow.device_time).where(EventRow.sync_state == "pending")
                                .order_by(EventRow.local_seq).limit(1))
        device = session.get(Device, ctx.device_id)
        configured = bool(device and device.server_url and device.token)
        kept_ok = device.last_sync_ok if device else ""
        kept_error = device.last_sync_error if device else ""
    age = None
    if oldest:
        try:
            age = max(0.0, (ctx.now() - dt.datetime.fromisoformat(oldest)).total_seconds())
        except ValueError:
            age = None
    online, error, success = monitor.online, monitor.last_error, monitor.last_success
    # A new process knows only what the last one kept; and a success kept by another
    # process since this one's last attempt (``hall-app sync`` run as a job beside the
    # app) is newer than what this process saw: the app is not "offline" then.
    newer_elsewhere = bool(kept_ok) and online is False and kept_ok > monitor.last_attempt
    if online is None or newer_elsewhere:
        if kept_ok or kept_error:
            online = not kept_error
        error = kept_error
    return SyncStatus(configured, online, int(pending), age, int(quarantined), error,
                      max(success, kept_ok))
