"""Issue 13 over a real server (PostgreSQL): the register of authorisations reaches the
agent's other laptop and the hall (never another agent), with the scan of the signed
paper; two agents filing the same need offline are both kept and both flagged."""

from __future__ import annotations

import hashlib
import uuid

import httpx
import pytest
from agent_harness import AGENT, authorise
from harness import enroll, local_events, make_device, server_counts
from sqlalchemy import select

from hall_app.domain.authorisation import Draft
from hall_app.domain.events import Event
from hall_app.server.agents import set_township
from hall_app.server.models import attachments, feed, proxy_filings
from hall_app.services.demo import HE_DEGUI, ZHOU_GUIYING
from hall_app.services.users import SignedIn
from hall_app.store.models import AuthorisationRow, Device
from hall_app.sync.core import sync_once

pytestmark = pytest.mark.postgres

ZHAO_MIN = SignedIn("zhaomin", "赵敏", "agent", "JJ01", "W03", "白沙镇")  # a second agent of 白沙镇
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def laptop(tmp_path, engine, url, name: str, scope: str):
    ctx = make_device(tmp_path, name)
    enroll(ctx, engine, url, scope)
    return ctx


def register(ctx) -> dict[str, AuthorisationRow]:
    with ctx.read() as session:
        return {r.auth_id: r for r in session.scalars(select(AuthorisationRow))}


def token(ctx) -> str:
    with ctx.read() as session:
        return session.get(Device, ctx.device_id).token


def test_the_register_and_its_scan_reach_the_other_laptop_and_the_hall(tmp_path, server_engine, server):
    set_township(server_engine, "JJ01", "wangqiang", "白沙镇")
    first = laptop(tmp_path, server_engine, server.url, "ag1", "agent:wangqiang@JJ01")
    second = laptop(tmp_path, server_engine, server.url, "ag2", "agent:wangqiang@JJ01")  # the agent's other laptop
    hall = laptop(tmp_path, server_engine, server.url, "hall", "hall:JJ01")
    stranger = laptop(tmp_path, server_engine, server.url, "ag3", "agent:zhaomin@JJ01")
    try:
        auth = authorise(first, ZHOU_GUIYING, received=False)
        scan = tmp_path / "signed.png"
        scan.write_bytes(PNG)
        first.agent_day.receive(AGENT, auth.auth_id, scan)
        report = sync_once(first)
        assert report.push.quarantined == 0 and report.scans_sent == 1
        with server_engine.connect() as conn:
            kept = conn.execute(select(attachments)).mappings().all()
        assert [(k["sha256"], k["mime"], bytes(k["data"]), k["agent"]) for k in kept] == [
            (hashlib.sha256(PNG).hexdigest(), "image/png", PNG, "wangqiang")]
        assert sync_once(first).scans_sent == 0  # sent once

        for ctx in (second, hall, stranger):
            sync_once(ctx)
        entry = register(second)[auth.auth_id]
        assert (entry.principal_name, entry.township, entry.agent) == ("周桂英", "白沙镇", "wangqiang")
        assert entry.received_at and entry.thumbprint == hashlib.sha256(PNG).hexdigest()
        assert auth.auth_id in register(hall)  # the hall knows the register too
        assert register(stranger) == {}  # another agent never sees it
        # the other laptop files under the synced authorisation, offline, as the first could
        state = second.agent_day.start_for(AGENT, auth.auth_id, "social_assistance")
        assert state.authorisation["auth_id"] == auth.auth_id and state.authorisation["received_at"]

        first.authorisations.revoke(auth.auth_id, "委托人收回委托")
        sync_once(first)
        sync_once(second)
        assert register(second)[auth.auth_id].revoked_reason == "委托人收回委托"
        assert set(server_counts(server_engine).values()) == {1}
    finally:
        for ctx in (first, second, hall, stranger):
            ctx.close()


def forged_entry(ctx, stream: str, seq: int, **over) -> dict:
    today = ctx.today().isoformat()
    copy = {"auth_id": stream, "principal_id": HE_DEGUI, "principal_name": "何德贵", "agent": "zhaomin",
            "agent_name": "赵敏", "relation": "帮代办员", "bundles": ["newborn"], "valid_from": today,
            "valid_until": today, "township": "白沙镇", **over}
    return Event(str(uuid.uuid4()), stream, ctx.device_id, seq, "zhaomin", "register.authorisation_saved",
                 {"authorisation": copy}).to_dict()


def test_the_server_checks_whose_register_entry_it_is(tmp_path, server_engine, server):
    set_township(server_engine, "JJ01", "zhaomin", "白沙镇")
    ours = laptop(tmp_path, server_engine, server.url, "ag1", "agent:wangqiang@JJ01")
    theirs = laptop(tmp_path, server_engine, server.url, "ag2", "agent:zhaomin@JJ01")
    hall = laptop(tmp_path, server_engine, server.url, "hall", "hall:JJ01")
    try:
        from hall_app.sync.client import ServerClient

        push = lambda ctx, events: ServerClient(server.url, token(ctx)).push(events)["results"]  # noqa: E731
        [stored] = push(theirs, [forged_entry(theirs, "a-1", 1)])
        assert stored["status"] == "stored"
        far, mismatch = push(theirs, [forged_entry(theirs, "a-2", 2, township="几江街道"),
                                      forged_entry(theirs, "a-3", 3, auth_id="a-other")])
        assert (far["status"], far["code"]) == ("rejected", "township") and "几江街道" in far["error"]
        assert mismatch["status"] == "rejected" and "不一致" in mismatch["error"]
        [taken] = push(ours, [forged_entry(ours, "a-1", 1, agent="wangqiang", agent_name="王强")])
        assert (taken["status"], taken["code"]) == ("rejected", "scope") and "另一位帮代办员" in taken["error"]
        [foreign] = push(ours, [forged_entry(ours, "a-4", 2)])  # an entry naming another agent
        assert (foreign["status"], foreign["code"]) == ("rejected", "authorisation")
        [refused] = push(hall, [forged_entry(hall, "a-5", 1)])  # a hall device keeps no register
        assert (refused["status"], refused["code"]) == ("rejected", "scope")
    finally:
        for ctx in (ours, theirs, hall):
            ctx.close()


def test_a_scan_is_kept_only_as_the_register_names_it(tmp_path, server_engine, server):
    ctx = laptop(tmp_path, server_engine, server.url, "ag1", "agent:wangqiang@JJ01")
    try:
        auth = authorise(ctx, ZHOU_GUIYING)
        sync_once(ctx)
        headers = {"Authorization": f"Bearer {token(ctx)}"}

        def send(body: bytes, sha: str | None = None, auth_id: str = auth.auth_id) -> httpx.Response:
            sha = sha or hashlib.sha256(body).hexdigest()
            return httpx.post(f"{server.url}/v1/attachments/{sha}", params={"auth_id": auth_id}, content=body,
                              headers=headers)

        fake = b"MZ\x90\x00 a program named scan.jpg"
        answer = send(fake)
        assert answer.status_code == 422 and "PDF、JPEG 或 PNG" in answer.json()["detail"]
        answer = send(PNG, sha="0" * 64)
        assert answer.status_code == 422 and "校验值" in answer.json()["detail"]
        answer = send(PNG, auth_id="a\x00b")  # never reaches the database (it would answer 503)
        assert answer.status_code == 422 and "授权委托书编号" in answer.json()["detail"]
        answer = send(PNG)  # a good file, but no register entry names it
        assert answer.status_code == 409 and "登记" in answer.json()["detail"]
        answer = send(b"%PDF-1.7\n" + b"\0" * (9 * 1024 * 1024))
        assert answer.status_code == 413
        with server_engine.connect() as conn:
            assert conn.execute(select(attachments.c.sha256)).all() == []
        hall_token = laptop(tmp_path, server_engine, server.url, "hall", "hall:JJ01")
        try:
            answer = httpx.post(f"{server.url}/v1/attachments/{hashlib.sha256(PNG).hexdigest()}",
                                params={"auth_id": auth.auth_id}, content=PNG,
                                headers={"Authorization": f"Bearer {token(hall_token)}"})
            assert answer.status_code == 403  # only an agent sends scans
        finally:
            hall_token.close()
    finally:
        ctx.close()


def test_two_agents_filing_the_same_need_offline_are_both_kept_and_flagged(tmp_path, server_engine, server):
    first = laptop(tmp_path, server_engine, server.url, "ag1", "agent:wangqiang@JJ01")
    second = laptop(tmp_path, server_engine, server.url, "ag2", "agent:zhaomin@JJ01")
    try:
        mine = authorise(first, ZHOU_GUIYING)
        theirs = second.agent_day.receive(ZHAO_MIN, second.authorisations.record(ZHAO_MIN, Draft(
            ZHOU_GUIYING, "帮代办员", ("social_assistance",), first.today().isoformat(),
            first.today().isoformat())).auth_id)
        a = first.agent_day.start_for(AGENT, mine.auth_id, "social_assistance")  # both offline, same need
        b = second.agent_day.start_for(ZHAO_MIN, theirs.auth_id, "social_assistance")
        assert sync_once(first).push.quarantined == 0
        assert first.cases.get(a.case_id).duplicates == []  # alone so far
        report = sync_once(second)
        assert report.push.quarantined == 0  # not refused: both cases are on the server
        sync_once(first)
        for ctx, case, other, who in ((first, a, b, "赵敏"), (second, b, a, "王强")):
            state = ctx.cases.get(case.case_id)
            assert state.needs_review and [d["other_case_id"] for d in state.duplicates] == [other.case_id]
            agent = AGENT if ctx is first else ZHAO_MIN
            [line] = [c for c in ctx.agent_day.view(agent).cases if c.case_id == case.case_id]
            assert line.came_back == "疑似重复代办" and line.next_step.startswith("疑似重复：另有 ")
            assert who in line.next_step and other.tracking_code[:4] in line.next_step
            from hall_app.domain.case import review_lines

            [text] = [x for x in review_lines(state) if x.startswith("疑似重复代办")]  # the case view's line
            assert "周桂英的“" in text and who in text and "请与对方核实" in text
        with server_engine.connect() as conn:
            flags = conn.execute(select(feed.c.case_id).where(feed.c.type == "case.duplicate_flagged")).all()
            keys = conn.execute(select(proxy_filings.c.principal_key)).scalars().all()
        assert sorted(f.case_id for f in flags) == sorted([a.case_id, b.case_id])
        assert ZHOU_GUIYING not in "".join(keys)  # the index names no one
        sync_once(first)
        sync_once(second)  # again: no second flag
        assert len(local_events(first, type="case.duplicate_flagged")) == 1
        assert set(server_counts(server_engine).values()) == {1}
    finally:
        first.close()
        second.close()


def test_a_closed_case_is_no_duplicate(tmp_path, server_engine, server):
    first = laptop(tmp_path, server_engine, server.url, "ag1", "agent:wangqiang@JJ01")
    second = laptop(tmp_path, server_engine, server.url, "ag2", "agent:zhaomin@JJ01")
    try:
        mine = authorise(first, ZHOU_GUIYING)
        a = first.agent_day.start_for(AGENT, mine.auth_id, "social_assistance")
        first.cases.void(a.case_id, "wangqiang", "委托人改为自行办理")
        sync_once(first)
        theirs = second.agent_day.receive(ZHAO_MIN, second.authorisations.record(ZHAO_MIN, Draft(
            ZHOU_GUIYING, "帮代办员", ("social_assistance",), first.today().isoformat(),
            first.today().isoformat())).auth_id)
        b = second.agent_day.start_for(ZHAO_MIN, theirs.auth_id, "social_assistance")
        sync_once(second)
        assert second.cases.get(b.case_id).duplicates == [] and not second.cases.get(b.case_id).needs_review
    finally:
        first.close()
        second.close()
