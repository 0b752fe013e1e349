"""What the server accepts: each event checked on its own (422-style rejection with a
reason, never a 500), gap-free device numbers, the token before the body, a body
limit, large batches that do not hang the database driver, and a clean SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
import uuid

import httpx
import pytest
from harness import ServerProcess, ServerThread, enroll, local_events, make_device, new_case
from sqlalchemy import create_engine, func, select, text

from hall_app.server import auth
from hall_app.server.models import audit, feed
from hall_app.sync.core import sync_once

pytestmark = pytest.mark.postgres


def device_token(engine, scope: str = "hall:JJ01", device_id: str | None = None) -> tuple[str, str]:
    device_id = device_id or "dev-" + uuid.uuid4().hex[:8]
    _, token = auth.enroll(engine, auth.make_enrollment_code(engine, scope), device_id)
    return device_id, token


def envelope(device_id: str, seq: int, kind: str = "case.step_set", payload=None, case_id: str = "case-1",
             **over) -> dict:
    return {"event_id": str(uuid.uuid4()), "case_id": case_id, "device_id": device_id, "device_seq": seq,
            "actor": "zhangli", "type": kind, "payload": {"step": "need"} if payload is None else payload,
            "device_time": "2026-11-21T10:00:00+08:00", "schema_version": 1} | over


def started(device_id: str, seq: int, case_id: str = "case-1") -> dict:
    return envelope(device_id, seq, "case.started", {"bundle_code": "newborn", "tracking_code": "K7P9M2QTX4RH",
                                                      "hall": "JJ01", "window": "W01", "channel": "window"},
                    case_id)


def read_all(conn: socket.socket) -> bytes:
    """The answer up to the server's close (it answers ``connection: close``)."""
    out = b""
    while chunk := conn.recv(65536):
        out += chunk
    return out


def post_raw(url: str, token: str, body: bytes) -> httpx.Response:
    return httpx.post(url + "/v1/push", content=body, timeout=30,
                      headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})


def test_malformed_events_are_rejected_one_by_one_and_the_good_ones_stored(server_engine, server):
    dev, token = device_token(server_engine)
    good = [started(dev, 1), envelope(dev, 2)]
    bad = [
        envelope(dev, 3) | {"event_id": 12345},
        envelope(dev, 3) | {"event_id": ["x"]},
        envelope(dev, 3) | {"actor": 7},
        envelope(dev, 3) | {"device_seq": 2**63},
        envelope(dev, 3) | {"schema_version": 10**30},
        envelope(dev, 3, "case.proxy_set", {"proxy": "abc"}),
        envelope(dev, 3, "case.accepted", {"items": ["a"]}),
        envelope(dev, 3, "case.rated", {"level": "abc"}),
        envelope(dev, 3, "case.applicant_set", {"key": "address", "value": "a\x00b"}),
        envelope(dev, 3, "case.applicant_set", {"key": "name", "value": "\ud800"}),
        envelope(dev, 3, "case.nonsense", {}),
        "not an object",
    ]
    body = json.dumps({"events": good + [b for b in bad if isinstance(b, dict)]}, ensure_ascii=True)
    answer = post_raw(server.url, token, body.encode())
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results[:2]] == ["stored", "stored"]
    for result in results[2:]:
        assert result["status"] == "rejected" and result["code"] == "invalid" and result["error"], result
    assert "payload.proxy" in results[7]["error"] and "payload.value" in results[10]["error"]
    # NaN and Infinity (not JSON, but Python's parser takes them) and a list that is not of objects
    for raw in (body.replace('"device_seq": 2', '"device_seq": NaN'),
                body.replace('"device_seq": 1', '"device_seq": Infinity'),
                json.dumps({"events": ["x", 1]}), "{", json.dumps({"events": {"a": 1}}), "\udcff"):
        response = post_raw(server.url, token, raw.encode("utf-8", "surrogatepass"))
        assert response.status_code in (200, 400, 422), (raw[:40], response.status_code, response.text)
        response.json()  # a readable answer
    with server_engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(feed)).scalar()
        rejected = conn.execute(select(func.count()).select_from(audit)).scalar()
    assert stored == 2 and rejected >= len(bad) - 1


def test_a_jump_in_device_numbers_is_refused_and_the_numbers_of_refused_events_stay_spent(server_engine, server):
    dev, token = device_token(server_engine)
    client = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})
    first = client.post("/v1/push", json={"events": [started(dev, 1)]}).json()["results"]
    assert first[0]["status"] == "stored"
    [jump] = client.post("/v1/push", json={"events": [envelope(dev, 50)]}).json()["results"]
    assert jump["status"] == "rejected" and jump["code"] == "seq_gap"
    assert "第 1 号" in jump["error"] and "第 50 号" in jump["error"]
    # an invalid event spends its number: the next one follows it without a gap
    [bad] = client.post("/v1/push", json={"events": [envelope(dev, 2, "case.rated", {"level": "x"})]}).json()["results"]
    assert bad["code"] == "invalid"
    resend = started(dev, 1)  # numbers already held are resends, not gaps
    out = client.post("/v1/push", json={"events": [envelope(dev, 3), resend]}).json()["results"]
    assert out[0]["status"] == "stored" and out[1]["code"] == "seq_taken"
    assert client.get("/v1/state").json()["device_seq_high"] == 3


def test_no_token_is_answered_401_before_the_body_is_read(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
        conn.sendall(b"POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 50000000\r\n\r\n")  # 50 MB announced, none of it sent
        head = conn.recv(4096)
    assert head.startswith(b"HTTP/1.1 401"), head[:100]


def test_a_body_over_the_limit_is_refused_413_before_it_is_read(server_engine, server):
    _, token = device_token(server_engine)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
        conn.sendall(b"POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Authorization: Bearer " + token.encode() + b"\r\nContent-Length: 12000000\r\n\r\n")
        head = read_all(conn)
    assert head.startswith(b"HTTP/1.1 413") and "请分批上传".encode() in head


def test_a_chunked_body_over_the_limit_is_cut_off_with_413(server_engine):
    with ServerThread(server_engine, max_body=64 * 1024) as small:
        _, token = device_token(server_engine)
        with socket.create_connection(("127.0.0.1", small.port), timeout=10) as conn:
            conn.sendall(b"POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Authorization: Bearer " + token.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"x" * 8192
            try:
                for _ in range(64):  # 512 KB, never finished
                    conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:
                pass  # the server answered and closed
            head = conn.recv(4096)
        assert head.startswith(b"HTTP/1.1 413"), head[:100]


def test_a_12_mb_push_is_answered_at_once(server_engine, server):
    """Before the limit it was read whole and then hung the database driver (below)."""
    dev, token = device_token(server_engine)
    events = [envelope(dev, n + 1, "case.field_set", {"key": "k", "value": "字" * 2000}) for n in range(1000)]
    body = json.dumps({"events": events}, ensure_ascii=False).encode()
    assert len(body) > 6_000_000
    started_at = time.monotonic()
    response = post_raw(server.url, token, body * 2 if len(body) < 12_000_000 else body)
    assert response.status_code == 413 and time.monotonic() - started_at < 20


def test_a_large_batch_does_not_hang_the_psycopg_pipeline(server_engine, pg_url):
    """A 30 MB insert through the pipelined insert + COMMIT: it used to leave the backend
    in ClientRead for ever (psycopg flushed once and waited for a result)."""
    from hall_app.server.writes import insert_batch

    rows = [{"event_id": f"big-{n}", "case_id": "c", "device_id": "d", "device_seq": n + 1, "actor": "a",
             "type": "case.field_set", "payload": {"key": "k", "value": "x" * 30000}, "device_time": "",
             "schema_version": 1, "content_hash": "h", "hall": "JJ01", "agent": ""} for n in range(1000)]
    done: dict = {}

    def run() -> None:
        try:
            with server_engine.begin() as conn:
                done["rows"] = len(insert_batch(conn, rows, "now", commit=True))
        except Exception as exc:
            done["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(90)
    if worker.is_alive():  # fail, do not hang: free the stuck backend first
        admin = create_engine(pg_url.split("?")[0], isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE wait_event = 'ClientRead' AND state = 'active' AND query LIKE '%feed_counter%'"))
        admin.dispose()
        pytest.fail("a 30 MB batch hung in the psycopg pipeline")
    assert done.get("rows") == 1000, done


def test_the_device_splits_its_batches_under_the_servers_body_limit(tmp_path, server_engine):
    with ServerThread(server_engine, max_body=128 * 1024) as small:
        ctx = make_device(tmp_path, "a")
        enroll(ctx, server_engine, small.url)
        case_id = new_case(ctx)
        for n in range(60):
            ctx.cases.set_field(case_id, "zhangli", "baby_name", f"{n}" + "刘" * 1500)
        report = sync_once(ctx)
        assert report.push.quarantined == 0 and report.push.batches >= 4
        assert all(e.sync_state == "sent" for e in local_events(ctx))


def test_results_and_enroll_refuse_bad_text_with_422(server_engine, server):
    _, dept = device_token(server_engine, "dept:civil", "dept-civil")
    for body in ({"tracking_code": "K7P9M2QTX4RH", "item": "x", "status": "rejected", "note": "a\x00b"},
                 {"tracking_code": "K7P9M2QTX4RH", "item": 5, "status": "completed"},
                 {"case_id": "\ud800", "item": "x", "status": "completed"}):
        raw = json.dumps(body, ensure_ascii=True).encode()
        response = httpx.post(server.url + "/v1/results", content=raw, timeout=10,
                              headers={"Authorization": f"Bearer {dept}", "Content-Type": "application/json"})
        assert response.status_code == 422, response.text
    for body in ({"code": "ABCD\x00", "device_id": "x"}, {"code": 1, "device_id": "x"},
                 {"code": "ABCD", "device_id": "\udc80"}):
        raw = json.dumps(body, ensure_ascii=True).encode()
        response = httpx.post(server.url + "/v1/enroll", content=raw, timeout=10,
                              headers={"Content-Type": "application/json"})
        assert response.status_code == 422 and "请求格式错误" in response.json()["detail"], response.text


def test_sigterm_stops_the_server_with_a_request_in_flight(pg_url, server_engine):
    with ServerProcess(pg_url) as running:
        _, token = device_token(server_engine)
        conn = socket.create_connection(("127.0.0.1", running.port), timeout=5)
        conn.sendall(b"POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Authorization: Bearer " + token.encode() + b"\r\nContent-Length: 1000\r\n\r\n{\"ev")
        time.sleep(0.5)  # the request is in flight, waiting for the rest of its body
        running.proc.send_signal(signal.SIGTERM)
        started_at = time.monotonic()
        code = running.proc.wait(20)
        conn.close()
    assert time.monotonic() - started_at < 15 and code is not None
