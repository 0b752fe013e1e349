"""Call next takes its ticket a bucket at a time through the index (server/queue_pick.py):
the same ticket the one ordering of every waiting row by rank, kind and place gives."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import case, select

from hall_app.domain import queue as q
from hall_app.server.queue_models import queue_tickets
from hall_app.server.queue_pick import buckets, pick_next


def test_buckets_go_by_rank_then_the_preferred_kind():
    assert buckets({"firm": 2, "personal": 1, "estate": 2}, True) == [
        (["personal"], True), (["personal"], False), (["estate", "firm"], True), (["estate", "firm"], False)]
    assert buckets({"personal": 1}, False) == [(["personal"], False), (["personal"], True)]


def reference(conn, hall, day, window, skills, prefer):
    """Every waiting row of the window's lines ordered by rank, kind, place (the old statement)."""
    c = queue_tickets.c
    rank = case(dict(skills), value=c.line, else_=99)
    kind = case((c.is_priority == prefer, 0), else_=1)
    return conn.execute(select(queue_tickets).where(
        c.hall == hall, c.day == day, c.state == q.WAITING, c.line.in_(list(skills)),
        c.target_window.in_(("", window))).order_by(rank, kind, c.sort_at, c.issued_at, c.number).limit(1)).first()


@pytest.mark.parametrize("seed", range(6))
def test_the_index_pick_is_the_full_ordering(hall, clock, seed):
    same_as_the_full_ordering(hall, clock, seed)


@pytest.mark.postgres
@pytest.mark.parametrize("seed", range(3))
def test_the_index_pick_is_the_full_ordering_on_postgresql(server_engine, clock, seed):
    from queue_fixtures import set_up_hall

    from hall_app.services.queue import LocalQueue

    hall = LocalQueue("", hall="JJ01", window="W01", clock=clock, engine=server_engine)
    set_up_hall(hall)
    same_as_the_full_ordering(hall, clock, seed)


@pytest.mark.postgres
def test_a_ticket_being_taken_is_skipped_and_only_the_ticket_returned_is_locked(server_engine, clock):
    """Two windows at once on PostgreSQL: the second gets the next ticket, not a wait and
    not the same one; the buckets after the one that answered lock nothing."""
    from queue_fixtures import set_up_hall

    from hall_app.services.queue import LocalQueue

    hall = LocalQueue("", hall="JJ01", window="W01", clock=clock, engine=server_engine)
    set_up_hall(hall)
    for line in ("personal", "personal", "firm"):
        hall.issue_ticket(line)
    _now, _at, day = hall.store.now()
    skills = {"personal": 1, "firm": 2}
    with server_engine.begin() as first, server_engine.begin() as second:
        a = pick_next(first, "JJ01", day, "W01", skills, False)
        b = pick_next(second, "JJ01", day, "W02", skills, False)
        assert (a.number, a.line, b.number, b.line) == (1, "personal", 2, "personal")
        third = pick_next(second, "JJ01", day, "W03", {"firm": 1}, False)
        assert third is not None and third.line == "firm"  # the firm ticket was never locked by the first two


def same_as_the_full_ordering(hall, clock, seed):
    rnd = random.Random(seed)
    for window in ("W01", "W02", "W03"):
        hall.open_window(window)
    for _ in range(60):
        clock.advance(rnd.choice([0, 0.5, 1]))  # some issued in the same instant: the number decides
        ticket = hall.issue_ticket(rnd.choice(["personal", "firm", "estate"]),
                                   priority=rnd.choice(["", "", "老年人"]))
        if rnd.random() < 0.15:  # sent to a window (it keeps its place)
            hall.call_ticket(ticket.label, window="W02")
            hall.transfer(ticket.label, to_window=rnd.choice(["W01", "W03"]), window="W02")
    _now, _at, day = hall.store.now()
    skill_sets = [{"personal": 1}, {"personal": 1, "firm": 2}, {"firm": 1, "estate": 1, "personal": 2},
                  {"estate": 3, "personal": 1}]
    with hall.engine.connect() as conn:
        for window in ("W01", "W02", "W03"):
            for skills in skill_sets:
                for prefer in (True, False):
                    want = reference(conn, "JJ01", day, window, skills, prefer)
                    got = pick_next(conn, "JJ01", day, window, skills, prefer)
                    assert (got.ticket if got else None) == (want.ticket if want else None), (window, skills, prefer)


def plan_nodes(plan: dict) -> list[dict]:
    """Every node of an EXPLAIN (FORMAT JSON) plan, depth first."""
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes += plan_nodes(child)
    return nodes


@pytest.mark.postgres
@pytest.mark.parametrize("analyzed", [False, True], ids=["fresh-table", "analyzed"])
def test_the_pick_reads_one_index_entry_however_many_share_a_sort_time(server_engine, clock, analyzed):
    """A busy hall: 600 waiting tickets issued in the same instant (one sort time, as a
    batch of appointments placed at one slot time). The pick walks the index in the whole
    calling order (sort time, issue time, number: migration s0031_q12) and reads the one
    entry it returns — no sort of the waiting tickets, whether PostgreSQL has statistics
    for the table yet or not. (With the index ending at the sort time it sorted all 600
    before the statistics, and every ticket sharing the first one's time after.)"""
    import json

    from queue_fixtures import set_up_hall
    from sqlalchemy import text
    from sqlalchemy.dialects import postgresql

    from hall_app.server.queue_pick import pick_params, pick_statement
    from hall_app.server.queue_store import Actor
    from hall_app.services.queue import LocalQueue

    hall = LocalQueue("", hall="JJ01", window="W01", clock=clock, engine=server_engine)
    set_up_hall(hall)
    with server_engine.begin() as conn:
        for _ in range(600):
            hall.store.issue(Actor("hall", "JJ01"), "personal", conn=conn)
    _now, _at, day = hall.store.now()
    statement = pick_statement({"personal": 1}, False)
    sql = statement.compile(dialect=postgresql.psycopg.dialect())  # type: ignore[attr-defined]
    with server_engine.begin() as conn:
        if analyzed:
            conn.execute(text("ANALYZE queue_tickets"))
        raw = conn.connection.driver_connection
        params = dict(sql.params) | pick_params("JJ01", day, "W01")
        plan = json.loads(json.dumps(raw.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + str(sql), params).fetchone()[0]))
    nodes = plan_nodes(plan[0]["Plan"])
    assert not [n["Node Type"] for n in nodes if "Sort" in n["Node Type"]], nodes
    scans = [n for n in nodes if n["Node Type"] == "Index Scan" and n.get("Actual Loops", 0) > 0]
    assert scans and scans[0]["Index Name"] == "ix_queue_tickets_waiting"
    assert scans[0]["Actual Rows"] == 1

