"""Intake use cases through the service layer, on a real SQLite database."""

import pytest

from hall_app.services.demo import CHEN_MIN, LI_NA, LIU_YANG, SUN_HAO
from hall_app.services.intake import IntakeError
from tests.test_planner import ALL_YES

FORM = {"baby_name": "刘思远", "baby_sex": "男", "baby_birth_date": "2026-11-15", "birth_place": "江津区妇幼保健院",
        "delivery": "窗口领取", "insurance_grade": "一档"}


def start(ctx, applicant=LIU_YANG, answers=ALL_YES, marks=None, form=FORM):
    cid = ctx.cases.start("新生儿出生", "zhangli").case_id
    ctx.cases.set_applicant_id(cid, "zhangli", applicant)
    for q, v in answers.items():
        ctx.cases.answer(cid, "zhangli", q, v)
    for m, s in (marks or {}).items():
        ctx.cases.mark_material(cid, "zhangli", m, s)
    for k, v in form.items():
        ctx.cases.set_field(cid, "zhangli", k, v)
    return cid


def test_person_file_fills_the_applicant_and_prefills_the_form(demo_ctx):
    cid = start(demo_ctx, form={})
    state = demo_ctx.cases.get(cid)
    assert state.applicant["name"] == "刘洋" and state.applicant["phone"] == "13908312345"
    rows = {r.field.key: r for r in demo_ctx.cases.form(cid)}
    assert rows["applicant_name"].value == "刘洋" and rows["applicant_name"].prefilled
    assert rows["spouse_name"].value == "陈敏" and rows["spouse_id_number"].value == CHEN_MIN
    assert rows["baby_name"].value == "" and not rows["baby_name"].check.ok


def test_full_intake_to_acceptance_with_deadlines(demo_ctx):
    marks = {"maternity_bill": "handed_in", "baby_photo": "handed_in", "bank_card": "handed_in",
             "birth_medical_info": "handed_in"}
    cid = start(demo_ctx, marks=marks)
    review = demo_ctx.cases.review(cid)
    assert review.blockers == () and review.accept_blockers == ()
    assert review.suggested == "accept"
    assert review.exempt_count == 3 and "免交 3 项材料" in review.spared_text
    state = demo_ctx.cases.accept(cid, "zhangli")
    assert state.status == "accepted"
    assert set(state.items) == {d.code for d in review.dues}
    assert state.items["social_security_card"]["due"] == "2026-11-25"  # 3 working days after Sat 21 Nov
    assert state.fields["applicant_name"] == "刘洋"  # prefill recorded at the decision


def test_changing_an_answer_reports_what_changed(demo_ctx):
    cid = start(demo_ctx)
    change = demo_ctx.cases.answer(cid, "zhangli", "want_ss_card", "否")
    assert change.removed_items == ("社会保障卡申领",)
    assert "新生儿近期免冠照片" in change.removed_materials
    assert "移除事项：社会保障卡申领" in change.describe()
    assert demo_ctx.cases.answer(cid, "zhangli", "want_ss_card", "否").empty


def test_missing_required_material_means_notice_and_second_notice_needs_a_reason(demo_ctx):
    cid = start(demo_ctx, applicant=LI_NA)
    with pytest.raises(IntakeError, match="一次性告知"):
        demo_ctx.cases.accept(cid, "zhangli")
    state = demo_ctx.cases.issue_notice(cid, "zhangli")
    assert state.status == "notice_issued"
    assert "parents_id_cards" in state.notices[0]["missing"]
    assert state.notices[0]["deadline"] == "2026-11-27"
    with pytest.raises(IntakeError, match="此后材料没有变化"):
        demo_ctx.cases.issue_notice(cid, "zhangli")
    with pytest.raises(IntakeError, match="此后材料没有变化"):
        demo_ctx.cases.issue_notice(cid, "zhangli", "申请人补充说明")  # facts did not change
    demo_ctx.cases.mark_material(cid, "zhangli", "parents_id_cards", "handed_in")
    state = demo_ctx.cases.issue_notice(cid, "zhangli")  # only what the first named: no reason needed
    assert len(state.notices) == 2 and "parents_id_cards" not in state.notices[1]["missing"]
    assert state.notices[1]["added"] == [] and state.notices[1]["reason"] == ""


def test_deferral_only_for_deferrable_and_not_for_dishonest(demo_ctx):
    cid = start(demo_ctx, marks={"birth_medical_info": "handed_in"})  # only deferrable ones missing
    state = demo_ctx.cases.defer(cid, "zhangli")
    assert state.status == "accepted_deferred"
    assert set(state.deferred) == {"maternity_bill", "baby_photo"}
    assert state.deferred_deadline == "2026-12-04"
    state = demo_ctx.cases.supply_deferred(cid, "zhangli", "baby_photo")
    state = demo_ctx.cases.supply_deferred(cid, "zhangli", "maternity_bill")
    assert state.status == "accepted"
    cid = start(demo_ctx, applicant=SUN_HAO, marks={"household_register": "handed_in",
                                                     "marriage_certificate": "handed_in",
                                                     "birth_medical_info": "handed_in"})
    with pytest.raises(IntakeError, match="失信"):
        demo_ctx.cases.defer(cid, "zhangli")
    cid = start(demo_ctx, applicant=LI_NA)
    with pytest.raises(IntakeError, match="非容缺材料"):
        demo_ctx.cases.defer(cid, "zhangli")


def test_refusal_needs_a_reason(demo_ctx):
    cid = start(demo_ctx)
    with pytest.raises(IntakeError, match="理由"):
        demo_ctx.cases.refuse(cid, "zhangli", "  ")
    state = demo_ctx.cases.refuse(cid, "zhangli", "不属于本中心受理范围", "《行政许可法》第三十二条")
    assert state.status == "refused" and state.decision["reason"] == "不属于本中心受理范围"
    with pytest.raises(IntakeError, match="不予受理"):
        demo_ctx.cases.answer(cid, "zhangli", "want_ss_card", "否")


def test_blockers_before_any_decision(demo_ctx):
    cid = demo_ctx.cases.start("newborn", "zhangli").case_id
    with pytest.raises(IntakeError) as info:
        demo_ctx.cases.issue_notice(cid, "zhangli")
    assert "身份证号码" in str(info.value) and "情形问题未回答" in str(info.value)


def test_bad_input_is_kept_and_explained(demo_ctx):
    cid = start(demo_ctx, form={})
    row = demo_ctx.cases.set_field(cid, "zhangli", "phone", "１３９ ０８３１ ２３４５")
    assert row.check.ok and row.value == "13908312345"
    row = demo_ctx.cases.set_field(cid, "zhangli", "baby_name", "刘" * 500)
    assert not row.check.ok and "最多" in row.check.error
    assert demo_ctx.cases.get(cid).fields["baby_name"] == "刘" * 500  # kept, not lost
    row = demo_ctx.cases.set_field(cid, "zhangli", "baby_name", "王𠮷")
    assert row.check.ok and row.value == "王𠮷"
    result = demo_ctx.cases.set_applicant_id(cid, "zhangli", LIU_YANG[:-1] + ("0" if LIU_YANG[-1] != "0" else "1"))
    assert not result.ok and "校验位" in result.error
    assert demo_ctx.cases.get(cid).applicant["id_number"] == result.value
    review = demo_ctx.cases.review(cid)
    assert any("证件号码有误" in b for b in review.blockers)


def test_keystroke_drafts_survive_and_become_the_value(demo_ctx):
    cid = start(demo_ctx, form={})
    demo_ctx.cases.type_field(cid, "baby_name", "刘思")
    rows = {r.field.key: r for r in demo_ctx.cases.form(cid)}
    assert rows["baby_name"].value == "刘思" and rows["baby_name"].source == "draft"
    demo_ctx.cases.set_field(cid, "zhangli", "baby_name", "刘思远")
    assert demo_ctx.cases.drafts_of(cid) == {}


def test_second_clerk_is_told_the_draft_is_taken(demo_ctx):
    cid = start(demo_ctx)
    with pytest.raises(IntakeError, match="zhangli"):
        demo_ctx.cases.claim(cid, "other")
    assert demo_ctx.cases.claim(cid, "other", force=True).claimed_by == "other"


def test_item_results_complete_the_case_and_illegal_transitions_are_refused(demo_ctx):
    marks = {"maternity_bill": "handed_in", "baby_photo": "handed_in", "bank_card": "handed_in",
             "birth_medical_info": "handed_in"}
    cid = start(demo_ctx, marks=marks)
    demo_ctx.cases.accept(cid, "zhangli")
    with pytest.raises(IntakeError, match="不能变为"):
        demo_ctx.cases.hand_over(cid, "zhangli")
    demo_ctx.cases.dispatch(cid, "zhangli")
    for item in list(demo_ctx.cases.get(cid).items)[:-1]:
        demo_ctx.cases.record_item_result(cid, "dept", item, "completed")
    assert demo_ctx.cases.get(cid).status == "dispatched"
    last = list(demo_ctx.cases.get(cid).items)[-1]
    with pytest.raises(IntakeError, match="理由"):
        demo_ctx.cases.record_item_result(cid, "dept", last, "rejected")
    state = demo_ctx.cases.record_item_result(cid, "dept", last, "rejected", "照片不合格")
    assert state.status == "completed"
    demo_ctx.cases.hand_over(cid, "zhangli", "mail")
    assert demo_ctx.cases.rate(cid, "zhangli", 2, "等太久").rating["label"] == "不满意"


def test_find_by_code_url_id_and_name(demo_ctx):
    cid = start(demo_ctx)
    code = demo_ctx.cases.get(cid).tracking_code
    assert [r.case_id for r in demo_ctx.cases.find(code.lower())] == [cid]
    assert [r.case_id for r in demo_ctx.cases.find(f"https://zwfw.cq.gov.cn/t/{code}")] == [cid]
    assert cid in [r.case_id for r in demo_ctx.cases.find(LIU_YANG)]
    assert cid in [r.case_id for r in demo_ctx.cases.find("刘")]
    assert demo_ctx.cases.find("") == []
    with pytest.raises(IntakeError, match="不是有效的跟踪码"):
        demo_ctx.cases.by_tracking_code("ABC")


def test_demo_has_a_case_in_every_state_and_is_deterministic(demo_ctx, tmp_path, clock):
    from hall_app.config import Settings
    from hall_app.services.context import HallContext
    from hall_app.services.demo import DemoSeeder

    statuses = {c.status for c in DemoSeeder(demo_ctx).cases()}
    assert statuses >= {"draft", "notice_issued", "accepted", "accepted_deferred", "refused", "dispatched",
                        "completed", "handed_over", "rated", "voided"}
    other = HallContext(Settings(db=str(tmp_path / "other.db")), clock=clock)
    seeded = [c.tracking_code for c in DemoSeeder(other).seed()]
    assert seeded == [c.tracking_code for c in DemoSeeder(demo_ctx).cases()]


def test_answers_from_the_file_are_recorded_at_the_decision(demo_ctx):
    answers = {k: v for k, v in ALL_YES.items() if k not in ("born_locally", "parents_married")}
    cid = start(demo_ctx, applicant=CHEN_MIN, answers=answers,
                marks={"baby_photo": "handed_in", "bank_card": "handed_in"},  # her e-bill is on file (demo)
                form={"baby_name": "刘思远", "delivery": "窗口领取", "insurance_grade": "一档"})
    review = demo_ctx.cases.review(cid)
    assert review.blockers == () and review.accept_blockers == ()
    rows = {r.field.key: r for r in review.form}
    assert rows["birth_place"].prefilled and rows["baby_birth_date"].value == "2026-11-15"
    state = demo_ctx.cases.accept(cid, "zhangli")
    assert state.answers["parents_married"] == "是" and state.answers["born_locally"] == "是"
    assert state.fields["birth_place"] == "江津区妇幼保健院"


def test_a_flagged_case_is_cleared_by_a_review_event_that_replays(demo_ctx):
    marks = {"maternity_bill": "handed_in", "baby_photo": "handed_in", "bank_card": "handed_in",
             "birth_medical_info": "handed_in"}
    cid = start(demo_ctx, marks=marks)
    with pytest.raises(IntakeError, match="没有待核对"):
        demo_ctx.cases.mark_reviewed(cid, "chenjing", "无")
    with demo_ctx.unit_of_work() as (_, repo):
        state = repo.get(cid)
        state.needs_review = True
        repo.save(state)
    with pytest.raises(IntakeError, match="核对结论"):
        demo_ctx.cases.mark_reviewed(cid, "chenjing", " ")
    state = demo_ctx.cases.mark_reviewed(cid, "chenjing", "已核实")
    assert not state.needs_review and state.reviews[0]["note"] == "已核实"


# -- person or firm: one rule (domain ids.identify) everywhere ------------------------------------------
DIGIT_USCC = "91330100716105852F"  # valid; its first 17 characters are digits


def test_an_all_digit_uscc_is_a_firm_through_the_service(demo_ctx):
    from hall_app.store.models import Firm

    with demo_ctx.Session.begin() as session:
        session.add(Firm(uscc=DIGIT_USCC, name="杭州数字火锅有限公司", legal_rep="王五", address="杭州市",
                         phone="057100000000"))
    cid = demo_ctx.cases.start("newborn", "zhangli").case_id
    demo_ctx.cases.set_applicant_id(cid, "zhangli", LIU_YANG)
    result = demo_ctx.cases.set_applicant_id(cid, "zhangli", DIGIT_USCC.lower())
    assert result.ok and result.value == DIGIT_USCC
    applicant = demo_ctx.cases.get(cid).applicant
    assert applicant["uscc"] == DIGIT_USCC and "id_number" not in applicant  # the person's ID is cleared
    assert demo_ctx.people.lookup(DIGIT_USCC).kind == "企业"
    assert not any("证件号码" in b for b in demo_ctx.cases.review(cid).blockers)
    assert [r.case_id for r in demo_ctx.cases.find(DIGIT_USCC)] == [cid]


def test_set_applicant_routes_an_id_key_through_the_same_rule(demo_ctx):
    cid = demo_ctx.cases.start("newborn", "zhangli").case_id
    state = demo_ctx.cases.set_applicant(cid, "zhangli", "id_number", DIGIT_USCC)
    assert state.applicant == {"uscc": DIGIT_USCC}
    with pytest.raises(IntakeError, match="未知的申请人信息"):
        demo_ctx.cases.set_applicant(cid, "zhangli", "salary", "1")
    assert demo_ctx.cases.set_applicant(cid, "zhangli", "phone", " 139 ").applicant["phone"] == "139"


# -- one unit of work per operation ---------------------------------------------------------------------
def _event_types(ctx, cid):
    return [e["type"] for e in ctx.cases.timeline(cid)]


def test_set_applicant_id_writes_all_its_events_or_none(demo_ctx, monkeypatch):
    cid = demo_ctx.cases.start("newborn", "zhangli").case_id
    demo_ctx.cases.set_applicant_id(cid, "zhangli", DIGIT_USCC)
    before = _event_types(demo_ctx, cid)
    record = demo_ctx.record

    def fail_at_the_phone(session, repo, case_id, actor, kind, payload, *args):
        if payload.get("key") == "phone":
            raise RuntimeError("disk full")
        return record(session, repo, case_id, actor, kind, payload, *args)

    monkeypatch.setattr(demo_ctx, "record", fail_at_the_phone)
    with pytest.raises(RuntimeError):  # after the ID, the cleared USCC and the name
        demo_ctx.cases.set_applicant_id(cid, "zhangli", LIU_YANG)
    assert _event_types(demo_ctx, cid) == before and demo_ctx.cases.get(cid).applicant == {"uscc": DIGIT_USCC}
    monkeypatch.undo()
    demo_ctx.cases.set_applicant_id(cid, "zhangli", LIU_YANG)
    assert _event_types(demo_ctx, cid)[len(before):] == ["case.applicant_set"] * 5  # id, uscc cleared, name, …
    assert demo_ctx.cases.get(cid).applicant == {"id_number": LIU_YANG, "name": "刘洋", "phone": "13908312345",
                                                  "address": demo_ctx.people.lookup(LIU_YANG).attributes["address"]}


def test_acceptance_records_prefill_and_decision_together_or_not_at_all(demo_ctx, monkeypatch):
    answers = {k: v for k, v in ALL_YES.items() if k not in ("born_locally", "parents_married")}
    cid = start(demo_ctx, applicant=CHEN_MIN, answers=answers,
                marks={"baby_photo": "handed_in", "bank_card": "handed_in"},  # her e-bill is on file (demo)
                form={"baby_name": "刘思远", "delivery": "窗口领取", "insurance_grade": "一档"})
    demo_ctx.cases.type_field(cid, "baby_name", "刘思远远")
    before = _event_types(demo_ctx, cid)
    record = demo_ctx.record

    def refuse_the_decision(session, repo, case_id, actor, kind, payload, *args):
        if kind == "case.accepted":
            raise RuntimeError("disk full")
        return record(session, repo, case_id, actor, kind, payload, *args)

    monkeypatch.setattr(demo_ctx, "record", refuse_the_decision)
    with pytest.raises(RuntimeError):
        demo_ctx.cases.accept(cid, "zhangli")
    assert _event_types(demo_ctx, cid) == before  # no prefill answer or field without the decision
    assert demo_ctx.cases.drafts_of(cid) == {"baby_name": "刘思远远"}  # the draft is still there
    monkeypatch.undo()
    state = demo_ctx.cases.accept(cid, "zhangli")
    added = _event_types(demo_ctx, cid)[len(before):]
    assert added[-1] == "case.accepted" and "case.answer_set" in added and "case.field_set" in added
    assert state.fields["baby_name"] == "刘思远远" and demo_ctx.cases.drafts_of(cid) == {}


def test_a_unit_of_work_holds_the_write_lock_from_its_first_read(demo_ctx):
    import sqlite3

    cid = demo_ctx.cases.start("newborn", "zhangli").case_id
    other = sqlite3.connect(demo_ctx.settings.db_path, timeout=0)
    try:
        with demo_ctx.cases.work(cid, "zhangli") as w:
            assert w.state.case_id == cid
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once the unit is over
        other.rollback()
    finally:
        other.close()


def test_claim_uses_the_domain_rule(demo_ctx):
    cid = demo_ctx.cases.start("newborn", "zhangli").case_id
    assert demo_ctx.cases.claim(cid, "zhangli").version == 1  # already held: nothing written
    with pytest.raises(IntakeError, match="正由 zhangli 办理"):
        demo_ctx.cases.claim(cid, "lisi")
    assert demo_ctx.cases.claim(cid, "lisi", force=True).claimed_by == "lisi"


def test_rules_the_services_no_longer_repeat_are_still_enforced(demo_ctx):
    marks = {"maternity_bill": "handed_in", "baby_photo": "handed_in", "bank_card": "handed_in",
             "birth_medical_info": "handed_in"}
    cid = start(demo_ctx, marks=marks)
    demo_ctx.cases.accept(cid, "zhangli")
    demo_ctx.cases.dispatch(cid, "zhangli")
    item = next(iter(demo_ctx.cases.get(cid).items))
    for status, fragment in (("pending", "办理结果应为"), ("rejected", "不予批准须写明理由")):
        with pytest.raises(IntakeError, match=fragment):
            demo_ctx.cases.record_item_result(cid, "dept", item, status)
    demo_ctx.cases.record_item_result(cid, "dept", item, "completed")
    with pytest.raises(IntakeError, match="已有最终结果"):
        demo_ctx.cases.record_item_result(cid, "dept", item, "approved")
    with pytest.raises(IntakeError, match="作废必须写明原因"):
        demo_ctx.cases.void(cid, "zhangli", " ")
    with pytest.raises(IntakeError, match="送达方式"):
        demo_ctx.cases.hand_over(cid, "zhangli", "drone")
    with pytest.raises(IntakeError, match="未知步骤"):
        demo_ctx.cases.set_step(cid, "zhangli", "nowhere")
    with pytest.raises(IntakeError, match="关系请从以下选择"):
        demo_ctx.cases.set_proxy(start(demo_ctx), "zhangli", "刘一", LIU_YANG, "邻居")


def test_a_field_being_typed_with_a_character_that_cannot_be_stored_is_refused_with_a_reason(demo_ctx):
    cid = demo_ctx.cases.start("newborn", "zhangli").case_id
    demo_ctx.cases.type_field(cid, "baby_name", "刘思")
    for bad, words in (("刘\ud800", "代理字符"), ("刘\x00远", "NUL")):
        with pytest.raises(IntakeError, match=words):
            demo_ctx.cases.type_field(cid, "baby_name", bad)
    assert demo_ctx.cases.drafts_of(cid) == {"baby_name": "刘思"}  # the last good keystroke stays
