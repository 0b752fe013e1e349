"""Nothing lost, nothing doubled: faults between the device and the server (issue tests 1, 2, 3, 5, 9)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from harness import (
    ROOT,
    CuttingProxy,
    ServerProcess,
    ServerThread,
    enroll,
    free_port,
    local_events,
    make_device,
    new_case,
    pending,
    server_counts,
)
from sqlalchemy import select

from hall_app.server.feed import Hooks
from hall_app.server.models import feed
from hall_app.store.models import Device
from hall_app.sync.client import ServerClient, SyncError
from hall_app.sync.core import sync_once
from hall_app.sync.push import outbox_batch

pytestmark = pytest.mark.postgres


def assert_exactly_once(engine, *devices) -> None:
    counts = server_counts(engine)
    assert all(n == 1 for n in counts.values())
    for ctx in devices:
        own = local_events(ctx, device_id=ctx.device_id)
        assert own and all(e.event_id in counts for e in own)
        assert all(e.sync_state == "sent" and e.server_seq for e in own)
        with engine.connect() as conn:
            seqs = dict(conn.execute(select(feed.c.event_id, feed.c.seq).where(
                feed.c.device_id == ctx.device_id)).all())
        assert {e.event_id: e.server_seq for e in own} == seqs  # the device knows each event's position


def test_server_killed_after_commit_before_reply(tmp_path, pg_url, server_engine):
    port = free_port()
    ctx = make_device(tmp_path, "a")
    with ServerProcess(pg_url, port, failpoint="server-after-commit") as first:
        enroll(ctx, server_engine, first.url)
        new_case(ctx)
        ids = {e.event_id for e in local_events(ctx)}
        with pytest.raises(SyncError) as err:
            sync_once(ctx)
        assert err.value.kind == "offline"
        assert first.proc.wait(10) == 77  # it died at the failpoint, after COMMIT
    assert set(server_counts(server_engine)) == ids  # committed…
    assert pending(ctx) == len(ids)  # …but the device never heard: all still in the outbox
    with ServerProcess(pg_url, port):
        report = sync_once(ctx)
    assert report.push.sent == 0 and report.push.duplicates == len(ids)
    assert_exactly_once(server_engine, ctx)


@pytest.mark.parametrize("mode", ["after_request", "mid_response"])
def test_proxy_cuts_push_and_pull(tmp_path, server_engine, server, mode):
    with CuttingProxy(server.port, cut_at=120) as proxy:
        a, b = make_device(tmp_path, "a"), make_device(tmp_path, "b")
        enroll(a, server_engine, proxy.url)
        enroll(b, server_engine, proxy.url)
        for _ in range(2):
            new_case(a)
        ids = {e.event_id for e in local_events(a)}
        proxy.cut("POST /v1/push", mode)
        with pytest.raises(SyncError):
            sync_once(a)
        assert proxy.cuts == 1
        assert set(server_counts(server_engine)) == ids and pending(a) == len(ids)
        sync_once(a)
        assert_exactly_once(server_engine, a)

        proxy.cut("GET /v1/pull", mode)
        with pytest.raises(SyncError):
            sync_once(b)
        with b.read() as session:
            assert session.get(Device, b.device_id).pull_cursor == 0
        assert local_events(b) == []  # the page was not half applied
        sync_once(b)
        assert {e.event_id for e in local_events(b)} == ids
        assert projections_equal(a, b)


def projections_equal(a, b) -> bool:
    from harness import projections

    return projections(a) == projections(b)


def test_same_batch_twice_in_a_row_and_at_once(tmp_path, server_engine, server):
    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    token = local_token(a)
    for _ in range(3):
        new_case(a)
    batch = outbox_batch(a, 500)
    with ServerClient(server.url, token) as client:
        first = client.push(batch)["results"]
        second = client.push(batch)["results"]
    assert [r["status"] for r in first] == ["stored"] * len(batch)
    assert [r["status"] for r in second] == ["duplicate"] * len(batch)
    assert [r["seq"] for r in first] == [r["seq"] for r in second]

    # the same (new) batch from several connections at the same moment
    for round_ in range(4):
        new_case(a)
        batch = [e for e in outbox_batch(a, 500) if e["event_id"] not in server_counts(server_engine)]
        barrier, answers = threading.Barrier(4), []

        def send():
            with ServerClient(server.url, token) as client:
                barrier.wait()  # noqa: B023 - the threads are joined before the loop moves on
                answers.append(client.push(batch)["results"])  # noqa: B023 - joined before the loop moves on

        threads = [threading.Thread(target=send) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(answers) == 4
        for i in range(len(batch)):
            statuses = sorted(answer[i]["status"] for answer in answers)
            assert statuses == ["duplicate", "duplicate", "duplicate", "stored"], round_
            assert len({answer[i]["seq"] for answer in answers}) == 1
    counts = server_counts(server_engine)
    assert all(n == 1 for n in counts.values()) and len(counts) == len(local_events(a))
    # and a whole sync after all that only confirms
    report = sync_once(a)
    assert report.push.sent == 0
    assert_exactly_once(server_engine, a)


def local_token(ctx) -> str:
    with ctx.read() as session:
        return session.get(Device, ctx.device_id).token


def run_sync_process(db_path, failpoint: str) -> int:
    env = {**os.environ, "HALL_FAILPOINT": failpoint}
    done = subprocess.run([sys.executable, "-m", "hall_app", "sync", "--once", "--db", str(db_path)],
                          cwd=ROOT, env=env, capture_output=True, timeout=60)
    return done.returncode


def test_client_killed_during_push_and_mid_pull_page(tmp_path, server_engine, server):
    a, b = make_device(tmp_path, "a"), make_device(tmp_path, "b")
    enroll(a, server_engine, server.url)
    enroll(b, server_engine, server.url)
    for _ in range(3):
        new_case(a)
    ids = {e.event_id for e in local_events(a)}
    a.close()
    # killed after the server answered, before the answer was written down
    assert run_sync_process(tmp_path / "a.db", "device-after-push-response") == 77
    a = make_device_again(tmp_path, "a")
    assert pending(a) == len(ids) and set(server_counts(server_engine)) == ids
    sync_once(a)
    assert_exactly_once(server_engine, a)

    # killed halfway through writing a pulled page: the page and the cursor are all or nothing
    b.close()
    assert run_sync_process(tmp_path / "b.db", "device-mid-pull-page") == 77
    b = make_device_again(tmp_path, "b")
    assert local_events(b) == []
    with b.read() as session:
        assert session.get(Device, b.device_id).pull_cursor == 0
    assert run_sync_process(tmp_path / "b.db", "") == 0
    with b.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert {e.event_id for e in local_events(b)} == ids
    assert projections_equal(a, b)


def make_device_again(tmp_path, name):
    from hall_app.config import Settings
    from hall_app.services.context import HallContext

    return HallContext(Settings(db=str(tmp_path / f"{name}.db"), device_name=name))


def test_feed_skips_nothing_while_a_transaction_holds_its_position(tmp_path, server_engine):
    holding, release = threading.Event(), threading.Event()
    a, b, c = (make_device(tmp_path, n) for n in "abc")
    hold_ids: set[str] = set()

    def before_commit(event_ids):
        if hold_ids & set(event_ids):
            holding.set()
            assert release.wait(20)

    with ServerThread(server_engine, Hooks(before_commit=before_commit)) as srv:
        for ctx in (a, b, c):
            enroll(ctx, server_engine, srv.url)
        new_case(a)
        hold_ids.update(e.event_id for e in local_events(a))
        new_case(b)
        errors = []
        ta = threading.Thread(target=lambda: sync_once(a))
        ta.start()
        assert holding.wait(10)  # a's push sits in its transaction, its feed positions taken
        tb = threading.Thread(target=lambda: errors.append(sync_once(b)))
        tb.start()
        tb.join(1.0)  # b pushes meanwhile (it queues behind a for its positions)
        sync_once(c)  # and c reads the feed in the middle of it all
        seen_early = {e.event_id for e in local_events(c)}
        release.set()
        ta.join(20)
        tb.join(20)
        sync_once(c)
    all_ids = {e.event_id for e in local_events(a, device_id=a.device_id)} | \
        {e.event_id for e in local_events(b, device_id=b.device_id)}
    got = local_events(c)
    assert {e.event_id for e in got} == all_ids  # nothing skipped
    assert seen_early <= all_ids
    by_seq = sorted(got, key=lambda e: e.server_seq)
    assert [e.local_seq for e in by_seq] == sorted(e.local_seq for e in got)  # applied in feed order
    a_seqs = [e.server_seq for e in local_events(a, device_id=a.device_id)]
    b_seqs = [e.server_seq for e in local_events(b, device_id=b.device_id)]
    assert max(a_seqs) < min(b_seqs)  # b committed after a, so its positions come after
    assert_exactly_once(server_engine, a, b)

