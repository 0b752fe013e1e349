"""The window's "call next" on PostgreSQL is answered by the request guard on psycopg's
async pool (hall_app/server/queue_hot.py, queue_fast.py). Every answer it gives — each
refusal and each success — is the one the FastAPI route on the SQLAlchemy path gives:
the same requests are sent to two servers, one with the fast path and one without
(``HALL_QUEUE_FAST=0``), over two identical halls, and compared."""

from __future__ import annotations

import json
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient
from harness import pg_schema
from queue_fixtures import Clock, set_up_hall

from hall_app.server import auth, queue_fast
from hall_app.server.app import create_app
from hall_app.server.db import open_engine
from hall_app.server.queue_rows import Actor
from hall_app.services.queue import LocalQueue

pytestmark = pytest.mark.postgres

SCOPES = {"w1": "window:JJ01/W01", "w2": "window:JJ01/W02", "hall": "hall:JJ01", "kiosk": "kiosk:JJ01/K1",
          "display": "display:JJ01/D1", "other_hall": "window:JJ02/W01"}

# (token, window in the path, X-Hall-User or None); in this order, on a hall with one
# waiting ticket, W01 and W02 open, W03 closed
REQUESTS = [
    ("kiosk", "W01", None),  # a kiosk may only issue tickets: 403
    ("display", "W01", None),  # a display only reads: 403
    ("w1", "W02", None),  # a window calls for its own window only: 403
    ("other_hall", "W01", None),  # another hall's window: its hall has no W01
    ("hall", "NOPE", None),  # no such window: 404
    ("hall", "%E4%B8%80%E5%8F%B7", None),  # 一号 (percent-encoded): 404
    ("hall", "W03", None),  # closed: 409
    ("w1", "W01", "%FF"),  # a clerk's name that is not UTF-8: 422
    ("w1", "W01", "kiosk"),  # a clerk named like a device kind: 422
    ("w1", "W01", "%E5%BC%A0%E6%95%8F"),  # 张敏 calls the one waiting ticket: 200
    ("w1", "W01", "%E5%BC%A0%E6%95%8F"),  # a double press: 409
    ("w2", "W02", None),  # nobody waits any more: 409
    ("hall", "W02", None),  # the same, by the hall's device
]


def hall_on(url: str, clock: Clock):
    engine = open_engine(url, pool_size=4)
    hall = LocalQueue("", hall="JJ01", engine=engine, clock=clock)
    set_up_hall(hall)
    hall.open_window("W01")
    hall.open_window("W02")
    hall.issue_ticket("A")
    tokens = {name: auth.enroll(engine, auth.make_enrollment_code(engine, scope), f"dev-{name}")[1]
              for name, scope in SCOPES.items()}
    return engine, hall, tokens


def comparable(response) -> tuple:
    body = response.json()
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k != "ticket"}  # a random id, different in each database
    headers = {k: v for k, v in response.headers.items() if k in ("content-type", "x-queue-code")}
    return response.status_code, body, headers


def send_all(client: TestClient, tokens: dict[str, str]) -> list[tuple]:
    out = []
    for who, window, user in REQUESTS:
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        if user is not None:
            headers["X-Hall-User"] = user
        out.append(comparable(client.post(f"/v1/queue/windows/{window}/call-next", headers=headers)))
    return out


def test_the_guards_call_next_answers_as_the_fastapi_route(monkeypatch):
    taken: list[str] = []
    real = queue_fast.FastQueue.call_next

    async def counted(self, actor, window):
        taken.append(window)
        return await real(self, actor, window)

    monkeypatch.setattr(queue_fast.FastQueue, "call_next", counted)
    with ExitStack() as stack:
        answers = {}
        for fast in (True, False):
            monkeypatch.setenv(queue_fast.ENV_SWITCH, "1" if fast else "0")
            url = stack.enter_context(pg_schema())
            engine, hall, tokens = hall_on(url, Clock())
            stack.callback(engine.dispose)
            stack.callback(hall.close)
            app = create_app(engine, queue_clock=hall.store.clock)
            with TestClient(app) as client:  # the app's start-up opens the fast pool on the client's loop
                assert (getattr(app.state, "queue_fast", None) is not None) == fast
                answers[fast] = send_all(client, tokens)
    assert answers[True] == answers[False]
    statuses = [a[0] for a in answers[True]]
    assert statuses == [403, 403, 403, 404, 404, 404, 409, 422, 422, 200, 409, 409, 409]
    assert answers[True][9][1]["label"] == "A001" and answers[True][9][1]["state"] == "called"
    assert {a[2].get("x-queue-code") for a in answers[True][4:]} >= {"not_found", "refused", "empty", "invalid"}
    # the fast path answered every request past the scope checks (the path's own checks: W02 for W01)
    assert taken == ["W02", "W01", "NOPE", "一号", "W03", "W01", "W01", "W02", "W02"]


def test_a_database_that_dropped_the_pool_costs_one_request_not_one_per_connection():
    """PostgreSQL restarted (every connection of the fast pool terminated): the next call
    next is answered 503 and nothing is written; the pool then checks all its connections
    at once, so the call after it is served — not one more 503 per dead connection."""
    from sqlalchemy import text

    with pg_schema() as url:
        engine, hall, tokens = hall_on(url, Clock())
        try:
            app = create_app(engine, queue_clock=hall.store.clock)
            with TestClient(app) as client:
                fast = app.state.queue_fast
                assert fast.ready() is False  # only on the client's own loop, not this thread's

                async def pool_pids() -> list[int]:
                    held = [await fast._pool.getconn() for _ in range(queue_fast.POOL_SIZE)]
                    pids = [conn.info.backend_pid for conn in held]
                    for conn in held:
                        await fast._pool.putconn(conn)
                    return pids

                pids = client.portal.call(pool_pids)
                assert len(set(pids)) == queue_fast.POOL_SIZE
                with engine.connect() as conn:
                    for pid in pids:
                        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                headers = {"Authorization": f"Bearer {tokens['w1']}"}
                first = client.post("/v1/queue/windows/W01/call-next", headers=headers)
                assert first.status_code == 503
                assert first.json()["detail"] == "服务器数据库暂时不可用，请稍后重试"
                assert hall.window_view("W01").current is None and len(hall.waiting()) == 1
                second = client.post("/v1/queue/windows/W01/call-next", headers=headers)
                assert second.status_code == 200, second.text
                assert second.json()["label"] == "A001"
        finally:
            hall.close()
            engine.dispose()


def test_the_fast_path_is_taken_only_on_the_loop_its_pool_was_opened_on():
    """A client without the app's start-up (no pool opened) gets the same answers on the
    SQLAlchemy path: nothing breaks, nothing hangs."""
    with pg_schema() as url:
        engine, hall, tokens = hall_on(url, Clock())
        try:
            client = TestClient(create_app(engine, queue_clock=hall.store.clock))  # no `with`: no start-up
            answer = client.post("/v1/queue/windows/W01/call-next", headers={"Authorization": f"Bearer {tokens['w1']}"})
            assert answer.status_code == 200 and json.loads(answer.content)["label"] == "A001"
        finally:
            hall.close()
            engine.dispose()


def test_the_clerk_header_is_read_under_the_name_the_route_reads():
    from hall_app.server import queue, queue_hot

    assert queue.USER_HEADER.lower().encode() == queue_hot.USER_BYTES


async def test_the_first_call_next_after_start_up_compiles_nothing():
    """The server compiles the change statement and each window's pick when it starts:
    compiling the change statement took about 100 ms, and the first burst of calls after
    a start waited for it."""
    with pg_schema() as url:
        engine, hall, _tokens = hall_on(url, Clock())
        fast = queue_fast.FastQueue(engine, hall.store)
        try:
            queue_fast.compiled.cache_clear()
            await fast.open()
            before = queue_fast.compiled.cache_info().misses
            answer = json.loads(await fast.call_next(Actor("window", "JJ01", "W01", "dev-w1"), "W01"))
            assert answer["label"] == "A001"
            assert queue_fast.compiled.cache_info().misses == before
        finally:
            await fast.close()
            hall.close()
            engine.dispose()


async def test_the_names_in_an_answer_are_read_off_the_event_loop_once_for_a_burst(monkeypatch):
    """The answer names the line and the window from a cache the store keeps 10 s. When
    it has run out, the names are read once on a worker thread for every call waiting
    meanwhile — not on the event loop, where the read held up every request in flight."""
    import asyncio
    import threading

    with pg_schema() as url:
        engine, hall, _tokens = hall_on(url, Clock())
        for _ in range(2):
            hall.issue_ticket("A")
        fast = queue_fast.FastQueue(engine, hall.store)
        reads: list[str] = []
        real = hall.store.names

        def names(conn, hall_name):
            if not hall.store.names_cached(hall_name):  # a read of the database, not of the cache
                reads.append(threading.current_thread().name)
            return real(conn, hall_name)

        monkeypatch.setattr(hall.store, "names", names)
        try:
            await fast.open()
            hall.store.forget_names("JJ01")
            calls = [fast.call_next(Actor("hall", "JJ01", "", "dev-hall"), window) for window in ("W01", "W02")]
            answers = [json.loads(a) for a in await asyncio.gather(*calls)]
            assert sorted(a["window_name"] for a in answers) == ["1号综合窗口", "2号综合窗口"]
            assert len(reads) == 1 and reads[0] != threading.current_thread().name
        finally:
            await fast.close()
            hall.close()
            engine.dispose()


def test_a_token_not_checked_lately_is_read_on_the_async_pool_with_the_same_refusals(monkeypatch):
    """A window presses "call next" minutes after its last request: its token is no
    longer in the 2-second cache. The guard reads it on the queue's async pool (no worker
    thread); a wrong token and a revoked device are refused as before (401)."""
    from hall_app.server import auth as auth_module

    def no_thread_lookup(*_args, **_kwargs):
        raise AssertionError("the token was read through the thread path")

    with pg_schema() as url:
        engine, hall, tokens = hall_on(url, Clock())
        try:
            app = create_app(engine, queue_clock=hall.store.clock)
            with TestClient(app) as client:
                monkeypatch.setattr(auth_module, "authenticate", no_thread_lookup)
                auth_module.forget_tokens()
                w1 = {"Authorization": f"Bearer {tokens['w1']}"}
                answer = client.post("/v1/queue/windows/W01/call-next", headers=w1)
                assert answer.status_code == 200 and answer.json()["label"] == "A001"
                wrong = client.post("/v1/queue/windows/W01/call-next", headers={"Authorization": "Bearer not-a-token"})
                assert (wrong.status_code, wrong.json()["detail"]) == (401, "设备令牌无效，请重新登记设备")
                assert wrong.headers["www-authenticate"] == "Bearer"
                missing = client.post("/v1/queue/windows/W01/call-next")
                assert (missing.status_code, missing.json()["detail"]) == (401, "缺少设备令牌，请先登记设备")
                monkeypatch.undo()
                assert auth_module.revoke(engine, "dev-w2")
                w2 = {"Authorization": f"Bearer {tokens['w2']}"}
                revoked = client.post("/v1/queue/windows/W02/call-next", headers=w2)
                assert (revoked.status_code, revoked.json()["detail"]) == (401, "本设备的授权已被吊销，请联系管理员")
        finally:
            hall.close()
            engine.dispose()
