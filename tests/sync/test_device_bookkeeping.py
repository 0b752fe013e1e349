"""The device's sync bookkeeping, driven directly (no server, no PostgreSQL): what an
acknowledgement, a rejection, a taken number, a restored server and a pulled page
each change in the local event log."""

from __future__ import annotations

from harness import local_events, make_device, new_case, projections

from hall_app.domain.events import Event
from hall_app.store.models import BundleVersion, Device
from hall_app.sync.pull import PullReport, apply_page, cursor
from hall_app.sync.push import PushReport, apply_acks, outbox_after, outbox_batch, quarantine, reopen_lost


def own(ctx):
    return local_events(ctx, device_id=ctx.device_id)


def states(ctx):
    return {e.event_id: (e.sync_state, e.server_seq) for e in own(ctx)}


def test_an_acknowledgement_marks_sent_with_the_feed_position_and_never_unquarantines(tmp_path):
    ctx = make_device(tmp_path, "a")
    new_case(ctx)
    first, second, third = (e.event_id for e in own(ctx)[:3])
    quarantine(ctx, first, "服务器拒收：坏事件")
    report = PushReport()
    apply_acks(ctx, [{"event_id": first, "status": "stored", "seq": 10},
                     {"event_id": second, "status": "duplicate", "seq": 11},
                     {"event_id": third, "status": "stored", "seq": 12}], report)
    got = states(ctx)
    assert got[first] == ("quarantined", None)
    assert got[second] == ("sent", 11) and got[third] == ("sent", 12)
    assert (report.sent, report.duplicates, report.quarantined) == (2, 1, 0)
    assert local_events(ctx, event_id=first)[0].sync_error == "服务器拒收：坏事件"


def test_an_answer_without_a_position_marks_nothing(tmp_path):
    ctx = make_device(tmp_path, "a")
    new_case(ctx)
    first = own(ctx)[0].event_id
    apply_acks(ctx, [{"event_id": first, "status": "stored", "seq": None}], PushReport())
    assert states(ctx)[first] == ("pending", None)


def test_a_rejected_event_is_quarantined_with_the_reason_and_the_case_rebuilt(tmp_path):
    ctx = make_device(tmp_path, "a")
    case_id = new_case(ctx)
    name_event = own(ctx)[-1]  # the last applicant event
    report = PushReport()
    apply_acks(ctx, [{"event_id": name_event.event_id, "status": "rejected", "error": "字段过长"}], report)
    row = local_events(ctx, event_id=name_event.event_id)[0]
    assert (row.sync_state, row.sync_error, report.quarantined) == ("quarantined", "字段过长", 1)
    assert report.sent == 0
    state = projections(ctx)[case_id]
    assert state["version"] == len(own(ctx)) - 1  # rebuilt without the quarantined event
    assert name_event.payload["key"] not in state["applicant"]
    apply_acks(ctx, [{"event_id": own(ctx)[0].event_id, "status": "rejected"}], report)
    assert local_events(ctx, event_id=own(ctx)[0].event_id)[0].sync_error == "服务器拒收"


def test_a_taken_number_renumbers_every_unsent_event_above_the_server_high_water_mark(tmp_path):
    ctx = make_device(tmp_path, "a")
    new_case(ctx)
    events = own(ctx)
    apply_acks(ctx, [{"event_id": events[0].event_id, "status": "stored", "seq": 1}], PushReport())
    ctx._server_device_seq_high = 40  # what /v1/state said the server holds of this device
    hashes = {e.event_id: e.content_hash for e in events}
    report = PushReport()
    apply_acks(ctx, [{"event_id": events[1].event_id, "status": "rejected", "code": "seq_taken"}], report)
    after = {e.event_id: e for e in own(ctx)}
    renumbered = [after[e.event_id] for e in events[1:]]
    assert [e.device_seq for e in renumbered] == list(range(41, 41 + len(renumbered)))
    assert after[events[0].event_id].device_seq == events[0].device_seq  # sent: keeps its number
    assert all(e.content_hash != hashes[e.event_id] for e in renumbered)
    assert all(e.sync_state == "pending" for e in renumbered) and report.renumbered == len(renumbered)
    assert report.quarantined == 0
    with ctx.read() as session:
        assert session.get(Device, ctx.device_id).last_seq == 40 + len(renumbered)
    assert ctx.cases.start("newborn", "zhangli") and own(ctx)[-1].device_seq == 41 + len(renumbered)


def test_renumbering_follows_the_server_when_it_knows_fewer_numbers_than_this_copy(tmp_path):
    """The server accepts numbers only without gaps: unsent events are renumbered right
    after what the server holds, even where that overlaps their own old numbers."""
    ctx = make_device(tmp_path, "a")
    new_case(ctx)
    events = own(ctx)
    assert len(events) > 2
    ctx._server_device_seq_high = 1
    apply_acks(ctx, [{"event_id": events[0].event_id, "status": "rejected", "code": "seq_taken"}], PushReport())
    after = own(ctx)
    assert [e.event_id for e in after] == [e.event_id for e in events]  # the order stays
    assert [e.device_seq for e in after] == list(range(2, 2 + len(events)))
    with ctx.read() as session:
        assert session.get(Device, ctx.device_id).last_seq == 1 + len(events)


def test_a_server_restored_from_an_older_backup_gets_the_later_events_again(tmp_path):
    ctx = make_device(tmp_path, "a")
    new_case(ctx)
    events = own(ctx)
    apply_acks(ctx, [{"event_id": e.event_id, "status": "stored", "seq": 100 + n} for n, e in enumerate(events)],
               PushReport())
    assert reopen_lost(ctx, len(events)) == 0  # the server has them all
    assert reopen_lost(ctx, 2) == len(events) - 2
    assert [e.sync_state for e in own(ctx)] == ["sent", "sent"] + ["pending"] * (len(events) - 2)
    assert [e["device_seq"] for e in outbox_batch(ctx, 100)] == [e.device_seq for e in events[2:]]


def test_the_outbox_is_read_in_order_after_a_position_and_remembers_old_positions(tmp_path):
    ctx = make_device(tmp_path, "a")
    new_case(ctx)
    events = own(ctx)
    apply_acks(ctx, [{"event_id": events[0].event_id, "status": "stored", "seq": 7}], PushReport())
    reopen_lost(ctx, 0)
    numbered: dict = {}
    batch, last = outbox_after(ctx, 2, 0, numbered)
    assert [b["event_id"] for b in batch] == [e.event_id for e in events[:2]]
    assert numbered == {events[0].event_id: (7, events[0].case_id)}
    assert set(batch[0]) == {"event_id", "case_id", "device_id", "device_seq", "actor", "type", "payload",
                             "device_time", "schema_version"}
    rest, _ = outbox_after(ctx, 100, last)
    assert [b["event_id"] for b in rest] == [e.event_id for e in events[2:]]
    assert outbox_after(ctx, 100, 10_000) == ([], 10_000)


def remote(n: int, kind: str, payload: dict, device: str = "B", case: str = "c9") -> Event:
    return Event(f"r{n}", case, device, n, "chenjing", kind, payload, f"2026-11-21T10:00:{n:02d}+08:00")


def test_a_pulled_page_adds_remote_events_moves_the_cursor_and_builds_the_case(tmp_path):
    ctx = make_device(tmp_path, "a")
    start = remote(1, "case.started", {"tracking_code": "K7P9M2QTX4RH", "bundle_code": "newborn"})
    name = remote(2, "case.applicant_set", {"key": "name", "value": "刘洋", "base": ""})
    bundle = {"kind": "bundle", "event": {"payload": {"code": "newborn", "content_hash": "h1", "version": 2,
                                                      "data": {"name": "新生儿出生"}}}}
    report = PullReport()
    apply_page(ctx, [{"seq": 5, "kind": "event", "event": start.to_dict()},
                     {"seq": 6, "kind": "event", "event": name.to_dict()}, bundle], 6, report)
    assert (report.received, report.applied, report.cases, report.bundles) == (2, 2, 1, 1)
    assert cursor(ctx) == 6
    rows = local_events(ctx, case_id="c9")
    assert [(r.sync_state, r.server_seq) for r in rows] == [("remote", 5), ("remote", 6)]
    assert projections(ctx)["c9"]["applicant"] == {"name": "刘洋"}
    again = PullReport()
    apply_page(ctx, [{"seq": 5, "kind": "event", "event": start.to_dict()}, bundle], 6, again)
    assert (again.received, again.applied, again.bundles, again.cases) == (1, 0, 0, 0)  # nothing twice
    with ctx.read() as session:
        assert session.get(BundleVersion, ("newborn", "h1")).version == 2


def test_own_events_coming_back_are_marked_sent_and_raise_the_counter(tmp_path):
    ctx = make_device(tmp_path, "a")
    new_case(ctx)
    mine = own(ctx)
    with ctx.read() as session:
        last = session.get(Device, ctx.device_id).last_seq
    back = Event(mine[0].event_id, mine[0].case_id, ctx.device_id, mine[0].device_seq, mine[0].actor, mine[0].type,
                 mine[0].payload, mine[0].device_time)
    lost = Event("lost-1", mine[0].case_id, ctx.device_id, last + 5, "zhangli", "case.step_set",
                 {"step": "materials"}, "2026-11-21T10:30:00+08:00")
    clash = Event("old-2", mine[0].case_id, ctx.device_id, mine[1].device_seq, "zhangli", "case.step_set",
                  {"step": "flow"}, "2026-11-21T09:00:00+08:00")
    report = PullReport()
    apply_page(ctx, [{"seq": 3, "kind": "event", "event": e.to_dict()} | {"seq": n}
                     for n, e in ((3, back), (4, lost), (5, clash))], 5, report)
    got = {e.event_id: (e.sync_state, e.server_seq) for e in local_events(ctx)}
    assert got[back.event_id] == ("sent", 3)  # its answer was lost; the feed tells
    assert got["lost-1"] == ("sent", 4)  # our own event from before a restore of this database
    assert "old-2" not in got  # its number is taken by a newer local event: not stored
    assert report.applied == 1
    with ctx.read() as session:
        assert session.get(Device, ctx.device_id).last_seq == last + 5
    assert ctx.cases.get(mine[0].case_id).step == "materials"
