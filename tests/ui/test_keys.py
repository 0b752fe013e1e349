"""Keys pressed from "new intake" to the printed receipt for 新生儿出生 with 刘洋, who has
e-licences on file (bench/bench_keys.py prints the same count with its breakdown)."""

from __future__ import annotations

from hall_app.services.demo import LIU_YANG
from tests.ui.helpers import current_case, login, newborn_receipt_path

# Measured: 63 (26 of them are not data: choosing, moving on, deciding). The aim was 40;
# see docs/ui.md for where the keys go. This guards against the count growing.
KEY_BUDGET = 63


async def test_keys_from_new_intake_to_printed_receipt(app, hall, fake_printer):
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        counter = [0]
        await newborn_receipt_path(pilot, LIU_YANG, counter)
        state = current_case(app)
        assert state.status == "accepted"
        assert fake_printer == [("receipt", state.case_id)]
        assert counter[0] <= KEY_BUDGET, counter[0]
