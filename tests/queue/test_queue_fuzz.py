"""Odd input at every queue endpoint (NUL, 𠮷, emoji, control characters, wrong types,
very long text, multi-line paste): a 4xx with a message, never a 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from queue_fixtures import set_up_hall

from hall_app.server import auth
from hall_app.server.app import create_app
from hall_app.server.db import open_engine
from hall_app.services.queue_http import HttpQueue

ODD = ["", "\x00", "𠮷", "😀", "A\x07", "第一行\n第二行", "Ａ００１", "A" * 5000, "../../etc", "%00", " "]
BODIES = {
    "/v1/queue/tickets": ["line", "priority", "id_number", "name"],
    "/v1/queue/checkin": ["code"],
    "/v1/queue/windows/W01/call": ["ref"],
    "/v1/queue/windows/W01/act": ["action", "ref", "to_line", "to_window"],
    "/v1/queue/windows/W01/state": ["action"],
    "/v1/queue/appointments": ["line", "day", "slot", "name", "id_number", "phone"],
    "/v1/queue/blocks": ["line", "day"],
    "/v1/queue/close-day": ["day"],
}
PATHS = ["/v1/queue/tickets/{x}", "/v1/queue/windows/{x}", "/v1/queue/windows/{x}/call-next",
         "/v1/queue/tickets/{x}/leave", "/v1/queue/appointments/{x}/cancel", "/q/{x}", "/q/{x}.json"]


@pytest.fixture
def client(tmp_path, clock):
    engine = open_engine(str(tmp_path / "server.db"))
    app = create_app(engine, queue_clock=clock)
    _info, token = auth.enroll(engine, auth.make_enrollment_code(engine, "hall:JJ01"), "hall-1")
    http = TestClient(app)
    queue = HttpQueue("http://testserver", token, client=http)
    set_up_hall(queue)
    queue.open_window("W01")
    queue.issue_ticket("A")
    yield http, queue
    engine.dispose()


def test_odd_input_never_breaks_the_queue(client):
    http, queue = client
    before = len(queue.events())
    for path, keys in BODIES.items():
        for key in keys:
            for value in [*ODD, 12, None, ["A"], {"a": 1}, True]:
                answer = http.post(path, json={"line": "A", "action": "finish", "day": "2026-12-02",
                                               "slot": "10:00", "code": "1", "ref": "A001"} | {key: value})
                assert answer.status_code < 500, (path, key, value, answer.text)
                if answer.status_code >= 400:
                    assert answer.json()["detail"], (path, key, value)
    for pattern in PATHS:
        for value in ODD[1:]:
            method = "GET" if not pattern.endswith(("call-next", "leave", "cancel")) else "POST"
            answer = http.request(method, pattern.replace("{x}", quote(value, safe="")), json={})
            assert answer.status_code < 500, (pattern, value, answer.text)
    answer = http.post("/v1/queue/offline", json={"tickets": [{"ticket": "\x00", "number": "x"}, 5, None]})
    assert answer.status_code < 500
    events = queue.events()
    assert [e.seq for e in events] == sorted({e.seq for e in events})  # the log is whole and in order
    assert len(events) >= before
