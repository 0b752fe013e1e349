"""Round trips to PostgreSQL per push (issue 9's push aim, docs/sync.md "Push"): each one
is a wake-up of the backend and of the server, which on a busy machine costs more than
the statements. Counted from libpq's protocol trace (one ReadyForQuery per round trip),
on every connection the server's pool hands out."""

from __future__ import annotations

import tempfile
import time
import uuid

import pytest
from psycopg import pq
from sqlalchemy import event, text

from hall_app.server import auth, db, feed
from hall_app.server.db import open_engine

pytestmark = pytest.mark.postgres


class Trace:
    """libpq's trace of every connection checked out while active."""

    def __init__(self, engine):
        self.file = tempfile.TemporaryFile("w+")  # noqa: SIM115 (kept for the test's length)
        self.active = False
        self.traced: list = []
        event.listen(engine, "checkout", self._checkout)

    def _checkout(self, dbapi_connection, _record, _proxy) -> None:
        if self.active and dbapi_connection.pgconn not in self.traced:
            dbapi_connection.pgconn.trace(self.file.fileno())
            dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
            self.traced.append(dbapi_connection.pgconn)

    def __enter__(self) -> "Trace":
        self.file.seek(0)
        self.file.truncate()
        self.active = True
        return self

    def __exit__(self, *exc) -> None:
        self.active = False
        for pgconn in self.traced:  # back in the pool, idle: stop writing to our file
            pgconn.untrace()
        self.traced.clear()

    def lines(self) -> list[str]:
        self.file.flush()
        self.file.seek(0)
        return self.file.read().splitlines()

    def round_trips(self) -> int:
        return sum("\tReadyForQuery\t" in line for line in self.lines())

    def pings(self) -> int:
        return sum('\tQuery\t ";"' in line for line in self.lines())


def event_dict(device_id: str, seq: int, case_id: str, kind: str, payload: dict) -> dict:
    return {"event_id": str(uuid.uuid4()), "case_id": case_id, "device_id": device_id, "device_seq": seq,
            "actor": "zhangli", "type": kind, "payload": payload, "device_time": "2026-11-21T10:00:00+08:00",
            "schema_version": 1}


def batch(device_id: str, first: int, count: int, start_case: bool) -> list[dict]:
    case_id = str(uuid.uuid4())
    out = []
    if start_case:
        out.append(event_dict(device_id, first, case_id, "case.started", {
            "bundle_code": "newborn", "tracking_code": uuid.uuid4().hex[:12].upper(), "hall": "JJ01"}))
    while len(out) < count:
        out.append(event_dict(device_id, first + len(out), case_id, "case.field_set",
                              {"key": "baby_name", "value": f"值 {len(out)}", "base": ""}))
    return out


def test_a_push_takes_three_round_trips_and_two_without_new_cases(pg_url):
    engine = open_engine(pg_url, pool_size=2)
    trace = Trace(engine)
    device, _ = auth.enroll(engine, auth.make_enrollment_code(engine, "hall:JJ01"), "dev-rt")
    first = batch("dev-rt", 1, 50, start_case=True)
    outcomes, _ = feed.push(engine, device, first)  # warm: a new connection, its first ping
    assert {o.status for o in outcomes} == {"stored"}
    with trace:  # the directory and the device's mark; BEGIN, device row, claims; insert and COMMIT
        outcomes, _ = feed.push(engine, device, batch("dev-rt", 51, 50, start_case=True))
    assert {o.status for o in outcomes} == {"stored"} and trace.round_trips() == 3, trace.lines()
    with trace:  # no case started: the device row goes with the insert
        more = batch("dev-rt", 101, 50, start_case=False)
        more = [dict(e, case_id=first[0]["case_id"]) for e in more]
        outcomes, _ = feed.push(engine, device, more)
    assert {o.status for o in outcomes} == {"stored"} and trace.round_trips() == 2, trace.lines()
    engine.dispose()


def test_a_pooled_connection_is_pinged_only_after_being_idle(pg_url, monkeypatch):
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.3)
    engine = open_engine(pg_url, pool_size=1)
    trace = Trace(engine)
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    with trace:
        for _ in range(5):  # in use a moment ago: no ping
            with engine.connect() as conn:
                assert conn.execute(text("SELECT pg_backend_pid()")).scalar() == pid
    assert trace.pings() == 0, trace.lines()
    admin = open_engine(pg_url, pool_size=1)
    with admin.connect() as conn:  # the backend goes away while the connection waits in the pool
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        conn.commit()
    admin.dispose()
    time.sleep(0.4)
    with engine.connect() as conn:  # idle: pinged, found dead, replaced before use
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    engine.dispose()
