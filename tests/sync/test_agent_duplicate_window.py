"""Issue 13 over a real server (PostgreSQL): a relative takes the principal to the hall
the same day the agent files for them. The window case and the proxy case of the same
person and bundle flag each other, as two agents' cases do; two window cases do not."""

from __future__ import annotations

import pytest
from agent_harness import AGENT, authorise
from harness import enroll, local_events, make_device, server_counts
from sqlalchemy import select

from hall_app.domain.case import review_lines
from hall_app.server.models import feed
from hall_app.services.demo import HE_DEGUI, ZHOU_GUIYING
from hall_app.sync.core import sync_once

pytestmark = pytest.mark.postgres


def device(tmp_path, engine, url, name: str, scope: str):
    ctx = make_device(tmp_path, name)
    enroll(ctx, engine, url, scope)
    return ctx


def window_case(ctx, id_number: str, bundle: str = "social_assistance") -> str:
    case_id = ctx.cases.start(bundle, "zhangli").case_id
    ctx.cases.set_applicant_id(case_id, "zhangli", id_number)
    return case_id


def flags(engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(feed.c.case_id).where(feed.c.type == "case.duplicate_flagged")).scalars())


def test_a_window_case_of_the_same_person_and_bundle_flags_the_proxy_case(tmp_path, server_engine, server):
    agent = device(tmp_path, server_engine, server.url, "ag1", "agent:wangqiang@JJ01")
    window = device(tmp_path, server_engine, server.url, "win", "window:JJ01/W03")
    try:
        a = agent.agent_day.start_for(AGENT, authorise(agent, ZHOU_GUIYING).auth_id, "social_assistance")
        assert sync_once(agent).push.quarantined == 0
        other_bundle = window_case(window, ZHOU_GUIYING, "elderly_care")  # the same person, another need
        w = window_case(window, ZHOU_GUIYING)
        assert sync_once(window).push.quarantined == 0
        sync_once(agent)
        assert flags(server_engine) == sorted([a.case_id, w])
        mine = agent.cases.get(a.case_id)
        assert mine.needs_review and [d["other_case_id"] for d in mine.duplicates] == [w]
        assert mine.duplicates[0]["other_window"] == "W03" and mine.duplicates[0]["other_agent"] == ""
        [line] = [c for c in agent.agent_day.view(AGENT).cases if c.case_id == a.case_id]
        assert line.came_back == "疑似重复代办" and "（窗口 W03）" in line.next_step
        [text] = [x for x in review_lines(mine) if x.startswith("疑似重复代办")]
        assert "周桂英的“" in text and "大厅窗口 W03" in text
        sync_once(window)
        theirs = window.cases.get(w)
        assert theirs.needs_review and [d["other_case_id"] for d in theirs.duplicates] == [a.case_id]
        assert theirs.duplicates[0]["other_agent"] == "王强"
        assert not window.cases.get(other_bundle).needs_review
        sync_once(agent)
        sync_once(window)  # again: no second flag
        assert len(local_events(agent, type="case.duplicate_flagged")) == 1
        assert set(server_counts(server_engine).values()) == {1}
    finally:
        agent.close()
        window.close()


def test_a_corrected_id_number_is_filed_again_and_two_window_cases_are_not_flagged(
        tmp_path, server_engine, server):
    agent = device(tmp_path, server_engine, server.url, "ag1", "agent:wangqiang@JJ01")
    window = device(tmp_path, server_engine, server.url, "win", "window:JJ01/W03")
    try:
        first = window_case(window, ZHOU_GUIYING)
        second = window_case(window, ZHOU_GUIYING)  # the hall's own business: not flagged
        typo = window_case(window, HE_DEGUI)  # the clerk took the wrong card first
        sync_once(window)
        assert flags(server_engine) == []
        a = agent.agent_day.start_for(AGENT, authorise(agent, ZHOU_GUIYING).auth_id, "social_assistance")
        window.cases.void(first, "zhangli", "申请人改由帮代办员代办")
        sync_once(window)
        sync_once(agent)
        assert flags(server_engine) == sorted([a.case_id, second])  # the voided one is closed
        window.cases.set_applicant_id(typo, "zhangli", ZHOU_GUIYING)
        sync_once(window)
        assert flags(server_engine) == sorted([a.case_id, a.case_id, second, typo])
        sync_once(agent)
        assert sorted(d["other_case_id"] for d in agent.cases.get(a.case_id).duplicates) == sorted([second, typo])
    finally:
        agent.close()
        window.close()
