"""Fixtures for the sync suite; PostgreSQL tests skip unless HALL_TEST_PG_URL is set."""

import shutil

import pytest
from harness import pg_url, server, server_engine  # noqa: F401
from shared_files import register, shared_file

from hall_app.config import Settings
from hall_app.services.context import HallContext


def _empty_device(path) -> None:
    HallContext(Settings(db=str(path))).close()


EMPTY_DEVICE = register("tests/sync", "empty_device_db", "hall.db", _empty_device)


@pytest.fixture(scope="session")
def empty_device_db(tmp_path_factory):
    """A new device's database, created once per test run (shared by the xdist workers):
    creating the schema costs ~1 s a test."""
    return shared_file(tmp_path_factory, EMPTY_DEVICE)


@pytest.fixture
def ctx(tmp_path, clock, empty_device_db) -> HallContext:
    """tests/conftest.py's ``ctx`` (a fresh device on a fixed clock), from a copy of one empty database."""
    shutil.copy(empty_device_db, tmp_path / "hall.db")
    context = HallContext(Settings(db=str(tmp_path / "hall.db"), pdf_dir=str(tmp_path / "pdf")), clock=clock)
    yield context
    context.close()
