"""Issue test 14 and issue 9: the citizen's tracking page (and its JSON variant) shows
progress and each department's note, never a name, an ID number, a phone or an
address in any spelling; an unknown code reveals nothing; look-ups are rate-limited
per client address in the database (shared by every worker), and X-Forwarded-For
counts only from a trusted proxy."""

from __future__ import annotations

import html
import re

import httpx
import pytest
from harness import ServerThread, dispatched_case, enroll, make_device
from hypothesis import given, settings
from hypothesis import strategies as st

from hall_app.domain.case import CaseState
from hall_app.domain.tracking import format_tracking_code, new_tracking_code
from hall_app.server.ratelimit import Rate, RateLimits, client_address, parse_proxies
from hall_app.server.scrub import canonical, scrub
from hall_app.server.tracking import mask_name, public_view, render_case
from hall_app.services.demo import LIU_YANG
from hall_app.sync.client import ServerClient
from hall_app.sync.core import sync_once


def test_mask_name():
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("刘洋") == "刘*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("王") == "*"
    assert mask_name("重庆江津渝味火锅餐饮有限公司") == "重庆****公司"


def police_token(server_engine, url: str) -> str:
    from hall_app.server.auth import make_enrollment_code

    return ServerClient(url).enroll(make_enrollment_code(server_engine, "dept:市公安局"), "dept-1")["token"]


@pytest.mark.postgres
def test_tracking_page_shows_progress_notes_and_nothing_personal(tmp_path, server_engine, server):
    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    case_id = dispatched_case(a)
    state = a.cases.get(case_id)
    sync_once(a)
    phone, address = state.applicant["phone"], state.applicant["address"]
    spaced = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    wide = "".join(chr(ord(c) + 0xFEE0) for c in phone)  # full-width digits
    note = (f"刘 洋的材料不符，请致电 {spaced}（或{wide}）到{address}补正，身份证后六位{LIU_YANG[-6:]}，"
            f"新生儿刘思远；请于2026-12-01前补正")
    ServerClient(server.url, police_token(server_engine, server.url))._call("POST", "/v1/results", json={
        "case_id": case_id, "item": "household_registration", "status": "rejected", "result_id": "r1",
        "note": note})
    page = httpx.get(f"{server.url}/t/{format_tracking_code(state.tracking_code)}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    body = page.text
    assert "新生儿出生" in body and "新生儿户口登记" in body and "市公安局" in body and "不予批准" in body
    assert "办理中" in body and "刘*" in body
    assert "材料不符" in body and "请于2026-12-01前补正" in body  # the department's words stay
    assert max(i["due"] for i in state.items.values()) in body  # expected completion
    squashed = re.sub(r"[\s\-]", "", canonical(body))
    for secret in ("刘洋", "思远", LIU_YANG, phone, address, LIU_YANG[-6:], "艾坪山路18号"):
        assert canonical(secret) not in squashed, secret
    assert 'name="viewport"' in body  # mobile-friendly
    # the scanned URL form works too, lower case and all
    assert httpx.get(f"{server.url}/t/{state.tracking_code.lower()}").status_code == 200

    as_json = httpx.get(f"{server.url}/t/{state.tracking_code}.json")
    negotiated = httpx.get(f"{server.url}/t/{state.tracking_code}", headers={"Accept": "application/json"})
    assert as_json.status_code == negotiated.status_code == 200
    assert as_json.headers["content-type"].startswith("application/json")
    view = as_json.json()
    assert view == negotiated.json()
    assert view["applicant"] == "刘*" and view["status"] == "dispatched" and view["bundle"] == "新生儿出生"
    [police] = [i for i in view["items"] if i["code"] == "household_registration"]
    assert police["department"] == "市公安局" and police["status"] == "rejected"
    assert police["note"].startswith("***的材料不符") and phone not in police["note"]
    assert canonical(phone) not in re.sub(r"[\s\-]", "", canonical(as_json.text))


@pytest.mark.postgres
def test_unknown_and_malformed_codes_reveal_nothing(server):
    unknown = httpx.get(f"{server.url}/t/{new_tracking_code()}")
    malformed = httpx.get(f"{server.url}/t/ABC")
    near_miss = httpx.get(f"{server.url}/t/{new_tracking_code()[:-1]}0")
    assert unknown.status_code == malformed.status_code == near_miss.status_code == 404
    assert unknown.text == malformed.text == near_miss.text  # the same plain page, whatever the reason
    assert "未找到办件" in unknown.text
    as_json = [httpx.get(f"{server.url}/t/{c}.json") for c in (new_tracking_code(), "ABC")]
    assert [r.status_code for r in as_json] == [404, 404] and as_json[0].json() == as_json[1].json()


@pytest.mark.postgres
def test_tracking_limit_is_shared_by_workers_and_ignores_forged_forwarded_for(server_engine):
    limits = RateLimits({"track": Rate(6, 3), "enroll": Rate(6, 3)})
    with ServerThread(server_engine, limiter=limits) as one, \
            ServerThread(server_engine, limiter=RateLimits(dict(limits.rates))) as two:  # two "workers"
        codes = []
        for n in range(5):
            srv = (one, two)[n % 2]
            forged = {"X-Forwarded-For": f"198.51.100.{n}"}  # rotating: not from a trusted proxy
            codes.append(httpx.get(f"{srv.url}/t/{new_tracking_code()}", headers=forged).status_code)
        json_answer = httpx.get(f"{one.url}/t/{new_tracking_code()}.json")
    assert codes[:3] == [404, 404, 404] and codes[3:] == [429, 429]
    assert json_answer.status_code == 429 and "频繁" in json_answer.json()["detail"]


@pytest.mark.postgres
def test_forwarded_for_counts_when_the_proxy_is_trusted(server_engine):
    limits = RateLimits({"track": Rate(6, 2), "enroll": Rate(6, 2)}, parse_proxies("127.0.0.1"))
    with ServerThread(server_engine, limiter=limits) as srv:
        def get(client: str) -> int:
            return httpx.get(f"{srv.url}/t/{new_tracking_code()}",
                             headers={"X-Forwarded-For": f"{client}, 127.0.0.1"}).status_code

        assert [get("203.0.113.5") for _ in range(3)] == [404, 404, 429]
        assert get("203.0.113.6") == 404  # another citizen behind the same proxy


@pytest.mark.postgres
def test_database_bucket_refills_and_keeps_clients_apart(server_engine):
    now = [1_000_000.0]
    limits = RateLimits({"track": Rate(60, 2)}, clock=lambda: now[0])
    assert [limits.allow(server_engine, "track", "a") for _ in range(3)] == [True, True, False]
    assert limits.allow(server_engine, "track", "b")  # another client has its own bucket
    now[0] += 1.0  # one token a second
    assert limits.allow(server_engine, "track", "a") and not limits.allow(server_engine, "track", "a")
    now[0] += 3600
    assert [limits.allow(server_engine, "track", "a") for _ in range(3)] == [True, True, False]  # never above burst


def test_client_address_believes_forwarded_for_only_from_trusted_proxies():
    trusted = parse_proxies("10.0.0.5, 10.1.0.0/16")
    assert client_address("203.0.113.9", ["1.2.3.4"], trusted) == "203.0.113.9"  # not a proxy: ignored
    assert client_address("10.0.0.5", ["1.2.3.4"], trusted) == "1.2.3.4"
    # the client may prepend anything; the hop the trusted proxies saw is the last untrusted one
    assert client_address("10.0.0.5", ["6.6.6.6, 1.2.3.4, 10.1.2.3"], trusted) == "1.2.3.4"
    assert client_address("10.0.0.5", ["6.6.6.6", "1.2.3.4"], trusted) == "1.2.3.4"  # two headers
    assert client_address("10.0.0.5", [], trusted) == "10.0.0.5"
    assert client_address("127.0.0.1", ["1.2.3.4"], ()) == "127.0.0.1"  # nothing trusted by default
    with pytest.raises(ValueError, match="可信代理"):
        parse_proxies("10.0.0.5, not-an-address")


# --- nasty notes ---------------------------------------------------------------------------

NOTE_CASE = dict(case_id="c", tracking_code="K7P9M2QTX4RH", bundle_code="newborn", status="dispatched")


def nasty_state(name, phone, id_number, address, proxy, note) -> CaseState:
    return CaseState(**NOTE_CASE, applicant={"name": name, "phone": phone, "id_number": id_number,
                                             "address": address},
                     proxy={"name": proxy, "id_number": "500116197503012620", "relation": "子女"},
                     fields={"baby_name": name[0] + "思远"},
                     items={"birth_certificate": {"status": "rejected", "due": "2026-11-25", "note": note,
                                                  "at": "2026-11-22T10:00:00+08:00"}})


def squash(text: str) -> str:
    return re.sub(r"[\s\-._/()]", "", canonical(text))


@pytest.mark.parametrize("note, kept", [
    ("请致电 138 0000 1111 补正", "请致电 *** 补正"),
    ("请致电１３８－００００－１１１１", "请致电***"),
    ("电话 138\u200b0000\u200b1111", "电话 ***"),
    ("电话一三八零零零零一一一一", "电话***"),
    ("身份证后四位2620", "身份证后四位***"),
    ("身份证 5001 1619 7503 0126 20 有误", "身份证 *** 有误"),
    ("请刘 洋本人到场，或由赵小红代办", "请***本人到场，或由***代办"),
    ("请到艾坪山路18号3单元5-2补正", "请到***补正"),
    ("地址：鼎山大道88号附3号", "地址：***"),
    ("联系 liu.yang@example.com", "联系 ***"),
    ("请于2026-12-01前，到江津区政务服务中心3号窗口补正。", "请于2026-12-01前，到江津区政务服务中心3号窗口补正。"),
])
def test_scrub_examples(note, kept):
    state = nasty_state("刘洋", "13800001111", "500116199003150012", "重庆市江津区几江街道艾坪山路18号3单元5-2",
                        "赵小红", note)
    assert scrub(note, state) == kept


names = st.text(alphabet="张王李赵刘陈杨黄周吴欧阳思远娜丰", min_size=2, max_size=5)
digits = st.text(alphabet="0123456789", min_size=11, max_size=11)
gaps = st.sampled_from(["", " ", "-", "\u3000", "\u200b", " - ", "."])


@st.composite
def spelled(draw, text: str) -> str:
    """``text`` with random gaps between characters and digits made full-width at random."""
    out = []
    for ch in text:
        if ch.isdigit() and draw(st.booleans()):
            ch = chr(ord(ch) + 0xFEE0)
        out.append(ch + (draw(gaps) if draw(st.integers(0, 3)) == 0 else ""))
    return "".join(out)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), name=names, proxy=names, phone=digits,
       id_tail=st.tuples(st.text(alphabet="0123456789", min_size=3, max_size=3),
                         st.sampled_from("0123456789X")).map("".join),
       street=st.sampled_from(["鼎山大道", "艾坪山路", "小西门路", "滨江街", "杨柳巷"]),
       number=st.integers(1, 999), unit=st.integers(1, 9), room=st.integers(101, 2999),
       kind=st.sampled_from(["phone", "id", "partial_id", "address", "name", "proxy", "all"]))
def test_nasty_notes_never_reach_the_page(data, name, proxy, phone, id_tail, street, number, unit, room, kind):
    id_number = "50011619900315" + id_tail
    address = f"重庆市江津区几江街道{street}{number}号{unit}单元{room}室"
    partial = id_number[-data.draw(st.integers(4, 8)):]
    pieces = {"phone": f"请致电{data.draw(spelled(phone))}", "id": f"身份证{data.draw(spelled(id_number))}有误",
              "partial_id": f"身份证后几位{data.draw(spelled(partial))}不符",
              "address": f"请到{data.draw(spelled(f'{street}{number}号{unit}单元{room}室'))}补正",
              "name": f"请{data.draw(spelled(name))}本人到场", "proxy": f"代办人{data.draw(spelled(proxy))}无授权书"}
    note = "；".join(pieces.values()) if kind == "all" else pieces[kind]
    state = nasty_state(name, phone, id_number, address, proxy, note)
    items = {"birth_certificate": ("出生医学证明", "市卫生健康委")}
    shown = public_view(state, "新生儿出生", items)["items"][0]["note"]
    body = render_case(state, "新生儿出生", items).body
    assert html.escape(shown) in body
    flat = squash(shown)
    for secret in (phone[:7], phone[-7:], id_number[-4:], id_number[:10], partial, name, proxy,
                   f"{street}{number}号", f"{unit}单元{room}"):
        assert canonical(secret) not in flat, (secret, note)
    assert mask_name(name) in body and "出生医学证明" in body and "市卫生健康委" in body


def test_a_malformed_trusted_proxy_stops_the_server_with_a_message(tmp_path):
    import subprocess
    import sys

    from harness import ROOT

    done = subprocess.run([sys.executable, "-m", "hall_app", "server", "--db", str(tmp_path / "s.db"),
                           "--trusted-proxies", "10.0.0.5, nope"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0 and "可信代理地址“nope”无效" in done.stderr and "Traceback" not in done.stderr
