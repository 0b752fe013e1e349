"""Fixtures for the queue suite: a hall's queue on a real database with a clock the
test moves (the queue takes the server's time from it)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))

from harness import pg_url, server, server_engine  # noqa: F401
from queue_fixtures import Clock, set_up_hall

from hall_app.services.queue import LocalQueue


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hall(tmp_path, clock) -> LocalQueue:
    """The embedded queue (SQLite file) of a hall set up with lines and windows."""
    queue = LocalQueue(tmp_path / "hall.queue.db", hall="JJ01", window="W01", clock=clock)
    set_up_hall(queue)
    yield queue
    queue.close()
