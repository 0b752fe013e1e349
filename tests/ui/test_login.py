"""Login: the demo login shown, wrong passwords, the delay, first run, roles."""

from __future__ import annotations

import asyncio
import threading

from screens.app import HallApp
from screens.login import retry_delay
from tests.ui.helpers import key_event, login, open_ctx, press, screen_text, settle, type_text

SIZE = (100, 32)


async def test_demo_login_is_shown_and_wrong_passwords_are_told_and_slowed(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "演示账号：zhangli" in screen_text(app) and "demo123" in screen_text(app)
        await login(pilot, "zhangli", "wrong-password")
        text = screen_text(app)
        assert "用户名或密码错误（再错4次将锁定）" in text
        assert not app.screen.query_one("#password").disabled
        await type_text(pilot, "wrong-again")
        await press(pilot, "enter")
        assert "请等待 1 秒后再试" in screen_text(app)
        assert app.screen.query_one("#password").disabled  # the delay after repeated failures
        await asyncio.sleep(1.2)
        await settle(pilot)
        assert not app.screen.query_one("#password").disabled
        await type_text(pilot, "demo123")
        await press(pilot, "enter")
        assert type(app.screen).__name__ == "WorkbenchScreen"
        assert "张丽（窗口人员）" in screen_text(app)


def test_retry_delay_grows_and_is_capped():
    assert [retry_delay(n) for n in range(1, 9)] == [0, 1, 2, 4, 8, 16, 30, 30]


async def test_unknown_user_and_empty_fields(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        assert "请输入用户名" in screen_text(app)
        await type_text(pilot, "x" * 500)  # a 500-character user name pasted by mistake
        await press(pilot, "enter")
        await press(pilot, "enter")
        assert "请输入密码" in screen_text(app)
        await type_text(pilot, "whatever")
        await press(pilot, "enter")
        assert "用户名或密码错误" in screen_text(app)


async def test_first_run_creates_the_administrator(tmp_path):
    ctx = open_ctx(tmp_path / "empty.db")
    app = HallApp(ctx, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "首次使用：创建管理员账号" in text and "演示账号" not in text
        await type_text(pilot, "王主任")  # display name (the user name is prefilled: admin)
        await press(pilot, "enter")
        await type_text(pilot, "secret1")
        await press(pilot, "enter")
        await type_text(pilot, "secret2")
        await press(pilot, "enter")
        assert "两次输入的密码不一致" in screen_text(app)
        app.screen.query_one("#password2").value = "secret1"
        await press(pilot, "enter")
        assert type(app.screen).__name__ == "WorkbenchScreen"
        assert app.user.role == "admin" and app.user.display_name == "王主任"
        footer = screen_text(app)
        assert "用户管理" in footer and "新办" not in footer  # an admin manages users, does no intake
        await press(pilot, "f4")
        await type_text(pilot, "lisi")
        await press(pilot, "enter")
        await type_text(pilot, "李四")
        await press(pilot, "enter", "enter")  # role: 窗口人员 (clerk) as preset
        await type_text(pilot, "W02")
        await press(pilot, "enter")
        await type_text(pilot, "pass123")
        await press(pilot, "enter")
        assert "已创建用户 lisi（窗口人员）" in screen_text(app)
    assert ctx.users.authenticate("lisi", "pass123").window == "W02"
    ctx.close()


async def test_the_database_opens_behind_the_first_frame(demo_template, tmp_path):
    """With an opener (what hall-app does) the login screen is up before the database."""
    from tests.ui.helpers import copy_db

    gate = threading.Event()
    db = copy_db(demo_template, tmp_path)

    def opener():
        gate.wait(10)
        return open_ctx(db)

    app = HallApp(opener, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "正在打开数据库" in screen_text(app) and app.ctx is None
        for key in [*"zhangli", "enter", *"demo123", "enter"]:  # typed ahead while the database opens
            app._driver.send_message(key_event(app, key))
        await pilot.pause(0.2)
        assert type(app.screen).__name__ == "LoginScreen" and app.ctx is None
        gate.set()
        for _ in range(500):
            await asyncio.sleep(0.01)
            if app.ctx is not None:
                break
        await settle(pilot)
        assert type(app.screen).__name__ == "WorkbenchScreen"
        app.ctx.close()


async def test_an_agent_files_as_proxy_and_a_supervisor_sees_every_window(app, hall):
    from hall_app.domain.authorisation import Draft
    from hall_app.services.demo import HE_DEGUI

    agent = hall.users.authenticate("wangqiang", "demo123")
    hall.authorisations.record(agent, Draft(HE_DEGUI, "帮代办员", ("newborn",), "2026-11-21", "2026-12-31"))
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "wangqiang", "demo123")
        assert "帮代办工作台" in screen_text(app)  # an agent's own home, not a window's
        await press(pilot, "f2")  # for the authorised principal
        text = screen_text(app)
        assert "代办人姓名" in text and "帮代办员" in text and "何德贵" in text
        await press(pilot, "escape")
        await press(pilot, "ctrl+l")
        await login(pilot, "chenjing", "demo123")
        assert "全部窗口" in screen_text(app)
        await press(pilot, "f3")
        assert "今日全部窗口办件" in screen_text(app)
