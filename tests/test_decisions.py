"""Which decisions a case allows and why not: the domain function the services and the
decision screen share (hall_app/domain/decisions.py)."""

from __future__ import annotations

import pytest

from hall_app.domain.case import CaseError, CaseState
from hall_app.domain.decisions import (
    DECISIONS,
    brief,
    decision_options,
    deferred_materials,
    identity_blockers,
    question_blockers,
)
from hall_app.domain.planner import make_plan
from tests.test_planner import ALL_YES, NEWBORN

PERSON = {"id_number": "11010519491231002X", "name": "刘洋"}
FIRM = {"uscc": "91330100716105852F", "name": "杭州某公司"}


def case(status: str = "draft", applicant: dict | None = None) -> CaseState:
    return CaseState(case_id="c1", tracking_code="T", status=status,
                     applicant=dict(PERSON if applicant is None else applicant))


def plan(answers=ALL_YES, marks: dict | None = None):
    return make_plan(NEWBORN, answers, marks=marks if marks is not None else {})


def all_in():
    return {m.material.code: "handed_in" for m in make_plan(NEWBORN, ALL_YES).materials}


def deferrable_codes():
    return [m.material.code for m in make_plan(NEWBORN, ALL_YES).materials if m.material.requirement == "deferrable"]


def available(options) -> set[str]:
    return {k for k, o in options.items() if o.available}


def test_complete_case_can_be_accepted_notice_and_deferral_are_not_needed():
    options = decision_options(case(), plan(marks=all_in()))
    assert available(options) == {"accept", "refuse"}
    assert options["defer"].reasons == ("材料已齐全，直接受理即可",) and options["defer"].headline == "材料已齐全"
    assert options["notice"].reasons == ("没有缺少的材料，无需一次性告知",)
    assert options["notice"].headline == "没有缺少的材料"
    options["accept"].require()  # no refusal


def test_only_deferrable_materials_missing_allows_deferral_or_notice():
    marks = {code: "handed_in" for code in all_in() if code not in deferrable_codes()}
    p = plan(marks=marks)
    assert p.missing and not p.missing_not_deferrable
    options = decision_options(case(), p)
    assert available(options) == {"defer", "notice", "refuse"}
    assert options["accept"].headline == f"材料未收齐（缺 {len(p.missing)} 项）"
    assert "容缺受理" in options["accept"].reasons[0] and p.missing[0].material.name in options["accept"].reasons[0]
    with pytest.raises(CaseError, match=r"^不能受理：材料未收齐"):
        options["accept"].require()
    assert deferred_materials(p) == [m.material.code for m in p.missing]


def test_marked_deferred_materials_are_deferred_and_stop_a_plain_acceptance():
    marks = {**all_in(), **{code: "deferred" for code in deferrable_codes()}}
    p = plan(marks=marks)
    assert p.deferred and not p.missing
    options = decision_options(case(), p)
    assert available(options) == {"defer", "refuse"}
    assert options["accept"].headline == "材料未收齐"
    assert deferred_materials(p) == deferrable_codes()


def test_missing_required_material_means_notice():
    p = plan(marks={})
    options = decision_options(case(), p)
    assert available(options) == {"notice", "refuse"}
    assert options["defer"].headline == "缺少非容缺材料"
    assert any("应出具一次性告知书" in r for r in options["defer"].reasons)


def test_dishonest_applicant_cannot_defer_and_the_reason_comes_first():
    marks = {code: "handed_in" for code in all_in() if code not in deferrable_codes()}
    options = decision_options(case(), plan(marks=marks), dishonest=True)
    assert not options["defer"].available and options["defer"].reasons[0].startswith("申请人有未结失信记录")
    assert options["defer"].headline == "申请人有未结失信记录"
    with pytest.raises(CaseError, match=r"^不能容缺受理：申请人有未结失信记录"):
        options["defer"].require()


def test_form_errors_stop_acceptance_and_deferral_not_notice_or_refusal():
    options = decision_options(case(), plan(marks=all_in()), ["姓名：请填写"])
    assert options["accept"].reasons == ("姓名：请填写",) and options["accept"].headline == "姓名：请填写"
    marks = {code: "handed_in" for code in all_in() if code not in deferrable_codes()}
    deferral = decision_options(case(), plan(marks=marks), ["姓名：请填写"])["defer"]
    assert deferral.reasons == ("姓名：请填写",)
    assert decision_options(case(), plan(marks={}), ["姓名：请填写"])["notice"].available


def test_identity_and_questions_block_everything_but_only_identity_blocks_refusal():
    answers = {k: v for k, v in ALL_YES.items() if k != "want_ss_card"}
    p = plan(answers=answers, marks={})
    options = decision_options(case(applicant={}), p)
    assert available(options) == set()
    assert options["refuse"].reasons == ("尚未录入申请人身份证号码或统一社会信用代码", "尚未录入申请人姓名")
    with pytest.raises(CaseError, match=r"^不予受理通知书须写明申请人：尚未录入"):
        options["refuse"].require()
    assert any(r.startswith("情形问题未回答：") for r in options["notice"].reasons)
    # a question about the applicant is not an identity problem: refusal stays open
    named = decision_options(case(), p)
    assert named["refuse"].available and not named["notice"].available
    assert named["notice"].headline.startswith("情形问题未回答")


def test_a_firm_with_an_all_digit_uscc_is_a_valid_applicant():
    assert identity_blockers(FIRM) == ()
    blockers = identity_blockers({"uscc": "91330100716105852G", "name": "x"})
    assert blockers[0].startswith("申请人证件号码有误：统一社会信用代码")
    assert identity_blockers({"id_number": "110105194912310021", "name": "x"})[0].endswith("请核对是否输错")


def test_question_blockers_name_each_pending_question():
    p = plan(answers={})
    assert question_blockers(p) == tuple(f"情形问题未回答：{q.text}" for q in p.pending) and p.pending


@pytest.mark.parametrize("status", ["accepted", "refused", "voided", "rated"])
def test_a_decided_case_offers_no_decision(status):
    options = decision_options(case(status), plan(marks=all_in()))
    assert available(options) == set() and set(options) == set(DECISIONS)
    assert all("已作出决定" in o.headline for o in options.values())


@pytest.mark.parametrize("status", ["draft", "notice_issued"])
def test_editable_statuses_offer_decisions(status):
    assert "accept" in available(decision_options(case(status), plan(marks=all_in())))


def test_brief_keeps_two_reasons_and_counts_the_rest():
    assert brief([]) == ""
    assert brief(["a"]) == "a"
    assert brief(["a", "b"]) == "a；b"
    assert brief(["a", "b", "c"]) == "a；b 等3项"


def test_every_option_knows_its_kind_and_its_exact_words():
    """The exact reasons and headlines the decision screen shows (mutation survivors)."""
    for status in ("draft", "accepted"):
        options = decision_options(case(status), plan(marks={}))
        assert all(option.kind == kind for kind, option in options.items())
    marks = {code: "handed_in" for code in all_in() if code not in deferrable_codes()}
    p = plan(marks=marks)
    names = "、".join(m.material.name for m in p.missing)
    assert len(p.missing) >= 2
    options = decision_options(case(), p)
    assert options["accept"].reasons == (f"材料未收齐（{names}）：请出具一次性告知书，或（仅缺可容缺材料时）容缺受理",)
    # only deferrable materials missing, no form errors: deferral has nothing to say against it
    assert options["defer"].headline == "" and options["notice"].headline == ""
    form = decision_options(case(), p, ["姓名：请填写"])
    assert form["defer"].headline == "姓名：请填写"
    unnamed = decision_options(case(applicant={"id_number": PERSON["id_number"]}), plan(marks=all_in()),
                               ["姓名：请填写"])
    assert unnamed["accept"].headline == unnamed["defer"].headline == "尚未录入申请人姓名"
    assert unnamed["refuse"].headline == "尚未录入申请人姓名"
    nobody = decision_options(case(applicant={}), plan(marks=all_in()))
    assert nobody["refuse"].headline == "尚未录入申请人身份证号码或统一社会信用代码；尚未录入申请人姓名"
    with pytest.raises(CaseError) as refused:
        nobody["accept"].require()
    assert str(refused.value) == "不能受理：尚未录入申请人身份证号码或统一社会信用代码；尚未录入申请人姓名"


@pytest.mark.parametrize(("status", "missing"), [("draft", ["m1", "m9"]), ("notice_issued", ["m1"]),
                                                  ("notice_issued", ["m1", "m9"]), ("notice_issued", [])])
def test_the_screen_asks_for_a_reason_exactly_when_the_rule_needs_one(status, missing):
    """decision.needs_reason (what the decision screen asks) and case_rules.check_notice
    (what the case refuses) are one rule: a further notice naming a material no earlier
    notice named needs a reason (一次告知), a refusal always."""
    from hall_app.domain.case_rules import check_notice, check_refusal
    from hall_app.domain.decisions import needs_reason

    state = case(status)
    if status == "notice_issued":
        state.notices = [{"missing": ["m1", "m2"], "deadline": "", "reason": ""}]
    state.changed_since_notice = True
    refused_without = True
    try:
        check_notice(state, "", missing)
        refused_without = False
    except CaseError:
        pass
    assert needs_reason("notice", state, missing) is refused_without is (status == "notice_issued" and "m9" in missing)
    with pytest.raises(CaseError):
        check_refusal("")
    assert needs_reason("refuse", state)
    assert not needs_reason("accept", state) and not needs_reason("defer", state)


def test_a_notice_with_nothing_changed_since_the_last_is_not_offered():
    noticed = case("notice_issued")
    noticed.notices = [{"missing": ["parents_id_cards"], "deadline": "", "reason": ""}]
    options = decision_options(noticed, plan())
    assert not options["notice"].available and options["notice"].headline == "告知后材料没有变化"
    noticed.changed_since_notice = True
    assert decision_options(noticed, plan())["notice"].available
