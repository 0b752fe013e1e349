"""Two devices change one case offline (issue tests 6 and 7): the fixed outcome, both
values in the history, every device converging, whatever the devices' clocks say."""

from __future__ import annotations

import datetime as dt
import time
from contextlib import contextmanager

import pytest
from harness import dispatched_case, enroll, make_device, new_case, projections
from sqlalchemy import func, select

from hall_app.server.models import cases as server_cases
from hall_app.server.models import feed
from hall_app.services.context import CHINA
from hall_app.sync.client import ServerClient, SyncError
from hall_app.sync.core import sync_once

pytestmark = pytest.mark.postgres


class SkewedClock:
    def __init__(self, offset: dt.timedelta):
        self.offset = offset

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(CHINA) + self.offset


@contextmanager
def skewed_ids(monkeypatch, offset: dt.timedelta):
    """UUIDv7 made with the device's wrong clock, too."""
    import hall_app.domain.identifiers as identifiers

    class FakeTime:
        @staticmethod
        def time_ns() -> int:
            return time.time_ns() + int(offset.total_seconds() * 1e9)

    with monkeypatch.context() as m:
        m.setattr(identifiers, "time", FakeTime)
        yield


def converge(*devices) -> None:
    for _ in range(2):
        for ctx in devices:
            sync_once(ctx)


def two_devices(tmp_path, server_engine, server, clocks=(None, None)):
    a = make_device(tmp_path, "a", clock=clocks[0])
    b = make_device(tmp_path, "b", clock=clocks[1])
    enroll(a, server_engine, server.url)
    enroll(b, server_engine, server.url)
    return a, b


def test_different_fields_merge_without_review(tmp_path, server_engine, server):
    a, b = two_devices(tmp_path, server_engine, server)
    case_id = new_case(a)
    converge(a, b)
    a.cases.set_applicant(case_id, "zhangli", "phone", "13900000001")  # both offline now
    b.cases.set_applicant(case_id, "chenjing", "address", "重庆市江津区鼎山大道1号")
    converge(a, b)
    for ctx in (a, b):
        state = ctx.cases.get(case_id)
        assert state.applicant["phone"] == "13900000001"
        assert state.applicant["address"] == "重庆市江津区鼎山大道1号"
        assert not state.needs_review and state.conflicts == []
    assert projections(a) == projections(b)


def same_field_outcome(a, b, first, second, case_id) -> dict:
    a.cases.set_applicant(case_id, "zhangli", "name", "刘洋洋")  # offline, both
    b.cases.set_applicant(case_id, "chenjing", "name", "刘阳")
    sync_once(first)  # arrival order at the server decides, nothing else
    sync_once(second)
    converge(a, b)
    assert projections(a) == projections(b)
    state = a.cases.get(case_id)
    assert state.needs_review
    [conflict] = state.conflicts
    values = {conflict["kept"]["value"], conflict["other"]["value"]}
    assert values == {"刘洋洋", "刘阳"}  # both values kept
    for ctx in (a, b):  # and both events are in every device's history
        names = [e["payload"].get("value") for e in ctx.cases.timeline(case_id)
                 if e["type"] == "case.applicant_set" and e["payload"].get("key") == "name"]
        assert "刘洋洋" in names and "刘阳" in names
    return {"kept": state.applicant["name"], "conflict_kept": conflict["kept"]["value"]}


def test_same_field_later_in_server_order_wins_and_is_flagged(tmp_path, server_engine, server):
    a, b = two_devices(tmp_path, server_engine, server)
    first_case, second_case = new_case(a), new_case(a)
    converge(a, b)
    outcome = same_field_outcome(a, b, a, b, first_case)
    assert outcome == {"kept": "刘阳", "conflict_kept": "刘阳"}  # b arrived second
    outcome = same_field_outcome(a, b, b, a, second_case)
    assert outcome == {"kept": "刘洋洋", "conflict_kept": "刘洋洋"}  # now a arrived second
    from hall_app.domain.case import review_lines

    assert "被两台设备同时修改" in review_lines(a.cases.get(second_case))[0]
    code = a.cases.get(second_case).tracking_code
    a.close()
    import subprocess
    import sys

    from harness import ROOT

    shown = subprocess.run([sys.executable, "-m", "hall_app", "case", code, "--db", str(tmp_path / "a.db")],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "需人工核对" in shown.stdout and "刘洋洋" in shown.stdout and "刘阳" in shown.stdout  # the case view


def dept_client(server_engine, server, dept: str = "市卫生健康委") -> ServerClient:
    from hall_app.server.auth import make_enrollment_code

    answer = ServerClient(server.url).enroll(make_enrollment_code(server_engine, f"dept:{dept}"), f"dept-sys-{dept}")
    assert answer["scope"] == f"dept:{dept}"
    return ServerClient(server.url, answer["token"])


def dept_clients(ctx, case_id: str, server_engine, server) -> dict[str, ServerClient]:
    """item → a client of the department that owns it (a department posts only for its own items)."""
    state = ctx.cases.get(case_id)
    owners = {i.code: i.department for i in ctx.catalog_service.bundle_for(state.bundle_code, state.bundle_hash).items}
    clients = {d: dept_client(server_engine, server, d) for d in set(owners.values())}
    return {item: clients[dept] for item, dept in owners.items()}


def post(client: ServerClient, **body):
    return client._call("POST", "/v1/results", json=body)


def test_device_void_against_department_completion(tmp_path, server_engine, server):
    a, b = two_devices(tmp_path, server_engine, server)
    case_id = dispatched_case(a)
    converge(a, b)
    code = a.cases.get(case_id).tracking_code
    a.cases.void(case_id, "zhangli", "申请人撤回申请")  # a is offline meanwhile
    dept = dept_clients(a, case_id, server_engine, server)
    for n, item in enumerate(a.cases.get(case_id).items):
        assert post(dept[item], tracking_code=code, item=item, status="completed", document=f"DOC-{n}",
                    result_id=f"r-{n}")["status"] == "stored"
    # a department system retrying a result does not record it twice
    assert post(dept[item], tracking_code=code, item=item, status="completed", document=f"DOC-{n}",
                result_id=f"r-{n}")["status"] == "duplicate"
    converge(a, b)
    assert projections(a) == projections(b)
    for ctx in (a, b):
        state = ctx.cases.get(case_id)
        assert state.status == "completed"  # the results came first in server order
        assert all(i["status"] == "completed" for i in state.items.values())
        assert state.needs_review and "case.voided" in state.anomalies[0]
        assert any(e["type"] == "case.voided" for e in ctx.cases.timeline(case_id))  # kept in history

    # the other way round: the void reached the server first, so a late result is refused
    other = dispatched_case(a)
    a.cases.void(other, "zhangli", "重复受理")
    converge(a, b)
    item = next(iter(a.cases.get(other).items))
    with pytest.raises(SyncError) as err:
        post(dept[item], case_id=other, item=item, status="received", result_id="late-1")
    assert err.value.status == 409 and "已作废" in str(err.value)
    assert b.cases.get(other).status == "voided" and not b.cases.get(other).needs_review


def test_results_endpoint_refuses_devices_and_unknown_cases(tmp_path, server_engine, server):
    a, _ = two_devices(tmp_path, server_engine, server)
    with a.read() as session:
        from hall_app.store.models import Device

        token = session.get(Device, a.device_id).token
    with pytest.raises(SyncError) as err:
        post(ServerClient(server.url, token), case_id="x", item="y", status="completed")
    assert err.value.status == 403  # a counter cannot post department results
    with pytest.raises(SyncError) as err:
        post(dept_client(server_engine, server), tracking_code="K7P9M2QTX4RH", item="y", status="completed")
    assert err.value.status in (404, 422)


@pytest.mark.parametrize("late_device", ["behind", "ahead"])
def test_clocks_a_day_back_and_a_year_ahead_change_nothing(tmp_path, server_engine, server, monkeypatch,
                                                           late_device):
    behind, ahead = dt.timedelta(days=-1), dt.timedelta(days=365)
    a, b = two_devices(tmp_path, server_engine, server, (SkewedClock(behind), SkewedClock(ahead)))
    with skewed_ids(monkeypatch, behind):
        case_id = new_case(a)
        a_cases = [a.cases.start("newborn", "zhangli").case_id for _ in range(15)]
    with skewed_ids(monkeypatch, ahead):
        b_cases = [b.cases.start("newborn", "chenjing").case_id for _ in range(15)]
    converge(a, b)
    with skewed_ids(monkeypatch, behind):
        a.cases.set_applicant(case_id, "zhangli", "name", "刘洋洋")
    with skewed_ids(monkeypatch, ahead):
        b.cases.set_applicant(case_id, "chenjing", "name", "刘阳")
    first, second = (b, a) if late_device == "behind" else (a, b)
    sync_once(first)
    sync_once(second)
    converge(a, b)
    expected = "刘洋洋" if second is a else "刘阳"
    for ctx in (a, b):
        state = ctx.cases.get(case_id)
        assert state.applicant["name"] == expected  # server order, not the clocks
        assert state.needs_review and len(state.conflicts) == 1
    assert projections(a) == projections(b)
    with server_engine.connect() as conn:
        codes = conn.execute(select(func.count(), func.count(server_cases.c.tracking_code.distinct()))).one()
        ids = conn.execute(select(func.count(), func.count(feed.c.event_id.distinct()))).one()
    assert codes[0] == codes[1] == 1 + len(a_cases) + len(b_cases)  # every case on the server, codes unique
    assert ids[0] == ids[1]
    with a.read() as session:
        from hall_app.store.models import CaseRow

        local_codes = session.scalars(select(CaseRow.tracking_code)).all()
    assert len(local_codes) == len(set(local_codes)) == 31
