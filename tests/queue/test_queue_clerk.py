"""A window's acts through the central server are recorded as the clerk signed in at
that window (the device sends ``X-Hall-User``), not as "window"; the server checks what
it can (the device kind, the name) and old events, recorded as "window", still read."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from queue_fixtures import set_up_hall
from sqlalchemy import update

from hall_app.domain.queue import QueueError
from hall_app.server import auth
from hall_app.server.app import create_app
from hall_app.server.db import open_engine
from hall_app.services.queue_http import HttpQueue

CLERK = "张敏"


@pytest.fixture
def server_app(tmp_path, clock):
    engine = open_engine(str(tmp_path / "server.db"))
    app = create_app(engine, queue_clock=clock)
    yield engine, app
    engine.dispose()


def device(server_app, scope: str, window: str = "", user: str = "") -> HttpQueue:
    engine, app = server_app
    _info, token = auth.enroll(engine, auth.make_enrollment_code(engine, scope), scope.replace("/", "-"))
    return HttpQueue("http://testserver", token, window=window, client=TestClient(app), user=user)


def visit(w1: HttpQueue, kiosk: HttpQueue) -> str:
    kiosk.issue_ticket("A")
    ticket = w1.call_next().ticket
    w1.start_serving()
    w1.finish()
    return ticket


def test_window_acts_over_http_are_the_signed_in_clerks(server_app):
    hall = device(server_app, "hall:JJ01")
    set_up_hall(hall)
    w1 = device(server_app, "window:JJ01/W01", "W01", user=CLERK)
    kiosk = device(server_app, "kiosk:JJ01/K1", user=CLERK)  # a kiosk has no clerk: ignored
    w1.open_window()
    ticket = visit(w1, kiosk)
    mine = [e for e in hall.events() if e.payload.get("ticket") == ticket or e.type == "queue.window_opened"]
    actors = {e.type: e.actor for e in mine}
    assert actors == {"queue.window_opened": CLERK, "queue.ticket_issued": "kiosk", "queue.ticket_called": CLERK,
                      "queue.serving_started": CLERK, "queue.ticket_finished": CLERK}
    assert {e.device_id for e in mine if e.actor == CLERK} == {"window:JJ01-W01"}  # and from which device
    # what the figures per clerk read: the rate pad's visit and the live hall's window
    assert hall.last_visit("W01").clerk == CLERK
    assert [w.clerk for w in hall.live().windows if w.window == "W01"] == [CLERK]


def test_without_a_clerk_and_old_events_still_read(server_app):
    """A window device with nobody named records "window", as every event before did;
    such events read as no clerk (a device, not a person)."""
    hall = device(server_app, "hall:JJ01")
    set_up_hall(hall)
    w1, kiosk = device(server_app, "window:JJ01/W01", "W01"), device(server_app, "kiosk:JJ01/K1")
    w1.open_window()
    ticket = visit(w1, kiosk)
    assert {e.actor for e in hall.events() if e.payload.get("ticket") == ticket and e.type != "queue.ticket_issued"} \
        == {"window"}
    assert hall.last_visit("W01").clerk == ""


@pytest.mark.parametrize("name", ["window", "kiosk", "x" * 65, "a\tb"])
def test_a_name_the_server_cannot_take_is_refused_and_changes_nothing(server_app, name):
    hall = device(server_app, "hall:JJ01")
    set_up_hall(hall)
    bad = device(server_app, "window:JJ01/W01", "W01", user=name)
    before = len(hall.events())
    with pytest.raises(QueueError, match="登录用户名") as refused:
        bad.open_window()
    assert refused.value.status == 422 and refused.value.code == "invalid"
    assert len(hall.events()) == before and hall.window_view("W01").state == "closed"


def test_an_undecodable_name_is_refused(server_app):
    hall = device(server_app, "hall:JJ01")
    set_up_hall(hall)
    w1 = device(server_app, "window:JJ01/W01", "W01")
    w1._http.headers["X-Hall-User"] = "%FF%FE"
    with pytest.raises(QueueError, match="UTF-8"):
        w1.open_window()


def test_open_queue_sends_the_signed_in_clerk_to_the_server(ctx):
    """The workbench opens its queue with the signed-in user (screens/window_queue.py);
    an enrolled device's HttpQueue carries that name on every request."""
    from hall_app.services.queue import open_queue
    from hall_app.store.models import Device

    with ctx.Session.begin() as session:
        session.execute(update(Device).values(server_url="http://127.0.0.1:9", token="hat_x"))
    queue = open_queue(ctx, kind="window", user=CLERK, window="W01")
    try:
        assert isinstance(queue, HttpQueue)
        assert queue._http.headers["X-Hall-User"] == "%E5%BC%A0%E6%95%8F"
    finally:
        queue.close()
