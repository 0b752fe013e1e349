"""Issue 12 over real HTTP and PostgreSQL: an accepted case reaches its departments
as one minimal package each, the departments fetch, acknowledge and answer through
their inbox (only their own items, only in the halls they serve), a supplement goes
back from the window to the department, the results come back, the case is handed
over by post and the tracking page shows each department and the waybill."""

from __future__ import annotations

import httpx
import pytest
from harness import ALL_IN, FORM, FULL_ANSWERS, enroll, make_device, new_case
from sqlalchemy import func, select

from hall_app.server.auth import make_enrollment_code
from hall_app.server.models import feed, packages
from hall_app.services.inbox import RemoteInbox
from hall_app.services.intake import IntakeError
from hall_app.sync.client import ServerClient
from hall_app.sync.core import sync_once
from hall_app.sync.department import DepartmentClient

NEWBORN_DEPTS = {"市卫生健康委": ["birth_certificate", "vaccination_certificate"],
                 "市医保局": ["maternity_insurance", "medical_insurance_enrolment", "medical_insurance_payment"],
                 "市公安局": ["household_registration"],
                 "市人力社保局": ["social_security_card"]}
WAYBILL = "EA123456785CN"  # UPU S10 with its check digit


def accepted_case(ctx, actor: str = "zhangli") -> str:
    """A newborn case accepted at the window (not dispatched: the server does that)."""
    case_id = new_case(ctx, actor)
    for q, v in FULL_ANSWERS.items():
        ctx.cases.answer(case_id, actor, q, v)
    for m, s in ALL_IN.items():
        ctx.cases.mark_material(case_id, actor, m, s)
    for k, v in FORM.items():
        ctx.cases.set_field(case_id, actor, k, v)
    assert ctx.cases.accept(case_id, actor).status == "accepted"
    return case_id


def dept_token(engine, url: str, scope: str, device_id: str) -> str:
    return ServerClient(url).enroll(make_enrollment_code(engine, scope), device_id)["token"]


def inbox(engine, url: str, dept: str, hall: str = "", n: int = 0) -> RemoteInbox:
    scope = f"dept:{dept}" + (f"@{hall}" if hall else "")
    return RemoteInbox(DepartmentClient(url, dept_token(engine, url, scope, f"dept-{n}-{hall}-{len(dept)}"), dept))


@pytest.mark.postgres
def test_newborn_reaches_four_departments_minimally_and_ends_handed_over_by_post(tmp_path, server_engine, server):
    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    case_id = accepted_case(a)
    sync_once(a)  # the acceptance reaches the server: it dispatches
    with server_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(packages)).scalar() == 4
    desks = {dept: inbox(server_engine, server.url, dept, n=n) for n, dept in enumerate(NEWBORN_DEPTS)}
    got = {dept: desk.packages() for dept, desk in desks.items()}
    for dept, items in NEWBORN_DEPTS.items():
        assert [p["case_id"] for p in got[dept]] == [case_id]
        assert [i["code"] for i in got[dept][0]["items"]] == items
    police, insurance = got["市公安局"][0], got["市医保局"][0]
    assert "insurance_grade" not in police["fields"] and "insurance_grade" in insurance["fields"]
    assert "baby_name" in police["fields"]
    assert all("medical" not in m["code"] and m["code"] != "bank_card" for m in police["materials"])
    assert {m["code"] for m in insurance["materials"]} >= {"bank_card"}

    sync_once(a)
    state = a.cases.get(case_id)
    assert state.status == "dispatched" and set(state.decision["departments"]) == set(NEWBORN_DEPTS)
    code = state.tracking_code

    for dept, desk in desks.items():
        assert desk.acknowledge(code)["received"] == len(NEWBORN_DEPTS[dept])
        assert desk.acknowledge(code)["received"] == 0  # idempotent
    assert desks["市公安局"].packages(pending=True) == []

    police_desk = desks["市公安局"]
    police_desk.report(code, "household_registration", "needs_material", "请补交父母结婚证原件")
    sync_once(a)
    assert any("需补正" in flag for row in a.dispatch.follow_ups() for flag in row.flags)
    with pytest.raises(IntakeError, match="正等待申请人补正"):
        police_desk.report(code, "household_registration", "completed")
    a.dispatch.supplement(case_id, "zhangli", "household_registration", ["marriage_certificate"], "原件已收")
    sync_once(a)
    assert police_desk.package(code)["items"][0]["status"] == "supplemented"
    police_desk.report(code, "household_registration", "in_progress")
    police_desk.report(code, "household_registration", "completed", document="HJ-2026-1")

    sync_once(a)
    with pytest.raises(IntakeError, match="全部返回后才能送达"):
        a.handover.by_mail(case_id, "zhangli", WAYBILL)
    for dept, desk in desks.items():
        for item in NEWBORN_DEPTS[dept]:
            if dept != "市公安局":
                desk.report(code, item, "approved")
                desk.report(code, item, "completed", document=f"DOC-{item}")
    sync_once(a)
    assert a.cases.get(case_id).status == "completed"
    with pytest.raises(IntakeError, match="校验位"):
        a.handover.by_mail(case_id, "zhangli", "EA123456784CN")
    assert a.handover.by_mail(case_id, "zhangli", " ea123456785cn ").handed_over["waybill"] == WAYBILL
    sync_once(a)

    view = httpx.get(f"{server.url}/t/{code}.json").json()
    assert view["status_label"] == "已送达" and view["delivery"]["waybill"] == WAYBILL
    assert {d["department"]: d["status_label"] for d in view["departments"]} == dict.fromkeys(NEWBORN_DEPTS, "已办结")
    page = httpx.get(f"{server.url}/t/{code}").text
    assert WAYBILL in page and "市公安局" in page and "邮政寄递" in page
    assert state.applicant["id_number"] not in page and "刘洋" not in page
    with server_engine.connect() as conn:  # dispatched once, by the server
        assert conn.execute(select(func.count()).select_from(feed).where(
            feed.c.case_id == case_id, feed.c.type == "case.dispatched")).scalar() == 1


@pytest.mark.postgres
def test_a_department_sees_and_acts_only_on_its_own_packages(tmp_path, server_engine, server, capsys):
    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    first, second = accepted_case(a), accepted_case(a)
    sync_once(a)
    police_token = dept_token(server_engine, server.url, "dept:市公安局", "gaj")
    other_hall = inbox(server_engine, server.url, "市公安局", hall="JJ02")

    def call(method: str, path: str, **kw) -> httpx.Response:
        return httpx.request(method, server.url + path, headers={"Authorization": f"Bearer {police_token}"}, **kw)

    health = "/v1/departments/市卫生健康委"
    assert call("GET", f"{health}/inbox").status_code == 403
    assert call("GET", f"{health}/packages/{first}").status_code == 403
    assert call("POST", f"{health}/packages/{first}/ack").status_code == 403
    refused = call("POST", "/v1/results", json={"case_id": first, "item": "birth_certificate", "status": "received"})
    assert refused.status_code == 403 and "市卫生健康委" in refused.json()["detail"]
    assert call("GET", "/v1/departments/市公安局/packages/no-such-case").status_code == 404
    not_commitment = call("POST", "/v1/departments/市公安局/checks",
                          json={"case_id": first, "item": "household_registration", "result": "failed", "note": "x"})
    assert not_commitment.status_code == 409 and "不是告知承诺" in not_commitment.json()["detail"]
    assert other_hall.packages() == []  # serves another hall only
    with pytest.raises(IntakeError, match="不服务"):
        other_hall.package(first)
    with a.read() as session:
        from hall_app.store.models import Device

        hall_token = session.get(Device, a.device_id).token
    window = httpx.get(f"{server.url}/v1/departments/市公安局/inbox", headers={"Authorization": f"Bearer {hall_token}"})
    assert window.status_code == 403

    page = call("GET", "/v1/departments/市公安局/inbox", params={"limit": 1}).json()
    assert page["more"] is True and [p["case_id"] for p in page["packages"]] == [first]
    rest = call("GET", "/v1/departments/市公安局/inbox", params={"limit": 1, "after": page["next"]}).json()
    assert rest["more"] is False and [p["case_id"] for p in rest["packages"]] == [second]
    assert call("POST", f"/v1/departments/市公安局/packages/{first}/ack").json()["received"] == 1
    pending = call("GET", "/v1/departments/市公安局/inbox", params={"pending": "true"}).json()
    assert [p["case_id"] for p in pending["packages"]] == [second]

    from hall_app.cli import main  # the department user's CLI against the server (department from the token)

    code = a.cases.get(second).tracking_code
    assert main(["dept", "--server", server.url, "--token", police_token, "inbox", "--pending"]) == 0
    assert code[:4] in capsys.readouterr().out
    assert main(["dept", "--server", server.url, "--token", police_token, "report", code, "household_registration",
                 "rejected", "--note", "户籍信息与申报不符"]) == 0
    assert main(["dept", "--server", server.url, "--token", police_token, "report", code, "birth_certificate",
                 "received"]) == 2  # another department's item: refused with the server's message
    assert "由市卫生健康委办理" in capsys.readouterr().err
    sync_once(a)
    assert a.cases.get(second).items["household_registration"]["status"] == "rejected"


@pytest.mark.postgres
def test_a_case_dispatched_by_a_standalone_device_gets_its_packages_without_a_second_dispatch(
        tmp_path, server_engine, server):
    a = make_device(tmp_path, "a")
    case_id = accepted_case(a)
    a.dispatch.dispatch(case_id)  # standalone: the device dispatched it itself
    enroll(a, server_engine, server.url)
    sync_once(a)
    desk = inbox(server_engine, server.url, "市公安局")
    assert [p["case_id"] for p in desk.packages()] == [case_id]
    with server_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(feed).where(
            feed.c.case_id == case_id, feed.c.type == "case.dispatched")).scalar() == 1


@pytest.mark.postgres
def test_simulated_departments_work_through_the_inbox_and_wait_for_a_supplement(tmp_path, server_engine, server):
    from hall_app.server.auth import make_enrollment_code as code_for
    from hall_app.sync.department_sim import InboxSimulator

    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    case_id = accepted_case(a)
    sync_once(a)
    now = [0.0]
    simulator = InboxSimulator(server.url, lambda dept: code_for(server_engine, f"dept:{dept}"),
                               lambda: sorted(NEWBORN_DEPTS), delay=10, material_rate=1.0, seed=1,
                               clock=lambda: now[0])
    assert simulator.step() == 0  # nothing before the delay
    for _ in range(6):  # acknowledge → in progress → needs material (rate 1: every item, once)
        now[0] += 11
        simulator.step()
    sync_once(a)
    state = a.cases.get(case_id)
    assert {i["status"] for i in state.items.values()} == {"needs_material"}
    for _ in range(2):
        now[0] += 11
        assert simulator.step() == 0  # waiting for the applicant
    bundle = a.catalog_service.bundle_for(state.bundle_code, state.bundle_hash)
    for code in state.items:
        material = next(m.code for m in bundle.materials if code in m.items)
        a.dispatch.supplement(case_id, "zhangli", code, [material])
    sync_once(a)
    for _ in range(8):  # supplemented → in progress → approved → completed, a delay each
        now[0] += 11
        simulator.step()
    simulator.close()
    sync_once(a)
    assert a.cases.get(case_id).status == "completed"
