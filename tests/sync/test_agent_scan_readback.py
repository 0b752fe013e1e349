"""Issue 13 over a real server (PostgreSQL): the scan of a signed 授权委托书, sent by one
laptop, is read back by the agent's other laptop and by the hall when the case view
asks for it — never by another agent or another hall."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
from agent_harness import AGENT, authorise
from harness import enroll, make_device
from sqlalchemy import select, update

from hall_app.services.demo import ZHOU_GUIYING
from hall_app.services.scan_copies import ScanError
from hall_app.store.models import Device, StoredFile
from hall_app.sync.core import sync_once

pytestmark = pytest.mark.postgres

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
SHA = hashlib.sha256(PNG).hexdigest()


def device(tmp_path, engine, url, name: str, scope: str):
    ctx = make_device(tmp_path, name)
    enroll(ctx, engine, url, scope)
    return ctx


def token(ctx) -> str:
    with ctx.read() as session:
        return session.get(Device, ctx.device_id).token


def scans(ctx) -> list[tuple[str, str, str]]:
    with ctx.read() as session:
        return [tuple(r) for r in session.execute(select(StoredFile.owner, StoredFile.sha256, StoredFile.sent_at)
                                                  .where(StoredFile.kind == "scan"))]


def test_the_agents_other_laptop_and_the_hall_read_the_scan_back(tmp_path, server_engine, server):
    first = device(tmp_path, server_engine, server.url, "ag1", "agent:wangqiang@JJ01")
    second = device(tmp_path, server_engine, server.url, "ag2", "agent:wangqiang@JJ01")
    hall = device(tmp_path, server_engine, server.url, "hall", "hall:JJ01")
    try:
        auth = authorise(first, ZHOU_GUIYING, received=False)
        (tmp_path / "signed.png").write_bytes(PNG)
        first.agent_day.receive(AGENT, auth.auth_id, tmp_path / "signed.png")
        case = first.agent_day.start_for(AGENT, auth.auth_id, "social_assistance")
        assert sync_once(first).scans_sent == 1
        for ctx in (second, hall):
            sync_once(ctx)
            assert scans(ctx) == []  # the entry came down, the file did not
            got = ctx.scans.fetch(auth.auth_id)
            assert (got.data, got.mime, got.fetched, got.principal_name) == (PNG, "image/png", True, "周桂英")
            assert "PNG" in got.describe() and "校验值一致" in got.describe()
            assert scans(ctx) == [(auth.auth_id, SHA, scans(ctx)[0][2])] and scans(ctx)[0][2]  # kept, as sent
            assert ctx.scans.fetch(auth.auth_id).fetched is False  # asked again: the local copy
            assert sync_once(ctx).scans_sent == 0  # never sent back
        # the hall's case view: a hall device keeps it in its documents folder, like its PDFs
        thumbprint = first.cases.get(case.case_id).authorisation["thumbprint"]
        copy, where = hall.scans.show(auth.auth_id, "zhangli", thumbprint)
        assert copy.data == PNG and where.endswith(".png") and Path(where).read_bytes() == PNG
        # offline: a clear sentence, nothing stored
        third = device(tmp_path, server_engine, server.url, "ag4", "agent:wangqiang@JJ01")
        sync_once(third)
        with third.Session.begin() as session:
            session.execute(update(Device).values(server_url="http://127.0.0.1:9"))
        with pytest.raises(ScanError, match="暂时无法取回扫描件"):
            third.scans.fetch(auth.auth_id)
        assert scans(third) == []
        third.close()
    finally:
        for ctx in (first, second, hall):
            ctx.close()


def test_another_agent_or_hall_never_reads_it(tmp_path, server_engine, server):
    first = device(tmp_path, server_engine, server.url, "ag1", "agent:wangqiang@JJ01")
    stranger = device(tmp_path, server_engine, server.url, "ag3", "agent:zhaomin@JJ01")
    elsewhere = device(tmp_path, server_engine, server.url, "hall2", "hall:JJ02")
    try:
        auth = authorise(first, ZHOU_GUIYING, received=False)
        (tmp_path / "signed.png").write_bytes(PNG)
        first.agent_day.receive(AGENT, auth.auth_id, tmp_path / "signed.png")
        sync_once(first)
        mine = httpx.get(f"{server.url}/v1/attachments/{SHA}", headers={"Authorization": f"Bearer {token(first)}"})
        assert mine.status_code == 200 and mine.content == PNG and mine.headers["content-type"] == "image/png"
        assert mine.headers["cache-control"] == "no-store"
        for ctx in (stranger, elsewhere):
            answer = httpx.get(f"{server.url}/v1/attachments/{SHA}", headers={"Authorization": f"Bearer {token(ctx)}"})
            assert answer.status_code == 404 and "没有这份扫描件" in answer.json()["detail"]
            with pytest.raises(ScanError, match="服务器未给出扫描件"):
                ctx.scans.fetch(auth.auth_id, thumbprint=SHA)  # even knowing the thumbprint
            assert scans(ctx) == []
        bad = httpx.get(f"{server.url}/v1/attachments/NOT-A-SHA", headers={"Authorization": f"Bearer {token(first)}"})
        assert bad.status_code == 422
        assert httpx.get(f"{server.url}/v1/attachments/{SHA}").status_code == 401
        with pytest.raises(ScanError, match="没有附扫描件"):
            first.scans.fetch(authorise(first, ZHOU_GUIYING).auth_id)
    finally:
        for ctx in (first, stranger, elsewhere):
            ctx.close()
