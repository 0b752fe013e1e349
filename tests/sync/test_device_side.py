"""Device-side sync without PostgreSQL: a truncated database (test 11), the background
runner, the conflict rule in the domain, and the embedded SQLite server mode."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import subprocess
import sys
import threading
import time

import pytest
from harness import ROOT, ServerThread, enroll, local_events, make_device, new_case, projections

from hall_app.config import Settings
from hall_app.domain.case import replay, review_lines
from hall_app.domain.events import Event
from hall_app.server.db import open_engine
from hall_app.services.context import HallContext
from hall_app.store.db import DatabaseError
from hall_app.sync.client import SyncError
from hall_app.sync.core import sync_once
from hall_app.sync.runner import BackgroundSync, backoff_delay
from hall_app.sync.status import SyncMonitor, sync_status


# -- a damaged local database ------------------------------------------------------------------
def closed_device(tmp_path) -> tuple:
    ctx = make_device(tmp_path, "a")
    new_case(ctx)
    device_id = ctx.device_id
    ctx.close()  # the last connection checkpoints the WAL into the file
    path = tmp_path / "a.db"
    assert not (tmp_path / "a.db-wal").exists() or (tmp_path / "a.db-wal").stat().st_size == 0
    return path, device_id


@pytest.mark.parametrize("cut", ["pages", "bytes"])
def test_truncated_database_is_detected_kept_aside_and_sync_refused(tmp_path, cut):
    path, _ = closed_device(tmp_path)
    size = path.stat().st_size
    new_size = size - 4096 * 3 if cut == "pages" else size - 1000
    with path.open("r+b") as f:
        f.truncate(new_size)
    started = time.perf_counter()
    with pytest.raises(DatabaseError) as err:
        HallContext(Settings(db=str(path)))
    assert time.perf_counter() - started < 1.0
    message = str(err.value)
    assert "截断" in message and "禁止同步" in message and ".broken-" in message
    [kept] = tmp_path.glob("a.db.broken-*")
    assert kept.stat().st_size == new_size and str(kept) in message  # kept, untouched
    assert not path.exists()
    # the command line says so plainly: no traceback, non-zero exit
    with path.open("wb") as f, kept.open("rb") as src:
        f.write(src.read())
    done = subprocess.run([sys.executable, "-m", "hall_app", "sync", "--once", "--db", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "本地数据库文件已损坏" in done.stderr and "Traceback" not in done.stderr


def test_damaged_pages_refuse_sync_before_any_network(tmp_path):
    path, _ = closed_device(tmp_path)
    ctx = HallContext(Settings(db=str(path)))
    from sqlalchemy import update

    from hall_app.store.models import Device

    with ctx.Session.begin() as session:  # enrolled to a server that is not even there
        session.execute(update(Device).values(server_url="http://127.0.0.1:9", token="hat_x"))
    ctx.close()  # the pool is closed; the context stays in use and reconnects on demand
    with path.open("r+b") as f:  # damaged while the app runs (opening would refuse it: test_device_db.py)
        size = path.stat().st_size
        f.seek(size - 4096 * 4)
        f.write(bytes(random.Random(1).randrange(256) for _ in range(4096 * 4)))
    monitor = SyncMonitor()
    with pytest.raises(SyncError) as err:
        sync_once(ctx, monitor=monitor)
    assert err.value.kind == "database" and "已损坏" in str(err.value)  # not "offline": no request made
    assert monitor.online is False


def test_record_decides_again_when_sync_changed_the_case_meanwhile(tmp_path):
    from hall_app.sync.pull import PullReport, apply_page

    ctx = make_device(tmp_path, "a")
    case_id = new_case(ctx)
    from sqlalchemy import update

    from hall_app.store.models import EventRow

    with ctx.Session.begin() as session:  # as if these had been sent and numbered
        session.execute(update(EventRow).values(sync_state="sent", server_seq=EventRow.local_seq))
    stale = ctx.cases.get(case_id)
    remote = Event("ev-remote-1", case_id, "other-device", 1, "chenjing", "case.answer_set",
                   {"question": "born_locally", "value": "是", "base": ""}, "2026-11-21T10:00:00+08:00")
    apply_page(ctx, [{"seq": 1000, "kind": "event", "event": remote.to_dict()}], 1000, PullReport())
    with ctx.unit_of_work() as (session, repo):  # a write prepared from a state read before the pull
        ctx.record(session, repo, case_id, "zhangli", "case.applicant_set", {"key": "address", "value": "新地址"},
                   stale)
    state = ctx.cases.get(case_id)
    assert state.answers["born_locally"] == "是" and state.applicant["address"] == "新地址"  # nothing lost
    with ctx.unit_of_work() as (_, repo):
        assert repo.rebuild(case_id).to_dict() == state.to_dict()


# -- the conflict rule (pure domain) -----------------------------------------------------------
def ev(n, device, kind, payload, case="c1"):
    return Event(f"e{n}", case, device, n, device, kind, payload, f"2026-11-21T10:00:{n:02d}+08:00")


START = ev(0, "A", "case.started", {"tracking_code": "K7P9M2QTX4RH", "bundle_code": "newborn"})


def test_concurrent_same_field_keeps_the_later_and_both_values():
    a = ev(1, "A", "case.field_set", {"key": "baby_name", "value": "刘思远", "base": ""})
    b = ev(2, "B", "case.field_set", {"key": "baby_name", "value": "刘思源", "base": ""})
    for order, kept in (([START, a, b], "刘思源"), ([START, b, a], "刘思远")):
        state = replay(order)
        assert state.fields["baby_name"] == kept and state.needs_review
        [c] = state.conflicts
        assert c["kept"]["value"] == kept and {c["kept"]["value"], c["other"]["value"]} == {"刘思远", "刘思源"}
        assert "表单字段 baby_name 被两台设备同时修改" in review_lines(state)[0]


def test_an_overwrite_that_saw_the_value_is_no_conflict():
    a = ev(1, "A", "case.field_set", {"key": "baby_name", "value": "刘思远", "base": ""})
    b = ev(2, "B", "case.field_set", {"key": "baby_name", "value": "刘思源", "base": "e1"})
    same = ev(3, "C", "case.field_set", {"key": "baby_name", "value": "刘思源", "base": "e1"})
    state = replay([START, a, b, same])
    assert state.fields["baby_name"] == "刘思源" and not state.needs_review and state.conflicts == []
    other = ev(4, "B", "case.answer_set", {"question": "follow", "value": "随母", "base": ""})
    assert not replay([START, a, other]).needs_review  # different fields merge
    legacy = ev(5, "B", "case.field_set", {"key": "baby_name", "value": "X"})  # written before `base` existed
    assert not replay([START, a, legacy]).needs_review


def test_services_stamp_base_on_every_slot_event(tmp_path):
    ctx = make_device(tmp_path, "a")
    case_id = new_case(ctx)
    ctx.cases.set_applicant(case_id, "zhangli", "phone", "13900000001")
    ctx.cases.set_applicant(case_id, "zhangli", "phone", "13900000002")
    phones = [e for e in local_events(ctx) if e.type == "case.applicant_set" and e.payload["key"] == "phone"]
    # the person file filled the phone first; each later write names the one it replaces
    assert [e.payload["base"] for e in phones[1:]] == [e.event_id for e in phones[:-1]]
    assert phones[0].payload["base"] == ""


# -- the background runner ---------------------------------------------------------------------
def test_runner_retries_on_its_own_with_backoff_then_recovers(tmp_path):
    ctx = make_device(tmp_path, "a")
    calls, monitor = [], SyncMonitor()

    def flaky(ctx_, monitor):
        calls.append(time.monotonic())
        if len(calls) <= 3:
            monitor.failure("无法连接中心服务器")
            raise SyncError("无法连接中心服务器", "offline")
        monitor.success("now")

    runner = BackgroundSync(ctx, interval=60, retry_base=0.05, max_backoff=0.4, monitor=monitor, sync=flaky,
                            rng=random.Random(3)).start()
    try:
        deadline = time.monotonic() + 5
        while len(calls) < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        runner.stop()
    assert len(calls) == 4  # three failures, retried without any local write or poke; then the interval
    assert monitor.online is True and runner.failures == 0 and not runner.running
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    assert all(0.02 <= g <= 1.5 for g in gaps)  # backoff between 0.025 and 0.4 s (plus a busy machine)


def test_backoff_grows_is_capped_and_jittered():
    rng = random.Random(7)
    samples = {n: [backoff_delay(n, 2.0, 300.0, rng) for _ in range(200)] for n in (1, 4, 12)}
    assert all(1.0 <= d <= 4.0 for d in samples[1])
    assert all(1.0 <= d <= 32.0 for d in samples[4]) and max(samples[4]) > 16
    assert all(d <= 300.0 for d in samples[12])
    assert len({round(d, 3) for d in samples[12]}) > 150  # jitter: devices do not retry in lockstep


def test_runner_poke_and_stop_and_unenrolled_status(tmp_path):
    ctx = make_device(tmp_path, "a")
    assert sync_status(ctx, SyncMonitor()).label().startswith("单机模式")
    seen = threading.Event()
    count = []

    def ok(ctx_, monitor):
        count.append(1)
        seen.set()

    runner = BackgroundSync(ctx, interval=60, sync=ok, monitor=SyncMonitor()).start()
    assert seen.wait(2)
    seen.clear()
    runner.poke()
    assert seen.wait(2) and len(count) == 2
    runner.stop(2)
    assert not runner.running


# -- the embedded SQLite server ----------------------------------------------------------------
def test_sqlite_server_mode_two_devices(tmp_path):
    engine = open_engine(str(tmp_path / "server.db"))
    with ServerThread(engine) as server:
        a, b = make_device(tmp_path, "a"), make_device(tmp_path, "b")
        enroll(a, engine, server.url)
        enroll(b, engine, server.url)
        case_id = new_case(a)
        new_case(b, "chenjing")
        for ctx in (a, b, a):
            sync_once(ctx)
        a.cases.set_applicant(case_id, "zhangli", "name", "刘洋洋")
        b.cases.set_applicant(case_id, "chenjing", "name", "刘阳")
        monitor = SyncMonitor()
        for ctx in (a, b, a, b):
            before = a.now()
            sync_once(ctx, monitor=monitor)
    engine.dispose()
    assert projections(a) == projections(b) and len(projections(a)) == 2
    assert a.cases.get(case_id).needs_review
    status = sync_status(b, monitor)
    assert status.online is True and status.pending == 0 and status.last_error == ""
    assert before.replace(microsecond=0) <= dt.datetime.fromisoformat(status.last_success) <= b.now()


def test_an_edit_that_arrives_before_its_case_start(tmp_path):
    """After a server restore another device's edit can reach the feed before the start."""
    from hall_app.sync.pull import PullReport, apply_page

    edit = ev(1, "B", "case.field_set", {"key": "baby_name", "value": "刘思远", "base": ""})
    assert replay([edit, START]).to_dict() == replay([START, edit]).to_dict()
    ctx = make_device(tmp_path, "a")
    second_edit = ev(2, "B", "case.field_set", {"key": "baby_name", "value": "x", "base": "e1"}, case="c2")
    apply_page(ctx, [{"seq": 5, "kind": "event", "event": e.to_dict()} for e in (edit, second_edit)], 5,
               PullReport())
    assert projections(ctx) == {}  # no half case, and no clash of two empty tracking codes
    apply_page(ctx, [{"seq": 9, "kind": "event", "event": START.to_dict()}], 9, PullReport())
    state = ctx.cases.get("c1")
    assert state.tracking_code == "K7P9M2QTX4RH" and state.fields["baby_name"] == "刘思远"


def test_a_sync_job_beside_the_app_ends_its_offline_state(tmp_path):
    """The app's own attempt failed (server down); later a ``hall-app sync`` process
    succeeded and kept that in the device row: the app's status is online again, with
    no stale error; a failure of the app after that success still says offline."""
    from sqlalchemy import update

    from hall_app.store.models import Device

    ctx = make_device(tmp_path, "a")
    try:
        monitor = SyncMonitor()
        monitor.failure("无法连接中心服务器（ConnectError）", "2026-12-02T06:10:00+08:00")
        with ctx.Session.begin() as session:
            session.execute(update(Device).values(server_url="http://127.0.0.1:1", token="t",
                                                  last_sync_ok="2026-12-02T06:18:00+08:00", last_sync_error=""))
        status = sync_status(ctx, monitor)
        assert status.online is True and status.last_error == "" and status.label().startswith("在线")
        assert status.last_success == "2026-12-02T06:18:00+08:00"
        monitor.failure("无法连接中心服务器（ConnectError）", "2026-12-02T06:30:00+08:00")
        status = sync_status(ctx, monitor)
        assert status.online is False and "ConnectError" in status.last_error
    finally:
        ctx.close()
