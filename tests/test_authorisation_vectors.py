"""授权委托 rules (hall_app/domain/authorisation.py), sentence by sentence and at each
boundary: what an agent reads when an authorisation cannot be recorded or used."""

from __future__ import annotations

import datetime as dt

import pytest

from hall_app.domain.authorisation import (
    Authorisation,
    Draft,
    case_problem,
    is_valid,
    parse_date,
    problems,
    status_label,
    township_of,
    township_problem,
    why_not,
)
from hall_app.domain.case_state import CaseState
from hall_app.services.demo import ZHAO_JIANGUO

TODAY = dt.date(2026, 11, 21)
RELATIONS = "关系请从以下选择：配偶、子女、父母、其他亲属、帮代办员、村（社区）干部"
METHODS = "签署方式应为：委托人签名、委托人按指印、村（居）委会代为证明"
ATTEST = "委托人无法签名时，须写明出具证明的村（居）民委员会"


def draft(**over) -> Draft:
    base = dict(principal_id=ZHAO_JIANGUO, relation="配偶", bundles=("newborn",),
                valid_from="2026-11-21", valid_until="2027-02-20")
    return Draft(**{**base, **over})


def auth(**over) -> Authorisation:
    base = dict(auth_id="a1", principal_id=ZHAO_JIANGUO, principal_name="赵建国", agent="wangqiang",
                agent_name="王强", relation="帮代办员", bundles=("newborn", "retire"), valid_from="2026-11-01",
                valid_until="2026-12-31", township="白沙镇", received_at="2026-11-21T09:00:00+08:00")
    return Authorisation(**{**base, **over})


@pytest.mark.parametrize(("over", "known", "expected"), [
    ({}, None, []),
    ({}, ["newborn"], []),
    (dict(principal_id=ZHAO_JIANGUO[:-1] + "9", relation="邻居", bundles=(), valid_from="2026-13-01",
          valid_until="x", method="attested"), None,
     ["委托人身份证号码有误：身份证号码校验位不符（应为8），请核对是否输错", RELATIONS,
      "请选择授权办理的事项（一件事）", "委托起始日期应为 YYYY-MM-DD", "委托截止日期应为 YYYY-MM-DD", ATTEST]),
    (dict(bundles=tuple(f"b{i}" for i in range(21)), valid_until="2026-11-20", method="stamp"), ["b0"],
     ["一份委托书最多 20 件事", "委托截止日期早于起始日期", "委托截止日期已过", METHODS]),
    (dict(bundles=tuple(f"b{i}" for i in range(20))), [f"b{i}" for i in range(20)], []),
    (dict(bundles=("a", "newborn", "b", "c", "d")), ["newborn"], ["目录中没有：a、b、c"]),
    (dict(valid_from="2025-11-21", valid_until="2026-11-20", method="attested", attested_by="  "), None,
     ["委托截止日期已过", ATTEST]),
    (dict(valid_until="2026-11-21", method="attested", attested_by="白沙镇宝珠村村民委员会"), None, []),
    (dict(valid_until="2027-11-21"), None, []),  # 365 days
    (dict(valid_until="2027-11-22"), None, ["委托期限最长一年，请分次授权"]),  # 366 days
    (dict(valid_from="2026-11-22", valid_until="2026-11-21"), None, ["委托截止日期早于起始日期"]),
    (dict(valid_from="2026-11-01", valid_until="x"), None, ["委托截止日期应为 YYYY-MM-DD"]),
    (dict(valid_from="x", valid_until="2026-11-01"), None, ["委托起始日期应为 YYYY-MM-DD"]),
    (dict(method="fingerprint"), None, []),
])
def test_problems(over, known, expected):
    assert problems(draft(**over), TODAY, known) == expected
    if known is not None:  # the catalog may come as any iterable, read once
        assert problems(draft(**over), TODAY, iter(known)) == expected


@pytest.mark.parametrize(("over", "principal", "agent", "bundle", "on", "need", "expected"), [
    ({}, ZHAO_JIANGUO, "wangqiang", "retire", TODAY, True, ""),
    (dict(revoked_at="2026-11-20T10:00", revoked_reason="委托人去世"), ZHAO_JIANGUO, "wangqiang", "newborn", TODAY,
     False, "授权委托书已撤销（委托人去世）"),
    (dict(revoked_at="2026-11-20T10:00"), ZHAO_JIANGUO, "wangqiang", "newborn", TODAY, False,
     "授权委托书已撤销（2026-11-20）"),
    ({}, "500116199003152311", "wangqiang", "newborn", TODAY, False, "授权委托书的委托人与本办件申请人不一致"),
    ({}, ZHAO_JIANGUO, "lisi", "newborn", TODAY, False, "授权委托书的受托人是 王强，不是本人"),
    (dict(agent_name=""), ZHAO_JIANGUO, "lisi", "newborn", TODAY, False, "授权委托书的受托人是 wangqiang，不是本人"),
    ({}, ZHAO_JIANGUO, "wangqiang", "house", TODAY, False, "授权委托书不包括本事项，请补充授权"),
    (dict(valid_from="x"), ZHAO_JIANGUO, "wangqiang", "newborn", TODAY, False, "授权委托书的期限无法识别"),
    (dict(valid_until=""), ZHAO_JIANGUO, "wangqiang", "newborn", TODAY, False, "授权委托书的期限无法识别"),
    ({}, ZHAO_JIANGUO, "wangqiang", "newborn", dt.date(2026, 10, 31), False, "授权委托书自 2026-11-01 起生效"),
    ({}, ZHAO_JIANGUO, "wangqiang", "newborn", dt.date(2026, 11, 1), False, ""),
    ({}, ZHAO_JIANGUO, "wangqiang", "newborn", dt.date(2026, 12, 31), False, ""),
    ({}, ZHAO_JIANGUO, "wangqiang", "newborn", dt.date(2027, 1, 1), False,
     "授权委托书已于 2026-12-31 到期，请重新授权"),
    (dict(received_at=""), ZHAO_JIANGUO, "wangqiang", "newborn", TODAY, True, "尚未收到委托人签署的授权委托书"),
    (dict(received_at=""), ZHAO_JIANGUO, "wangqiang", "newborn", TODAY, False, ""),
])
def test_why_not(over, principal, agent, bundle, on, need, expected):
    assert why_not(auth(**over), principal, agent, bundle, on, need_received=need) == expected


def test_why_not_without_an_authorisation_and_by_default_without_the_paper():
    assert why_not(None, ZHAO_JIANGUO, "wangqiang", "newborn", TODAY) == "没有该委托人的授权委托书，请先录入授权"
    assert why_not(auth(received_at=""), ZHAO_JIANGUO, "wangqiang", "newborn", TODAY) == ""


@pytest.mark.parametrize(("over", "on", "valid", "label"), [
    ({}, TODAY, True, "有效"),
    ({}, dt.date(2026, 12, 16), True, "有效"),  # 15 days left
    ({}, dt.date(2026, 12, 17), True, "有效（14天后到期）"),
    ({}, dt.date(2026, 12, 31), True, "有效（0天后到期）"),
    ({}, dt.date(2027, 1, 1), False, "已过期"),
    ({}, dt.date(2026, 11, 1), True, "有效"),
    ({}, dt.date(2026, 10, 31), False, "未生效"),
    (dict(received_at=""), TODAY, True, "待收回签署件"),
    (dict(revoked_at="2026-11-20T10:00"), TODAY, False, "已撤销"),
    (dict(valid_from="x"), TODAY, False, "未生效"),
    (dict(valid_until="x"), TODAY, False, "未生效"),
])
def test_validity_and_status_label(over, on, valid, label):
    one = auth(**over)
    assert (is_valid(one, on), status_label(one, on)) == (valid, label)


def test_dates_are_read_with_blanks_around():
    assert parse_date(" 2026-01-02 ") == dt.date(2026, 1, 2)
    assert parse_date("2026-02-30") is None and parse_date(None) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(("address", "township"), [
    ("重庆市江津区白沙镇宝珠村7组26号", "白沙镇"),
    ("白沙镇宝珠村", "白沙镇"),
    ("江津县石门乡", "石门乡"),
    ("重庆市江津区", ""),
    (None, ""),
])
def test_township_of(address, township):
    assert township_of(address) == township


def test_township_problem_in_words():
    assert township_problem("", "") == ""
    assert township_problem("白沙镇", "白沙镇") == ""
    assert township_problem("白沙镇", "几江街道") == "委托人属于几江街道，不在本帮代办员的服务范围（白沙镇）内"
    assert township_problem("白沙镇", "") == "无法从委托人地址确定所属乡镇，帮代办员只能为白沙镇的群众代办"


def test_case_problem_in_words():
    state = CaseState("c1", channel="proxy", bundle_code="newborn", created_by="wangqiang",
                      applicant={"id_number": ZHAO_JIANGUO})
    assert case_problem(state, TODAY) == "代办办件须附有效的授权委托书（帮代办工作台 F6 录入授权）"
    state.authorisation = auth().to_payload()
    assert case_problem(state, TODAY) == ""
    assert case_problem(state, dt.date(2027, 1, 1)) == "授权委托书已于 2026-12-31 到期，请重新授权"
    state.authorisation = auth(received_at="").to_payload()
    assert case_problem(state, TODAY) == "尚未收到委托人签署的授权委托书"
    state.authorisation = auth(agent="lisi", agent_name="李四").to_payload()
    assert case_problem(state, TODAY) == "授权委托书的受托人是 李四，不是本人"
    state.created_by = ""  # then the agent on the copy files it
    assert case_problem(state, TODAY) == ""
    state.applicant = {}
    assert case_problem(state, TODAY) == "授权委托书的委托人与本办件申请人不一致"
    state.bundle_code = "house"
    state.applicant = {"id_number": ZHAO_JIANGUO}
    assert case_problem(state, TODAY) == "授权委托书不包括本事项，请补充授权"


def test_the_copy_and_the_method_label():
    one = auth(method="attested", attested_by="宝珠村村民委员会")
    payload = one.to_payload()
    assert payload["bundles"] == ["newborn", "retire"] and payload["attested_by"] == "宝珠村村民委员会"
    assert Authorisation.from_payload({**payload, "unknown": 1}) == one
    assert Authorisation.from_payload({**payload, "bundles": None}).bundles == ()
    assert one.method_label == "村（居）委会代为证明" and auth(method="x").method_label == "x"
    assert auth().method_label == "委托人签名"


def test_case_problem_reads_any_state_shaped_object():
    from types import SimpleNamespace

    assert case_problem(SimpleNamespace(channel="proxy"), TODAY) == (
        "代办办件须附有效的授权委托书（帮代办工作台 F6 录入授权）")
    assert case_problem(SimpleNamespace(), TODAY) == ""


def test_the_principal_id_is_checked_on_the_day_given():
    assert problems(draft(), dt.date(1940, 1, 1)) == ["委托人身份证号码有误：身份证号码中的出生日期1948-09-02不合理"]
