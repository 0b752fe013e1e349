"""The 咨询登记 screen in the pilot: opened with F11 from the workbench, a referral recorded
in a few keys, a refusal that keeps every typed value, the clerk's open list, and
closing the picked one with its result."""

from __future__ import annotations

from screens.enquiry import EnquiryScreen
from tests.ui.helpers import login, press, screen_text, settle, type_text


async def test_record_a_referral_keep_typed_text_on_refusal_and_close_it(app, hall):
    async with app.run_test(size=(160, 48)) as pilot:
        await login(pilot, "zhangli")
        await press(pilot, "f11")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EnquiryScreen)
        assert "没有待办结的事项" in screen_text(app)

        # 首问负责: kind 2, topic, (no bundle), to a department, where — and the reason forgotten
        await press(pilot, "f2", "2", "enter")
        await type_text(pilot, "问社保卡补办，要带什么？")
        await press(pilot, "enter", "enter", "1", "enter")
        await type_text(pilot, "市社保局三楼")
        await press(pilot, "enter", "enter", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "请填写引导的原因" in text
        assert screen.query_one("#e-topic").value == "问社保卡补办，要带什么？"  # nothing typed is lost
        assert screen.query_one("#e-target").value == "市社保局三楼"
        assert hall.enquiries.open_for("zhangli") == []

        await type_text(pilot, "本窗口不办理社保卡")
        await press(pilot, "enter", "enter")  # the contact phone (optional) left empty
        await settle(pilot)
        [line] = hall.enquiries.open_for("zhangli")
        state = hall.enquiries.get(line.enquiry_id)
        assert (state.kind, state.topic, state.target, state.reason) == (
            "referral", "问社保卡补办，要带什么？", "市社保局三楼", "本窗口不办理社保卡")
        text = screen_text(app)
        assert f"已登记首问负责，编号 {line.short_id}" in text and "尚未办结的事项（1 条" in text
        assert screen.query_one("#e-topic").value == ""

        # pick it in the list and close it: an empty result is refused, then the answer
        await press(pilot, "f3", "enter")
        await settle(pilot)
        assert f"办结 {line.short_id}（首问负责）" in screen_text(app)
        await press(pilot, "enter")
        await settle(pilot)
        assert "没有结果不能办结" in screen_text(app)
        await type_text(pilot, "群众已在社保局办成")
        await press(pilot, "enter")
        await settle(pilot)
        assert hall.enquiries.get(line.enquiry_id).status == "closed"
        assert "没有待办结的事项" in screen_text(app) and f"已办结 {line.short_id}" in screen_text(app)

        await press(pilot, "escape")
        await settle(pilot)
        assert not isinstance(app.screen, EnquiryScreen)


async def test_a_consultation_answered_at_once_in_three_keys_and_its_fields(app, hall):
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "zhangli")
        await press(pilot, "f11")
        await settle(pilot)
        screen = app.screen
        # answered at once (the default): no phone asked; 办不成事 asks why instead of where
        assert not screen.query_one("#row-e-phone").display and not screen.query_one("#row-e-target").display
        await type_text(pilot, "新生儿落户要带什么材料？")
        await press(pilot, "enter", "enter", "enter")
        await settle(pilot)
        assert "当场答复已办结" in screen_text(app)
        line = hall.enquiries.recent("zhangli")[0]  # the newest (the demo's own are on earlier days)
        assert line.status == "closed" and line.kind == "consult" and line.topic == "新生儿落户要带什么材料？"
        await press(pilot, "f2", "3")
        await settle(pilot)
        assert screen.query_one("#row-e-reason").display and "办不成原因" in screen_text(app)
        assert not screen.query_one("#row-e-answered").display


async def test_the_key_is_in_the_palette_and_the_help_though_not_on_the_full_key_bar(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "zhangli")
        assert "f1 帮助" in screen_text(app).replace("  ", " ")  # the bar keeps its help key at 80 columns
        await press(pilot, "ctrl+p")
        await type_text(pilot, "zxdj")  # 咨询登记 by its pinyin initials
        await settle(pilot)
        assert "咨询登记（f11）" in screen_text(app)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, EnquiryScreen)
