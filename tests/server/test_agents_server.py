"""Issue 13 on the server (real PostgreSQL): an agent device's proxy decisions need a
valid authorisation for a principal of the agent's township; refused events are
answered per event, kept in the device's quarantine, and never stored."""

from __future__ import annotations

import uuid

import pytest
from agent_harness import AGENT, authorise, file_case
from harness import enroll, make_device
from sqlalchemy import select

from hall_app.domain.authorisation import Authorisation
from hall_app.domain.events import Event
from hall_app.server.agents import set_township
from hall_app.server.models import feed
from hall_app.services.demo import LIU_YANG, ZHAO_JIANGUO, ZHOU_GUIYING
from hall_app.store.models import Device
from hall_app.sync.client import ServerClient
from hall_app.sync.core import sync_once

pytestmark = pytest.mark.postgres


class Forger:
    """Raw events from an enrolled agent device that skips the laptop's own checks."""

    def __init__(self, ctx, url: str):
        with ctx.read() as session:
            token = session.get(Device, ctx.device_id).token
        self.ctx, self.client = ctx, ServerClient(url, token)
        self.seq = self.client.state()["device_seq_high"]

    def event(self, kind: str, case_id: str, payload: dict, when: str = "") -> dict:
        self.seq += 1
        return Event(str(uuid.uuid4()), case_id, self.ctx.device_id, self.seq, "wangqiang", kind, payload,
                     when or self.ctx.now_iso()).to_dict()

    def case(self, case_id: str, principal: str, authorisation: dict | None) -> list[dict]:
        events = [self.event("case.started", case_id, {"bundle_code": "newborn", "bundle_version": 1,
                                                       "tracking_code": uuid.uuid4().hex[:12].upper(),
                                                       "hall": "JJ01", "channel": "proxy"}),
                  self.event("case.applicant_set", case_id, {"key": "id_number", "value": principal}),
                  self.event("case.applicant_set", case_id, {"key": "name", "value": "赵建国"})]
        if authorisation is not None:
            events.append(self.event("case.authorisation_set", case_id, {"authorisation": authorisation}))
        return events + [self.event("case.accepted", case_id, {"items": {}, "warnings": []})]

    def push(self, events: list[dict]) -> list[dict]:
        return self.client.push(events)["results"]


def copy(ctx, principal=ZHAO_JIANGUO, **over) -> dict:
    """An authorisation's copy, valid today only (enough for a decision made now)."""
    today = ctx.today().isoformat()
    base = Authorisation("a-" + uuid.uuid4().hex[:8], principal, "赵建国", "wangqiang", "王强", "帮代办员",
                         ("newborn",), today, today, township="白沙镇", received_at=ctx.now_iso())
    return {**base.to_payload(), **over}


def stored_types(engine, case_id: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(feed.c.type).where(feed.c.case_id == case_id).order_by(feed.c.seq))
                    .scalars())


@pytest.fixture
def agent_device(tmp_path, server_engine, server):
    ctx = make_device(tmp_path, "ag")
    enroll(ctx, server_engine, server.url, "agent:wangqiang@JJ01")
    yield ctx
    ctx.close()


def test_a_proxy_decision_without_an_authorisation_is_refused(agent_device, server_engine, server):
    forger = Forger(agent_device, server.url)
    results = forger.push(forger.case("c-none", ZHAO_JIANGUO, None))
    assert [r["status"] for r in results] == ["stored"] * 3 + ["rejected"]
    assert results[-1]["code"] == "authorisation" and "授权委托书" in results[-1]["error"]
    assert "case.accepted" not in stored_types(server_engine, "c-none")


@pytest.mark.parametrize("over, words", [
    ({"received_at": ""}, "尚未收到"),
    ({"revoked_at": "2026-01-01T00:00:00", "revoked_reason": "委托人收回"}, "已撤销"),
    ({"bundles": ["elderly_care"]}, "不包括本事项"),
    ({"valid_from": "2020-01-01", "valid_until": "2020-12-31"}, "到期"),
    ({"principal_id": LIU_YANG}, "不一致"),
])
def test_an_invalid_copy_does_not_carry_the_decision(agent_device, server_engine, server, over, words):
    forger = Forger(agent_device, server.url)
    results = forger.push(forger.case("c-bad", ZHAO_JIANGUO, copy(agent_device, **over)))
    assert [r["status"] for r in results[:-1]] == ["stored"] * 4
    assert results[-1]["status"] == "rejected" and words in results[-1]["error"], results[-1]


def test_a_valid_copy_carries_the_decision(agent_device, server_engine, server):
    forger = Forger(agent_device, server.url)
    results = forger.push(forger.case("c-good", ZHAO_JIANGUO, copy(agent_device)))
    assert [r["status"] for r in results] == ["stored"] * 5
    # and in two batches: the copy stored earlier is found on the server
    events = forger.case("c-split", ZHAO_JIANGUO, copy(agent_device))
    assert [r["status"] for r in forger.push(events[:4])] == ["stored"] * 4
    assert [r["status"] for r in forger.push(events[4:])] == ["stored"]


def test_another_agents_authorisation_is_refused(agent_device, server_engine, server):
    forger = Forger(agent_device, server.url)
    results = forger.push(forger.case("c-other", ZHAO_JIANGUO, copy(agent_device, agent="lisi", agent_name="李四")))
    assert (results[3]["status"], results[3]["code"]) == ("rejected", "authorisation")
    assert "李四" in results[3]["error"]
    assert results[4]["status"] == "rejected"  # no copy on the server: no decision either


def test_outside_the_agents_township_is_refused(agent_device, server_engine, server):
    set_township(server_engine, "JJ01", "wangqiang", "白沙镇")
    forger = Forger(agent_device, server.url)
    results = forger.push(forger.case("c-far", LIU_YANG, copy(agent_device, LIU_YANG, township="几江街道")))
    assert results[3]["status"] == "rejected" and results[3]["code"] == "township"
    assert "几江街道" in results[3]["error"] and results[4]["status"] == "rejected"
    assert "case.authorisation_set" not in stored_types(server_engine, "c-far")
    ok = forger.push(forger.case("c-near", ZHAO_JIANGUO, copy(agent_device)))
    assert [r["status"] for r in ok] == ["stored"] * 5


def test_a_real_agent_laptop_files_and_the_server_agrees(agent_device, server_engine, server):
    set_township(server_engine, "JJ01", "wangqiang", "白沙镇")
    auth = authorise(agent_device, ZHOU_GUIYING)
    state = file_case(agent_device, auth, "elderly_care")
    report = sync_once(agent_device)
    assert report.push.quarantined == 0 and report.push.sent > 5
    # the server dispatches the accepted case itself (issue 12)
    assert stored_types(server_engine, state.case_id)[-2:] == ["case.accepted", "case.dispatched"]
    assert AGENT.township == "白沙镇"
