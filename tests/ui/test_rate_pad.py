"""评价器 in the pilot: opened from the case view of a handed-over case, a bad rating with
reasons is recorded with its follow-up, a timeout records nothing (未评价), and a case
already rated no longer offers the pad. The timeout is driven by calling expire()."""

from __future__ import annotations

from screens.case_view import CaseViewScreen
from screens.rate_pad import RatePadScreen
from tests.test_ratings_service import handed_over_case
from tests.ui.helpers import key_event, login, press, screen_text, settle


async def _open_pad(pilot, case_id):
    pilot.app.open_case(case_id)
    await settle(pilot)
    await press(pilot, "v")
    await settle(pilot)
    assert isinstance(pilot.app.screen, RatePadScreen)
    return pilot.app.screen


async def test_bad_rating_with_reasons_on_the_pad(app, hall):
    case_id = handed_over_case(hall)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        pad = await _open_pad(pilot, case_id)
        await press(pilot, "enter")  # nothing chosen yet: asked to choose, nothing written
        assert "请先选择满意程度" in screen_text(app) and hall.cases.get(case_id).status == "handed_over"
        await press(pilot, "2")  # 不满意
        text = screen_text(app)
        assert "● 不满意" in text and "[A] ☐ 等候时间长" in text
        await press(pilot, "a")
        await press(pilot, "c")  # 多次跑动
        await press(pilot, "c")  # untick
        await press(pilot, "d")  # 态度生硬
        assert pad.reasons == ["等候时间长", "态度生硬"]
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseViewScreen)
        rating = hall.cases.get(case_id).rating
        assert rating["level"] == 2 and rating["reasons"] == ["等候时间长", "态度生硬"]
        assert rating["channel"] == "window" and rating["follow_up"]["due"] == "2026-12-11"
        assert "差评已登记，须于 2026-12-11 前核实整改并回访" in screen_text(app)
        await press(pilot, "v")  # rated: the pad is no longer offered
        await settle(pilot)
        assert isinstance(app.screen, CaseViewScreen)


async def test_timeout_records_unrated_and_nothing_on_the_case(app, hall):
    case_id = handed_over_case(hall)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        pad = await _open_pad(pilot, case_id)
        await press(pilot, "5")
        pad.expire()
        await settle(pilot)
        assert isinstance(app.screen, CaseViewScreen)
        assert "未评价" in screen_text(app)
        assert hall.cases.get(case_id).status == "handed_over" and not hall.cases.get(case_id).rating


async def test_dimensions_are_optional_and_scored_on_the_marked_row(app, hall):
    case_id = handed_over_case(hall)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        pad = await _open_pad(pilot, case_id)
        await press(pilot, "down")  # no level yet: the marker stays on the level
        assert pad.row == 0
        await press(pilot, "4", "a", "down", "5", "down", "3", "down", "2", "0", "down")
        text = screen_text(app)
        assert "服务态度  ★★★★★  非常满意" in text and "▶ 服务水平  ☆☆☆☆☆  未评" in text
        assert pad.level == 4 and pad.row == 3  # the marker stops at the last dimension
        await press(pilot, "up", "up", "up", "5")  # back on the level: 5 changes the level, reasons reset
        assert pad.level == 5 and pad.reasons == [] and pad.dimensions == {"服务态度": 5, "服务效率": 3}
        await press(pilot, "enter")
        await settle(pilot)
        rating = hall.cases.get(case_id).rating
        assert rating["level"] == 5 and rating["dimensions"] == {"服务态度": 5, "服务效率": 3}


async def test_keys_typed_at_once_apply_in_order(app, hall):
    """The pad opened and rated in one burst, as a citizen quick with the keys: each key
    lands where it was typed (an arrow run as a binding would overtake the digits)."""
    case_id = handed_over_case(hall)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        pilot.app.open_case(case_id)
        await settle(pilot)
        for key in ("v", "2", "a", "d", "down", "1", "down", "4"):
            pilot.app._driver.send_message(key_event(pilot.app, key))
        await settle(pilot)
        pad = pilot.app.screen
        assert isinstance(pad, RatePadScreen)
        assert pad.level == 2 and pad.reasons == ["等候时间长", "态度生硬"]
        assert pad.dimensions == {"服务态度": 1, "服务效率": 4} and pad.row == 2
