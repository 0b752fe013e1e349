"""授权委托 rules (hall_app/domain/authorisation.py): recording, using, townships."""

import datetime as dt

import pytest

from hall_app.domain.authorisation import (
    Authorisation,
    Draft,
    case_problem,
    problems,
    status_label,
    township_of,
    township_problem,
    why_not,
)
from hall_app.domain.case_state import CaseState
from hall_app.domain.event_types import EventInvalid, validate_event
from hall_app.services.demo import ZHAO_JIANGUO

TODAY = dt.date(2026, 11, 21)


def draft(**over) -> Draft:
    base = dict(principal_id=ZHAO_JIANGUO, relation="帮代办员", bundles=("newborn",),
                valid_from="2026-11-21", valid_until="2027-02-20")
    return Draft(**{**base, **over})


def auth(**over) -> Authorisation:
    base = dict(auth_id="a1", principal_id=ZHAO_JIANGUO, principal_name="赵建国", agent="wangqiang",
                agent_name="王强", relation="帮代办员", bundles=("newborn",), valid_from="2026-11-01",
                valid_until="2026-12-31", township="白沙镇", received_at="2026-11-21T09:00:00+08:00")
    return Authorisation(**{**base, **over})


def test_a_good_draft_has_no_problems():
    assert problems(draft(), TODAY, ["newborn"]) == []


def test_every_problem_is_reported_at_once():
    bad = draft(principal_id="500116194809024159", relation="邻居", bundles=(), valid_from="2026-13-01",
                valid_until="2025-01-01", method="attested")
    found = problems(bad, TODAY)
    assert any("身份证" in p for p in found) and any("关系" in p for p in found)
    assert any("事项" in p for p in found) and any("起始日期" in p for p in found)
    assert any("村（居）民委员会" in p for p in found) and len(found) >= 5


@pytest.mark.parametrize("over, words", [
    (dict(valid_until="2028-01-01"), "最长一年"),
    (dict(valid_from="2026-12-01", valid_until="2026-11-30"), "早于"),
    (dict(valid_from="2026-01-01", valid_until="2026-11-20"), "已过"),
    (dict(bundles=("no-such",)), "目录中没有"),
    (dict(method="stamp"), "签署方式"),
    (dict(principal_id=ZHAO_JIANGUO.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})), ""),
    # full-width digits are read as digits
])
def test_validity_scope_and_method(over, words):
    found = problems(draft(**over), TODAY, ["newborn"])
    if words:
        assert any(words in p for p in found), found
    else:
        assert found == []


@pytest.mark.parametrize("over, bundle, on, need, words", [
    ({}, "newborn", TODAY, True, ""),
    (dict(revoked_at="2026-11-20T10:00", revoked_reason="委托人去世"), "newborn", TODAY, False, "已撤销"),
    (dict(principal_id="500116199003152311"), "newborn", TODAY, False, "不一致"),
    (dict(agent="lisi", agent_name="李四"), "newborn", TODAY, False, "李四"),
    ({}, "retirement", TODAY, False, "不包括"),
    ({}, "newborn", dt.date(2027, 1, 1), False, "到期"),
    ({}, "newborn", dt.date(2026, 10, 31), False, "起生效"),
    (dict(received_at=""), "newborn", TODAY, True, "尚未收到"),
    (dict(received_at=""), "newborn", TODAY, False, ""),
    ({}, "newborn", dt.date(2026, 12, 31), True, ""),  # the last day counts
])
def test_why_not(over, bundle, on, need, words):
    reason = why_not(auth(**over), ZHAO_JIANGUO, "wangqiang", bundle, on, need_received=need)
    assert (words in reason and reason) if words else reason == ""


def test_no_authorisation_at_all():
    assert "先录入授权" in why_not(None, ZHAO_JIANGUO, "wangqiang", "newborn", TODAY)


def test_status_labels():
    assert status_label(auth(), TODAY) == "有效"
    assert status_label(auth(received_at=""), TODAY) == "待收回签署件"
    assert status_label(auth(), dt.date(2027, 1, 2)) == "已过期"
    assert status_label(auth(valid_until="2026-11-30"), TODAY).startswith("有效（9天后")


@pytest.mark.parametrize("address, township", [
    ("重庆市江津区白沙镇宝珠村7组26号", "白沙镇"),
    ("重庆市江津区几江街道艾坪山路18号", "几江街道"),
    ("重庆市渝中区解放碑街道民族路88号", "解放碑街道"),
    ("四川省凉山州木里县水洛乡", "水洛乡"),
    ("江津区", ""),
    ("", ""),
])
def test_township_of(address, township):
    assert township_of(address) == township


def test_township_problem():
    assert township_problem("", "几江街道") == ""  # an agent without a township: not checked
    assert township_problem("白沙镇", "白沙镇") == ""
    assert "不在本帮代办员的服务范围" in township_problem("白沙镇", "几江街道")
    assert "无法从委托人地址确定" in township_problem("白沙镇", "")


def test_a_proxy_case_needs_a_received_in_scope_copy():
    state = CaseState("c1", channel="proxy", bundle_code="newborn", created_by="wangqiang",
                      applicant={"id_number": ZHAO_JIANGUO})
    assert "授权委托书" in case_problem(state, TODAY)
    state.authorisation = auth().to_payload()
    assert case_problem(state, TODAY) == ""
    state.authorisation = auth(received_at="").to_payload()
    assert "尚未收到" in case_problem(state, TODAY)
    state.authorisation = auth().to_payload()
    state.applicant = {"id_number": "500116199003152311"}
    assert "不一致" in case_problem(state, TODAY)
    assert case_problem(CaseState("c2", channel="window"), TODAY) == ""


def test_the_copy_round_trips_and_its_schema_holds():
    copy = auth().to_payload()
    assert Authorisation.from_payload(copy) == auth()
    assert validate_event("case.authorisation_set", {"authorisation": copy})
    for bad in ({**copy, "bundles": []}, {**copy, "method": "stamp"}, {**copy, "principal_name": "赵\x00"},
                {**copy, "extra": 1}, {**copy, "principal_id": ""}):
        with pytest.raises(EventInvalid):
            validate_event("case.authorisation_set", {"authorisation": bad})
