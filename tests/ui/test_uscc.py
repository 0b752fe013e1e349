"""A valid credit code whose first 17 characters are digits is a firm on the screen
too (issue 15): it was refused there as a bad citizen ID."""

from __future__ import annotations

from screens.intake.applicant import describe_id
from tests.ui.helpers import current_case, login, press, screen_text, start_newborn, type_text

SIZE = (100, 32)
DIGIT_USCC = "91330100716105852F"


def test_the_live_check_line_calls_it_a_firm():
    text, style = describe_id(DIGIT_USCC)
    assert style == "success" and "统一社会信用代码有效" in text
    text, style = describe_id(DIGIT_USCC[:-1] + "G")
    assert style == "error" and "统一社会信用代码校验位不符" in text


async def test_an_all_digit_credit_code_is_accepted_on_the_applicant_step(app, hall):
    from hall_app.store.models import Firm

    with hall.Session.begin() as session:
        session.add(Firm(uscc=DIGIT_USCC, name="杭州数字火锅有限公司", legal_rep="王五", address="杭州市",
                         phone="057100000000"))
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await start_newborn(pilot)
        await press(pilot, "enter")
        await type_text(pilot, DIGIT_USCC)
        text = screen_text(app)
        assert "最后一位只能是数字或X" not in text
        assert "统一社会信用代码有效" in text and "杭州数字火锅有限公司" in text
        state = current_case(app)
        assert state.applicant["uscc"] == DIGIT_USCC and "id_number" not in state.applicant
        assert state.applicant["name"] == "杭州数字火锅有限公司"
        # the name is checked as a firm's (名称, digits allowed), not as a person's 姓名:
        # the step asks the domain which kind the number is (ids.identifier_kind)
        from screens.intake.applicant import ApplicantStep
        from screens.widgets.inputs import HallInput

        step = app.screen.query_one(ApplicantStep)
        step.query_one("#name", HallInput).value = "杭州3D打印有限公司"
        check = step._check("name")
        assert check is not None and check.ok, check
