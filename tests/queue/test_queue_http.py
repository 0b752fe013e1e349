"""The device-side HttpQueue against the real server app (in process, SQLite): every
operation of the API answers the same views as the embedded queue, and refusals keep
their Chinese message and kind."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from queue_fixtures import set_up_hall

from hall_app.domain.queue import QueueError, QueueOffline
from hall_app.server import auth
from hall_app.server.app import create_app
from hall_app.server.db import open_engine
from hall_app.services.demo import LIU_YANG
from hall_app.services.queue_http import HttpQueue


@pytest.fixture
def devices(tmp_path, clock):
    engine = open_engine(str(tmp_path / "server.db"))
    app = create_app(engine, queue_clock=clock)

    def device(scope: str, window: str = "") -> HttpQueue:
        _info, token = auth.enroll(engine, auth.make_enrollment_code(engine, scope), scope.replace("/", "-"))
        return HttpQueue("http://testserver", token, window=window, client=TestClient(app))

    hall = device("hall:JJ01")
    set_up_hall(hall)
    yield {"hall": hall, "w1": device("window:JJ01/W01", "W01"), "w3": device("window:JJ01/W03", "W03"),
           "kiosk": device("kiosk:JJ01/K1"), "display": device("display:JJ01/D1")}
    engine.dispose()


def test_every_operation_over_http(devices, clock):
    hall, w1, w3, kiosk, display = (devices[k] for k in ("hall", "w1", "w3", "kiosk", "display"))
    assert [x.prefix for x in kiosk.lines()] == ["A", "B", "C"]
    w1.open_window()
    a = kiosk.issue_ticket("A", priority="老年人")
    assert a.label == "A001" and a.priority == "老年人" and a.estimate_minutes == 0.0
    booked = hall.book_appointment("personal", "2026-12-01", "09:00", name="刘洋", id_number=LIU_YANG)
    assert [x.code for x in w1.appointments("2026-12-01")] == [booked.code]
    checked = kiosk.check_in(booked.code)
    assert "按预约时段排队" in checked.message and checked.id_number == LIU_YANG
    assert [t.label for t in w1.waiting()] == ["A001", "A002"]
    assert w1.call_next().label == "A001"
    assert w1.recall().calls == 2
    assert w1.start_serving().state == "serving"
    assert w1.hold().state == "held" and [t.label for t in w1.window_view().held] == ["A001"]
    assert w1.call_ticket("A001").state == "called"
    moved = w1.transfer(to_line="firm")
    assert moved.line == "firm" and moved.state == "waiting"
    assert w1.call_next().label == "A002"
    w1.start_serving()
    assert w1.finish(cases=["c-1"]).state == "finished"
    assert w1.pause_window().state == "paused"
    with pytest.raises(QueueError, match="请先开放窗口") as refused:
        w1.call_next()
    assert refused.value.code == "refused" and refused.value.status == 409
    w1.open_window()
    switched = w3.switch_window("personal:1,firm:2")
    assert switched.skills == {"personal": 1, "firm": 2}
    assert w3.switch_window(None).skills == {"firm": 1}
    assert hall.import_appointments("日期,时段,业务\n2026-12-02,10:00,A\n").imported == 1
    assert hall.cancel_appointment(hall.appointments("2026-12-02")[0].code).state == "cancelled"
    board = display.board()
    assert board.calls[0].label == "A002" and display.board(after=board.seq).changed is False
    assert display.position(a.ticket).state == "waiting"
    assert display.position("NOSUCH") is None
    assert hall.leave("A001").state == "left"
    assert isinstance(hall.suggestions(), list)
    assert [e.seq for e in hall.events()] == sorted(e.seq for e in hall.events())
    block = kiosk.reserve_block("A", size=3)
    assert (block.start, block.end) == (997, 999)
    assert kiosk.upload_offline([]) == []
    assert hall.close_day()["expired"] == 0
    with pytest.raises(QueueError, match="叫号屏") as refused:
        display.issue_ticket("A")
    assert refused.value.code == "scope" and refused.value.status == 403


def test_server_away_is_queue_offline():
    away = HttpQueue("http://127.0.0.1:9", "hat_x", window="W01", timeout=0.5)
    with pytest.raises(QueueOffline, match="无法连接排队服务器"):
        away.call_next()


def test_a_window_links_its_case_over_http_and_only_for_itself(devices):
    hall, w1, w3, kiosk, display = (devices[k] for k in ("hall", "w1", "w3", "kiosk", "display"))
    case = "0190a3c4-0000-7000-8000-000000000001"
    w1.open_window()
    kiosk.issue_ticket("A")
    w1.call_next()
    w1.start_serving()
    for other in (w3, kiosk, display):
        with pytest.raises(QueueError) as refused:
            other.link_case(case, window="W01")
        assert refused.value.status == 403
    assert w1.link_case(case).cases == [case]
    assert w1.window_view().current.cases == [case]
    assert display.window_view("W01").current.cases == []  # the display reads no case ids
    assert w1.finish().state == "finished"
    assert [e.payload["cases"] for e in hall.events() if e.type == "queue.ticket_finished"] == [[case]]
