"""Send the scans of signed authorisations kept in the device database to the server
(``POST /v1/attachments/{sha256}``), after the push that carried the register entries
naming them (the server keeps a scan only when an entry of this agent names it).

A scan the server refuses keeps its reason (``send_error``) and is tried again at the
next sync; it is never dropped. Being offline ends the round like any sync error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update

from hall_app.store.models import StoredFile
from hall_app.sync.client import ServerClient, SyncError

if TYPE_CHECKING:
    from hall_app.services.context import HallContext


def unsent(ctx: "HallContext") -> list[tuple[str, str, str]]:
    """(file id, owner auth id, sha256) of the scans not yet on the server."""
    with ctx.read() as session:
        return [tuple(r) for r in session.execute(  # type: ignore[misc]
            select(StoredFile.file_id, StoredFile.owner, StoredFile.sha256)
            .where(StoredFile.kind == "scan", StoredFile.sent_at == "").order_by(StoredFile.created_at))]


def upload_scans(ctx: "HallContext", client: ServerClient) -> tuple[int, int]:
    """Send every unsent scan; returns (sent, refused)."""
    sent = refused = 0
    for file_id, auth_id, sha256 in unsent(ctx):
        with ctx.read() as session:
            data = session.scalar(select(StoredFile.data).where(StoredFile.file_id == file_id))
        if data is None:
            continue
        try:
            client.attach(sha256, auth_id, data)
            values = {"sent_at": ctx.now_iso(), "send_error": ""}
            sent += 1
        except SyncError as exc:
            if exc.kind != "refused":
                raise
            values = {"send_error": str(exc)[:2000]}
            refused += 1
        with ctx.Session.begin() as session:
            session.execute(update(StoredFile).where(StoredFile.file_id == file_id).values(**values))
    return sent, refused
