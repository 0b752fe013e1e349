"""Keys pressed from "new intake" to the printed receipt for 新生儿出生 with demo people
who have e-licences on file (bench/bench_keys.py prints the same counts with their
breakdown; docs/ui.md explains where the keys go)."""

from __future__ import annotations

from hall_app.services.demo import CHEN_MIN, LIU_YANG
from tests.ui.helpers import (
    NEWBORN_ALL_YES,
    answer,
    applicant,
    current_case,
    login,
    newborn_receipt_path,
    press,
    settle,
    start_newborn,
    type_text,
)

# The father (刘洋): nobody's file holds the birth date and hospital, so they are typed.
FATHER_BUDGET = 64  # one Enter passes the optional 代扣银行卡号, which the form now shows
# The mother (陈敏): her delivery record (分娩记录) fills the birth date, sex and hospital
# and answers "born locally"; her 结婚证 answers "married". Measured 43 typing 生孩子
# (one Enter passes the optional 代扣银行卡号, which the form shows rather than skips).
MOTHER_BUDGET = 43


async def test_keys_from_new_intake_to_printed_receipt(app, hall, fake_printer):
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        counter = [0]
        await newborn_receipt_path(pilot, LIU_YANG, counter)
        state = current_case(app)
        assert state.status == "accepted"
        assert fake_printer == [("receipt", state.case_id)]
        assert counter[0] <= FATHER_BUDGET, counter[0]


async def test_keys_for_the_mother_with_her_delivery_record(app, hall, fake_printer):
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        counter = [0]
        await start_newborn(pilot, counter)
        await press(pilot, "enter", counter=counter)  # flow chart → applicant
        await applicant(pilot, CHEN_MIN, counter)
        await answer(pilot, NEWBORN_ALL_YES[:-2], counter)  # two answered from her files
        await press(pilot, "a", "enter", counter=counter)
        await type_text(pilot, "刘思远", counter=counter)
        await press(pilot, "enter", "1", "1", counter=counter)  # name; delivery 窗口领取; grade 一档
        await press(pilot, "enter", counter=counter)  # 代扣银行卡号 (optional) left empty → review
        await press(pilot, "enter", "enter", counter=counter)  # review → decision → accept
        await settle(pilot)
        state = current_case(app)
        assert state.status == "accepted", state.status
        assert state.fields["birth_place"] == "江津区妇幼保健院" and state.answers["born_locally"] == "是"
        assert fake_printer == [("receipt", state.case_id)]
        assert counter[0] <= MOTHER_BUDGET, counter[0]
