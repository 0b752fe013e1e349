"""The central server against PostgreSQL over real HTTP: enrollment and tokens, scopes,
rejection of a changed event, the OpenAPI spec, schema migrations, the idle pull."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys

import httpx
import pytest
from harness import ROOT, enroll, local_events, make_device, new_case, projections, server_counts
from sqlalchemy import event, select, text

from hall_app.domain.events import Event
from hall_app.server.auth import make_enrollment_code
from hall_app.server.db import HEAD_REVISION, current_revision
from hall_app.server.feed import pull_query
from hall_app.server.models import audit, devices, enrollment_codes, feed, metadata
from hall_app.store.models import Device
from hall_app.store.repository import row_event
from hall_app.sync.client import ServerClient, SyncError
from hall_app.sync.core import sync_once
from hall_app.sync.status import sync_status

pytestmark = pytest.mark.postgres


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hall_app", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def token_of(ctx) -> str:
    with ctx.read() as session:
        return session.get(Device, ctx.device_id).token


def test_enrollment_codes_are_single_use_and_tokens_stored_hashed(server_engine, server):
    code = make_enrollment_code(server_engine, "window:JJ01/W03")
    client = ServerClient(server.url)
    answer = client.enroll(code.lower().replace("-", ""), "dev-1", "3号窗口")  # as a clerk may type it
    assert (answer["scope"], answer["hall"], answer["window"]) == ("window:JJ01/W03", "JJ01", "W03")
    with pytest.raises(SyncError) as err:
        client.enroll(code, "dev-2")
    assert err.value.status == 400 and "登记码无效" in str(err.value)
    with pytest.raises(SyncError):
        client.enroll(make_enrollment_code(server_engine, "hall:JJ01", hours=-1), "dev-3")  # expired
    with server_engine.connect() as conn:
        row = conn.execute(select(devices).where(devices.c.device_id == "dev-1")).mappings().one()
        dump = " ".join(str(v) for r in conn.execute(select(devices)).all() for v in r)
        dump += " ".join(str(v) for r in conn.execute(select(enrollment_codes)).all() for v in r)
    assert row["token_hash"] == hashlib.sha256(answer["token"].encode()).hexdigest()
    assert answer["token"] not in dump and code.replace("-", "") not in dump  # only digests are kept
    assert ServerClient(server.url, answer["token"]).state()["device_id"] == "dev-1"
    with pytest.raises(SyncError) as err:
        ServerClient(server.url, "hat_forged").state()
    assert err.value.kind == "auth"


def test_a_device_cannot_push_under_another_device_id(tmp_path, server_engine, server):
    a, b = make_device(tmp_path, "a"), make_device(tmp_path, "b")
    enroll(a, server_engine, server.url)
    enroll(b, server_engine, server.url)
    new_case(b)
    forged = [e.to_dict() for e in (Event(f"f{i}", "case-x", b.device_id, i + 1, "zhangli", "case.step_set",
                                          {"step": "need"}) for i in range(2))]
    results = ServerClient(server.url, token_of(a)).push(forged)["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert "其他设备" in results[0]["error"] and server_counts(server_engine) == {}


def test_changed_event_is_rejected_original_kept_and_later_events_flow(tmp_path, server_engine, server):
    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    case_id = new_case(a)
    first, victim = local_events(a)[:2]
    original = Event(victim.event_id, victim.case_id, victim.device_id, victim.device_seq, victim.actor,
                     victim.type, {**victim.payload, "value": "篡改"}, victim.device_time)
    # the server already holds this id with other content (a bug, a restored disk…)
    answer = ServerClient(server.url, token_of(a)).push([row_event(first).to_dict(), original.to_dict()])
    assert [r["status"] for r in answer["results"]] == ["stored", "stored"]
    later = new_case(a, "chenjing")
    report = sync_once(a)
    assert report.push.quarantined == 1
    [held] = local_events(a, sync_state="quarantined")
    assert held.event_id == victim.event_id and "内容不同" in held.sync_error
    with server_engine.connect() as conn:
        kept = conn.execute(select(feed.c.payload).where(feed.c.event_id == victim.event_id)).scalar_one()
        assert conn.execute(select(audit.c.what)).scalars().all() == ["event_rejected"]
    assert kept["value"] == "篡改"  # the original stays
    assert later in projections(a) and all(e.sync_state == "sent" for e in local_events(a, case_id=later))
    assert "隔离 1 条" in sync_status(a).label()
    a.close()
    shown = cli("sync", "--status", "--db", str(tmp_path / "a.db"))
    assert shown.returncode == 0 and "隔离" in shown.stdout and victim.event_id[:8] not in shown.stderr
    assert case_id in shown.stdout


def test_scopes_hall_window_agent(tmp_path, server_engine, server):
    h1 = make_device(tmp_path, "h1")
    w1 = make_device(tmp_path, "w1", window="W05")
    h2 = make_device(tmp_path, "h2", hall="JJ02")
    ag = make_device(tmp_path, "ag")
    enroll(h1, server_engine, server.url, "hall:JJ01")
    enroll(w1, server_engine, server.url, "window:JJ01/W05")
    enroll(h2, server_engine, server.url, "hall:JJ02")
    enroll(ag, server_engine, server.url, "agent:wangqiang@JJ01")
    c1, c2, c3 = new_case(h1), new_case(h2), new_case(ag, "wangqiang")
    for ctx in (h1, w1, h2, ag, h1, w1, h2, ag):
        sync_once(ctx)
    assert set(projections(h1)) == set(projections(w1)) == {c1, c3}  # the hall's cases, the agent's included
    assert set(projections(h2)) == {c2}
    assert set(projections(ag)) == {c3}  # an agent gets the cases it filed
    poke = Event("x1", c1, h2.device_id, 999, "x", "case.step_set", {"step": "need"})
    [result] = ServerClient(server.url, token_of(h2)).push([poke.to_dict()])["results"]
    assert result["status"] == "rejected" and result["code"] == "scope"


def test_openapi_spec_is_served(server):
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert {"/v1/enroll", "/v1/push", "/v1/pull", "/v1/state", "/v1/results", "/t/{code}"} <= set(spec["paths"])
    assert httpx.get(f"{server.url}/docs").status_code == 200


def test_revoke_and_enroll_code_from_the_command_line(tmp_path, pg_url, server_engine, server):
    made = cli("server", "enroll-code", "--scope", "hall:JJ01", "--db", pg_url)
    assert made.returncode == 0
    code = made.stdout.split()[0]
    a = make_device(tmp_path, "a")
    from hall_app.sync.core import enroll_device

    enroll_device(a, server.url, code)
    sync_once(a)
    listed = cli("server", "devices", "--db", pg_url)
    assert a.device_id in listed.stdout and "有效" in listed.stdout
    revoked = cli("server", "--db", pg_url, "revoke", a.device_id)
    assert revoked.returncode == 0 and "已吊销" in revoked.stdout
    # another process revoked it: the server refuses the token within auth.CACHE_SECONDS
    import time

    from hall_app.server.auth import CACHE_SECONDS

    deadline = time.monotonic() + CACHE_SECONDS + 0.5
    with pytest.raises(SyncError) as err:
        while time.monotonic() < deadline:
            sync_once(a)
            time.sleep(0.1)
    assert err.value.kind == "auth" and "吊销" in str(err.value)
    again = cli("server", "revoke", "no-such-device", "--db", pg_url)
    assert again.returncode != 0 and "没有" in again.stderr and "Traceback" not in again.stderr
    bad = cli("server", "devices", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert bad.returncode != 0 and "无法打开服务器数据库" in bad.stderr and "Traceback" not in bad.stderr


def test_schema_is_at_head_and_matches_the_models(server_engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    assert current_revision(server_engine) == HEAD_REVISION
    with server_engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_pull_with_nothing_new_is_one_indexed_query(tmp_path, server_engine, server):
    from harness import bulk_outbox

    a, b = make_device(tmp_path, "a"), make_device(tmp_path, "b")
    enroll(a, server_engine, server.url)
    enroll(b, server_engine, server.url)
    bulk_outbox(a, 3000)
    sync_once(a)
    sync_once(b)
    with server_engine.begin() as conn:
        conn.execute(text("ANALYZE feed"))
    statements: list[str] = []

    def spy(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(server_engine, "before_cursor_execute", spy)
    try:
        with b.read() as session:
            cursor = session.get(Device, b.device_id).pull_cursor
        page = ServerClient(server.url, token_of(b)).pull(cursor, 500)
    finally:
        event.remove(server_engine, "before_cursor_execute", spy)
    assert page["items"] == [] and page["next"] == cursor
    feed_reads = [s for s in statements if "FROM feed" in s or "FROM feed_counter" in s]
    assert len(feed_reads) == 1  # the page and the head in one statement (plus the token look-up)
    from hall_app.server.auth import DeviceInfo

    query = pull_query(DeviceInfo(b.device_id, "hall:JJ01", "JJ01"), cursor, 500, False, True)
    compiled = query.compile(server_engine, compile_kwargs={"literal_binds": True})
    with server_engine.connect() as conn:
        plan = "\n".join(conn.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")).scalars())
    assert not re.search(r"Seq Scan on feed\b(?!_counter)", plan), plan
    assert "Index" in plan
