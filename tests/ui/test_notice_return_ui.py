"""The citizen's return after a one-time notice, in the clerk's terminal (issue 12):
found by tracking code, ID number or the 待跟进 list, the case resumes on the notice's
materials only and goes straight to the decision; a further notice naming a material
no earlier notice named asks why (一次告知) and keeps the reason; a deferred material
now on the applicant's file as an e-licence is recorded as 电子证照已调取 from the 补交
dialog. Keys are sent in bursts, as a clerk types them."""

from __future__ import annotations

from hall_app.services.demo import LI_NA, LIU_YANG
from hall_app.store.models import Elicence
from screens.case_view import CaseViewScreen
from screens.dialogs import ReasonDialog
from screens.intake.screen import IntakeScreen
from screens.supply_dialog import SupplyDialog
from tests.ui.helpers import key_event, login, press, screen_text, settle, type_text

SIZE = (120, 40)
REQUIRED = ["parents_id_cards", "household_register", "non_marital_statement", "birth_medical_info"]


def noticed(hall):
    return next(c for c in hall.cases.find(LI_NA) if c.status == "notice_issued")


async def burst(pilot, *keys: str) -> None:
    """Keys queued all at once (a clerk typing fast), then wait for the app to catch up."""
    for key in keys:
        pilot.app._driver.send_message(key_event(pilot.app, key))
    await settle(pilot)


def events_of(hall, case_id: str) -> list[str]:
    return [e["type"] for e in hall.cases.timeline(case_id)]


async def test_found_by_tracking_code_it_resumes_on_the_notice_materials_only(app, hall, fake_printer):
    case = noticed(hall)
    before = hall.cases.get(case.case_id)
    asked = events_of(hall, case.case_id)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        # the code scanned, Enter, and the four required materials marked at once, typed
        # ahead while the case opens; the photo and the bill are still to come
        await burst(pilot, *case.tracking_code, "enter", "1", "down", "1", "down", "1", "down", "1")
        screen = app.screen
        assert isinstance(screen, IntakeScreen) and screen.returning and screen.step == "materials"
        text = screen_text(app)
        assert "只核对告知书所列 6 项" in text and "告知后补齐材料" in text and "不再询问" in text
        assert "银行卡（缴费用）" not in text  # not named by the notice: not asked
        state = hall.cases.get(case.case_id)
        assert all(state.marks.get(code) == "handed_in" for code in REQUIRED), state.marks
        await press(pilot, "enter")  # straight to the decision: no questions, form or review
        assert screen.step == "decision"
        await press(pilot, "2")  # 容缺受理
        await settle(pilot)
        state = hall.cases.get(case.case_id)
        assert state.status == "accepted_deferred" and state.deferred == ["maternity_bill", "baby_photo"]
        assert ("commitment", case.case_id) in fake_printer
    after = hall.cases.get(case.case_id)
    # nothing already answered was asked again: answers, applicant and form as they were
    assert after.answers == before.answers and after.applicant == before.applicant
    steps = [e["payload"]["step"] for e in hall.cases.timeline(case.case_id)[len(asked):]
             if e["type"] == "case.step_set"]
    assert set(steps) <= {"materials", "decision"}
    new = events_of(hall, case.case_id)[len(asked):]
    assert "case.answer_set" not in new and "case.applicant_set" not in new


async def test_found_by_id_number_and_from_the_follow_up_list(app, hall):
    case = noticed(hall)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await type_text(pilot, LI_NA)
        await press(pilot, "enter")
        text = screen_text(app)
        assert case.tracking_code[:4] in text and "已一次性告知" in text
        await press(pilot, "escape", "f9")
        rows = app.screen.query_one("#followup-pane").rows
        assert any(row.case_id == case.case_id and "一次性告知待补齐" in row.flags[0] for row in rows)
        index = next(n for n, row in enumerate(rows) if row.case_id == case.case_id)
        await burst(pilot, *(["down"] * index), "enter")  # the arrows and Enter typed at once
        assert isinstance(app.screen, CaseViewScreen)
        text = screen_text(app)
        assert "告知书所列待补交：父母双方居民身份证" in text and "第 1 次告知" in text
        assert "按 e 继续办理" in text
        await press(pilot, "e")
        assert isinstance(app.screen, IntakeScreen) and app.screen.returning and app.screen.step == "materials"


async def test_a_further_notice_naming_a_new_material_asks_why_and_keeps_it(app, hall, fake_printer):
    case = noticed(hall)
    # the situation changed since the notice: the parents married, the 结婚证 is now needed
    hall.cases.answer(case.case_id, "zhangli", "parents_married", "是")
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await type_text(pilot, case.tracking_code)
        await press(pilot, "enter")
        text = screen_text(app)
        assert "父母结婚证" in text and "此前告知书未列" in text  # shown, and said why it matters
        await press(pilot, "enter")
        await press(pilot, "3")  # 一次性告知
        assert isinstance(app.screen, ReasonDialog)
        assert "再次告知增加了此前未告知的材料：父母结婚证" in screen_text(app)
        await press(pilot, "enter")  # no reason: refused in the dialog, nothing written
        assert isinstance(app.screen, ReasonDialog) and "请填写增加的原因" in screen_text(app)
        assert len(hall.cases.get(case.case_id).notices) == 1
        await type_text(pilot, "申请人告知已补办结婚登记")
        await press(pilot, "enter")
        await settle(pilot)
        state = hall.cases.get(case.case_id)
        assert len(state.notices) == 2 and state.notices[-1]["reason"] == "申请人告知已补办结婚登记"
        assert state.notices[-1]["added"] == ["marriage_certificate"]
        assert ("notice", case.case_id) in fake_printer
        notice = hall.documents.build("notice", case.case_id)
        assert notice.reason == "申请人告知已补办结婚登记" and notice.added == ("父母结婚证",) and notice.sequence == 2
        await press(pilot, "escape")
        app.open_case(case.case_id)
        await settle(pilot)
        text = screen_text(app)
        assert "再次告知原因：申请人告知已补办结婚登记" in text and "新增：父母结婚证" in text


async def test_supplying_a_deferred_material_from_its_e_licence(app, hall, fake_printer):
    case = next(c for c in hall.cases.find(LIU_YANG) if c.status == "accepted_deferred")
    with hall.Session.begin() as session:  # the hospital's e-bill reached the person file after the deferral
        session.add(Elicence(holder=LIU_YANG, type="医疗收费电子票据", number="E2026120100001",
                             issued_by="重庆市财政局", issued_on="2026-11-20", data={}))
    hall.people._cache.clear()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        app.open_case(case.case_id)
        await settle(pilot)
        await press(pilot, "s")
        assert isinstance(app.screen, SupplyDialog)
        text = screen_text(app)
        assert "待补交·电子证照在库" in text and "电子证照已调取" in text
        await burst(pilot, "down", "e")  # the photo: no e-licence stands for it
        assert isinstance(app.screen, SupplyDialog) and "没有对应的电子证照，请收取纸质材料" in screen_text(app)
        assert hall.cases.get(case.case_id).deferred == ["maternity_bill", "baby_photo"] and fake_printer == []
        await burst(pilot, "up", "e")  # the bill: fetched from the file
        await settle(pilot)
        assert isinstance(app.screen, CaseViewScreen)
        state = hall.cases.get(case.case_id)
        assert state.deferred == ["baby_photo"] and state.supplied["maternity_bill"]["via"] == "elicence"
        assert "已登记补交：生育医疗费用票据（电子证照已调取）" in screen_text(app)
        assert fake_printer == [("supply", case.case_id)]
        receipt = hall.documents.build("supply", case.case_id)
        assert receipt.supplied[0].form == "电子证照已调取" and "医疗收费电子票据" in receipt.supplied[0].note


async def test_a_refused_further_notice_keeps_the_reason_typed(app, hall, fake_printer, monkeypatch):
    """The service refuses after the dialog (another window changed the case meanwhile):
    the dialog comes back with the reason as typed and why it was refused."""
    from hall_app.services.intake import IntakeError

    case = noticed(hall)
    hall.cases.answer(case.case_id, "zhangli", "parents_married", "是")
    real = hall.cases.issue_notice
    calls = []

    def refuse_once(case_id, actor, reason=""):
        calls.append(reason)
        if len(calls) == 1:
            raise IntakeError("办件已被另一窗口更新，请核对后再出具")
        return real(case_id, actor, reason)

    monkeypatch.setattr(hall.cases, "issue_notice", refuse_once)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await burst(pilot, *case.tracking_code, "enter", "enter", "3")
        assert isinstance(app.screen, ReasonDialog)
        await type_text(pilot, "申请人已补办结婚登记")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        assert app.screen.query_one("#reason").value == "申请人已补办结婚登记"
        assert "办件已被另一窗口更新" in screen_text(app) and len(hall.cases.get(case.case_id).notices) == 1
        await press(pilot, "enter")
        await settle(pilot)
        assert calls == ["申请人已补办结婚登记"] * 2
        assert hall.cases.get(case.case_id).notices[-1]["reason"] == "申请人已补办结婚登记"
