"""The server's connection pool on PostgreSQL pings only a connection that sat idle
(hall_app/server/db.py, ping_when_idle): none on a busy server (every call next used to
pay a round trip for it), and an idle connection the database dropped is replaced
before any request sees it."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from hall_app.server import db

pytestmark = pytest.mark.postgres


def counting_pings(engine, monkeypatch) -> list[int]:
    pings: list[int] = []
    original = engine.dialect.do_ping

    def do_ping(dbapi_connection):
        pings.append(1)
        return original(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", do_ping)
    return pings


def test_a_connection_used_a_moment_ago_is_not_pinged(pg_url, monkeypatch):
    engine = db.make_engine(pg_url, pool_size=1)
    try:
        pings = counting_pings(engine, monkeypatch)
        for _ in range(5):
            with engine.connect() as conn:
                assert conn.execute(text("SELECT 1")).scalar() == 1
        assert pings == []
    finally:
        engine.dispose()


def test_an_idle_connection_the_database_dropped_is_replaced_unseen(pg_url, monkeypatch):
    engine = db.make_engine(pg_url, pool_size=1)
    admin = create_engine(pg_url.split("?")[0], isolation_level="AUTOCOMMIT")
    try:
        pings = counting_pings(engine, monkeypatch)
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as conn:  # the database drops it while it sits in the pool
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # it has been idle long enough
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid
        assert pings == [1]
    finally:
        admin.dispose()
        engine.dispose()
