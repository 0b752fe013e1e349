"""The token check's short memory (hall_app/server/auth.py, CACHE_SECONDS): a device
revoked or re-enrolled elsewhere is refused within the stated bound, at once when
this process did it, and a refused token is never remembered."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from hall_app.server import auth
from hall_app.server.models import devices


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(auth, "_clock", lambda: now[0])
    auth.forget_tokens()
    yield now
    auth.forget_tokens()


def enrolled(engine, device_id: str, scope: str = "window:JJ01/W01") -> str:
    return "Bearer " + auth.enroll(engine, auth.make_enrollment_code(engine, scope), device_id)[1]


def revoke_elsewhere(engine, device_id: str) -> None:
    """What ``hall-app server revoke`` in another process does: the row only, no word to us."""
    with engine.begin() as conn:
        conn.execute(update(devices).where(devices.c.device_id == device_id).values(revoked_at=auth.utc_now()))


def test_revoked_elsewhere_is_refused_within_the_bound(server_engine, clock):
    header = enrolled(server_engine, "w1")
    assert auth.authenticate(server_engine, header).window == "W01"
    revoke_elsewhere(server_engine, "w1")
    clock[0] += auth.CACHE_SECONDS - 0.1  # still remembered: no database read for this request
    assert auth.cached_device(server_engine, header) is not None
    assert auth.authenticate(server_engine, header).device_id == "w1"
    clock[0] += 0.2  # past the bound
    assert auth.cached_device(server_engine, header) is None
    with pytest.raises(auth.AuthError, match="吊销"):
        auth.authenticate(server_engine, header)
    with pytest.raises(auth.AuthError, match="吊销"):  # and the refusal is not remembered as a pass either
        auth.authenticate(server_engine, header)


def test_revoked_or_rebound_here_is_refused_at_once(server_engine, clock):
    header = enrolled(server_engine, "w2")
    auth.authenticate(server_engine, header)
    assert auth.revoke(server_engine, "w2")
    with pytest.raises(auth.AuthError, match="吊销"):
        auth.authenticate(server_engine, header)

    old = enrolled(server_engine, "w3")
    auth.authenticate(server_engine, old)
    new = "Bearer " + auth.enroll(server_engine, auth.make_enrollment_code(server_engine, None, rebind="w3"),
                                  "w3")[1]
    with pytest.raises(auth.AuthError, match="无效"):  # the old token of a re-enrolled device
        auth.authenticate(server_engine, old)
    assert auth.authenticate(server_engine, new).device_id == "w3"


def test_a_refused_token_is_not_remembered(server_engine, clock):
    with pytest.raises(auth.AuthError):
        auth.authenticate(server_engine, "Bearer hat_nothing")
    assert auth.cached_device(server_engine, "Bearer hat_nothing") is None


def test_sqlite_reads_the_row_every_time(tmp_path, clock):
    from hall_app.server.db import open_engine

    engine = open_engine(str(tmp_path / "server.db"))
    try:
        header = enrolled(engine, "w4")
        auth.authenticate(engine, header)
        revoke_elsewhere(engine, "w4")
        with pytest.raises(auth.AuthError, match="吊销"):
            auth.authenticate(engine, header)
    finally:
        engine.dispose()
