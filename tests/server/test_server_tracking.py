"""Issue test 14: the citizen's tracking page shows progress, never an ID number, a
phone or an address, and an unknown code reveals nothing; requests are rate-limited."""

from __future__ import annotations

import re

import httpx
import pytest
from harness import ServerThread, dispatched_case, enroll, make_device
from hypothesis import given, settings
from hypothesis import strategies as st

from hall_app.domain.case import CaseState
from hall_app.domain.tracking import format_tracking_code, new_tracking_code
from hall_app.server.tracking import RateLimiter, mask_name, render_case
from hall_app.services.demo import LIU_YANG
from hall_app.sync.client import ServerClient
from hall_app.sync.core import sync_once


def test_mask_name():
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("刘洋") == "刘*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("王") == "*"
    assert mask_name("重庆江津渝味火锅餐饮有限公司") == "重庆****公司"


@pytest.mark.postgres
def test_tracking_page_shows_progress_and_nothing_personal(tmp_path, server_engine, server):
    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    case_id = dispatched_case(a)
    state = a.cases.get(case_id)
    sync_once(a)
    from hall_app.server.auth import make_enrollment_code

    token = ServerClient(server.url).enroll(make_enrollment_code(server_engine, "dept:市公安局"), "dept-1")["token"]
    item = next(iter(state.items))
    ServerClient(server.url, token)._call("POST", "/v1/results", json={
        "case_id": case_id, "item": item, "status": "rejected", "result_id": "r1",
        "note": f"材料不符，请致电 {state.applicant['phone']} 或到 {state.applicant['address']} 补正"})
    page = httpx.get(f"{server.url}/t/{format_tracking_code(state.tracking_code)}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    body = page.text
    assert "新生儿出生" in body and "出生医学证明" in body and "不予批准" in body and "办理中" in body
    assert "刘*" in body and "刘洋" not in body
    assert max(i["due"] for i in state.items.values()) in body  # expected completion
    for secret in (LIU_YANG, state.applicant["phone"], state.applicant["address"], LIU_YANG[-6:]):
        assert secret not in body
    assert not re.search(r"\d{11}", body)
    assert 'name="viewport"' in body  # mobile-friendly
    # the scanned URL form works too, lower case and all
    assert httpx.get(f"{server.url}/t/{state.tracking_code.lower()}").status_code == 200


@pytest.mark.postgres
def test_unknown_and_malformed_codes_reveal_nothing(server):
    unknown = httpx.get(f"{server.url}/t/{new_tracking_code()}")
    malformed = httpx.get(f"{server.url}/t/ABC")
    near_miss = httpx.get(f"{server.url}/t/{new_tracking_code()[:-1]}0")
    assert unknown.status_code == malformed.status_code == near_miss.status_code == 404
    assert unknown.text == malformed.text == near_miss.text  # the same plain page, whatever the reason
    assert "未找到办件" in unknown.text


@pytest.mark.postgres
def test_tracking_requests_are_rate_limited_per_client(server_engine):
    with ServerThread(server_engine, limiter=RateLimiter(per_minute=6, burst=3)) as srv:
        codes = [httpx.get(f"{srv.url}/t/{new_tracking_code()}").status_code for _ in range(5)]
    assert codes[:3] == [404, 404, 404] and codes[3:] == [429, 429]


def test_rate_limiter_refills_and_keeps_clients_apart():
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
    assert limiter.allow("b")  # another client has its own bucket
    now[0] += 1.0
    assert limiter.allow("a") and not limiter.allow("a")


names = st.text(alphabet="张王李赵刘陈杨黄周吴欧阳思远娜丰", min_size=2, max_size=5)
digits = st.text(alphabet="0123456789", min_size=11, max_size=11)


@settings(max_examples=150, deadline=None)
@given(name=names, phone=digits, id_tail=st.text(alphabet="0123456789X", min_size=4, max_size=4),
       address=st.text(alphabet="重庆市江津区几江街道鼎山大道号单元室栋0123456789", min_size=6, max_size=30),
       note_kind=st.sampled_from(["phone", "address", "id", "plain"]))
def test_rendered_page_never_contains_personal_data(name, phone, id_tail, address, note_kind):
    id_number = "50011619900315" + id_tail
    note = {"phone": f"请致电{phone}", "address": f"请到{address}", "id": f"身份证{id_number}有误",
            "plain": "材料不齐"}[note_kind]
    state = CaseState(case_id="c", tracking_code=new_tracking_code(), bundle_code="newborn", status="dispatched",
                      applicant={"name": name, "phone": phone, "id_number": id_number, "address": address},
                      proxy={"name": "赵小红", "id_number": "500116197503012620", "relation": "子女"},
                      items={"birth_certificate": {"status": "rejected", "due": "2026-11-25", "note": note,
                                                   "at": "2026-11-22T10:00:00+08:00"}})
    body = render_case(state, "新生儿出生", {"birth_certificate": "出生医学证明"}).body
    for secret in (phone, id_number, address, "500116197503012620", name):
        assert secret not in body
    assert mask_name(name) in body
