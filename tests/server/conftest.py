"""Fixtures for the server suite (shared with tests/sync through its harness module)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))

from harness import pg_url, server, server_engine  # noqa: F401
