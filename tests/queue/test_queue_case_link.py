"""A visit at the window: the ticket served starts a case that records it, and the
finished ticket records the case (a ticket may give several cases or none)."""

from __future__ import annotations

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
