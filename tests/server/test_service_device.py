"""The server's own devices (server:agents, the department simulator, the tracking page's
rater) are created on first use; two requests creating one at once must both succeed
(found in the suite: two halls' pushes flagging duplicates at once answered 503)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, insert, select, text

from hall_app.server.auth import service_device, utc_now
from hall_app.server.models import devices

pytestmark = pytest.mark.postgres


def test_two_first_uses_at_once_both_get_the_device(server_engine):
    errors: list[BaseException] = []
    with server_engine.connect() as first:
        first.begin()
        first.execute(insert(devices).values(  # one request has inserted it and not committed yet
            device_id="server:agents", name="server:agents", scope="hall:JJ01", hall="JJ01", window="", agent="",
            dept="", token_hash=None, enrolled_at=utc_now(), revoked_at="", last_seen="", last_seq=0))

        def second() -> None:
            try:
                service_device(server_engine, "server:agents", "hall:JJ01")
            except BaseException as exc:
                errors.append(exc)

        worker = threading.Thread(target=second)
        worker.start()
        deadline = time.monotonic() + 10
        with server_engine.connect() as watch:  # the second waits on the row's unique index
            while time.monotonic() < deadline and not watch.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query ILIKE 'INSERT INTO devices%'")).scalar():
                time.sleep(0.02)
                watch.rollback()
        first.commit()
        worker.join(10)
    assert not errors, errors
    with server_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(devices)
                            .where(devices.c.device_id == "server:agents")).scalar() == 1
