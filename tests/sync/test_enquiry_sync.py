"""Enquiries without a case travel like case events (real HTTP, real PostgreSQL): a
referral opened on one device of a hall reaches the hall's other device, its owner
closes it there, and the close comes back; a device of another hall cannot write into
it, nor take its id; the supervisor's dashboard counts them."""

from __future__ import annotations

import datetime as dt

import pytest
from harness import enroll, local_events, make_device
from sqlalchemy import select

from hall_app.domain.events import Event
from hall_app.server.auth import DeviceInfo
from hall_app.server.dashboards import hall_figures
from hall_app.server.feed import push
from hall_app.server.models import feed
from hall_app.store import enquiries as store
from hall_app.store.repository import event_row
from hall_app.sync.core import sync_once

pytestmark = pytest.mark.postgres


def test_an_enquiry_syncs_within_its_hall_and_another_hall_is_refused(tmp_path, server_engine, server):
    a, b = make_device(tmp_path, "a"), make_device(tmp_path, "b")
    other = make_device(tmp_path, "other", hall="JJ02")
    try:
        enroll(a, server_engine, server.url, "hall:JJ01")
        enroll(b, server_engine, server.url, "hall:JJ01")
        enroll(other, server_engine, server.url, "hall:JJ02")

        referral = a.enquiries.add("zhangli", "referral", "问社保卡补办，要带什么？", target_kind="department",
                                   target="市社保局三楼", reason="本窗口不办理社保卡")
        a.enquiries.add("zhangli", "consult", "新生儿落户要带什么材料？", answered=True)
        assert sync_once(a).push.sent == 2

        # the hall's other device gets it, with its owner; the owner closes it there
        sync_once(b)
        assert [ln.enquiry_id for ln in b.enquiries.open_for("zhangli")] == [referral.enquiry_id]
        b.enquiries.close(referral.enquiry_id, "zhangli", "已电话告知群众到市社保局三楼办理")
        sync_once(b)
        sync_once(a)
        assert a.enquiries.get(referral.enquiry_id).status == "closed"
        assert a.enquiries.get(referral.enquiry_id).result == "已电话告知群众到市社保局三楼办理"
        assert a.enquiries.open_for("zhangli") == []

        # the other hall never receives it ...
        sync_once(other)
        assert other.enquiries.recent() == []
        # ... and a close it writes into it (the opening copied in by hand) is refused by the server
        opening = next(e for e in local_events(a) if e.event_id == referral.enquiry_id)
        with other.unit_of_work() as (session, _):
            session.add(event_row(Event.from_dict({
                "event_id": opening.event_id, "case_id": opening.case_id, "device_id": opening.device_id,
                "device_seq": opening.device_seq, "actor": opening.actor, "type": opening.type,
                "payload": opening.payload, "device_time": opening.device_time}), "remote", opening.server_seq))
            session.flush()
            store.rebuild(session, [referral.enquiry_id])
        with other.unit_of_work() as (session, _):  # reopened locally to try a write (as if never closed)
            state = store.load(session, referral.enquiry_id)
            assert state is not None and state.status == "open"
        other.enquiries.close(referral.enquiry_id, "zhangli", "另一大厅的答复")
        report = sync_once(other)
        assert report.push.quarantined == 1
        refused = local_events(other, sync_state="quarantined")
        assert len(refused) == 1 and "不在本设备的范围内" in refused[0].sync_error

        # nor can it open an enquiry under an id the first hall holds (the id is its opening's event id)
        me = DeviceInfo(other.device_id, "hall:JJ02", hall="JJ02")
        raw = {**opening.payload, "hall": "JJ02"}
        forged = Event(referral.enquiry_id, referral.enquiry_id, other.device_id, 1_000, "lisi", "enquiry.opened",
                       raw, opening.device_time)
        outcomes, _ = push(server_engine, me, [forged.to_dict()])
        assert outcomes[0].status == "rejected" and outcomes[0].code == "conflict"
        with server_engine.connect() as conn:
            halls = conn.execute(select(feed.c.hall).where(feed.c.case_id == referral.enquiry_id)).scalars().all()
        assert set(halls) == {"JJ01"}

        # the supervisor's figures count them (one referral, one consultation answered at once, two closed)
        today = dt.date.fromisoformat(referral.opened_at[:10])
        with server_engine.connect() as conn:
            figures = hall_figures(conn, "JJ01", today)["day"]["enquiries"]
        assert figures == {"opened": {"consult": 1, "referral": 1, "unresolved": 0}, "answered_at_once": 1,
                           "closed": 1}
    finally:
        for ctx in (a, b, other):
            ctx.close()


def test_an_opening_whose_id_is_not_its_own_event_id_is_refused(tmp_path, server_engine, server):
    a = make_device(tmp_path, "a")
    try:
        enroll(a, server_engine, server.url, "hall:JJ01")
        me = DeviceInfo(a.device_id, "hall:JJ01", hall="JJ01")
        bad = Event("01a00000-0000-7000-8000-000000000001", "01a00000-0000-7000-8000-000000000002", a.device_id, 1,
                    "zhangli", "enquiry.opened", {"kind": "consult", "topic": "问路", "answered": True})
        outcomes, _ = push(server_engine, me, [bad.to_dict()])
        assert outcomes[0].status == "rejected" and outcomes[0].code == "invalid"
    finally:
        a.close()
