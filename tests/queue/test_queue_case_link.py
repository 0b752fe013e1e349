"""A visit at the window: the ticket served starts a case that records it, and the
finished ticket records the case (a ticket may give several cases or none)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hall_app.config import Settings
from hall_app.services.context import HallContext
from hall_app.services.demo import DemoSeeder
from hall_app.services.queue import LocalQueue, queue_path
from hall_app.services.queue_demo import seed_demo_queue
from hall_app.store.models import EventRow


def test_the_served_ticket_and_its_case_record_each_other(tmp_path):
    ctx = HallContext(Settings(db=str(tmp_path / "hall.db"), window="W03"))
    DemoSeeder(ctx)._reference_data()
    queue = ctx.queue
    assert isinstance(queue, LocalQueue) and queue.engine.url.database == str(queue_path(ctx.settings.db_path))
    seed_demo_queue(queue, ctx.now())
    ticket = queue.call_next()  # W03 is this device's window
    assert queue.start_serving().state == "serving"
    case = ctx.cases.start("newborn", "zhangli", ticket=ticket.ticket)
    with ctx.read() as session:
        started = session.scalars(select(EventRow.payload).where(EventRow.case_id == case.case_id)).one()
    assert started["ticket"] == ticket.ticket
    done = queue.finish(cases=[case.case_id])
    assert done.state == "finished"
    # (the demo morning finished other tickets before: this ticket's finish holds the case)
    assert [e.payload["cases"] for e in queue.events()
            if e.type == "queue.ticket_finished" and e.payload["ticket"] == ticket.ticket] == [[case.case_id]]
    ctx.close()


CASE_1 = "0190a3c4-0000-7000-8000-000000000001"
CASE_2 = "0190a3c4-0000-7000-8000-000000000002"
CASE_3 = "0190a3c4-0000-7000-8000-000000000003"


def test_the_link_is_an_event_that_outlives_the_window_program_and_reaches_the_finish(hall, clock):
    from queue_fixtures import at_window

    hall.open_window("W01")
    hall.issue_ticket("A")
    hall.call_next()
    hall.start_serving()
    linked = hall.link_case(CASE_1)
    assert linked.label == "A001" and linked.cases == [CASE_1]
    assert hall.link_case(CASE_1).cases == [CASE_1]  # said twice (a retry): recorded once
    assert hall.link_case(CASE_2, replaces=CASE_1).cases == [CASE_2]  # a changed bundle voided the first
    assert hall.link_case(CASE_3).cases == [CASE_2, CASE_3]
    links = [e.payload for e in hall.events() if e.type == "queue.case_linked"]
    assert [(p["case"], p.get("replaces", "")) for p in links] == [(CASE_1, ""), (CASE_2, CASE_1), (CASE_3, "")]
    restarted = at_window(hall, "W01")  # the window program started again: nothing in memory
    assert restarted.window_view().current.cases == [CASE_2, CASE_3]
    assert restarted.ticket("A001").cases == [CASE_2, CASE_3]
    clock.advance(12)
    assert restarted.finish().state == "finished"  # it names no case: the queue knows them
    finished = [e.payload for e in hall.events() if e.type == "queue.ticket_finished"]
    assert finished[-1]["cases"] == [CASE_2, CASE_3]
    restarted.close()


def test_a_case_links_only_to_a_ticket_in_service_at_that_window_and_a_refusal_writes_nothing(hall):
    from queue_fixtures import at_window

    from hall_app.domain.queue import QueueError

    hall.open_window("W01")
    hall.open_window("W02")
    hall.issue_ticket("A")
    with pytest.raises(QueueError, match="当前没有办理中的号"):
        hall.link_case(CASE_1)  # nothing at the window
    hall.call_next()
    with pytest.raises(QueueError, match="不在本窗口办理中"):
        hall.link_case(CASE_1)  # called, not yet in service
    hall.start_serving()
    w2 = at_window(hall, "W02")
    with pytest.raises(QueueError, match="不在本窗口办理中"):
        w2.link_case(CASE_1, ref="A001")  # another window's visit
    with pytest.raises(QueueError) as scope:
        w2.link_case(CASE_1, window="W01")  # a window device acts for its own window only
    assert scope.value.code == "scope"
    kiosk = at_window(hall, "", kind="kiosk")
    with pytest.raises(QueueError):
        kiosk.link_case(CASE_1, window="W01")
    with pytest.raises(QueueError):
        hall.link_case("")
    assert not [e for e in hall.events() if e.type == "queue.case_linked"]
    w2.close()
    kiosk.close()


def test_service_time_per_case_is_computed_from_the_queue_events(hall, clock):
    from hall_app.domain.queue_replay import case_visits

    hall.open_window("W01")
    hall.issue_ticket("A")
    hall.issue_ticket("A")
    hall.call_next()
    hall.start_serving()
    hall.link_case(CASE_1)
    hall.link_case(CASE_2)
    clock.advance(20)
    hall.finish()
    hall.call_next()
    hall.start_serving()
    clock.advance(6)
    hall.finish(cases=[CASE_3])  # linked only at the finish (the link was lost offline)
    visits = case_visits(hall.events())
    assert {c: (v.label, v.service_minutes, v.cases_in_visit) for c, v in visits.items()} == {
        CASE_1: ("A001", 20.0, 2), CASE_2: ("A001", 20.0, 2), CASE_3: ("A002", 6.0, 1)}
