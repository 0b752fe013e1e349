"""After the counter in the clerk's terminal (issue 12): each department's state in the
case view, 补交容缺材料 with its receipt, 送达 (window pickup with the collector checked,
post with the waybill checked, e-licence), refused while results are out, and the
workbench's follow-up list. Bad input: a Chinese message, nothing changed, nothing
typed lost."""

from __future__ import annotations

from hall_app.services.demo import LI_NA, LIU_YANG
from hall_app.services.inbox import LocalInbox
from screens.case_view import CaseViewScreen
from screens.hand_over import HandOverDialog
from screens.supply_dialog import SupplyDialog
from tests.ui.helpers import key_event, login, press, screen_text, settle, type_text
from tests.ui.test_keymap_palette import palette_lines

SIZE = (100, 32)


def case_at(ctx, status: str):
    return next(c for c in ctx.cases.find(LIU_YANG) if c.status == status)


async def open_case(pilot, case_id: str) -> CaseViewScreen:
    await login(pilot)
    pilot.app.open_case(case_id)
    await settle(pilot)
    assert isinstance(pilot.app.screen, CaseViewScreen)
    return pilot.app.screen


async def to_row(pilot, case_id: str) -> None:
    """F9, then down to ``case_id`` on the 待跟进 list."""
    await press(pilot, "f9")
    table = pilot.app.screen.query_one("#followups")
    while table.case_at(table.cursor_row) != case_id:
        await press(pilot, "down")


def entry(app):
    return app.screen.query_one("#handover-entry")


async def clear_entry(pilot) -> None:
    entry(pilot.app).set_quietly("")
    pilot.app.screen.entries[pilot.app.screen.method] = ""


async def test_the_case_view_shows_each_department_with_its_state_and_time(app, hall):
    case = case_at(hall, "accepted")
    police = LocalInbox(hall, "市公安局")
    police.acknowledge(case.tracking_code)
    police.report(case.tracking_code, "household_registration", "needs_material", "请补交结婚证原件")
    LocalInbox(hall, "市医保局").acknowledge(case.tracking_code)
    health = LocalInbox(hall, "市卫生健康委")
    for item in ("birth_certificate", "vaccination_certificate"):
        health.report(case.tracking_code, item, "completed", document="DOC")
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, case.case_id)
        text = screen_text(app)
        assert "各部门办理情况" in text
        departments = ("市公安局", "市医保局", "市卫生健康委", "市人力社保局")
        lines = {line.split()[0]: line for line in text.splitlines() if line.split() and line.split()[0] in departments}
        assert "需补正" in lines["市公安局"] and "已 0 个工作日" in lines["市公安局"]
        assert "部门已接收" in lines["市医保局"]
        assert "已办结" in lines["市卫生健康委"] and "当日" in lines["市卫生健康委"]
        assert "已分发" in lines["市人力社保局"]
        assert "⚑ 事项 新生儿户口登记 需补正：请补交结婚证原件" in text  # by name, never the code


async def test_supplying_a_deferred_material_records_it_and_prints_the_receipt(app, hall, fake_printer):
    case = case_at(hall, "accepted_deferred")
    assert hall.cases.get(case.case_id).deferred == ["maternity_bill", "baby_photo"]
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, case.case_id)
        await press(pilot, "s")
        assert isinstance(app.screen, SupplyDialog)
        text = screen_text(app)
        assert "生育医疗费用票据" in text and "待补交（容缺）" in text and "已收" in text
        await press(pilot, "down", "down", "down", "down", "down")  # a material already handed in
        await press(pilot, "enter")
        assert isinstance(app.screen, SupplyDialog)  # refused: the dialog stays, nothing changed
        assert "该办件不需要补交“" in screen_text(app) and "待补交的容缺材料：生育医疗费用票据、新生儿近期免冠照片" \
            in screen_text(app)
        assert hall.cases.get(case.case_id).deferred == ["maternity_bill", "baby_photo"]
        assert fake_printer == []
        await press(pilot, "up", "up", "up", "up", "up", "down")  # 新生儿近期免冠照片
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseViewScreen)
        assert hall.cases.get(case.case_id).deferred == ["maternity_bill"]
        assert fake_printer == [("supply", case.case_id)]
        text = screen_text(app)
        assert "已登记补交：新生儿近期免冠照片；仍待补交：生育医疗费用票据" in text and "补交材料收据" in text
        await press(pilot, "escape")


async def test_supply_is_offered_only_while_a_deferred_material_is_due(app, hall):
    case = case_at(hall, "completed")
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, case.case_id)
        assert "补交材料" not in screen_text(app).splitlines()[-1] and "送达" in screen_text(app).splitlines()[-1]
        await press(pilot, "s")
        assert isinstance(app.screen, CaseViewScreen)


async def test_hand_over_is_refused_while_results_are_out(app, hall):
    case = case_at(hall, "accepted")
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, case.case_id)
        await press(pilot, "h")
        assert isinstance(app.screen, CaseViewScreen)  # no dialog
        text = screen_text(app)
        assert "办理结果全部返回后才能送达" in text and "新生儿户口登记" in text
        assert hall.cases.get(case.case_id).status == "accepted"


async def test_window_pickup_checks_the_collector_and_prints_the_delivery_receipt(app, hall, fake_printer):
    case = case_at(hall, "completed")
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, case.case_id)
        await press(pilot, "h")
        assert isinstance(app.screen, HandOverDialog)
        assert app.focused is entry(app)  # 窗口领取 (the first choice): the cursor in the ID field
        await type_text(pilot, "50011619900315231")  # 17 characters
        await press(pilot, "enter")
        assert "领取人身份证号码" in screen_text(app) and isinstance(app.screen, HandOverDialog)
        await type_text(pilot, "3")
        assert entry(app).value == LIU_YANG  # what was typed is kept and corrected in place
        await clear_entry(pilot)
        await type_text(pilot, LI_NA)  # a real ID, but neither the applicant nor a proxy
        await press(pilot, "enter")
        assert "均不符" in screen_text(app) and entry(app).value == LI_NA
        assert hall.cases.get(case.case_id).status == "completed" and fake_printer == []
        await clear_entry(pilot)
        await type_text(pilot, LIU_YANG.lower())
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseViewScreen)
        state = hall.cases.get(case.case_id)
        assert state.status == "handed_over" and state.handed_over["collector"] == "applicant"
        assert fake_printer == [("delivery", case.case_id)]
        text = screen_text(app)
        assert "已送达（窗口领取）" in text and "好差评" in text and "送达：窗口领取" in text
        await press(pilot, "h")  # handed over: no second hand-over
        assert isinstance(app.screen, CaseViewScreen)


async def test_post_checks_the_waybill_and_switching_methods_keeps_what_was_typed(app, hall, fake_printer):
    case = case_at(hall, "completed")
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, case.case_id)
        await press(pilot, "h")
        await type_text(pilot, "500116")  # started on the collector's ID, then the citizen wants it posted
        await press(pilot, "shift+tab", "2", "enter")
        assert "EMS 邮件号" in screen_text(app) and entry(app).value == ""
        await type_text(pilot, "EA123456784CN")  # wrong check digit
        await press(pilot, "enter")
        assert "校验位" in screen_text(app) and entry(app).value == "EA123456784CN"
        await press(pilot, "shift+tab", "1")
        assert entry(app).value == "500116"  # the ID typed before is still there
        await press(pilot, "2")
        assert entry(app).value == "EA123456784CN"
        assert hall.cases.get(case.case_id).status == "completed"
        await press(pilot, "enter")
        await clear_entry(pilot)
        await type_text(pilot, "ea123456785cn")
        await press(pilot, "enter")
        await settle(pilot)
        state = hall.cases.get(case.case_id)
        assert state.status == "handed_over" and state.handed_over["waybill"] == "EA123456785CN"
        assert fake_printer == []  # the 送达回证 is for a collector's signature at the window
        assert "送达：邮政寄递　邮件号 EA123456785CN" in screen_text(app)


async def test_e_licence_delivery(app, hall):
    case = case_at(hall, "completed")
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, case.case_id)
        await press(pilot, "h", "shift+tab", "3", "enter")
        await settle(pilot)
        assert hall.cases.get(case.case_id).handed_over["method"] == "elicence"
        assert "已送达（电子证照送达）" in screen_text(app)


async def test_the_workbench_lists_follow_ups_and_enter_opens_the_case(app, hall):
    accepted = case_at(hall, "accepted")
    police = LocalInbox(hall, "市公安局")
    police.report(accepted.tracking_code, "household_registration", "rejected", "父母双方户籍信息不一致")
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        text = screen_text(app)
        assert "待跟进（8 件，本人办件到期 6 件" in text  # two more of 张丽's own due soon (W03, W02)
        from screens.followup_panel import FollowUpPanel

        flags = [f for row in app.screen.query_one(FollowUpPanel).rows for f in row.flags]  # eight: some scrolled
        assert "办理结果已全部返回，待送达" in flags
        assert any(f.startswith("容缺材料待补交（期限") and "生育医疗费用票据" in f for f in flags), flags
        assert "事项 新生儿户口登记 不予批准：父母双方户籍信息不一致" in flags
        assert "待跟进（8 件，本人办件到期 6 件，逾期在前；F9 到此列表，回车打开办件）" in text
        assert any(f.startswith("一次性告知待补齐（期限") for f in flags)  # 李娜's notice, until she comes back
        await press(pilot, "f9")
        table = app.screen.query_one("#followups")
        assert app.screen.focused is table
        case_id = table.case_at(table.cursor_row)
        await press(pilot, "enter")
        assert isinstance(app.screen, CaseViewScreen) and app.screen.case_id == case_id
        await press(pilot, "escape")
        assert app.screen.query_one("#followups").row_count == 8


async def test_the_follow_up_list_follows_the_clerks_actions(app, hall, fake_printer):
    completed = case_at(hall, "completed")
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        assert "待跟进（8 件" in screen_text(app)  # 5 for the window, 3 of 张丽's own due soon
        await press(pilot, "f9")
        table = app.screen.query_one("#followups")
        while table.case_at(table.cursor_row) != completed.case_id:
            await press(pilot, "down")
        await press(pilot, "enter", "h", "shift+tab", "3", "enter")
        await settle(pilot)
        await press(pilot, "escape")
        await settle(pilot)
        assert "待跟进（7 件" in screen_text(app)
        assert completed.case_id not in app.screen.query_one("#followups").case_ids


async def test_the_follow_up_key_is_in_the_palette(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await press(pilot, "ctrl+p")
        lines = await palette_lines(pilot, "daigen")  # 待跟进 by pinyin
        assert any("待跟进（f9）" in line for line in lines), "\n".join(lines)


async def test_the_decision_offers_the_pledge_path_for_eligible_items_and_prints_the_pledge(demo_ctx, fake_printer):
    from screens.app import HallApp
    from tests.test_after_counter import take_convenience_store

    cid = take_convenience_store(demo_ctx)
    demo_ctx.cases.set_step(cid, "zhangli", "decision")
    app = HallApp(demo_ctx, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        app.resume_case(cid)
        await settle(pilot)
        text = screen_text(app)
        assert "5 告知承诺受理" in text and "食品经营许可（食品销售）凭申请人承诺当场受理" in text
        await press(pilot, "5")
        await settle(pilot)
        state = demo_ctx.cases.get(cid)
        assert state.status == "accepted" and state.items["food_licence"]["commitment"] == "2026-12-18"
        assert [i for i, item in state.items.items() if item.get("commitment")] == ["food_licence"]
        assert fake_printer == [("receipt", cid), ("pledge", cid)]
        assert "告知承诺书" in screen_text(app) and "由部门于 2026-12-18 前事后核查" in screen_text(app)


async def test_the_pledge_path_is_not_offered_without_eligible_items(app, hall):
    from tests.ui.test_snapshots import ALL_IN, ALL_YES
    from tests.ui.test_snapshots import case_at as newborn_at

    cid = newborn_at(hall, "decision", answers=dict(ALL_YES), marks=ALL_IN)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        app.resume_case(cid)
        await settle(pilot)
        assert "4 不予受理" in screen_text(app) and "告知承诺受理" not in screen_text(app)
        await press(pilot, "5")  # nothing: there is no fifth option
        assert hall.cases.get(cid).status == "draft"


async def test_a_supplement_asked_by_a_department_is_recorded_from_the_case_view(app, hall):
    from screens.supplement_dialog import SupplementDialog

    case = case_at(hall, "accepted")
    LocalInbox(hall, "市公安局").report(case.tracking_code, "household_registration", "needs_material",
                                        "请补交结婚证原件")
    LocalInbox(hall, "市医保局").report(case.tracking_code, "medical_insurance_payment", "needs_material",
                                        "银行卡信息不清")
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, case.case_id)
        await press(pilot, "b")
        assert isinstance(app.screen, SupplementDialog)
        assert "部门要求：请补交结婚证原件" in screen_text(app)
        await press(pilot, "enter")  # nothing ticked: refused, the dialog stays
        assert "请写明申请人补交了哪些材料" in screen_text(app) and isinstance(app.screen, SupplementDialog)
        await press(pilot, "down", "down", "space")  # 父母结婚证
        await press(pilot, "shift+tab", "2")  # the other item: its own list, then back: the tick stays
        assert "部门要求：银行卡信息不清" in screen_text(app) and "☑" not in screen_text(app)
        await press(pilot, "1", "enter")
        assert "☑     父母结婚证" in screen_text(app)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseViewScreen)
        state = hall.cases.get(case.case_id)
        assert state.items["household_registration"]["status"] == "supplemented"
        assert state.items["household_registration"]["supplements"][0]["materials"] == ["marriage_certificate"]
        assert state.items["medical_insurance_payment"]["status"] == "needs_material"
        assert "已登记补正：新生儿户口登记退回市公安局继续办理" in screen_text(app)


async def burst(pilot, *keys: str) -> None:
    """Keys queued all at once (a scanner, or a clerk typing ahead), then wait."""
    from tests.ui.helpers import key_event

    for key in keys:
        pilot.app._driver.send_message(key_event(pilot.app, key))
    await settle(pilot)


async def test_keys_typed_ahead_land_in_the_case_view_and_its_dialogs(app, hall, fake_printer):
    completed = case_at(hall, "completed")
    deferred = case_at(hall, "accepted_deferred")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        # scan the code, open the case, hand over at the window: one burst
        await burst(pilot, *completed.tracking_code, "enter", "h", "enter", *LIU_YANG, "enter")
        assert hall.cases.get(completed.case_id).status == "handed_over"
        assert isinstance(app.screen, CaseViewScreen)
        await press(pilot, "escape")
        await burst(pilot, *deferred.tracking_code, "enter", "s", "enter")  # the first deferred material
        assert hall.cases.get(deferred.case_id).deferred == ["baby_photo"]
        assert fake_printer == [("delivery", completed.case_id), ("supply", deferred.case_id)]


async def test_an_overdue_deferral_is_reminded_from_the_follow_up_list_then_terminated(app, hall, fake_printer):
    """The 待跟进 list shows the deferral's stage and its next step: the reminder (r, a
    channel by number), then, once reminded, 终止 from the case view with the reason
    prefilled from the 承诺书; the notice prints."""
    import datetime as dt

    from screens.remind_dialog import RemindDialog
    from tests.ui.helpers import FIXED_NOW

    case = case_at(hall, "accepted_deferred")
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, case.case_id)
        assert "终止/撤销" not in screen_text(app).splitlines()[-1]  # not overdue yet
        await press(pilot, "t")
        assert hall.cases.get(case.case_id).status == "accepted_deferred"
        hall.clock = lambda: FIXED_NOW + dt.timedelta(days=40)
        await press(pilot, "escape")
        await settle(pilot)
        await to_row(pilot, case.case_id)  # overdue first; the demo's own overdue 陈敏 case too
        text = screen_text(app)
        assert "容缺材料逾期未补交（期限" in text and "→记录提醒" in text, text
        assert "R 记录提醒" in text or "r 记录提醒" in text
        await press(pilot, "enter")
        assert "终止/撤销" not in screen_text(app).splitlines()[-1]  # the 承诺书: a reminder first
        await press(pilot, "escape")
        await to_row(pilot, case.case_id)
        await press(pilot, "r")
        await settle(pilot)
        assert isinstance(app.screen, RemindDialog)
        assert "生育医疗费用票据" in screen_text(app)
        await press(pilot, "2")  # 短信
        await settle(pilot)
        state = hall.cases.get(case.case_id)
        assert [r["channel"] for r in state.deferral_reminders] == ["sms"]
        assert "已记录提醒" in screen_text(app) and "）→终止办理" in screen_text(app)
        await to_row(pilot, case.case_id)
        await press(pilot, "r")  # reminded: nothing more to record
        assert not isinstance(app.screen, RemindDialog) and "现在不需要提醒" in screen_text(app)
        await press(pilot, "enter")
        assert "终止/撤销" in screen_text(app).splitlines()[-1]
        await press(pilot, "t")
        assert app.screen.query_one("#reason").value.startswith("容缺材料逾期未补交（承诺补交期限")
        await press(pilot, "escape")  # not now: nothing written
        assert hall.cases.get(case.case_id).status == "accepted_deferred"
        await press(pilot, "t", "enter")
        await settle(pilot)
        state = hall.cases.get(case.case_id)
        assert state.status == "terminated" and state.termination["kind"] == "terminate"
        assert "新生儿近期免冠照片" in state.termination["reason"]  # by name, from the 承诺书
        assert fake_printer == [("termination", case.case_id)]
        assert "已终止办理" in screen_text(app) and "终止办理通知书" in screen_text(app)


async def test_a_failed_post_check_is_revoked_with_a_reason(demo_ctx, fake_printer):
    from screens.app import HallApp
    from tests.test_after_counter import take_convenience_store

    cid = take_convenience_store(demo_ctx)
    state = demo_ctx.cases.accept(cid, "zhangli", commitments=["food_licence"])
    LocalInbox(demo_ctx, "市市场监管局").check(state.tracking_code, "food_licence", "failed", "现场无冷藏设备")
    app = HallApp(demo_ctx, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, cid)
        assert "⚑ 事项 食品经营许可（食品销售） 告知承诺核查不实：现场无冷藏设备" in screen_text(app)
        await press(pilot, "t", "enter")  # no reason: asked again, nothing written
        assert "撤销理由" in screen_text(app) and demo_ctx.cases.get(cid).status != "terminated"
        await type_text(pilot, "承诺内容与实际不符")
        await press(pilot, "enter")
        await settle(pilot)
        revoked = demo_ctx.cases.get(cid)
        assert revoked.status == "terminated" and revoked.termination["kind"] == "revoke"
        assert revoked.termination["reason"] == "承诺内容与实际不符"
        assert fake_printer == [("termination", cid)]


async def test_an_id_scanned_right_after_h_is_the_collector_not_a_method(app, hall, fake_printer):
    """The dialog opens on the ID field: a scanned ID ending in 3 (a method number on the
    selector) and its Enter hand over at the window to the applicant, not by e-licence."""
    case = case_at(hall, "completed")
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, case.case_id)
        for key in ("h", *LIU_YANG, "enter"):  # one burst, as a scanner types
            pilot.app._driver.send_message(key_event(pilot.app, key))
        await settle(pilot)
        assert LIU_YANG.endswith("3")
        assert hall.cases.get(case.case_id).handed_over["method"] == "window"
