"""A 10,000-event backlog (test 8), a server restored from an old backup (test 10),
a token revoked in the middle of a sync (test 12)."""

from __future__ import annotations

import tracemalloc

import pytest
from harness import ROOT, bulk_outbox, enroll, local_events, make_device, new_case, pending, projections, server_counts
from sqlalchemy import text

from hall_app.server.auth import revoke
from hall_app.sync import faults
from hall_app.sync.client import ServerClient, SyncError
from hall_app.sync.core import sync_once
from hall_app.sync.status import SyncMonitor, sync_status

pytestmark = pytest.mark.postgres


class SpyClient(ServerClient):
    """Records the size of every request and page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pushes: list[int] = []
        self.pages: list[int] = []

    def push(self, events):
        self.pushes.append(len(events))
        return super().push(events)

    def pull(self, after, limit):
        page = super().pull(after, limit)
        self.pages.append(len(page["items"]))
        return page


def device_client(ctx, cls=ServerClient):
    from hall_app.sync.core import server_of

    url, token = server_of(ctx)
    return cls(url, token)


def reopen(tmp_path, name):
    from hall_app.config import Settings
    from hall_app.services.context import HallContext

    return HallContext(Settings(db=str(tmp_path / f"{name}.db"), device_name=name))


def test_ten_thousand_event_backlog_in_bounded_batches_resumes_after_a_kill(tmp_path, server_engine, server):
    import subprocess
    import sys

    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    ids = bulk_outbox(a, 10_000)
    a.close()
    env = {**__import__("os").environ, "HALL_FAILPOINT": "device-after-push-batch:3"}
    done = subprocess.run([sys.executable, "-m", "hall_app", "sync", "--once", "--db", str(tmp_path / "a.db")],
                          cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert done.returncode == 77  # killed after its third batch was written down (the fourth was on the wire)
    a = reopen(tmp_path, "a")
    assert len(server_counts(server_engine)) in (1500, 2000) and pending(a) == 8500

    tracemalloc.start()
    try:
        spy = device_client(a, SpyClient)
        report = sync_once(a, client=spy)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.push.sent + report.push.duplicates == 8500 and report.push.duplicates in (0, 500)
    assert spy.pushes == [500] * 17  # bounded batches, resumed where the killed run stopped
    assert max(spy.pages) <= 500
    assert peak < 25 * 2**20, f"peak {peak / 2**20:.1f} MiB"  # bounded memory, not 10,000 rows at once
    counts = server_counts(server_engine)
    assert set(counts) == set(ids) and set(counts.values()) == {1}
    assert pending(a) == 0


TABLES = ("feed_counter", "feed", "cases", "devices", "enrollment_codes", "bundle_versions", "audit")


def backup(engine) -> None:
    with engine.begin() as conn:
        for table in TABLES:
            conn.execute(text(f"DROP TABLE IF EXISTS bk_{table}"))
            conn.execute(text(f"CREATE TABLE bk_{table} AS SELECT * FROM {table}"))


def restore(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(TABLES)))
        for table in TABLES:
            conn.execute(text(f"INSERT INTO {table} SELECT * FROM bk_{table}"))


def test_server_restored_from_an_old_backup_gets_everything_back(tmp_path, server_engine, server):
    a, b = make_device(tmp_path, "a"), make_device(tmp_path, "b")
    enroll(a, server_engine, server.url)
    enroll(b, server_engine, server.url)
    kept_case = new_case(a)
    sync_once(a)
    sync_once(b)
    backup(server_engine)  # last night's backup
    lost_a = new_case(a)
    lost_b = new_case(b, "chenjing")
    b.cases.set_applicant(kept_case, "chenjing", "phone", "13900000002")
    for ctx in (a, b, a, b):
        sync_once(ctx)
    everything = set(server_counts(server_engine))
    restore(server_engine)  # the disk died; the server comes back from the backup
    assert len(server_counts(server_engine)) < len(everything)

    report_a = sync_once(a)
    report_b = sync_once(b)
    assert report_a.reopened > 0 and report_b.reopened > 0  # each re-sent what the server lost
    later = new_case(a)  # work goes on after the restore
    for ctx in (a, b, a, b):
        sync_once(ctx)
    counts = server_counts(server_engine)
    assert everything <= set(counts) and set(counts.values()) == {1}
    assert projections(a) == projections(b)
    assert {kept_case, lost_a, lost_b, later} <= set(projections(b))
    assert b.cases.get(kept_case).applicant["phone"] == "13900000002"
    c = make_device(tmp_path, "c")  # a device enrolled after the restore sees the same
    enroll(c, server_engine, server.url)
    sync_once(c)
    assert projections(c) == projections(a)


def test_edit_to_a_case_whose_start_the_server_lost_waits_instead_of_being_quarantined(
        tmp_path, server_engine, server):
    """After a restore, another device's edit can reach the server before the case's start
    does: the server refuses it (not_started), and the device keeps it pending, not in
    quarantine, until the owner has sent the start again."""
    a, b = make_device(tmp_path, "a"), make_device(tmp_path, "b")
    enroll(a, server_engine, server.url)
    enroll(b, server_engine, server.url)
    backup(server_engine)  # before the case existed
    case_id = new_case(a)
    sync_once(a)
    sync_once(b)  # b now has the case
    restore(server_engine)  # the server loses it
    b.cases.set_applicant(case_id, "chenjing", "phone", "13900000003")
    first = sync_once(b)
    assert first.push.waiting >= 1 and first.push.quarantined == 0
    assert not local_events(b, sync_state="quarantined")
    assert any("开始事件" in e.sync_error for e in local_events(b, sync_state="pending"))
    sync_once(a)  # the owner sends the start again
    sync_once(b)
    assert not local_events(b, sync_state="quarantined") and not local_events(b, sync_state="pending")
    sync_once(a)
    assert a.cases.get(case_id).applicant["phone"] == "13900000003"
    assert projections(a) == projections(b)


def test_revoked_token_mid_sync_is_refused_and_the_outbox_stays(tmp_path, server_engine, server):
    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    ids = bulk_outbox(a, 1200)
    revoked = []

    def revoke_once():
        if not revoked:
            revoked.append(revoke(server_engine, a.device_id))

    monitor = SyncMonitor()
    faults.arm("device-after-push-response", revoke_once)  # before the second batch is sent
    try:
        with pytest.raises(SyncError) as err:
            sync_once(a, monitor=monitor)
    finally:
        faults.disarm()
    assert err.value.kind == "auth" and "吊销" in str(err.value)
    assert len(local_events(a, sync_state="sent")) == 500
    assert pending(a) == 700 and local_events(a, sync_state="quarantined") == []
    assert len(server_counts(server_engine)) == 500
    status = sync_status(a, monitor)
    assert status.online is False and status.pending == 700 and "吊销" in status.last_error
    with pytest.raises(SyncError):
        sync_once(a, monitor=monitor)  # still refused; still nothing lost
    assert pending(a) == 700

    enroll(a, server_engine, server.url, rebind=True)  # the admin confirms a new code for it
    sync_once(a, monitor=monitor)
    counts = server_counts(server_engine)
    assert set(counts) == set(ids) and set(counts.values()) == {1} and pending(a) == 0


def test_device_database_restored_from_an_older_copy(tmp_path, server_engine, server):
    import shutil

    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    first = new_case(a)
    sync_once(a)
    a.close()
    shutil.copy(tmp_path / "a.db", tmp_path / "a-copy.db")  # yesterday's copy of the laptop
    a = reopen(tmp_path, "a")
    second = new_case(a)
    sync_once(a)
    a.close()
    shutil.copy(tmp_path / "a-copy.db", tmp_path / "a.db")  # the disk died; the copy comes back
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"a.db{suffix}").unlink(missing_ok=True)
    a = reopen(tmp_path, "a")
    third = new_case(a)  # written with numbers the server has already seen
    report = sync_once(a)
    assert report.repulled and report.push.quarantined == 0
    assert {first, second, third} <= set(projections(a))  # its own sent events came back
    counts = server_counts(server_engine)
    assert set(counts.values()) == {1} and {e.event_id for e in local_events(a)} == set(counts)
    assert pending(a) == 0
