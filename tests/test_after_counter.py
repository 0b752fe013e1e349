"""Issue 12 on the embedded default (one machine, no server): the department desk on
this machine's cases, the window's 补正 / 容缺 / hand-over actions with their bad
input, overdue deferrals, and the same through ``hall-app dept`` / ``case`` / ``todo``."""

from __future__ import annotations

import pytest

from hall_app.cli import main
from hall_app.services.demo import LIU_YANG
from hall_app.services.inbox import LocalInbox
from hall_app.services.intake import IntakeError


def case_at(ctx, status: str):
    return next(c for c in ctx.cases.find(LIU_YANG) if c.status == status)


def finish_all(ctx, tracking_code: str) -> None:
    state = ctx.cases.by_tracking_code(tracking_code)
    for dept in ctx.dispatch.departments_map(state):
        desk = LocalInbox(ctx, dept)
        desk.acknowledge(tracking_code)
        for item in ctx.dispatch.departments_map(state)[dept]:
            desk.report(tracking_code, item, "completed", document=f"DOC-{item}")


def test_the_local_desk_dispatches_accepted_cases_and_acts_only_on_its_own_items(demo_ctx):
    accepted = case_at(demo_ctx, "accepted")
    police = LocalInbox(demo_ctx, "市公安局")
    mine = [p for p in police.packages() if p["case_id"] == accepted.case_id]
    assert len(mine) == 1 and [i["code"] for i in mine[0]["items"]] == ["household_registration"]
    assert "insurance_grade" not in mine[0]["fields"]
    state = demo_ctx.cases.get(accepted.case_id)
    assert state.status == "dispatched" and state.decision["departments"]["市公安局"] == ["household_registration"]
    with pytest.raises(IntakeError, match="由市卫生健康委办理"):
        police.report(state.tracking_code, "birth_certificate", "completed")
    with pytest.raises(IntakeError, match="不予批准须写明理由"):
        police.report(state.tracking_code, "household_registration", "rejected", "  ")
    with pytest.raises(IntakeError, match="办理结果应为"):
        police.report(state.tracking_code, "household_registration", "done")
    assert demo_ctx.cases.get(accepted.case_id).items["household_registration"]["status"] == "dispatched"
    assert police.acknowledge(state.tracking_code)["received"] == 1
    assert police.acknowledge(state.tracking_code)["received"] == 0


def test_a_supplement_goes_back_to_the_department_with_its_deadline_moved(demo_ctx, clock):
    code = case_at(demo_ctx, "accepted").tracking_code
    police = LocalInbox(demo_ctx, "市公安局")
    police.acknowledge(code)
    police.report(code, "household_registration", "needs_material", "请补交父母结婚证原件")
    state = demo_ctx.cases.by_tracking_code(code)
    due = state.items["household_registration"]["due"]
    with pytest.raises(IntakeError, match="不是事项 household_registration 所需的材料"):
        demo_ctx.dispatch.supplement(state.case_id, "zhangli", "household_registration", ["bank_card"])
    with pytest.raises(IntakeError, match="请写明"):
        demo_ctx.dispatch.supplement(state.case_id, "zhangli", "household_registration", [" "])
    clock.advance(days=3)  # Tuesday 11-24: the department waited one working day (Monday)
    after = demo_ctx.dispatch.supplement(state.case_id, "zhangli", "household_registration",
                                         ["marriage_certificate"], "原件已收")
    item = after.items["household_registration"]
    assert item["status"] == "supplemented" and item["due"] > due
    assert item["supplements"][0]["materials"] == ["marriage_certificate"]


def test_deferred_materials_supplied_on_time_or_missed_then_terminated(demo_ctx, clock):
    deferred = case_at(demo_ctx, "accepted_deferred")
    with pytest.raises(IntakeError, match=r"该办件不需要补交“银行卡（缴费用）”（bank_card）"):
        demo_ctx.dispatch.supply(deferred.case_id, "zhangli", "bank_card")
    with pytest.raises(IntakeError, match="尚未逾期"):
        demo_ctx.dispatch.terminate_overdue(deferred.case_id, "zhangli")
    state = demo_ctx.dispatch.supply(deferred.case_id, "zhangli", "maternity_bill")
    assert state.deferred == ["baby_photo"] and state.marks["maternity_bill"] == "handed_in"
    clock.advance(days=40)
    flags = demo_ctx.dispatch.follow_ups_of(demo_ctx.cases.get(deferred.case_id))
    assert any("容缺材料逾期未补交" in f and "baby_photo" in f for f in flags)
    with pytest.raises(IntakeError, match="先提醒"):  # the 承诺书 promises a reminder first
        demo_ctx.dispatch.terminate_overdue(deferred.case_id, "zhangli")
    demo_ctx.dispatch.remind(deferred.case_id, "zhangli", "phone")
    ended = demo_ctx.dispatch.terminate_overdue(deferred.case_id, "zhangli")
    assert ended.status == "terminated" and "新生儿近期免冠照片" in ended.termination["reason"]  # by name
    assert ended.termination["basis"].startswith("容缺受理承诺书")
    with pytest.raises(IntakeError):
        demo_ctx.dispatch.supply(deferred.case_id, "zhangli", "baby_photo")


def test_hand_over_needs_every_result_and_the_right_collector(demo_ctx):
    code = case_at(demo_ctx, "accepted").tracking_code
    state = demo_ctx.cases.by_tracking_code(code)
    with pytest.raises(IntakeError, match="全部返回后才能送达"):
        demo_ctx.handover.at_window(state.case_id, "zhangli", LIU_YANG)
    finish_all(demo_ctx, code)
    assert demo_ctx.cases.get(state.case_id).status == "completed"
    rows = demo_ctx.dispatch.department_rows(state.case_id)
    assert len(rows) == 4 and {(r["label"], r["took"]) for r in rows} == {("已办结", 0)}  # all on the same day
    with pytest.raises(IntakeError, match="身份证号码"):
        demo_ctx.handover.at_window(state.case_id, "zhangli", "110105")
    from hall_app.services.demo import LI_NA

    with pytest.raises(IntakeError, match="均不符"):
        demo_ctx.handover.at_window(state.case_id, "zhangli", LI_NA)
    with pytest.raises(IntakeError, match="邮件号格式"):
        demo_ctx.handover.by_mail(state.case_id, "zhangli", "顺丰123")
    assert demo_ctx.cases.get(state.case_id).status == "completed"  # nothing changed
    over = demo_ctx.handover.at_window(state.case_id, "zhangli", LIU_YANG.lower())
    assert over.status == "handed_over" and over.handed_over["collector"] == "applicant"
    assert demo_ctx.ratings.rate(state.case_id, "zhangli", 5).status == "rated"  # then it asks for a rating


def test_the_cli_takes_a_case_from_acceptance_to_handed_over(demo_ctx, capsys):
    db = demo_ctx.settings.db_path
    code = case_at(demo_ctx, "accepted").tracking_code
    deferred = case_at(demo_ctx, "accepted_deferred").tracking_code
    demo_ctx.close()

    def run(*args: str) -> tuple[int, str, str]:
        rc = main(["--db", str(db), *args])
        out = capsys.readouterr()
        return rc, out.out, out.err

    rc, _, err = run("case", deferred, "--supply", "bank_card")
    assert rc == 2 and "该办件不需要补交“银行卡（缴费用）”（bank_card）" in err
    rc, out, _ = run("case", deferred, "--supply", "baby_photo")
    assert rc == 0 and "仍待补交：maternity_bill" in out and "补交材料收据：" in out
    receipt = out.split("补交材料收据：", 1)[1].split()[0]
    assert receipt.endswith(".pdf") and (db.parent / "documents").exists()
    rc, out, _ = run("dept", "--dept", "市公安局", "inbox")
    assert rc == 0 and "household_registration" in out and "已分发" in out
    assert run("dept", "--dept", "市公安局", "ack", code)[0] == 0
    rc, _, err = run("dept", "--dept", "市公安局", "report", code, "household_registration", "needs_material")
    assert rc == 2 and "退回补正须写明" in err
    assert run("dept", "--dept", "市公安局", "report", code, "household_registration", "needs_material",
               "--note", "请补交结婚证原件")[0] == 0
    rc, out, _ = run("todo")
    assert "需补正：请补交结婚证原件" in out
    rc, out, _ = run("case", code, "--supplement", "household_registration", "--materials", "marriage_certificate")
    assert rc == 0 and "退回部门继续办理" in out and "部门 市公安局: 办理中" in out and "用时" in out
    for dept, items in (("市公安局", ["household_registration"]),
                        ("市卫生健康委", ["birth_certificate", "vaccination_certificate"]),
                        ("市医保局", ["maternity_insurance", "medical_insurance_enrolment",
                                     "medical_insurance_payment"]),
                        ("市人力社保局", ["social_security_card"])):
        for item in items:
            assert run("dept", "--dept", dept, "report", code, item, "completed")[0] == 0
    rc, _, err = run("case", code, "--hand-over", "mail", "--waybill", "EA123456784CN")
    assert rc == 2 and "校验位" in err
    rc, out, _ = run("case", code, "--hand-over", "mail", "--waybill", "EA123456785CN")
    assert rc == 0 and "好差评" in out and "邮件号 EA123456785CN" in out


def take_convenience_store(ctx) -> str:
    """开便利店 with bulk food: its 食品经营许可 is the bundle's 告知承诺 item."""
    from hall_app.services.demo import HOTPOT_FIRM
    from tests.test_every_bundle_at_the_window import valid_value

    svc = ctx.cases
    cid = svc.start("open_convenience_store", "zhangli").case_id
    svc.set_applicant_id(cid, "zhangli", HOTPOT_FIRM)
    for _ in range(20):
        pending = svc.plan(cid).pending
        if not pending:
            break
        question = pending[0]
        wanted = "含散装食品、冷藏冷冻食品或现制现售" if question.id == "food_scope" else question.options[0]
        svc.answer(cid, "zhangli", question.id, wanted)
    for planned in svc.plan(cid).materials:
        if planned.status not in ("exempt", "handed_in"):
            svc.mark_material(cid, "zhangli", planned.material.code, "handed_in")
    for row in svc.form(cid):
        if not row.check.ok:
            svc.set_field(cid, "zhangli", row.field.key, valid_value(row.field, ctx.today()))
    return cid


def test_a_commitment_item_is_accepted_at_once_and_a_failed_post_check_is_shown_then_revoked(demo_ctx):
    cid = take_convenience_store(demo_ctx)
    planned = demo_ctx.cases.plan(cid).item_codes()
    other = next(code for code in planned if code != "food_licence")
    assert "food_licence" in planned
    with pytest.raises(IntakeError, match="不适用告知承诺制"):
        demo_ctx.cases.accept(cid, "zhangli", commitments=[other])
    with pytest.raises(IntakeError, match="没有事项"):
        demo_ctx.cases.accept(cid, "zhangli", commitments=["no_such_item"])
    assert demo_ctx.cases.get(cid).status == "draft"  # nothing written
    state = demo_ctx.cases.accept(cid, "zhangli", commitments=["food_licence"])
    assert state.items["food_licence"]["commitment"] == "2026-12-18"  # 20 working days from Sat 11-21
    assert "commitment" not in state.items[other]
    from printing import render_pdf

    pledge = render_pdf("pledge", demo_ctx.documents.build("pledge", cid)).pdf
    import pypdfium2

    text = "".join("".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pledge)).split())
    assert "告知承诺书" in text and "食品经营许可" in text and "2026年12月18日前进行事后核查" in text
    market = LocalInbox(demo_ctx, "市市场监管局")
    (pkg,) = [p for p in market.packages() if p["case_id"] == cid]
    assert {i["code"]: i["commitment"] for i in pkg["items"]}["food_licence"] is True
    with pytest.raises(IntakeError, match="核查不实须写明"):
        market.check(state.tracking_code, "food_licence", "failed", " ")
    with pytest.raises(IntakeError, match="没有核查不实"):
        demo_ctx.dispatch.revoke(cid, "zhangli", "承诺不实")
    market.check(state.tracking_code, "food_licence", "failed", "现场核查：无冷藏设备，与承诺不符")
    flags = demo_ctx.dispatch.follow_ups_of(demo_ctx.cases.get(cid))
    assert "事项 food_licence 告知承诺核查不实：现场核查：无冷藏设备，与承诺不符" in flags
    revoked = demo_ctx.dispatch.revoke(cid, "zhangli", "告知承诺内容不实，撤销食品经营许可")
    assert revoked.status == "terminated" and revoked.termination["kind"] == "revoke"
    assert "food_licence" in revoked.termination["basis"]



def test_a_return_after_a_notice_asks_only_the_notice_materials(demo_ctx):
    from hall_app.services.demo import LI_NA

    noticed = next(c for c in demo_ctx.cases.find(LI_NA) if c.status == "notice_issued")
    state = demo_ctx.cases.get(noticed.case_id)
    listed = demo_ctx.dispatch.notice_return(state)
    assert [code for code, _, _ in listed] == state.notices[-1]["missing"] and not any(r for _, _, r in listed)
    first = listed[0][0]
    demo_ctx.cases.mark_material(noticed.case_id, "zhangli", first, "handed_in")
    again = dict((code, ready) for code, _, ready in demo_ctx.dispatch.notice_return(noticed.case_id))
    assert again[first] is True and list(again) == [code for code, _, _ in listed]
    again = demo_ctx.cases.issue_notice(noticed.case_id, "zhangli")  # only what the first named: no reason
    assert again.notices[-1]["missing"] == [code for code, _, _ in listed if code != first]
    assert demo_ctx.dispatch.notice_return(case_at(demo_ctx, "accepted").case_id) == []
