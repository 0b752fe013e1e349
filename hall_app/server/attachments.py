"""Scans of signed 授权委托书 (issue 13): ``POST /v1/attachments/{sha256}``.

An agent's laptop keeps the scan or photo of the signed paper inside its (encrypted)
database and, once the register entry naming it (``register.authorisation_saved``
with ``scan_sha256``) is on the server, sends the file itself here. The server keeps
it only when it is what the entry says: a PDF, JPEG or PNG by its first bytes
(domain/scans.py), at most 8 MB, whose SHA-256 is the one named, for an entry of this
agent's own register. Sending the same file again is harmless.

``GET /v1/attachments/{sha256}`` gives it back, to the agent's other laptops and to
the hall's devices (a window, the hall) — never to another agent, nor to another
hall: a scan outside the caller's reach answers 404, as one the server never had.
An agent also reaches a scan that an entry of its own register names, when the same
file was sent first under another entry.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from sqlalchemy import Engine, select

from hall_app.domain.scans import scan_problem, scan_type
from hall_app.domain.text import text_problem
from hall_app.server.auth import DeviceInfo, utc_now
from hall_app.server.models import attachments, feed
from hall_app.server.scopes import access
from hall_app.server.writes import insert_for

router = APIRouter()


NOT_HERE = "服务器上没有这份扫描件（或它不属于本设备的范围）"


def named_by_register(engine: Engine, device: DeviceInfo, auth_id: str | None, sha256: str) -> bool:
    """Does an entry of this agent's register (``auth_id``, or any), as the server holds
    it, name this scan?"""
    where = [feed.c.type == "register.authorisation_saved", feed.c.hall == device.hall,
             feed.c.agent == device.agent]
    if auth_id is not None:
        where.append(feed.c.case_id == auth_id)
    with engine.connect() as conn:
        rows = conn.execute(select(feed.c.payload).where(*where)).scalars().all()
    return any(isinstance(p, dict) and p.get("scan_sha256") == sha256 for p in rows)


def read(engine: Engine, device: DeviceInfo, sha256: str) -> dict[str, Any]:
    """The scan, if it is within the caller's reach (its hall; an agent: its own)."""
    with engine.connect() as conn:
        row = conn.execute(select(attachments).where(attachments.c.sha256 == sha256)).mappings().first()
    if row is None or row["hall"] != device.hall:
        raise HTTPException(404, NOT_HERE)
    if device.kind == "agent" and row["agent"] != device.agent and not named_by_register(
            engine, device, None, sha256):
        raise HTTPException(404, NOT_HERE)
    return dict(row)


def store(engine: Engine, device: DeviceInfo, auth_id: str, sha256: str, data: bytes) -> dict[str, Any]:
    problem = scan_problem(data)
    if problem:
        raise HTTPException(422, problem)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise HTTPException(422, "扫描件内容与其校验值（SHA-256）不符，可能传输中损坏，请重新上传")
    if not named_by_register(engine, device, auth_id, sha256):
        raise HTTPException(409, "服务器上还没有记载该扫描件的授权委托书登记，请先同步登记簿")
    mime = scan_type(data[:16])
    with engine.begin() as conn:
        done = conn.execute(insert_for(conn)(attachments).on_conflict_do_nothing().returning(attachments.c.sha256),
                            [{"sha256": sha256, "hall": device.hall, "agent": device.agent,
                              "device_id": device.device_id, "auth_id": auth_id, "mime": mime, "size": len(data),
                              "data": data, "received_at": utc_now()}]).first()
    return {"sha256": sha256, "status": "stored" if done else "duplicate", "mime": mime, "size": len(data)}


@router.post("/v1/attachments/{sha256}")
async def upload(sha256: str, request: Request,
                 auth_id: str = Query(min_length=1, max_length=64, description="授权委托书编号"),
                 device: DeviceInfo = access("attachment")) -> dict[str, Any]:
    """Keep the scan of a signed authorisation (raw body: the file)."""
    import anyio.to_thread

    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise HTTPException(422, "扫描件校验值应为64位小写十六进制")
    if text_problem(auth_id, 64):
        raise HTTPException(422, f"授权委托书编号{text_problem(auth_id, 64)}")
    data = await request.body()
    return await anyio.to_thread.run_sync(store, request.app.state.engine, device, auth_id, sha256, data)


@router.get("/v1/attachments/{sha256}", response_class=Response,
            responses={200: {"content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}},
                             "description": "扫描件本身"},
                       404: {"description": "没有这份扫描件，或不在本设备的范围内"}})
async def download(sha256: str, request: Request, device: DeviceInfo = access("attachment_read")) -> Response:
    """The scan of a signed authorisation, for the agent's other laptops and the hall."""
    import anyio.to_thread

    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise HTTPException(422, "扫描件校验值应为64位小写十六进制")
    row = await anyio.to_thread.run_sync(read, request.app.state.engine, device, sha256)
    return Response(bytes(row["data"]), media_type=row["mime"],
                    headers={"Cache-Control": "no-store", "X-Auth-Id": row["auth_id"]})
