"""Pilot tests driving complete intakes, keyboard only."""

from __future__ import annotations

from pathlib import Path

from hall_app.domain.ids import id_check_char
from hall_app.services.demo import LI_NA, LIU_YANG, SUN_HAO
from tests.ui.helpers import (
    NEWBORN_ALL_YES,
    answer,
    applicant,
    current_case,
    fill_newborn_form,
    login,
    newborn_receipt_path,
    press,
    screen_text,
    settle,
    start_newborn,
    type_text,
)

SIZE = (100, 32)
SPOUSE = "50010619870315122" + id_check_char("50010619870315122")


async def test_newborn_to_printed_receipt(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await newborn_receipt_path(pilot, LIU_YANG)
        state = current_case(app)
        assert state.status == "accepted"
        assert state.fields["baby_name"] == "刘思远" and state.fields["baby_birth_date"] == "2026-11-15"
        assert state.fields["spouse_name"] == "陈敏"  # prefilled from the 结婚证 e-licence, recorded on accept
        receipts = [d for d in state.documents if d["kind"] == "receipt"]
        assert receipts and not receipts[-1]["error"]
        assert Path(receipts[-1]["path"]).is_file()
        text = screen_text(app)
        assert "已受理" in text and "受理回执" in text and "重新打印" in text
        await press(pilot, "enter")  # 完成: back to the workbench for the next citizen
        assert type(app.screen).__name__ == "WorkbenchScreen"


async def test_missing_materials_give_one_time_notice_and_a_second_only_after_change(app, hall, fake_printer):
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await start_newborn(pilot)
        await press(pilot, "enter")
        await applicant(pilot, LI_NA)  # 李娜: no e-licences on file
        await answer(pilot, NEWBORN_ALL_YES)
        await press(pilot, "enter")  # materials: nothing handed in
        await press(pilot, "f8")  # the form left empty (a notice needs none) → review
        await press(pilot, "enter")  # decision: the suggestion is the one-time notice
        assert "建议：一次性告知" in screen_text(app)
        await press(pilot, "enter")
        state = current_case(app)
        assert state.status == "notice_issued"
        plan = hall.cases.plan(state)
        assert set(state.notices[0]["missing"]) == {m.material.code for m in plan.missing}
        assert len(state.notices[0]["missing"]) >= 5  # every missing material listed at once
        assert [kind for kind, _ in fake_printer] == ["notice"]

        # Same facts, second notice: not offered, and refused when asked for all the same.
        assert "告知后材料没有变化" in screen_text(app)
        await press(pilot, "3")
        assert "此后材料没有变化：原告知书仍然有效" in screen_text(app)
        assert len(current_case(app).notices) == 1

        # The facts change (a material handed in): a second notice naming only what the
        # first named needs no reason (一次告知: nothing new is told).
        await press(pilot, "f7", "f7", "f7")  # decision → review → form → materials
        await press(pilot, "1")  # first row handed in
        await press(pilot, "f8", "f8", "f8")  # → form → review → decision
        await press(pilot, "3")
        state = current_case(app)
        assert len(state.notices) == 2 and state.notices[1]["reason"] == "" and state.notices[1]["added"] == []
        assert len(state.notices[1]["missing"]) == len(state.notices[0]["missing"]) - 1


async def test_deferral_prints_receipt_and_commitment(app, hall, fake_printer):
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await start_newborn(pilot)
        await press(pilot, "enter")
        await applicant(pilot, LIU_YANG)
        await answer(pilot, NEWBORN_ALL_YES)
        # Hand in every material, then put the two deferrable ones back to "容缺后补".
        await press(pilot, "a")
        state = current_case(app)
        plan = hall.cases.plan(state)
        rows = [m.material.code for m in plan.materials]
        for code in ("maternity_bill", "baby_photo"):
            table = app.screen.query_one("#materials")
            table.move_cursor(row=rows.index(code))
            await press(pilot, "3")
        await press(pilot, "enter")
        await fill_newborn_form(pilot)
        assert "容缺受理" in screen_text(app)  # the review suggests it
        await press(pilot, "enter", "enter")
        state = current_case(app)
        assert state.status == "accepted_deferred"
        assert set(state.deferred) == {"maternity_bill", "baby_photo"} and state.deferred_deadline
        assert [kind for kind, _ in fake_printer] == ["receipt", "commitment"]


async def test_no_deferral_for_a_dishonest_applicant_then_refusal(app, hall, fake_printer):
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await start_newborn(pilot)
        await press(pilot, "enter")
        await type_text(pilot, SUN_HAO)
        assert "有未结失信记录" in screen_text(app)  # the person file says so as soon as the ID is valid
        await press(pilot, "enter")
        await answer(pilot, NEWBORN_ALL_YES)
        await press(pilot, "a")
        table = app.screen.query_one("#materials")
        codes = [m.material.code for m in hall.cases.plan(current_case(app)).materials]
        table.move_cursor(row=codes.index("baby_photo"))
        await press(pilot, "3", "enter")
        await fill_newborn_form(pilot, spouse=("李梅", SPOUSE))
        await press(pilot, "enter")
        await press(pilot, "2")  # 容缺受理
        assert "失信" in screen_text(app)
        assert current_case(app).status == "draft"
        await press(pilot, "4")  # 不予受理: the reason is required
        await press(pilot, "enter")
        assert "请填写" in screen_text(app)
        await type_text(pilot, "新生儿系外省出生，不属于本中心受理范围")
        await press(pilot, "enter")
        await type_text(pilot, "《户口登记条例》")
        await press(pilot, "enter")
        state = current_case(app)
        assert state.status == "refused"
        assert state.decision["reason"].startswith("新生儿系外省出生") and state.decision["basis"]
        assert [kind for kind, _ in fake_printer] == ["refusal"]
        assert "不予受理" in screen_text(app)


async def test_changing_an_earlier_answer_recomputes_the_plan_and_says_what_changed(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await start_newborn(pilot)
        await press(pilot, "enter")
        await applicant(pilot, LIU_YANG)
        await answer(pilot, NEWBORN_ALL_YES)
        plan = hall.cases.plan(current_case(app))
        assert "medical_insurance_payment" in plan.item_codes()
        await press(pilot, "f7")  # back to the questions
        for _ in range(5):
            await press(pilot, "down")
        await press(pilot, "2")  # 是否为新生儿参加城乡居民基本医疗保险？ 否
        text = screen_text(app)
        assert "移除事项" in text and "城乡居民基本医疗保险缴费" in text and "不再询问" in text
        plan = hall.cases.plan(current_case(app))
        assert "medical_insurance_payment" not in plan.item_codes()
        assert "bank_card" not in plan.material_codes()
        await press(pilot, "enter")
        assert "银行卡" not in screen_text(app)  # the materials follow the new plan


async def test_a_printer_failure_never_blocks_the_decision(app, hall, broken_printer):
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await newborn_receipt_path(pilot, LIU_YANG)
        state = current_case(app)
        assert state.status == "accepted"  # decided although the printer failed
        assert state.documents[-1]["error"] == "打印机缺纸"
        assert "打印失败" in screen_text(app) and "重新打印" in screen_text(app)
        broken_printer["broken"] = False
        await press(pilot, "r")
        await settle(pilot)
        state = current_case(app)
        assert not state.documents[-1]["error"] and Path(state.documents[-1]["path"]).is_file()
        assert "已打印" in screen_text(app)
