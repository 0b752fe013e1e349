"""Issue 13, an agent's offline day (real PostgreSQL): 10 cases for 4 principals with
no server, a notice and a deferral among them; then one sync brings every event to
the server, none lost, none twice, every decision's authorisation verified there.
A revoked laptop is refused at its next sync and says so, also after a restart."""

from __future__ import annotations

import pytest
from agent_harness import AGENT, authorise, file_case
from harness import enroll, local_events, make_device, server_counts
from sqlalchemy import select

from hall_app.server import auth as server_auth
from hall_app.server.agents import set_township
from hall_app.server.models import feed
from hall_app.services.context import HallContext
from hall_app.services.demo import HE_DEGUI, LUO_XIULAN, ZHAO_JIANGUO, ZHOU_GUIYING
from hall_app.sync.client import SyncError
from hall_app.sync.core import sync_once

pytestmark = pytest.mark.postgres

PLAN = [  # principal, bundle, decision
    (ZHOU_GUIYING, "social_assistance", "accept"), (ZHOU_GUIYING, "elderly_care", "notice"),
    (ZHOU_GUIYING, "disability_assistance", "accept"),
    (HE_DEGUI, "social_assistance", "defer"), (HE_DEGUI, "elderly_care", "accept"),
    (HE_DEGUI, "disability_assistance", "accept"),
    (LUO_XIULAN, "social_assistance", "accept"), (LUO_XIULAN, "elderly_care", "accept"),
    (ZHAO_JIANGUO, "social_assistance", "accept"), (ZHAO_JIANGUO, "disability_assistance", "draft"),
]


def test_an_agents_offline_day_syncs_whole(tmp_path, server_engine, server):
    set_township(server_engine, "JJ01", "wangqiang", "白沙镇")
    laptop = make_device(tmp_path, "ag")
    enroll(laptop, server_engine, server.url, "agent:wangqiang@JJ01")
    server.server.should_exit = True  # the village has no network today
    server.thread.join(10)

    auths = {p: authorise(laptop, p) for p in {p for p, _, _ in PLAN}}
    statuses = []
    for principal, bundle, decision in PLAN:
        if decision == "draft":
            statuses.append(laptop.agent_day.start_for(AGENT, auths[principal].auth_id, bundle).status)
        else:
            statuses.append(file_case(laptop, auths[principal], bundle, decision).status)
    assert statuses.count("notice_issued") == 1 and statuses.count("accepted_deferred") == 1
    assert statuses.count("accepted") == 7 and statuses.count("draft") == 1
    with pytest.raises(SyncError):
        sync_once(laptop)
    view = laptop.agent_day.view(AGENT)
    assert len(view.cases) == 10 and view.waiting == len(local_events(laptop)) and not view.sync.online
    assert view.sync.last_error and view.freshness.stale  # offline, never synced: data flagged as old

    from harness import ServerThread

    with ServerThread(server_engine, port=server.port):  # back in town, same address
        report = sync_once(laptop)
    assert report.push.quarantined == 0
    mine = local_events(laptop, device_id=laptop.device_id)
    assert {e.sync_state for e in mine} == {"sent"}
    counts = server_counts(server_engine)
    # the server adds one case.dispatched of its own per accepted case (issue 12), pulled back
    dispatched = local_events(laptop, type="case.dispatched")
    assert {e.sync_state for e in dispatched} == {"remote"} and len(dispatched) == 8  # 7 accepted + 1 deferred
    assert all(counts.get(e.event_id) == 1 for e in mine) and len(counts) == len(mine) + len(dispatched)
    with server_engine.connect() as conn:
        decided = conn.execute(select(feed.c.type).where(feed.c.type.in_(
            ("case.accepted", "case.accepted_deferred", "case.notice_issued")))).scalars().all()
    assert sorted(decided).count("case.accepted") == 7 and len(decided) == 9
    view = laptop.agent_day.view(AGENT)
    assert view.waiting == 0 and view.sync.online and not view.freshness.stale

    server_auth.revoke(server_engine, laptop.device_id)  # the laptop is lost
    with ServerThread(server_engine, port=server.port), pytest.raises(SyncError, match="吊销"):
        sync_once(laptop)
    path = laptop.settings.db_path
    laptop.close()
    from hall_app.sync.status import MONITOR

    MONITOR.__init__()  # a new process: nothing in memory
    again = HallContext(laptop.settings)  # a restart still knows, from the device row
    try:
        assert again.agent_day.view(AGENT).sync.revoked
    finally:
        again.close()
    assert path.exists()
