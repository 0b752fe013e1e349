"""Every intake hint names the key in force: with the keys moved by ``[keymap]`` the
hints say the new keys, never 回车 or F7 for a key that no longer does it (issue 8)."""

from __future__ import annotations

from screens.app import HallApp
from tests.ui.helpers import login, press, screen_text, settle, type_text
from tests.ui.test_snapshots import ALL_IN, ALL_YES, FORM, case_at

SIZE = (120, 40)
MOVED = {"need.choose": "f10", "questions.next": "f9", "questions.up": "ctrl+up", "questions.down": "ctrl+down",
         "decision.execute": "f11", "intake.prev": "f12"}


async def _resume(pilot, case_id: str) -> None:
    await login(pilot)
    pilot.app.resume_case(case_id)
    await settle(pilot)


async def test_need_hints_name_the_choose_key_in_force(hall):
    app = HallApp(hall, cursor_blink=False, keymap=MOVED)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await press(pilot, "f2")
        await type_text(pilot, "生孩子")
        text = screen_text(app)
        assert "推荐（F10 选择）" in text and "回车选择" not in text
        await press(pilot, "f10")  # the moved key chooses
        await settle(pilot)
        await press(pilot, "f12")  # back to ① (intake.prev moved): the hint names the key that goes on
        assert "F10 继续；" in screen_text(app)


async def test_questions_hints_name_the_keys_in_force(hall):
    case_id = case_at(hall, "questions", answers=ALL_YES)
    app = HallApp(hall, cursor_blink=False, keymap=MOVED)
    async with app.run_test(size=SIZE) as pilot:
        await _resume(pilot, case_id)
        text = screen_text(app)
        assert "全部问题已回答，F9 继续" in text and "回车继续" not in text
        assert "Ctrl+↑Ctrl+↓ 移动" in text
        await press(pilot, "f9")
        assert "材料清单" in screen_text(app)


async def test_review_and_decision_hints_name_the_keys_in_force(hall):
    blocked = case_at(hall, "review", answers=ALL_YES, marks=ALL_IN)  # no form filled: accepting must wait
    ready = case_at(hall, "decision", answers=ALL_YES, marks=ALL_IN, fields=FORM)
    app = HallApp(hall, cursor_blink=False, keymap=MOVED)
    async with app.run_test(size=SIZE) as pilot:
        await _resume(pilot, blocked)
        text = screen_text(app)
        assert "（F12 返回修改）" in text and "F7" not in text, text
        await press(pilot, "escape")
        pilot.app.resume_case(ready)
        await settle(pilot)
        text = screen_text(app)
        assert "（F11 执行高亮项）" in text and "回车执行" not in text


async def test_default_keys_still_read_as_before(hall):
    case_id = case_at(hall, "questions", answers=ALL_YES)
    app = HallApp(hall, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await _resume(pilot, case_id)
        text = screen_text(app)
        assert "全部问题已回答，回车 继续" in text and "（数字键选择，↑↓ 移动）" in text, text
