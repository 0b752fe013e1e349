"""Fixtures for the sync suite; PostgreSQL tests skip unless HALL_TEST_PG_URL is set."""

from harness import pg_url, server, server_engine  # noqa: F401
