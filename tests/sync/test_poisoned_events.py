"""One device's bad data never stops a hall: a poisoned event in the feed (stored before
the server checked payloads) becomes an anomaly on its case while every device keeps
syncing; a device's own legacy bad event is quarantined and the rest flows on; and a
JSON answer cut in the middle of its body is retried without loss or duplicates."""

from __future__ import annotations

import httpx
import pytest
from harness import (
    CuttingProxy,
    bulk_outbox,
    enroll,
    local_events,
    make_device,
    new_case,
    pending,
    projections,
    server_counts,
    sync_until_ok,
)
from sqlalchemy import select

from hall_app.domain.case import review_lines
from hall_app.domain.events import Event
from hall_app.server import auth
from hall_app.server.models import feed
from hall_app.server.writes import insert_rows, reserve
from hall_app.store.models import Device
from hall_app.store.repository import event_row
from hall_app.sync.client import SyncError
from hall_app.sync.core import sync_once
from hall_app.sync.pull import cursor
from hall_app.sync.status import sync_status

pytestmark = pytest.mark.postgres

POISON = [("case.proxy_set", {"proxy": "abc"}), ("case.accepted", {"items": ["a", "b"]}),
          ("case.rated", {"level": "abc"}), ("case.applicant_set", {"key": "name", "value": ["张", "三"]}),
          ("case.step_set", ["not", "an", "object"])]


def plant(engine, case_id: str, hall: str = "JJ01") -> None:
    """Rows as an old server stored them, unchecked."""
    with engine.begin() as conn:
        first = reserve(conn, len(POISON))
        insert_rows(conn, [{"seq": first + n, "kind": "event", "event_id": f"poison-{n}", "case_id": case_id,
                            "device_id": "legacy-device", "device_seq": n + 1, "actor": "x", "type": kind,
                            "payload": payload, "device_time": "2026-11-21T10:00:00+08:00", "schema_version": 1,
                            "content_hash": f"h{n}", "hall": hall, "agent": "", "received_at": ""}
                           for n, (kind, payload) in enumerate(POISON)])


def test_a_poisoned_event_becomes_an_anomaly_and_the_hall_keeps_syncing(tmp_path, server_engine, server):
    a, b = make_device(tmp_path, "a"), make_device(tmp_path, "b")
    for ctx in (a, b):
        enroll(ctx, server_engine, server.url)
    case_id = new_case(a)
    sync_once(a)
    sync_once(b)
    plant(server_engine, case_id)
    later = new_case(a, "chenjing")  # work goes on at the counter
    sync_once(a)

    report = sync_once(b)  # used to fail every round from here (KeyError in replay, cursor stuck)
    with server_engine.connect() as conn:
        head = conn.execute(select(feed.c.seq).order_by(feed.c.seq.desc()).limit(1)).scalar()
    assert cursor(b) >= head and report.pull.received >= len(POISON)
    state = b.cases.get(case_id)
    assert state.needs_review and state.tracking_code
    lines = review_lines(state)
    assert sum("内容不合格" in line for line in lines) >= 4, lines
    assert later in projections(b)

    c = make_device(tmp_path, "c")  # a device enrolled afterwards reads the whole feed
    enroll(c, server_engine, server.url)
    sync_once(c)
    assert c.cases.get(case_id).needs_review and later in projections(c)

    code = state.tracking_code
    page = httpx.get(f"{server.url}/t/{code}")
    assert page.status_code == 200 and "办件进度" in page.text
    _, dept = auth.enroll(server_engine, auth.make_enrollment_code(server_engine, "dept:civil"), "dept-civil")
    answer = httpx.post(f"{server.url}/v1/results", headers={"Authorization": f"Bearer {dept}"},
                        json={"case_id": case_id, "item": "birth_cert", "status": "received"})
    assert answer.status_code < 500, answer.text


def test_a_legacy_bad_event_of_the_device_is_quarantined_and_later_work_flows(tmp_path, server_engine, server):
    a, b = make_device(tmp_path, "a"), make_device(tmp_path, "b")
    for ctx in (a, b):
        enroll(ctx, server_engine, server.url)
    case_id = new_case(a)
    with a.Session.begin() as session:  # written by an older version of the app, before the schema check
        device = session.get(Device, a.device_id)
        device.last_seq += 1
        first = local_events(a)[0]
        bad = Event("legacy-nul", case_id, a.device_id, device.last_seq, "zhangli", "case.applicant_set",
                    {"key": "address", "value": "重庆\x00江津", "base": ""}, first.device_time)
        session.add(event_row(bad))
    later = new_case(a, "chenjing")
    report = sync_once(a)
    assert report.push.quarantined == 1
    [held] = local_events(a, sync_state="quarantined")
    assert held.event_id == "legacy-nul" and "空字符" in held.sync_error
    assert pending(a) == 0 and "隔离 1 条" in sync_status(a).label()
    sync_once(b)
    assert later in projections(b) and case_id in projections(b)
    assert "legacy-nul" not in server_counts(server_engine)


def test_a_json_answer_cut_in_the_middle_of_its_body_is_retried(tmp_path, server_engine, server):
    """The cut falls well past the headers: the client has a status line and part of the JSON."""
    with CuttingProxy(server.port, cut_at=6000) as proxy:
        a, b = make_device(tmp_path, "a"), make_device(tmp_path, "b")
        enroll(a, server_engine, proxy.url)
        enroll(b, server_engine, proxy.url)
        ids = bulk_outbox(a, 300, per_case=100, rebuild=True)
        proxy.cut("POST /v1/push", "mid_response")
        with pytest.raises(SyncError) as err:
            sync_once(a)
        assert err.value.kind == "offline" and proxy.cuts == 1
        assert set(server_counts(server_engine)) == set(ids)  # stored, but the device never read the answer
        assert pending(a) == 300
        report = sync_until_ok(a)
        assert report.push.duplicates == 300 and pending(a) == 0
        proxy.cut("GET /v1/pull", "mid_response")
        with pytest.raises(SyncError):
            sync_once(b)
        assert proxy.cuts == 2 and local_events(b) == [] and cursor(b) == 0
        sync_until_ok(b)
        assert {e.event_id for e in local_events(b)} == set(ids)
        assert set(server_counts(server_engine).values()) == {1}


def test_after_a_server_restore_refused_numbers_are_spent_again_and_no_gap_opens(tmp_path, server_engine, server):
    """The server forgets a refused event's number with the backup; the device sends its
    quarantined event again with the rest, so the numbers after it stay gap-free."""
    from sqlalchemy import delete, update

    from hall_app.server.models import devices

    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    new_case(a)
    sync_once(a)
    kept = max(e.device_seq for e in local_events(a))  # what the backup holds
    case_id = new_case(a, "chenjing")
    with a.Session.begin() as session:  # an event an older app version wrote
        device = session.get(Device, a.device_id)
        device.last_seq += 1
        bad = Event("legacy-ctl", case_id, a.device_id, device.last_seq, "zhangli", "case.applicant_set",
                    {"key": "name", "value": "张\x07三", "base": ""}, "2026-11-21T10:00:00+08:00")
        session.add(event_row(bad))
    a.cases.set_applicant(case_id, "chenjing", "phone", "13800001111")
    assert sync_once(a).push.quarantined == 1
    with server_engine.begin() as conn:  # restored from the backup: later rows and the spent number gone
        conn.execute(delete(feed).where(feed.c.device_id == a.device_id, feed.c.device_seq > kept))
        conn.execute(update(devices).where(devices.c.device_id == a.device_id).values(last_seq=kept))
    report = sync_once(a)
    assert report.reopened >= 2 and report.push.gaps == 0 and report.push.quarantined == 1
    own = local_events(a, device_id=a.device_id)
    assert [e.event_id for e in own if e.sync_state == "quarantined"] == ["legacy-ctl"]
    assert all(e.sync_state == "sent" for e in own if e.event_id != "legacy-ctl")
    stored = server_counts(server_engine)
    assert all(stored.get(e.event_id) == 1 for e in own if e.event_id != "legacy-ctl")


def test_a_gap_in_the_devices_numbers_is_refused_shown_and_the_pull_still_runs(tmp_path, server_engine, server):
    a, b = make_device(tmp_path, "a"), make_device(tmp_path, "b")
    for ctx in (a, b):
        enroll(ctx, server_engine, server.url)
    new_case(a)
    sync_once(a)
    from_b = new_case(b)
    sync_once(b)
    with a.Session.begin() as session:  # numbers skipped (a bug, a hand-edited file)
        session.get(Device, a.device_id).last_seq += 5
    later = new_case(a, "chenjing")
    with pytest.raises(SyncError) as err:
        sync_once(a)
    assert err.value.kind == "refused" and "设备序号不连续" in str(err.value)
    assert pending(a) == len(local_events(a, case_id=later)) and "待上传" in sync_status(a).label()
    assert from_b in projections(a)  # pulled all the same
    assert "设备序号不连续" in sync_status(a).last_error
