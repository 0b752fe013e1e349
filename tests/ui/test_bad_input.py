"""Bad input at every field: wrong check digits, full-width digits, 𠮷 in a name,
500 characters pasted, empty required fields. Nothing typed is lost; every problem
is said in Chinese next to the field."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from hall_app.domain.ids import id_check_char
from hall_app.services.demo import HOTPOT_FIRM, LIU_YANG, WANG_JI
from screens.intake.applicant import describe_id
from screens.widgets.cjk import clip, pad
from tests.ui.helpers import answer, current_case, login, paste, press, screen_text, start_newborn, type_text

SIZE = (100, 32)
WRONG_CHECK = LIU_YANG[:-1] + ("0" if LIU_YANG[-1] != "0" else "1")
FULLWIDTH = LIU_YANG.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})


async def _to_applicant(pilot):
    await login(pilot)
    await start_newborn(pilot)
    await press(pilot, "enter")


async def test_citizen_id_checked_as_typed(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await _to_applicant(pilot)
        await type_text(pilot, LIU_YANG[:10])
        assert "已输入 10/18 位" in screen_text(app)
        await type_text(pilot, WRONG_CHECK[10:])
        assert f"校验位不符（应为{LIU_YANG[-1]}）" in screen_text(app)
        assert "刘洋" not in screen_text(app)  # no file is read for a wrong number
        await press(pilot, "enter")  # kept as typed, so nothing is lost
        assert current_case(app).applicant["id_number"] == WRONG_CHECK
        app.screen.query_one("#id_number").value = ""
        app.screen.query_one("#id_number").focus()
        await type_text(pilot, f" {FULLWIDTH} ")  # full-width digits and stray spaces from an IME
        state = current_case(app)
        assert state.applicant["id_number"] == LIU_YANG and state.applicant["name"] == "刘洋"
        assert "在库电子证照：居民身份证、居民户口簿、社会保障卡、结婚证" in screen_text(app)


async def test_a_firm_by_its_credit_code(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await _to_applicant(pilot)
        await type_text(pilot, HOTPOT_FIRM[:-1] + "O")  # O is never used in a USCC
        assert "不能含有字符：O" in screen_text(app)
        app.screen.query_one("#id_number").value = ""
        await type_text(pilot, HOTPOT_FIRM.lower())  # typed in lower case
        text = screen_text(app)
        assert "统一社会信用代码有效" in text and "重庆江津渝味火锅餐饮有限公司" in text and "营业执照" in text
        assert current_case(app).applicant["uscc"] == HOTPOT_FIRM


async def test_rare_character_in_a_name_survives(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await _to_applicant(pilot)
        await type_text(pilot, WANG_JI)
        assert "王𠮷" in screen_text(app)
        assert current_case(app).applicant["name"] == "王𠮷"
        await press(pilot, "enter")
        await answer(pilot, [1, 1, 2, 1, 2, 2, 2])
        await press(pilot, "a", "enter")
        await type_text(pilot, "王小𠮷")
        await press(pilot, "enter")
        state = current_case(app)
        assert state.fields["baby_name"] == "王小𠮷"
        row = next(r for r in hall.cases.form(state) if r.field.key == "applicant_name")
        assert row.value == "王𠮷" and row.prefilled


async def test_form_fields_refuse_bad_values_with_the_reason_and_keep_them(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await _to_applicant(pilot)
        await type_text(pilot, LIU_YANG)
        await press(pilot, "enter")
        await answer(pilot, [1, 1, 1, 1, 1, 1, 1, 1])
        await press(pilot, "a", "enter")
        await press(pilot, "enter")  # the baby's name left empty
        assert "“新生儿姓名”为必填项" in screen_text(app)
        app.screen.query_one("#f-baby_name").focus()
        await type_text(pilot, "刘1号")
        await press(pilot, "enter")
        assert "“新生儿姓名”不应含有数字" in screen_text(app)
        app.screen.query_one("#f-baby_birth_date").focus()
        await type_text(pilot, "２０２６年１１月１５日")  # full-width, as an IME types it
        await press(pilot, "enter")
        app.screen.query_one("#f-birth_place").focus()
        await paste(pilot, "妇幼保健院" * 100)  # 500 characters pasted
        await press(pilot, "enter")
        assert "“出生医院”最多100个字，现有500个" in screen_text(app)
        app.screen.query_one("#f-phone").value = ""
        app.screen.query_one("#f-phone").focus()
        await type_text(pilot, " 139 0831 2345 ")
        await press(pilot, "enter")
        app.screen.query_one("#f-spouse_id_number").value = ""
        app.screen.query_one("#f-spouse_id_number").focus()
        await type_text(pilot, "500116199207081221")
        await press(pilot, "enter")
        assert "校验位不符" in screen_text(app)
        state = current_case(app)
        assert state.fields["baby_name"] == "刘1号"  # kept as typed, flagged
        assert state.fields["baby_birth_date"] == "2026-11-15"
        assert state.fields["birth_place"] == "妇幼保健院" * 100
        assert state.applicant["phone"] == "13908312345"  # the applicant's own: one place
        assert "phone" not in state.fields
        review = hall.cases.review(state)
        assert any("不应含有数字" in b for b in review.accept_blockers)
        assert any("最多100个字" in b for b in review.accept_blockers)


async def test_a_proxy_with_a_bad_id_is_not_recorded(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await _to_applicant(pilot)
        await type_text(pilot, LIU_YANG)
        await press(pilot, "f6")
        await type_text(pilot, "刘大山")
        await press(pilot, "enter")
        bad = "50011619650101121" + ("0" if id_check_char("50011619650101121") != "0" else "1")
        await type_text(pilot, bad)
        await press(pilot, "enter")
        await press(pilot, "4")  # 其他亲属
        assert "校验位不符" in screen_text(app)
        assert current_case(app).proxy is None
        app.screen.query_one("#proxy_id").value = ""
        app.screen.query_one("#proxy_id").focus()
        await type_text(pilot, "50011619650101121" + id_check_char("50011619650101121"))
        await press(pilot, "enter")
        assert current_case(app).proxy["relation"] == "其他亲属"


@settings(max_examples=200, deadline=None)
@given(st.text(), st.integers(min_value=2, max_value=60))
def test_pad_and_clip_keep_cjk_columns_aligned(text, width):
    text = "".join(ch for ch in text if cell_len(ch) in (1, 2))
    assert cell_len(pad(text, width)) == width
    assert cell_len(clip(text, width)) <= width


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_the_live_id_check_never_fails_on_any_input(text):
    _message, kind = describe_id(text)
    assert kind in ("", "muted", "success", "error")
