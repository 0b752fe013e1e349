"""Issue 9, the attacks on the push path over real HTTP against PostgreSQL: each gets
a per-event rejection with a reason, nothing of it is stored, and the rest of the
batch is stored as usual."""

from __future__ import annotations

import uuid

import httpx
import pytest
from harness import dispatched_case, enroll, make_device, new_case, server_counts
from sqlalchemy import select

from hall_app.domain.events import Event
from hall_app.server.models import cases, feed
from hall_app.store.models import Device
from hall_app.sync.client import ServerClient
from hall_app.sync.core import sync_once
from hall_app.sync.errors import SyncError

pytestmark = pytest.mark.postgres


def token_of(ctx) -> str:
    with ctx.read() as session:
        return session.get(Device, ctx.device_id).token


def client_of(ctx, url: str) -> ServerClient:
    return ServerClient(url, token_of(ctx))


class Forger:
    """Raw events from an enrolled device (everything it had was synced), numbered on from the server's count."""

    def __init__(self, ctx, url: str):
        self.ctx, self.client = ctx, client_of(ctx, url)
        self.seq = self.client.state()["device_seq_high"]  # numbers stay gap-free (refused ones count)

    def event(self, kind: str, case_id: str, payload: dict) -> dict:
        self.seq += 1
        return Event(str(uuid.uuid4()), case_id, self.ctx.device_id, self.seq, "mallory", kind, payload).to_dict()

    def start(self, case_id: str, **payload) -> dict:
        return self.event("case.started", case_id, {"bundle_code": "newborn", "bundle_version": 1,
                                                    "tracking_code": uuid.uuid4().hex[:12].upper(), **payload})

    def push(self, *events: dict) -> list[dict]:
        return self.client.push(list(events))["results"]


def stored_halls(engine, case_id: str) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(feed.c.hall).where(feed.c.case_id == case_id)).scalars())


def test_a_hall_device_cannot_forge_a_department_result(tmp_path, server_engine, server):
    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    case_id = dispatched_case(a)
    sync_once(a)
    item = next(iter(a.cases.get(case_id).items))
    forger = Forger(a, server.url)
    [result] = forger.push(forger.event("case.item_result", case_id, {"item": item, "status": "completed",
                                                                      "note": "", "document": ""}))
    assert result["status"] == "rejected" and result["code"] == "scope"
    assert "case.item_result" in result["error"] and "大厅设备" in result["error"]
    with server_engine.connect() as conn:
        assert conn.execute(select(feed.c.seq).where(feed.c.type == "case.item_result")).first() is None
    page = httpx.get(f"{server.url}/t/{a.cases.get(case_id).tracking_code}")
    assert page.status_code == 200 and "已办结" not in page.text


def test_payload_hall_never_picks_the_hall(tmp_path, server_engine, server):
    a, other = make_device(tmp_path, "a"), make_device(tmp_path, "o", hall="JJ02")
    enroll(a, server_engine, server.url)
    enroll(other, server_engine, server.url, "hall:JJ02")
    forger = Forger(a, server.url)
    everywhere, elsewhere, plain = forger.start("c-star", hall="*"), forger.start("c-02", hall="JJ02"), \
        forger.start("c-plain")
    results = forger.push(everywhere, elsewhere, plain)
    assert [r["status"] for r in results] == ["rejected", "rejected", "stored"]
    assert all(r["code"] == "scope" for r in results[:2]) and "JJ01" in results[0]["error"]
    assert stored_halls(server_engine, "c-plain") == {"JJ01"}
    assert stored_halls(server_engine, "c-star") == stored_halls(server_engine, "c-02") == set()
    sync_once(other)
    with other.read() as session:
        assert session.get(Device, other.device_id).pull_cursor > 0
    from harness import projections

    assert projections(other) == {}  # JJ02 received nothing of JJ01's


def test_an_agent_cannot_start_a_case_in_another_hall(tmp_path, server_engine, server):
    ag = make_device(tmp_path, "ag")
    enroll(ag, server_engine, server.url, "agent:wangqiang@JJ01")
    forger = Forger(ag, server.url)
    results = forger.push(forger.start("c-jj02", hall="JJ02"), forger.start("c-all", hall="*"),
                          forger.start("c-own", hall="JJ01"))
    assert [r["status"] for r in results] == ["rejected", "rejected", "stored"]
    with server_engine.connect() as conn:
        owners = {r.case_id: (r.hall, r.agent) for r in conn.execute(select(cases))}
    assert owners == {"c-own": ("JJ01", "wangqiang")}


def test_a_case_id_belongs_to_the_hall_that_started_it_first(tmp_path, server_engine, server):
    a, b = make_device(tmp_path, "a"), make_device(tmp_path, "b", hall="JJ02")
    enroll(a, server_engine, server.url)
    enroll(b, server_engine, server.url, "hall:JJ02")
    case_id = new_case(a)
    sync_once(a)
    forger = Forger(b, server.url)
    start, edit = forger.start(case_id), forger.event("case.applicant_set", case_id, {"key": "phone",
                                                                                       "value": "13800001111"})
    results = forger.push(start, edit)
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "conflict"), ("rejected", "scope")]
    assert "JJ01" in results[0]["error"]
    assert stored_halls(server_engine, case_id) == {"JJ01"}


def test_no_writes_into_a_case_before_its_start_is_on_the_server(tmp_path, server_engine, server):
    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    forger = Forger(a, server.url)
    early = forger.event("case.applicant_set", "c-later", {"key": "name", "value": "张三"})
    [result] = forger.push(early)
    assert result["status"] == "rejected" and result["code"] == "not_started" and "开始" in result["error"]
    start = forger.start("c-later")
    edit = forger.event("case.applicant_set", "c-later", {"key": "name", "value": "张三"})
    assert [r["status"] for r in forger.push(start, edit)] == ["stored", "stored"]  # own start, same batch


def test_a_tracking_code_already_taken_is_refused(tmp_path, server_engine, server):
    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    forger = Forger(a, server.url)
    first = forger.start("c-one", tracking_code="K7P9M2QTX4RH")
    second = forger.start("c-two", tracking_code="K7P9M2QTX4RH")
    follow = forger.event("case.step_set", "c-two", {"step": "need"})
    results = forger.push(first, second, follow)
    assert [r["status"] for r in results] == ["stored", "rejected", "rejected"]
    assert results[1]["code"] == "conflict" and "跟踪码" in results[1]["error"]
    assert set(server_counts(server_engine)) == {first["event_id"]}


def test_kiosk_and_display_push_no_case_events(tmp_path, server_engine, server):
    kiosk, display = make_device(tmp_path, "k"), make_device(tmp_path, "d")
    enroll(kiosk, server_engine, server.url, "kiosk:JJ01/K1")
    enroll(display, server_engine, server.url, "display:JJ01/D1")
    forger = Forger(kiosk, server.url)
    with pytest.raises(SyncError, match="取号机") as refused:  # a kiosk may not push at all (queue issue)
        forger.push(forger.start("c-kiosk"))
    assert refused.value.status == 403
    answer = httpx.post(f"{server.url}/v1/push", json={"events": []},
                        headers={"Authorization": f"Bearer {token_of(display)}"})
    assert answer.status_code == 403 and "叫号屏" in answer.json()["detail"]
