"""Push, driven against a scripted server (no HTTP, no PostgreSQL): batch sizes and
bytes, the halving that finds a poison event, what a gap, a waiting case and a taken
number do to the round, and what each answer changes in the local log."""

from __future__ import annotations

import json

import pytest
from local_kit import ScriptedServer, device, named, one_case, projection, rows, started, states, write
from sqlalchemy import text

from hall_app.sync import faults, pull
from hall_app.sync.client import RawJSON, SyncError
from hall_app.sync.push import (
    ENVELOPE_BYTES,
    MAX_BATCH_BYTES,
    SERVER_MAX_BODY,
    PushReport,
    apply_acks,
    batch_bytes,
    device_seq_high,
    outbox_after,
    outbox_batch,
    push_outbox,
    quarantine,
    renumber_pending,
    reopen_lost,
)

E = [f"c1-e{k}" for k in range(1, 6)]


@pytest.mark.parametrize(("max_body", "expected"), [
    (None, 1_572_864), (0, 1_572_864), (2 * 1024 * 1024, 1_572_864), (4_000_000, 3_000_000), ("4000000", 3_000_000),
    (100_000, 75_000), (21_846, 16_384), (21_848, 16_386), (1000, 16_384),
])
def test_a_batch_carries_three_quarters_of_the_server_body_limit_and_at_least_16_kib(max_body, expected):
    assert batch_bytes(max_body) == expected
    assert (SERVER_MAX_BODY, MAX_BATCH_BYTES, ENVELOPE_BYTES) == (2_097_152, 1_572_864, 320)


def stored_sizes(ctx) -> list[int]:
    with ctx.engine.connect() as conn:
        return [int(r[0]) for r in conn.execute(text(
            "SELECT length(CAST(payload AS BLOB)) FROM events ORDER BY local_seq"))]


def test_a_batch_stops_where_the_next_event_would_pass_the_byte_limit(ctx):
    one_case(ctx)
    sizes = [s + ENVELOPE_BYTES for s in stored_sizes(ctx)]
    two = sizes[0] + sizes[1]
    assert [e["event_id"] for e in outbox_after(ctx, 10, 0, max_bytes=two)[0]] == E[:2]
    assert outbox_after(ctx, 10, 0, max_bytes=two - 1) == (outbox_after(ctx, 1, 0)[0], 1)
    assert [e["event_id"] for e in outbox_after(ctx, 10, 0, max_bytes=1)[0]] == E[:1]  # one alone may pass it
    assert [e["event_id"] for e in outbox_after(ctx, 10, 1, max_bytes=sizes[1] + sizes[2])[0]] == E[1:3]
    plain, raw = outbox_after(ctx, 1, 0)[0][0], outbox_after(ctx, 1, 0, raw=True)[0][0]
    assert isinstance(raw["payload"], RawJSON) and not isinstance(plain["payload"], str)
    assert plain["payload"] == {"tracking_code": "K7P9M2QTX4RH", "bundle_code": "newborn", "bundle_hash": "h1"}
    assert len(raw["payload"].encode()) == stored_sizes(ctx)[0]
    # the stored text itself, not the decoded value written out again (Python's repr has the same length)
    with ctx.read() as session:
        stored = session.execute(text("SELECT payload FROM events WHERE event_id = :e"), {"e": E[0]}).scalar_one()
    assert raw["payload"] == stored and json.loads(raw["payload"]) == plain["payload"]
    assert {k: v for k, v in raw.items() if k != "payload"} == {k: v for k, v in plain.items() if k != "payload"}


def test_the_outbox_goes_oldest_first_one_batch_after_another(ctx):
    one_case(ctx)
    server = ScriptedServer()
    report = push_outbox(ctx, server, batch_size=2)
    assert server.batches == [E[:2], E[2:4], E[4:]]
    assert (report.sent, report.batches, report.max_batch, report.quarantined) == (5, 3, 2, 0)
    assert states(ctx) == {e: ("sent", 101 + n) for n, e in enumerate(E)}
    assert push_outbox(ctx, server).batches == 0 and len(server.batches) == 3  # nothing left


def test_batches_stay_under_the_byte_limit(ctx):
    one_case(ctx)
    server = ScriptedServer()
    report = push_outbox(ctx, server, max_bytes=1)
    assert server.batches == [[e] for e in E] and (report.batches, report.max_batch) == (5, 1)


def refusing(poison: str, status: int = 422, kind: str = "refused"):
    def answer(events):
        if any(e["event_id"] == poison for e in events):
            return SyncError("坏事件", kind, status)
        return server.store_all(events)

    server = ScriptedServer(answer)
    return server


def test_a_refused_batch_is_halved_until_the_poison_event_is_found_and_quarantined(ctx):
    one_case(ctx)
    server = refusing(E[3])
    report = push_outbox(ctx, server)
    assert server.batches == [E, E[:2], E[2:], E[2:3], E[3:], E[3:4], E[4:]]
    assert (report.sent, report.quarantined, report.batches, report.max_batch) == (4, 1, 3, 2)
    got = rows(ctx, event_id=E[3])[0]
    assert (got.sync_state, got.sync_error) == ("quarantined", "服务器拒收：坏事件")
    assert [s for e, (s, _) in states(ctx).items() if e != E[3]] == ["sent"] * 4
    assert "名4" not in str(projection(ctx, "c1"))  # the case is rebuilt without it
    assert projection(ctx, "c1")["applicant"] == {"name": "名5"}


@pytest.mark.parametrize(("kind", "status"), [("refused", 403), ("offline", None), ("server", 500), ("auth", 401)])
def test_a_refusal_of_the_device_itself_or_a_failure_ends_the_round_and_quarantines_nothing(ctx, kind, status):
    one_case(ctx)
    server = refusing(E[0], status, kind)
    with pytest.raises(SyncError, match="坏事件"):
        push_outbox(ctx, server, batch_size=1)
    assert server.batches == [E[:1]] and set(states(ctx).values()) == {("pending", None)}


def test_a_gap_in_the_device_numbers_stops_the_round_and_leaves_the_events_pending(ctx):
    one_case(ctx)
    server = ScriptedServer(lambda events: {"results": [
        {"event_id": e["event_id"], "status": "rejected", "code": "seq_gap", "error": "缺少 3 号"} for e in events]})
    report = push_outbox(ctx, server, batch_size=2)
    assert server.batches == [E[:2], E[2:4]]  # the second was on the wire when the first answer came
    assert (report.gaps, report.gap_error, report.sent, report.quarantined) == (4, "缺少 3 号", 0, 0)
    assert set(states(ctx).values()) == {("pending", None)}
    report = PushReport()
    apply_acks(ctx, [{"event_id": E[0], "status": "rejected", "code": "seq_gap"}], report)
    assert (report.gaps, report.gap_error) == (1, "设备序号不连续")


def test_events_waiting_for_their_case_start_go_once_per_round_and_keep_the_reason(ctx):
    one_case(ctx)
    quarantine(ctx, E[0], "早已隔离")
    server = ScriptedServer(lambda events: {"results": [
        {"event_id": e["event_id"], "status": "rejected", "code": "not_started", "error": "x" * 600}
        for e in events]})
    report = push_outbox(ctx, server, batch_size=2)
    assert server.batches == [E[1:3], E[3:5]]
    assert (report.waiting, report.sent, report.quarantined, report.batches) == (4, 0, 0, 2)
    assert [(r.sync_state, r.sync_error) for r in rows(ctx)[1:]] == [("pending", "x" * 500)] * 4
    apply_acks(ctx, [{"event_id": E[0], "status": "rejected", "code": "not_started", "error": "y"}], PushReport())
    assert rows(ctx, event_id=E[0])[0].sync_error == "早已隔离"  # only pending events wait
    apply_acks(ctx, [{"event_id": E[1], "status": "rejected", "code": "not_started"}], PushReport())
    assert rows(ctx, event_id=E[1])[0].sync_error == ""


def test_a_taken_number_renumbers_above_the_server_high_water_mark_and_sends_again_at_once(ctx):
    one_case(ctx)
    ctx._server_device_seq_high = 10
    first = []

    def answer(events):
        if first:
            return server.store_all(events)
        first.append(1)
        return {"results": [{"event_id": E[0], "status": "stored", "seq": 7}] + [
            {"event_id": e["event_id"], "status": "rejected", "code": "seq_taken"} for e in events[1:]]}

    server = ScriptedServer(answer)
    report = push_outbox(ctx, server)
    assert server.batches == [E, E[1:]]
    assert (report.renumbered, report.sent, report.batches) == (4, 5, 2)
    assert [r.device_seq for r in rows(ctx)] == [1, 11, 12, 13, 14] and device(ctx).last_seq == 14
    assert device_seq_high(ctx) == 10


def test_renumbering_starts_above_the_highest_number_this_device_has_used_if_the_server_knows_fewer(ctx):
    one_case(ctx)
    apply_acks(ctx, [{"event_id": E[2], "status": "stored", "seq": 50}], PushReport())
    assert not hasattr(ctx, "_server_device_seq_high") and device_seq_high(ctx) == 0
    with ctx.Session.begin() as session:
        assert renumber_pending(ctx, session) == 4
    assert [r.device_seq for r in rows(ctx)] == [4, 5, 3, 6, 7] and device(ctx).last_seq == 7


def test_only_this_devices_pending_events_are_renumbered(ctx):
    one_case(ctx)
    write(ctx, [started("r1", "c2", "other", 1), named("r2", "c2", "other", 2)], "remote", [1, 2])
    ctx._server_device_seq_high = 0
    with ctx.Session.begin() as session:
        assert renumber_pending(ctx, session) == 5
    assert [r.device_seq for r in rows(ctx)][:5] == [1, 2, 3, 4, 5]
    ctx._server_device_seq_high = 1  # the new numbers overlap the old ones of other pending events
    with ctx.Session.begin() as session:
        assert renumber_pending(ctx, session) == 5
    assert [(r.event_id, r.device_seq) for r in rows(ctx)] == [*zip(E, range(2, 7)), ("r1", 1), ("r2", 2)]
    assert device(ctx).last_seq == 6


def test_each_answer_changes_the_log_and_the_report(ctx, monkeypatch):
    one_case(ctx)
    rebuilt = []
    real = pull.rebuild_cases
    monkeypatch.setattr(pull, "rebuild_cases", lambda c, repo, ids: rebuilt.append(set(ids)) or real(c, repo, ids))
    report = PushReport()
    numbered = {E[0]: (7, "c1"), E[1]: (8, "c9")}
    apply_acks(ctx, [{"event_id": E[0], "status": "stored", "seq": "7"},
                     {"event_id": E[1], "status": "duplicate", "seq": 9},
                     {"event_id": E[2], "status": "stored"},
                     {"event_id": E[3], "status": "odd", "seq": 4},
                     {"event_id": E[4], "status": "rejected", "code": "bad", "error": "z" * 2100}], report, numbered)
    assert states(ctx) == {E[0]: ("sent", 7), E[1]: ("sent", 9), E[2]: ("pending", None), E[3]: ("pending", None),
                           E[4]: ("quarantined", None)}
    assert rows(ctx, event_id=E[4])[0].sync_error == "z" * 2000
    assert (report.sent, report.duplicates, report.quarantined, report.renumbered) == (1, 1, 1, 0)
    assert rebuilt == [{"c9", "c1"}]  # moved to a new position (c9), the quarantined one's case (c1)
    apply_acks(ctx, [{"event_id": E[2], "status": "stored", "seq": 3}], report, {E[2]: (3, "c1")})
    apply_acks(ctx, [{"event_id": E[3], "status": "stored", "seq": 4}], report)
    apply_acks(ctx, [{"event_id": "unknown", "status": "rejected"}], report)
    assert rebuilt[1:] == [set(), set(), set()] and report.quarantined == 2


def test_quarantine_keeps_the_first_2000_characters_of_the_reason_and_rebuilds_the_case(ctx):
    one_case(ctx, 3)
    apply_acks(ctx, [{"event_id": e, "status": "stored", "seq": n} for n, e in enumerate(E[:3])], PushReport())
    assert projection(ctx, "c1") is None  # acknowledgements alone rebuild nothing here
    quarantine(ctx, E[2], "原因" * 1500)
    assert rows(ctx, event_id=E[2])[0].sync_error == "原因" * 1000
    assert projection(ctx, "c1")["applicant"] == {"name": "名2"}


def test_the_fault_points_sit_after_each_answer_and_after_each_batch(ctx):
    one_case(ctx)
    seen = []
    faults.arm("device-after-push-response", lambda: seen.append(
        ("answer", sum(s == "pending" for s, _ in states(ctx).values()))))
    faults.arm("device-after-push-batch", lambda: seen.append(("batch", sorted(s for s, _ in states(ctx).values()))))
    try:
        push_outbox(ctx, ScriptedServer(), batch_size=3)
    finally:
        faults.disarm()
    assert seen == [("answer", 5), ("batch", ["pending", "pending", "sent", "sent", "sent"]),
                    ("answer", 2), ("batch", ["sent"] * 5)]  # answered: not yet written down


def test_a_server_restored_from_an_older_backup_gets_every_later_event_again(ctx):
    one_case(ctx)
    write(ctx, [named("r9", "c2", "other", 9)], "remote", [50])
    apply_acks(ctx, [{"event_id": e, "status": "stored", "seq": n} for n, e in enumerate(E[:4])], PushReport())
    quarantine(ctx, E[3], "坏")
    assert reopen_lost(ctx, 4) == 0 and reopen_lost(ctx, 5) == 0  # it holds them all
    assert reopen_lost(ctx, 2) == 2  # numbers 3 (sent) and 4 (quarantined); 5 was never sent
    got = states(ctx)
    assert [got[e][0] for e in E] == ["sent", "sent", "pending", "pending", "pending"]
    assert got["r9"] == ("remote", 50)  # another device's event is not ours to send
    assert reopen_lost(ctx, 0) == 2 and reopen_lost(ctx, 0) == 0


def test_the_default_batch_is_500_events(ctx):
    me = ctx.device_id
    write(ctx, [started("s", "c1", me, 1)] + [named(f"n{k}", "c1", me, k) for k in range(2, 502)])
    server = ScriptedServer()
    push_outbox(ctx, server)
    assert [len(b) for b in server.batches] == [500, 1]


def test_events_sent_again_after_a_restore_rebuild_their_case_when_their_position_moves(ctx, monkeypatch):
    one_case(ctx)
    push_outbox(ctx, ScriptedServer())  # positions 101..105
    reopen_lost(ctx, 0)
    rebuilt = []
    real = pull.rebuild_cases
    monkeypatch.setattr(pull, "rebuild_cases", lambda c, repo, ids: rebuilt.append(set(ids)) or real(c, repo, ids))
    server = ScriptedServer()
    server.next_seq = 200
    push_outbox(ctx, server, batch_size=2)  # the first batch read alone, the next ones while one is on the wire
    assert rebuilt == [{"c1"}] * 3
    rebuilt.clear()
    reopen_lost(ctx, 0)
    server.next_seq = 200
    push_outbox(ctx, server, batch_size=2)  # the same positions again: nothing moved
    assert rebuilt == [set()] * 3


def test_quarantine_names_a_case_from_the_catalog_when_its_bundle_version_is_not_stored(ctx):
    ctx.__dict__["catalog"] = type("Catalog", (), {"get": lambda self, code: type("B", (), {"name": "目录名"})()})()
    start = started("c1-e1", "c1", ctx.device_id, 1)
    start.payload["bundle_hash"] = "not-stored"
    write(ctx, [start, named("c1-e2", "c1", ctx.device_id, 2)])
    quarantine(ctx, "c1-e2", "坏")
    with ctx.read() as session:
        from hall_app.store.models import CaseRow

        assert session.get(CaseRow, "c1").bundle_name == "目录名"


def test_two_poison_events_are_both_found_and_counted(ctx):
    one_case(ctx)
    poison = {E[1], E[3]}
    server = ScriptedServer(lambda events: SyncError("坏事件", "refused", 422)
                            if poison & {e["event_id"] for e in events} else server.store_all(events))
    report = push_outbox(ctx, server)
    assert (report.quarantined, report.sent) == (2, 3)
    assert {e for e, (s, _) in states(ctx).items() if s == "quarantined"} == poison


def test_the_oldest_unsent_events_from_the_start_of_the_outbox(ctx):
    one_case(ctx)
    apply_acks(ctx, [{"event_id": E[0], "status": "stored", "seq": 7}], PushReport())
    reopen_lost(ctx, 0)
    numbered: dict = {}
    assert [e["event_id"] for e in outbox_batch(ctx, 2, numbered)] == E[:2]
    assert numbered == {E[0]: (7, "c1")}
    assert [e["event_id"] for e in outbox_batch(ctx, 10)] == E


def test_duplicates_and_stored_events_are_counted_apart_and_an_answer_without_results_marks_nothing(ctx):
    one_case(ctx)
    report = PushReport()
    apply_acks(ctx, [{"event_id": E[0], "status": "duplicate", "seq": 1}, {"event_id": E[1], "status": "duplicate",
                     "seq": 2}, {"event_id": E[2], "status": "stored", "seq": 3}], report)
    assert (report.sent, report.duplicates) == (1, 2)
    server = ScriptedServer(lambda events: {})
    report = push_outbox(ctx, server)
    assert server.batches == [E[3:]] and report.batches == 1 and states(ctx)[E[3]] == ("pending", None)


def test_a_renumbering_that_takes_the_first_event_sends_it_again_too(ctx):
    one_case(ctx)
    ctx._server_device_seq_high = 10
    first = []

    def answer(events):
        if first:
            return server.store_all(events)
        first.append(1)
        return {"results": [{"event_id": e["event_id"], "status": "rejected", "code": "seq_taken"} for e in events]}

    server = ScriptedServer(answer)
    report = push_outbox(ctx, server)
    assert server.batches == [E, E]  # local position 1 is read again
    assert (report.renumbered, report.sent, report.batches) == (5, 5, 2)
    assert [r.device_seq for r in rows(ctx)] == [11, 12, 13, 14, 15]


def test_after_halving_the_batches_grow_back_to_the_batch_size_and_no_more(ctx):
    one_case(ctx, n=8)
    server = refusing("c1-e2")
    report = push_outbox(ctx, server, batch_size=4)
    e = [f"c1-e{k}" for k in range(1, 9)]
    assert server.batches == [e[:4], e[:2], e[:1], e[1:5], e[1:3], e[1:2], e[2:3], e[3:7], e[7:]]
    assert (report.sent, report.quarantined, report.batches, report.max_batch) == (7, 1, 4, 4)


def test_an_answer_leaves_a_quarantined_event_and_other_pending_events_as_they_were(ctx):
    one_case(ctx)
    quarantine(ctx, E[0], "坏")
    report = PushReport(renumbered=2)  # a renumbering earlier this round
    apply_acks(ctx, [{"event_id": E[0], "status": "stored", "seq": 5},
                     {"event_id": E[1], "status": "rejected", "code": "not_started", "error": "等开始"},
                     {"event_id": E[2], "status": "rejected"},
                     {"event_id": E[3], "status": "rejected", "code": "seq_taken"}], report)
    assert [(r.event_id, r.sync_state, r.server_seq, r.sync_error) for r in rows(ctx)] == [
        (E[0], "quarantined", None, "坏"),  # an acknowledgement does not undo a quarantine
        (E[1], "pending", None, "等开始"),
        (E[2], "quarantined", None, "服务器拒收"),  # refused without a reason
        (E[3], "pending", None, ""),  # the waiting reason goes to its own event only
        (E[4], "pending", None, ""),
    ]
    assert (report.renumbered, report.waiting, report.quarantined) == (5, 1, 1)  # 3 renumbered now, added


def test_an_answer_names_a_quarantined_case_from_the_catalog_when_its_bundle_version_is_not_stored(ctx):
    ctx.__dict__["catalog"] = type("Catalog", (), {"get": lambda self, code: type("B", (), {"name": "目录名"})()})()
    start = started("c1-e1", "c1", ctx.device_id, 1)
    start.payload["bundle_hash"] = "not-stored"
    write(ctx, [start, named("c1-e2", "c1", ctx.device_id, 2)])
    apply_acks(ctx, [{"event_id": "c1-e2", "status": "rejected", "error": "坏"}], PushReport())
    with ctx.read() as session:
        from hall_app.store.models import CaseRow

        assert session.get(CaseRow, "c1").bundle_name == "目录名"
