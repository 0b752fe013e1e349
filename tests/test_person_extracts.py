"""Person-file extracts on an agent's laptop without a server (sync/person_files.py,
services/person_extracts.py, domain/person_extract.py): what is refused, what an older
server leaves alone, and the ages the workbench shows. Over a real server:
tests/sync/test_agent_person_files.py."""

import pytest
from sqlalchemy import select, update

from hall_app.domain.authorisation import Draft
from hall_app.domain.person_extract import check_extract
from hall_app.services.demo import HE_DEGUI, ZHOU_GUIYING
from hall_app.services.person_extracts import ExtractAge, summary
from hall_app.services.users import SignedIn
from hall_app.store.models import Device, Person, PersonExtractRow
from hall_app.sync.errors import SyncError
from hall_app.sync.person_files import refresh_extracts

AGENT = SignedIn("wangqiang", "王强", "agent", "JJ01", "W03", "白沙镇")
GOOD = {"id_number": ZHOU_GUIYING, "name": "周桂英", "phone": "13800000001", "updated_at": "2026-11-30",
        "elicences": [{"type": "居民身份证", "number": "1"}]}


class FakeServer:
    def __init__(self, answer=None, error: SyncError | None = None):
        self.answer, self.error = answer, error

    def person_files(self):
        if self.error is not None:
            raise self.error
        return self.answer


def test_an_extract_is_checked_like_an_event_payload():
    assert check_extract(GOOD)[0] is not None
    for bad, why in ((dict(GOOD, id_number="500116194206113660"), "id_number"), (dict(GOOD, name=""), "name"),
                     (dict(GOOD, phone="1\x00"), "phone"), (dict(GOOD, extra="x"), "extra"), ("nope", "格式")):
        extract, problem = check_extract(bad)
        assert extract is None and why in problem
        assert "500116194206113660" not in problem  # names no one in full


def test_refresh_stores_refuses_and_keeps_the_laptop_as_it_was_on_an_older_server(demo_ctx):
    report = refresh_extracts(demo_ctx, FakeServer(error=SyncError("Not Found", "refused", 404)))
    assert report.error == "Not Found" and "委托人档案未更新" in report.summary()
    with demo_ctx.read() as session:
        assert session.scalars(select(PersonExtractRow)).all() == []
    with pytest.raises(SyncError):  # offline ends the round like any sync error
        refresh_extracts(demo_ctx, FakeServer(error=SyncError("无法连接", "offline")))
    answer = {"extracts": [GOOD, dict(GOOD, id_number=HE_DEGUI, name="")], "missing": ["x", HE_DEGUI]}
    report = refresh_extracts(demo_ctx, FakeServer(answer))
    assert (report.refreshed, report.refused, report.missing) == (1, 1, 1)
    assert "1 份摘录不合格未存" in report.summary()
    with demo_ctx.read() as session:
        assert session.get(Person, ZHOU_GUIYING).phone == "13800000001"
        assert session.get(PersonExtractRow, HE_DEGUI).on_file is False
        assert session.get(Person, HE_DEGUI) is not None  # the laptop's own data is not the server's to drop


def test_the_ages_the_workbench_shows(demo_ctx):
    for principal in (ZHOU_GUIYING, HE_DEGUI):
        today = demo_ctx.today().isoformat()
        demo_ctx.authorisations.record(AGENT, Draft(principal, "帮代办员", ("newborn",), today, today))
    lines = demo_ctx.agent_day.principals("wangqiang")
    assert {p.file.text for p in lines} == {"本机"} and summary([p.file for p in lines]) == ""  # not enrolled
    with demo_ctx.Session.begin() as session:
        session.execute(update(Device).values(server_url="http://127.0.0.1:9", token="t"))
    lines = demo_ctx.agent_day.principals("wangqiang")
    assert {p.file.text for p in lines} == {"⚠ 未取得"}
    assert summary([p.file for p in lines]) == "⚠ 2人档案未取得（联网同步后取得）"
    refresh_extracts(demo_ctx, FakeServer({"extracts": [GOOD], "missing": [HE_DEGUI]}))
    ages = {p.auth.principal_id: p.file for p in demo_ctx.agent_day.principals("wangqiang")}
    assert ages[ZHOU_GUIYING] == ExtractAge("0分钟前", False, 0.0) and ages[HE_DEGUI].text == "查无档案"
