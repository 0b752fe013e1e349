"""SyncError, importable without the HTTP client (the UI imports the runner at start-up)."""

from __future__ import annotations


class SyncError(Exception):
    """kind: offline · auth · refused (the batch as a whole) · server · config · database."""

    def __init__(self, message: str, kind: str = "server", status: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.status = status
