"""Pull, driven against a scripted feed (no HTTP, no PostgreSQL): which rows are read,
how the cursor moves, what an event that comes back changes, and bundle rows."""

from __future__ import annotations

import pytest
from local_kit import TIME, device, named, one_case, projection, rows, started, states, write

from hall_app.domain.events import Event
from hall_app.store.models import BundleVersion, Device
from hall_app.sync import faults, pull
from hall_app.sync.pull import (
    PullReport,
    apply_page,
    bundle_name,
    cursor,
    pull_feed,
    readable_events,
    rebuild_cases,
    set_cursor,
)


def item(event: Event, seq: int) -> dict:
    return {"seq": seq, "kind": "event", "event": event.to_dict()}


GOOD = started("r1", "c9", "B", 1).to_dict()


@pytest.mark.parametrize(("row", "skipped"), [
    ({"seq": 4, "kind": "event", "event": GOOD}, None),
    ({"seq": "4", "kind": "event", "event": GOOD | {"device_seq": 0}}, None),
    ({"seq": 4, "kind": "event", "event": GOOD | {"device_seq": 2**63 - 1}}, None),
    ({"seq": 4, "kind": "event", "event": GOOD | {"payload": None}}, None),
    ("not a row", ""), (None, ""), ({"seq": 4, "kind": "bundle", "event": GOOD}, ""), ({"seq": 4, "event": GOOD}, ""),
    ({"seq": 4, "kind": "event"}, "第 4 条无法读取：KeyError"),
    ({"seq": 5, "kind": "event", "event": GOOD | {"device_seq": -1}}, "第 5 条无法读取：ValueError"),
    ({"seq": 5, "kind": "event", "event": GOOD | {"device_seq": 2**63}}, "第 5 条无法读取：ValueError"),
    *[({"seq": 6, "kind": "event", "event": GOOD | {key: 7}}, "第 6 条无法读取：ValueError")
      for key in ("event_id", "case_id", "device_id", "actor", "type", "device_time")],
    ({"kind": "event", "event": GOOD}, "第 None 条无法读取：KeyError"),
    ({"seq": "12345678901234567890123", "kind": "event", "event": GOOD | {"device_seq": "x"}},
     "第 12345678901234567890 条无法读取：ValueError"),
    ({"seq": "x", "kind": "event", "event": GOOD}, "第 x 条无法读取：ValueError"),
])
def test_which_feed_rows_are_read_skipped_quietly_or_reported(row, skipped):
    report = PullReport()
    got = readable_events([row], report)
    if skipped is None:
        assert [(seq, e.event_id) for seq, e in got] == [(4, "r1")] and report.skipped == []
        assert got[0][1] == Event.from_dict(row["event"])
    else:
        assert got == [] and report.skipped == ([skipped] if skipped else [])


class Feed:
    def __init__(self, pages):
        self.pages, self.calls = pages, []

    def pull(self, after, limit, *own):
        self.calls.append((after, limit, *own))
        return self.pages[len(self.calls) - 1]


def test_the_feed_is_read_page_by_page_to_its_end_and_the_cursor_follows(ctx):
    feed = Feed([{"items": [item(started("r1", "c9", "B", 1), 3)], "next": 3, "more": True},
                 {"items": [item(named("r2", "c9", "B", 2), 7)], "next": 7, "more": False}])
    write(ctx, [])
    report = pull_feed(ctx, feed, page_size=50)
    assert feed.calls == [(0, 50), (3, 50)] and cursor(ctx) == 7
    assert device(ctx).last_seq == 0  # other devices' events leave this device's counter alone
    assert (report.pages, report.received, report.applied, report.cases) == (2, 2, 2, 2)
    assert projection(ctx, "c9")["applicant"] == {"name": "刘洋"}
    feed = Feed([{"items": []}])
    assert pull_feed(ctx, feed, own=True).pages == 1 and feed.calls == [(7, 500, True)] and cursor(ctx) == 7


def test_new_bundles_reload_the_catalog(ctx):
    reloads = []
    ctx.__dict__["catalog_service"] = type("Catalog", (), {"reload": lambda self: reloads.append(1)})()
    bundle = {"kind": "bundle", "event": {"payload": {"code": "b", "content_hash": "h", "version": "3",
                                                      "data": {"name": "x"}}}}
    pull_feed(ctx, Feed([{"next": 1}]))  # a page without items
    assert reloads == [] and cursor(ctx) == 1
    report = pull_feed(ctx, Feed([{"items": [bundle], "next": 2}]))
    assert reloads == [1] and report.bundles == 1
    with ctx.read() as session:
        row = session.get(BundleVersion, ("b", "h"))
        assert (row.version, row.data, row.published_at) == (3, {"name": "x"}, "")


def test_a_bad_bundle_row_is_reported_and_the_page_goes_on(ctx):
    write(ctx, [])  # the case's bundle version is stored: no catalog needed
    bad = {"kind": "bundle", "event": {"payload": {"code": "b", "content_hash": "h", "data": {}}}}
    good = {"kind": "bundle", "event": {"payload": {"code": "b", "content_hash": "h2", "version": 1, "data": {},
                                                    "published_at": "2026-11-01"}}}
    report = PullReport()
    apply_page(ctx, [bad, good, good, item(started("r1", "c9", "B", 1), 4), {"seq": 3, "kind": "event"}], 4, report)
    assert report.skipped == ["第 3 条无法读取：KeyError", "套餐数据无法读取：KeyError"]
    assert report.bundles == 1 and report.applied == 1
    with ctx.read() as session:
        assert session.get(BundleVersion, ("b", "h")) is None
        assert session.get(BundleVersion, ("b", "h2")).published_at == "2026-11-01"
    assert cursor(ctx) == 4


def test_what_a_known_event_coming_back_changes(ctx, monkeypatch):
    me = ctx.device_id
    write(ctx, [started("p1", "c1", me, 1)])  # pending: its answer was lost
    write(ctx, [named("s1", "c2", me, 2)], "sent", [10])  # sent, now at a new position
    write(ctx, [named("s2", "c3", me, 3)], "sent", [11])  # sent, same position
    write(ctx, [named("r1", "c4", "B", 1)], "remote", [12])  # remote, renumbered
    write(ctx, [named("q1", "c5", me, 4)], "quarantined")
    write(ctx, [named("n1", "c6", me, 5)], "sent")  # sent, never given a position
    rebuilt = []
    monkeypatch.setattr(pull, "rebuild_cases", lambda c, repo, ids: rebuilt.append(set(ids)) or 0)
    report = PullReport()
    apply_page(ctx, [item(named(e, "x", "B", 9), seq) for e, seq in
                     (("p1", 20), ("s1", 21), ("s2", 11), ("r1", 22), ("q1", 23), ("n1", 24))], 24, report)
    assert states(ctx) == {"p1": ("sent", 20), "s1": ("sent", 21), "s2": ("sent", 11), "r1": ("remote", 22),
                           "q1": ("quarantined", None), "n1": ("sent", 24)}
    assert rebuilt == [{"c1", "c2", "c4"}]
    assert (report.received, report.applied) == (6, 0)


def test_a_pending_event_coming_back_loses_its_waiting_reason(ctx):
    write(ctx, [started("p1", "c1", ctx.device_id, 1)])
    with ctx.Session.begin() as session:
        session.execute(pull.update(pull.EventRow).values(sync_error="等待案件开始"))
    apply_page(ctx, [item(started("p1", "c1", ctx.device_id, 1), 5)], 5, PullReport())
    assert rows(ctx)[0].sync_error == "" and projection(ctx, "c1")["tracking_code"] == "K7P9M2QTX4RH"


def test_own_events_from_before_a_restore_raise_the_counter_never_lower_it(ctx):
    me = ctx.device_id
    one_case(ctx, 3)  # numbers 1..3
    write(ctx, [named("b-7", "c1", "B", 7)], "remote", [1])  # another device's number 7 is not ours
    report = PullReport()
    apply_page(ctx, [item(named("old-2", "c1", me, 2), 4), item(named("lost-7", "c1", me, 7), 5),
                     item(named("lost-6", "c1", me, 6), 6), item(named("b-9", "c1", "B", 9), 7)], 7, report)
    assert "old-2" not in states(ctx) and states(ctx)["lost-7"] == ("sent", 5) and states(ctx)["b-9"] == ("remote", 7)
    assert device(ctx).last_seq == 7 and report.applied == 3 and report.received == 4
    apply_page(ctx, [item(named("lost-5", "c1", me, 5), 8)], 8, PullReport())
    assert device(ctx).last_seq == 7 and states(ctx)["lost-5"] == ("sent", 8)


def test_a_page_is_one_transaction_and_the_failpoint_sits_half_way(ctx):
    fired = []
    faults.arm("device-mid-pull-page", lambda: fired.append(1))
    try:
        apply_page(ctx, [item(started("r1", "c9", "B", 1), 1)], 1, PullReport())
        assert fired == []
        report = PullReport()
        faults.arm("device-mid-pull-page", lambda: fired.append(report.received))
        apply_page(ctx, [item(named(f"r{k}", "c9", "B", k), k) for k in range(2, 7)], 6, report)
        assert fired == [2]  # once, after the first half (2 of 5) is flushed

        def crash():
            raise RuntimeError("killed")

        faults.arm("device-mid-pull-page", crash)
        with pytest.raises(RuntimeError):
            apply_page(ctx, [item(named(f"r{k}", "c9", "B", k), k) for k in range(7, 11)], 10, PullReport())
    finally:
        faults.disarm()
    assert cursor(ctx) == 6 and len(rows(ctx)) == 6


def test_a_case_whose_start_has_not_arrived_gets_no_projection(ctx):
    write(ctx, [named("r2", "c9", "B", 2)], "remote", [2])
    report = PullReport()
    apply_page(ctx, [], 2, report)
    with ctx.Session.begin() as session:
        from hall_app.store.repository import CaseRepository

        assert rebuild_cases(ctx, CaseRepository(session), {"c9"}) == 0
    assert projection(ctx, "c9") is None
    write(ctx, [started("r1", "c9", "B", 1), started("r5", "c5", "B", 5, "K7P9M2QTX4RJ")], "remote", [3, 4])
    with ctx.Session.begin() as session:
        assert rebuild_cases(ctx, CaseRepository(session), ["c8", "c9", "c5"]) == 2  # c8 has no start: passed over
    assert projection(ctx, "c9")["applicant"] == {"name": "刘洋"}
    with ctx.read() as session:
        from hall_app.store.models import CaseRow

        assert session.get(CaseRow, "c9").bundle_name == "新生儿出生"


class State:
    def __init__(self, code="newborn", digest=""):
        self.bundle_code, self.bundle_hash = code, digest


def test_the_bundle_name_comes_from_the_stored_version_then_the_catalog(ctx):
    class Catalog:
        def get(self, code):
            if code == "boom":
                raise KeyError(code)
            return type("B", (), {"name": "名" * 120})() if code == "long" else None

    ctx.__dict__["catalog"] = Catalog()
    with ctx.Session.begin() as session:
        session.add(BundleVersion(code="x", content_hash="h", version=1, data={"name": "长" * 150}, published_at=""))
        session.add(BundleVersion(code="x", content_hash="e", version=2, data={}, published_at=""))
        session.add(BundleVersion(code="x", content_hash="n", version=3, data=None, published_at=""))
        session.add(BundleVersion(code="long", content_hash="", version=1, data={"name": "无"}, published_at=""))
    with ctx.read() as session:
        got = [bundle_name(ctx, session, State(c, h)) for c, h in
               (("x", "h"), ("x", "e"), ("x", "n"), ("long", ""), ("long", "missing"), ("none", ""), ("boom", ""))]
    assert got == ["长" * 100, "", "", "名" * 100, "名" * 100, "", ""]


def test_the_cursor_is_kept_on_the_device_row(ctx):
    assert cursor(ctx) == 0
    set_cursor(ctx, 42)
    assert cursor(ctx) == 42
    with ctx.read() as session:
        assert session.get(Device, ctx.device_id).pull_cursor == 42


def test_a_pulled_case_without_a_stored_bundle_version_is_named_from_the_catalog(ctx):
    ctx.__dict__["catalog"] = type("Catalog", (), {"get": lambda self, code: type("B", (), {"name": "目录名"})()})()
    start = started("r1", "c9", "B", 1)
    start.payload["bundle_hash"] = "not-stored"
    apply_page(ctx, [item(start, 1)], 1, PullReport())
    with ctx.read() as session:
        from hall_app.store.models import CaseRow

        assert session.get(CaseRow, "c9").bundle_name == "目录名"


def authorisation(auth_id: str, **changes) -> dict:
    return {"auth_id": auth_id, "principal_id": "110101195001010011", "principal_name": "王五", "agent": "agent1",
            "agent_name": "李代办", "relation": "子女", "bundles": ["newborn"], "valid_from": "2026-11-01",
            "valid_until": "2027-10-31"} | changes


def test_register_entries_are_merged_and_counted_not_built_as_cases(ctx, monkeypatch):
    rebuilt = []
    real = pull.rebuild_cases
    monkeypatch.setattr(pull, "rebuild_cases", lambda c, repo, ids: rebuilt.append(set(ids)) or real(c, repo, ids))

    def entry(n, auth_id, **changes):
        return item(Event(f"a{n}", auth_id, "B", n, "agent1", "register.authorisation_saved",
                          {"authorisation": authorisation(auth_id, **changes)}, TIME.format(n)), n)

    report = PullReport()
    apply_page(ctx, [entry(1, "au1"), entry(2, "au2"), entry(3, "au1", relation="配偶"), entry(4, "au2")], 4, report)
    assert (report.register, report.applied, report.cases) == (3, 4, 0) and rebuilt == [set()]
    with ctx.read() as session:
        from hall_app.store.models import AuthorisationRow

        assert session.get(AuthorisationRow, "au1").relation == "配偶"
