"""The applicant: one source of truth from ③ to ⑥ and the header, and the checks that
used to let bad data through (wrong check digit, a 10-digit phone, emoji, a birth date
in the future), and the address-code note only where it says something."""

from __future__ import annotations

from hall_app.domain.ids import id_check_char
from hall_app.services.demo import CHEN_MIN, LIU_YANG, citizen_id
from tests.ui.helpers import (
    NEWBORN_ALL_YES,
    answer,
    current_case,
    login,
    press,
    screen_text,
    settle,
    start_newborn,
    type_text,
)

SIZE = (100, 32)
NOT_ON_FILE = citizen_id("500116", "19900101", "457")  # valid, nobody's file holds it
WRONG_CHECK = LIU_YANG[:-1] + ("0" if LIU_YANG[-1] != "0" else "1")


async def _to_applicant(pilot):
    await login(pilot)
    await start_newborn(pilot)
    await press(pilot, "enter")


def _values(app) -> dict[str, str]:
    return {key: app.screen.query_one(f"#{key}").value for key in ("id_number", "name", "phone", "address")}


async def _replace(pilot, widget_id: str, text: str) -> None:
    widget = pilot.app.screen.query_one(f"#{widget_id}")
    widget.focus()
    await settle(pilot)
    widget.value = ""
    await settle(pilot)
    await type_text(pilot, text)


async def test_another_id_brings_that_persons_data_and_nothing_of_the_first(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await _to_applicant(pilot)
        await type_text(pilot, LIU_YANG)
        assert _values(app)["name"] == "刘洋"
        await _replace(pilot, "id_number", CHEN_MIN)  # the clerk picked up the wrong card first
        state = current_case(app)
        assert state.applicant == {"id_number": CHEN_MIN, "name": "陈敏", "phone": "13983154321",
                                   "address": "重庆市江津区几江街道艾坪山路18号3单元5-2"}
        assert _values(app)["name"] == "陈敏" and _values(app)["phone"] == "13983154321"
        title = str(app.screen.query_one("#intake-title").render())
        assert "申请人 陈敏" in title and "刘洋" not in title
        # A number nobody's file holds: what came from 陈敏's file goes too.
        await _replace(pilot, "id_number", NOT_ON_FILE)
        state = current_case(app)
        assert not state.applicant.get("name") and not state.applicant.get("phone")
        assert _values(app)["name"] == "" and "陈敏" not in str(app.screen.query_one("#intake-title").render())


async def test_what_is_typed_on_the_applicant_step_is_what_the_form_shows(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await _to_applicant(pilot)
        await type_text(pilot, NOT_ON_FILE)
        await press(pilot, "enter")  # → name
        await type_text(pilot, "周晓梅")
        await press(pilot, "enter")
        await type_text(pilot, "13512345678")
        await press(pilot, "enter")
        await type_text(pilot, "重庆市江津区鼎山街道东门路9号")
        await press(pilot, "enter")
        assert app.screen.step == "questions"
        await press(pilot, "f8", "f8")  # → materials → form
        assert app.screen.step == "form"
        form = {key: app.screen.query_one(f"#f-{key}").value
                for key in ("applicant_name", "applicant_id_number", "phone", "household_address")}
        assert form == {"applicant_name": "周晓梅", "applicant_id_number": NOT_ON_FILE, "phone": "13512345678",
                        "household_address": "重庆市江津区鼎山街道东门路9号"}
        # Changed on the form: it is the applicant's phone that changes, shown on ③ too.
        await _replace(pilot, "f-phone", "13600001111")
        await press(pilot, "enter")
        state = current_case(app)
        assert state.applicant["phone"] == "13600001111" and "phone" not in state.fields
        await press(pilot, "f7", "f7", "f7")  # → materials → questions → applicant
        assert app.screen.step == "applicant" and _values(app)["phone"] == "13600001111"
        # The ID changed on ⑥ is the applicant's ID: ③ and ⑥ cannot disagree.
        await press(pilot, "f8", "f8", "f8")
        await _replace(pilot, "f-applicant_id_number", LIU_YANG)
        await press(pilot, "enter")
        await settle(pilot)
        assert current_case(app).applicant["id_number"] == LIU_YANG
        assert app.screen.query_one("#f-applicant_name").value == "刘洋"


async def test_a_wrong_check_digit_stops_at_the_applicant_step_and_at_the_decision(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await _to_applicant(pilot)
        await type_text(pilot, WRONG_CHECK)
        await press(pilot, "f8")
        assert app.screen.step == "applicant"
        assert "证件号码有误" in screen_text(app) and "校验位不符" in screen_text(app)
        assert current_case(app).applicant["id_number"] == WRONG_CHECK  # kept as typed: nothing lost
        # Going back and round another way does not get it accepted either.
        await press(pilot, "f7")
        app.screen.pane.advance()
        await settle(pilot)
        assert app.screen.step == "applicant"


async def test_a_ten_digit_phone_and_an_emoji_address_are_wrong_on_the_applicant_step(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await _to_applicant(pilot)
        await type_text(pilot, NOT_ON_FILE)
        await press(pilot, "enter")
        await type_text(pilot, "周晓梅")
        await press(pilot, "enter")
        await type_text(pilot, "1351234567")  # ten digits
        await press(pilot, "enter")
        assert "应为11位手机号码" in screen_text(app) and "现为10位" in screen_text(app)
        assert app.screen.focused.id == "phone"  # Enter stays on the wrong field
        await press(pilot, "f8")
        assert app.screen.step == "applicant"
        await type_text(pilot, "8")
        await press(pilot, "enter")
        await type_text(pilot, "江津区🏠几江街道")
        await press(pilot, "enter")
        assert "含有表情或图形符号（🏠）" in screen_text(app)
        assert app.screen.step == "applicant"
        review = hall.cases.review(current_case(app))
        assert any("表情" in b for b in review.accept_blockers)  # recorded as typed, but not acceptable


async def test_an_emoji_name_and_a_future_birth_date_are_wrong_in_the_form(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await _to_applicant(pilot)
        await type_text(pilot, LIU_YANG)
        await press(pilot, "enter")
        await answer(pilot, NEWBORN_ALL_YES)
        await press(pilot, "a", "enter")
        await type_text(pilot, "刘思远😊")
        await press(pilot, "enter")
        assert "含有表情或图形符号（😊）" in screen_text(app)
        app.screen.query_one("#f-baby_birth_date").focus()
        await settle(pilot)
        await type_text(pilot, "2026-12-05")  # the hall's clock says 2026-11-21
        await press(pilot, "enter")
        assert "晚于今天" in screen_text(app)
        review = hall.cases.review(current_case(app))
        assert any("晚于今天" in b for b in review.accept_blockers)
        assert any("表情" in b for b in review.accept_blockers)


async def test_the_address_code_note_only_for_a_number_not_on_file(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await _to_applicant(pilot)
        await type_text(pilot, LIU_YANG)  # 江津 500116, born 1990, on file
        text = screen_text(app)
        assert "身份证号码有效" in text and "晚于出生年份" not in text
        await _replace(pilot, "id_number", NOT_ON_FILE)
        await settle(pilot)
        text = screen_text(app)
        assert "档案中没有此证件号码" in text and "晚于出生年份" in text


async def test_the_spouse_on_file_gets_no_address_code_note_in_the_form(app, hall):
    spouse = "50011619870315122" + id_check_char("50011619870315122")  # not on file
    async with app.run_test(size=SIZE) as pilot:
        await _to_applicant(pilot)
        await type_text(pilot, LIU_YANG)
        await press(pilot, "enter")
        await answer(pilot, NEWBORN_ALL_YES)
        await press(pilot, "a", "enter")
        await _replace(pilot, "f-spouse_id_number", CHEN_MIN)  # on file (陈敏)
        await press(pilot, "enter")
        assert "晚于出生年份" not in screen_text(app)
        await _replace(pilot, "f-spouse_id_number", spouse)
        await press(pilot, "enter")
        assert "晚于出生年份" in screen_text(app)


async def test_the_last_required_choice_leads_to_the_optional_bank_card_not_past_it(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await _to_applicant(pilot)
        await type_text(pilot, LIU_YANG)
        await press(pilot, "enter")
        await answer(pilot, NEWBORN_ALL_YES)
        await press(pilot, "a", "enter")
        await type_text(pilot, "刘思远")
        await press(pilot, "enter", "1")
        await type_text(pilot, "20261115")
        await press(pilot, "enter")
        await type_text(pilot, "江津区妇幼保健院")
        await press(pilot, "enter", "1")  # delivery: 窗口领取
        await press(pilot, "1")  # insurance grade: the last required field
        assert app.screen.step == "form"
        assert app.screen.focused.id == "f-bank_account"  # shown, not skipped
        await type_text(pilot, "6228480012345678")
        await press(pilot, "enter")
        assert app.screen.step == "review"
        assert current_case(app).fields["bank_account"] == "6228480012345678"
