"""Issue 13 over a real server (PostgreSQL): the person-file extracts of an agent's
principals are refreshed at each sync, only theirs, and the workbench says how old
each one is; a principal whose authorisation ended is no longer carried."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from agent_harness import AGENT, authorise
from harness import enroll, make_device
from sqlalchemy import select

from hall_app.domain.authorisation import Draft
from hall_app.domain.ids import id_check_char
from hall_app.server.person_files import demo_records, load
from hall_app.services.context import CHINA
from hall_app.services.demo import HE_DEGUI, LIU_YANG, ZHOU_GUIYING
from hall_app.services.person_extracts import summary
from hall_app.store.models import Device, Elicence, Person, PersonExtractRow
from hall_app.sync.core import sync_once

pytestmark = pytest.mark.postgres

NOT_ON_FILE = "50011619550101" + "123"
NOT_ON_FILE += id_check_char(NOT_ON_FILE)


def device(tmp_path, engine, url, name: str, scope: str, clock=None):
    ctx = make_device(tmp_path, name, clock=clock)
    enroll(ctx, engine, url, scope)
    return ctx


def token(ctx) -> str:
    with ctx.read() as session:
        return session.get(Device, ctx.device_id).token


def ages(ctx) -> dict[str, str]:
    return {p.auth.principal_id: p.file.text for p in ctx.agent_day.principals(AGENT.username)}


def test_the_principals_extracts_are_refreshed_at_each_sync_and_their_age_shown(tmp_path, server_engine, server):
    records = demo_records("2026-11-30")
    for record in records:
        if record["id_number"] == ZHOU_GUIYING:
            record["phone"] = "13800000001"  # the file changed at its source since the laptop's copy
            record["elicences"].append({"type": "残疾人证", "number": "C-1", "issued_by": "江津区残联"})
    assert load(server_engine, records) == (len(records), [])
    now = [dt.datetime(2026, 12, 1, 9, 0, tzinfo=CHINA)]
    laptop = device(tmp_path, server_engine, server.url, "ag1", "agent:wangqiang@JJ01", clock=lambda: now[0])
    hall = device(tmp_path, server_engine, server.url, "hall", "hall:JJ01")
    try:
        zhou = authorise(laptop, ZHOU_GUIYING)
        he = authorise(laptop, HE_DEGUI)
        laptop.authorisations.record(AGENT, Draft(NOT_ON_FILE, "子女", ("social_assistance",), "2026-12-01",
                                                  "2027-01-31"), principal_name="冉光明",
                                     address="重庆市江津区白沙镇石坝村9组1号")
        assert set(ages(laptop).values()) == {"⚠ 未取得"}  # recorded offline: nothing refreshed yet
        assert laptop.people.lookup(ZHOU_GUIYING).attributes["phone"] == "13527781234"  # the old copy
        report = sync_once(laptop)
        assert (report.extracts.refreshed, report.extracts.missing, report.extracts.dropped) == (2, 1, 0)
        assert "委托人档案更新 2 人" in report.summary()
        record = laptop.people.lookup(ZHOU_GUIYING)
        assert record.attributes["phone"] == "13800000001" and "残疾人证" in record.elicences
        assert ages(laptop) == {ZHOU_GUIYING: "0分钟前", HE_DEGUI: "0分钟前", NOT_ON_FILE: "查无档案"}
        # only its own principals: the answer names no one else
        answer = httpx.get(f"{server.url}/v1/person-files", headers={"Authorization": f"Bearer {token(laptop)}"})
        assert sorted(e["id_number"] for e in answer.json()["extracts"]) == sorted([ZHOU_GUIYING, HE_DEGUI])
        assert answer.json()["missing"] == [NOT_ON_FILE] and LIU_YANG not in answer.text
        refused = httpx.get(f"{server.url}/v1/person-files", headers={"Authorization": f"Bearer {token(hall)}"})
        assert refused.status_code == 403

        now[0] += dt.timedelta(hours=30)  # a day and more without the server
        shown = laptop.agent_day.principals(AGENT.username)
        assert ages(laptop)[ZHOU_GUIYING] == "⚠ 30小时前" and all(p.file.stale for p in shown)
        assert summary([p.file for p in shown]) == "⚠ 档案最久30小时前更新"

        laptop.authorisations.revoke(he.auth_id, "委托人改由子女代办")  # he is no longer a principal
        newer = [dict(r, phone="13900000002") for r in demo_records("2026-12-02")
                 if r["id_number"] == ZHOU_GUIYING]
        assert load(server_engine, newer) == (1, [])  # the server's file was loaded again meanwhile
        report = sync_once(laptop)
        assert (report.extracts.refreshed, report.extracts.dropped) == (1, 1)
        assert laptop.people.lookup(ZHOU_GUIYING).attributes["phone"] == "13900000002"  # the reload arrived
        with laptop.read() as session:
            assert session.get(Person, HE_DEGUI) is None and session.get(PersonExtractRow, HE_DEGUI) is None
            assert session.scalars(select(Elicence).where(Elicence.holder == HE_DEGUI)).all() == []
            assert session.get(Person, LIU_YANG) is not None  # the laptop's own data, never from the server
        assert ages(laptop)[ZHOU_GUIYING] == "0分钟前" and zhou.auth_id
    finally:
        laptop.close()
        hall.close()


def test_another_agent_gets_none_and_bad_extracts_are_refused(tmp_path, server_engine, server):
    bad = demo_records("2026-11-30")[:2]
    bad[0] = dict(bad[0], id_number="500116194206113660")  # its check character is wrong
    bad[1] = dict(bad[1], name="")
    stored, problems = load(server_engine, bad + demo_records("2026-11-30")[2:3])
    assert stored == 1 and len(problems) == 2 and problems[0].startswith("第1条：") and problems[1].startswith("第2条")
    load(server_engine, demo_records("2026-11-30"))
    mine = device(tmp_path, server_engine, server.url, "ag1", "agent:wangqiang@JJ01")
    other = device(tmp_path, server_engine, server.url, "ag2", "agent:zhaomin@JJ01")
    try:
        authorise(mine, ZHOU_GUIYING)
        sync_once(mine)
        report = sync_once(other)
        assert (report.extracts.refreshed, report.extracts.missing) == (0, 0)
        with other.read() as session:
            assert session.scalars(select(PersonExtractRow)).all() == []
    finally:
        mine.close()
        other.close()
