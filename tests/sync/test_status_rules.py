"""What the status bar says of sync, and the fault points, driven directly."""

from __future__ import annotations

import pytest
from local_kit import named, one_case, write
from sqlalchemy import update

from hall_app.store.models import Device, EventRow
from hall_app.sync import faults
from hall_app.sync.push import quarantine
from hall_app.sync.status import SyncMonitor, SyncStatus, _age, sync_status


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0秒"), (59.9, "59秒"), (60, "1分钟"), (119, "1分钟"), (3599, "59分钟"), (3600, "1小时"),
    (86399, "23小时"), (86400, "1天"), (200_000, "2天"),
])
def test_ages(seconds, text):
    assert _age(seconds) == text


@pytest.mark.parametrize(("status", "label"), [
    (SyncStatus(False, True, 3, 10.0, 1), "单机模式"),
    (SyncStatus(True, None, 0, None, 0), "尚未同步 · 待上传 0 条"),
    (SyncStatus(True, True, 2, 90.0, 0), "在线 · 待上传 2 条 · 最早 1分钟前"),
    (SyncStatus(True, False, 2, 0.0, 0), "离线 · 待上传 2 条 · 最早 0秒前"),
    (SyncStatus(True, False, 0, 90.0, 0), "离线 · 待上传 0 条"),
    (SyncStatus(True, True, 1, None, 4), "在线 · 待上传 1 条 · 隔离 4 条"),
])
def test_the_status_bar_label(status, label):
    assert status.label() == label
    assert (status.last_error, status.last_success) == ("", "")


def test_the_monitor_keeps_the_last_attempt():
    monitor = SyncMonitor()
    assert (monitor.online, monitor.last_error, monitor.last_success) == (None, "", "")
    monitor.failure("离线了")
    assert (monitor.online, monitor.last_error, monitor.last_success) == (False, "离线了", "")
    monitor.success("t1")
    assert (monitor.online, monitor.last_error, monitor.last_success) == (True, "", "t1")
    monitor.failure("又断了")
    assert (monitor.online, monitor.last_error, monitor.last_success) == (False, "又断了", "t1")


def set_device(ctx, **values):
    with ctx.Session.begin() as session:
        session.execute(update(Device).where(Device.device_id == ctx.device_id).values(**values))


def test_the_status_counts_the_outbox_and_the_age_of_its_oldest_event(ctx, clock):
    assert sync_status(ctx, SyncMonitor()) == SyncStatus(False, None, 0, None, 0, "", "")
    one_case(ctx, 3)  # device times 10:00:01 .. 10:00:03
    write(ctx, [named("late", "c2", ctx.device_id, 4)])
    with ctx.Session.begin() as session:
        session.execute(update(EventRow).where(EventRow.event_id == "late").values(
            device_time="2026-11-21T09:00:00+08:00"))  # written later, with a clock set back
    quarantine(ctx, "c1-e1", "坏")
    clock.advance(minutes=5)
    got = sync_status(ctx, SyncMonitor())
    assert (got.configured, got.pending, got.quarantined) == (False, 3, 1)
    assert got.oldest_pending_seconds == 5 * 60 - 2  # the oldest by position: c1-e2 at 10:00:02
    set_device(ctx, server_url="http://127.0.0.1:8843")
    assert sync_status(ctx, SyncMonitor()).configured is False
    set_device(ctx, token="t")
    assert sync_status(ctx, SyncMonitor()).configured is True
    set_device(ctx, server_url="")
    assert sync_status(ctx, SyncMonitor()).configured is False


@pytest.mark.parametrize(("device_time", "age"), [
    ("not a time", None), ("2026-11-21T10:00:30+08:00", 0.0), ("2026-11-21T09:59:59+08:00", 1.0), ("", None),
])
def test_an_unreadable_or_future_time_gives_no_age_or_zero(ctx, device_time, age):
    write(ctx, [named("e1", "c1", ctx.device_id, 1)])
    with ctx.Session.begin() as session:
        session.execute(update(EventRow).values(device_time=device_time))
    assert sync_status(ctx, SyncMonitor()).oldest_pending_seconds == age


def test_a_new_process_shows_what_the_last_one_saw_until_it_tries_itself(ctx):
    set_device(ctx, server_url="http://x", token="t", last_sync_ok="2026-11-21T09:00:00+08:00", last_sync_error="")
    got = sync_status(ctx, SyncMonitor())
    assert (got.online, got.last_error, got.last_success) == (True, "", "2026-11-21T09:00:00+08:00")
    set_device(ctx, last_sync_error="连接中心服务器超时")
    got = sync_status(ctx, SyncMonitor())
    assert (got.online, got.last_error, got.last_success) == (False, "连接中心服务器超时", "2026-11-21T09:00:00+08:00")
    monitor = SyncMonitor()
    monitor.success("2026-11-21T10:00:00+08:00")
    got = sync_status(ctx, monitor)
    assert (got.online, got.last_error, got.last_success) == (True, "", "2026-11-21T10:00:00+08:00")
    monitor.failure("服务器出错")
    got = sync_status(ctx, monitor)
    assert (got.online, got.last_error, got.last_success) == (False, "服务器出错", "2026-11-21T10:00:00+08:00")
    set_device(ctx, last_sync_ok="", last_sync_error="")
    assert sync_status(ctx, SyncMonitor()).online is None


def test_a_failpoint_acts_when_armed_and_exits_on_its_nth_visit_when_set(monkeypatch):
    exits = []
    monkeypatch.setattr(faults.os, "_exit", exits.append)
    monkeypatch.setattr(faults, "_counts", {})
    seen = []
    faults.arm("a", lambda: seen.append("a"))
    faults.arm("b", lambda: seen.append("b"))
    try:
        faults.failpoint("a")
        faults.disarm("a")
        faults.failpoint("a")
        faults.failpoint("b")
        faults.disarm("missing")
        faults.disarm()
        faults.failpoint("b")
    finally:
        faults.disarm()
    assert seen == ["a", "b"] and exits == []
    monkeypatch.delenv("HALL_FAILPOINT", raising=False)
    faults.failpoint("p")
    monkeypatch.setenv("HALL_FAILPOINT", "p:3")
    faults.failpoint("q")
    faults.failpoint("p")
    faults.failpoint("p")
    assert exits == [] and faults._counts == {"p": 2}
    faults.failpoint("p")
    assert exits == [77] and faults.EXIT_CODE == 77
    monkeypatch.setenv("HALL_FAILPOINT", "q")
    faults.failpoint("q")
    assert exits == [77, 77]
    faults.arm("q", lambda: seen.append("q"))
    try:
        faults.failpoint("q")  # armed in the process: the action, not the exit
    finally:
        faults.disarm()
    assert exits == [77, 77] and seen[-1] == "q"


def test_sync_bookkeeping_commits_without_waiting_for_the_disk_and_puts_full_back(ctx):
    from hall_app.sync.local import sync_transaction

    def level(conn):
        return conn.exec_driver_sql("PRAGMA synchronous").scalar()

    with sync_transaction(ctx) as (session, repo):
        assert level(session.connection()) == 1  # NORMAL
        assert repo.session is session
        session.execute(update(Device).values(pull_cursor=5))
    with ctx.engine.connect() as conn:  # the same pooled connection: FULL again for the clerk's writes
        assert conn.exec_driver_sql("SELECT pull_cursor FROM device").scalar() == 5
        assert level(conn) == 2
    with pytest.raises(RuntimeError), sync_transaction(ctx) as (session, _):
        session.execute(update(Device).values(pull_cursor=9))
        raise RuntimeError
    with ctx.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT pull_cursor FROM device").scalar() == 5
        assert level(conn) == 2


def test_a_database_without_its_device_row_reads_as_not_enrolled_and_never_synced(ctx):
    from sqlalchemy import delete

    with ctx.Session.begin() as session:
        session.execute(delete(Device))
    assert sync_status(ctx, SyncMonitor()) == SyncStatus(False, None, 0, None, 0, "", "")
