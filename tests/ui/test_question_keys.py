"""Fast keys on the situation questions land on the question that was on screen when
they were pressed: a follow-up question an answer inserts is marked new and is never
answered by a key typed before it appeared (issue 8)."""

from __future__ import annotations

import pytest

from bundles.loader import load_catalog
from hall_app.services.demo import CHEN_MIN, LIU_YANG, ZHAO_JIANGUO
from tests.ui.helpers import copy_db, current_case, login, open_ctx, press, screen_text, type_text

SIZE = (160, 48)


@pytest.fixture(scope="module")
def full_catalog():
    return load_catalog()


@pytest.fixture
def full_hall(demo_template, tmp_path, full_catalog):
    ctx = open_ctx(copy_db(demo_template, tmp_path), tmp_path / "documents")
    ctx.catalog_service._catalog = full_catalog
    ctx.__dict__["catalog"] = full_catalog
    yield ctx
    ctx.close()


async def _to_questions(pilot, words: str, id_number: str) -> None:
    await login(pilot)
    await press(pilot, "f2")
    await type_text(pilot, words)
    await press(pilot, "enter", "enter")  # top suggestion → flow chart → applicant
    await type_text(pilot, id_number)
    await press(pilot, "f8")


def _row(text: str, question: str) -> str:
    return next(line for line in text.splitlines() if question in line)


# words, applicant, keys typed at once, (question meant, answer), the inserted question
CASES = [
    ("生孩子", CHEN_MIN, "111111", ("want_ss_card", "是"), "pay_now", "是否现在缴纳当年度医保费？"),
    ("企业开办", LIU_YANG, "1111111", ("hire_staff", "是"), "invoice_type", "领用哪种发票？"),
    ("企业职工退休", ZHAO_JIANGUO, "1111111", ("use_ss_card", "是"), "fund_loan", "是否还有未还清的住房公积金贷款？"),
]


@pytest.mark.parametrize("words,person,keys,meant,inserted,inserted_text", CASES,
                         ids=["newborn", "company", "retirement"])
async def test_keys_typed_ahead_answer_the_questions_on_screen(full_hall, words, person, keys, meant, inserted,
                                                               inserted_text):
    from screens.app import HallApp

    app = HallApp(full_hall, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await _to_questions(pilot, words, person)
        assert inserted_text not in screen_text(app)
        await type_text(pilot, keys)  # every key queued before the first answer is handled
        state = current_case(app)
        question, value = meant
        assert state.answers.get(question) == value, state.answers
        assert inserted not in state.answers, f"{inserted} answered by a key typed before it appeared"
        text = screen_text(app)
        assert "新增" in _row(text, inserted_text) and "待答" in text
        if words == "生孩子":  # six keys for four questions on screen: the extra keys are refused, saying why
            assert "该按键未作答" in text

        # Seen now: the next key answers it (the cursor is on it once the rest is answered).
        step = app.screen.pane
        step.cursor = inserted
        step._draw_rows()
        await press(pilot, "1")
        state = current_case(app)
        assert inserted in state.answers
        text = screen_text(app)
        assert "新增" not in _row(text, inserted_text)
        assert "该按键未作答" not in text  # the warning goes once the question is answered


async def test_cursor_goes_to_the_next_question_shown_not_the_inserted_one(full_hall):
    """Key by key (no typing ahead) the order is the same: the key after an answer goes to
    the question that followed on screen; the inserted one waits, marked new."""
    from screens.app import HallApp

    app = HallApp(full_hall, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await _to_questions(pilot, "企业开办", LIU_YANG)
        await press(pilot, "1", "1", "1", "1", "1")  # … 是否需要领用发票？ 是 → 领用哪种发票？ inserted
        step = app.screen.pane
        assert step.cursor == "hire_staff"
        assert "invoice_type" in step.fresh
        await press(pilot, "2", "2")  # hire_staff, bank_appointment
        state = current_case(app)
        assert state.answers["hire_staff"] == "否" and state.answers["bank_appointment"] == "否"
        assert step.cursor == "invoice_type"  # only open question left: the cursor is on it now
        await press(pilot, "2")
        assert current_case(app).answers["invoice_type"] == "税控纸质发票"
