"""The agent's workbench (帮代办工作台, issue 13) driven by keys: authorisation first,
a case for the principal through the ordinary intake, the signed paper back, bad
input kept, the idle lock keeping what was typed. No sleeps: the lock is checked
directly (``check_idle_lock(now=…)``), the screen's timer is switched off."""

from __future__ import annotations

import time

import pytest

from hall_app.services.demo import LIU_YANG, ZHOU_GUIYING
from screens.agent_home import AgentHomeScreen
from tests.ui.helpers import login, press, screen_text, settle, type_text

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def _no_lock_timer(monkeypatch):
    monkeypatch.setattr(AgentHomeScreen, "lock_check_seconds", 0)


async def authorise(pilot, id_number: str) -> None:
    await press(pilot, "f6")
    await type_text(pilot, id_number)
    pilot.app.screen.query_one("#bundles").focus()
    await press(pilot, "space")
    await press(pilot, "f10")


async def test_authorise_then_file_for_the_principal(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "wangqiang", "demo123")
        assert isinstance(app.screen, AgentHomeScreen)
        text = screen_text(app)
        assert "帮代办工作台 · 王强（白沙镇）" in text and "单机模式" in text and "尚无委托人" in text
        await press(pilot, "f2")
        assert "请先在“我的委托人”中选中一位委托人" in screen_text(app)  # authorisation first

        await authorise(pilot, ZHOU_GUIYING)
        text = screen_text(app)
        assert isinstance(app.screen, AgentHomeScreen), text
        assert "已录入 周桂英 的授权委托书" in text and "待收回签署件" in text and "新生儿出生" in text

        await press(pilot, "f2")  # the selected principal, the one authorised bundle
        assert type(app.screen).__name__ == "IntakeScreen"
        case = hall.cases.get(app.screen.case_id)
        assert case.channel == "proxy" and case.applicant["name"] == "周桂英" and case.authorisation
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, AgentHomeScreen)
        assert "收回委托人签署的授权委托书" in screen_text(app)

        await press(pilot, "f7")
        assert "扫描件或照片的路径" in screen_text(app)
        await press(pilot, "enter")  # no scan: the paper alone
        text = screen_text(app)
        assert "已登记收回 周桂英 签署的授权委托书" in text and "继续录入并受理" in text
        assert hall.cases.get(case.case_id).authorisation["received_at"]

        await press(pilot, "f2")  # the same need again: a duplicate
        assert "请勿重复代办" in screen_text(app) and isinstance(app.screen, AgentHomeScreen)


async def test_bad_input_is_explained_and_kept(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "wangqiang", "demo123")
        await authorise(pilot, LIU_YANG)  # lives in 几江街道, not the agent's 白沙镇
        text = screen_text(app)
        assert "不在本帮代办员的服务范围" in text and type(app.screen).__name__ == "AuthoriseDialog"
        field = app.screen.query_one("#principal_id")
        field.value = ""
        field.focus()
        await type_text(pilot, "5001161942０６1136６😀")
        await press(pilot, "f10")
        assert "委托人身份证号码有误" in screen_text(app)
        await press(pilot, "escape")
        assert isinstance(app.screen, AgentHomeScreen)
        await press(pilot, "f6")  # what was typed is still there
        assert app.screen.query_one("#principal_id").value == "5001161942０６1136６😀"
        assert hall.authorisations.of_agent("wangqiang") == []


async def test_the_idle_lock_keeps_a_half_typed_field(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "wangqiang", "demo123")
        await press(pilot, "f6")
        await type_text(pilot, "500116")
        assert not app.check_idle_lock(now=time.monotonic() + 60)  # not idle long enough
        assert app.check_idle_lock(now=time.monotonic() + 11 * 60)
        await settle(pilot)
        assert type(app.screen).__name__ == "LockScreen" and "屏幕已锁定" in screen_text(app)
        hidden = screen_text(app)  # the lock covers the screen: nothing of what is under it is drawn
        assert "录入授权委托书" not in hidden and "500116" not in hidden and "帮代办工作台" not in hidden
        await type_text(pilot, "wrong1")
        await press(pilot, "enter")
        assert "用户名或密码错误" in screen_text(app) and type(app.screen).__name__ == "LockScreen"
        await type_text(pilot, "demo123")
        await press(pilot, "enter")
        assert type(app.screen).__name__ == "AuthoriseDialog"
        assert app.screen.query_one("#principal_id").value == "500116"


async def test_a_clerk_is_never_locked(app):
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        assert not app.check_idle_lock(now=time.monotonic() + 24 * 3600)
        assert type(app.screen).__name__ == "WorkbenchScreen"


async def test_an_encrypted_laptop_opens_at_sign_in(demo_template, tmp_path):
    pytest.importorskip("sqlcipher3")
    import shutil

    from hall_app.cli.tui import open_encrypted
    from hall_app.config import Settings
    from hall_app.store.cipher import encrypt_database
    from screens.app import HallApp
    from tests.ui.helpers import fixed_clock

    path = tmp_path / "laptop.db"
    shutil.copy(demo_template, path)
    encrypt_database(path, {"wangqiang": "demo123"})
    settings = Settings(db=str(path), pdf_dir=str(tmp_path / "pdf"), tracking_base_url="http://127.0.0.1:8700")

    def opener():
        raise AssertionError("an encrypted database is never opened without the password")

    app = HallApp(opener, cursor_blink=False,
                  unlock=lambda user, password: open_encrypted(settings, user, password, fixed_clock))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "本机数据已加密" in screen_text(app) and app.ctx is None
        await login(pilot, "wangqiang", "wrong99")
        assert "用户名或密码错误" in screen_text(app) and app.ctx is None
        await login(pilot, "", "demo123")  # the user name is still there
        assert isinstance(app.screen, AgentHomeScreen), screen_text(app)
        app.ctx.close()


async def test_home_delivery_and_the_follow_up_call(app, hall):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "sync"))
    from agent_harness import authorise, file_case

    auth = authorise(hall, ZHOU_GUIYING, bundles=("newborn",))
    state = file_case(hall, auth, "newborn")
    hall.cases.dispatch(state.case_id, "wangqiang")
    for item in hall.cases.get(state.case_id).items:
        hall.cases.record_item_result(state.case_id, "dept-system", item, "completed")
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "wangqiang", "demo123")
        table = app.screen.query_one("#agent-cases")
        table.focus()
        table.move_cursor(row=table.case_ids.index(state.case_id))
        await settle(pilot)
        assert "上门送达委托人" in screen_text(app)
        await press(pilot, "f9")
        await type_text(pilot, "周桂英")
        await press(pilot, "enter")
        assert "已送达" in screen_text(app) and hall.cases.get(state.case_id).handed_over["method"] == "home"
        await press(pilot, "f10")
        await type_text(pilot, "６")
        await press(pilot, "enter", "enter")
        assert "评价等级" in screen_text(app)  # 6 is no level: said, nothing recorded
        await press(pilot, "f10")
        await type_text(pilot, "５")
        await press(pilot, "enter")
        await type_text(pilot, "王强办事细心")
        await press(pilot, "enter")
        rated = hall.cases.get(state.case_id)
        assert rated.rating["level"] == 5 and rated.rating["channel"] == "agent"


async def test_a_refused_scan_asks_again_with_the_path_as_typed(app, hall, tmp_path):
    """F7 with a scan: a file that is no PDF/JPEG/PNG is refused in Chinese, the question
    comes back with the path as typed; a real PNG is kept (inside the database)."""
    import hashlib

    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    bad, good = tmp_path / "scan.jpg", tmp_path / "scan.png"
    bad.write_bytes(b"a text file named scan.jpg")
    good.write_bytes(png)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "wangqiang", "demo123")
        await authorise(pilot, ZHOU_GUIYING)
        await press(pilot, "f7")
        await type_text(pilot, str(bad))
        await press(pilot, "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ReasonDialog", screen_text(app)
        assert "只能是 PDF、JPEG 或 PNG" in screen_text(app)
        field = app.screen.query_one("#reason")
        assert field.value == str(bad)  # nothing typed is lost
        field.value = ""
        await type_text(pilot, str(good))
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, AgentHomeScreen)
        assert "扫描件已存入本机数据库" in screen_text(app)
        [auth] = hall.authorisations.of_agent("wangqiang")
        assert auth.received_at and auth.thumbprint == hashlib.sha256(png).hexdigest()


async def test_the_case_view_shows_where_the_signed_papers_scan_is(app, hall, tmp_path):
    """Key a in a proxy case's view: the scan of the signed 授权委托书, checked and kept
    inside the database on an agent's laptop (the other laptops fetch it: tests/sync)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "sync"))
    from agent_harness import AGENT
    from agent_harness import authorise as record

    scan = tmp_path / "signed.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    auth = record(hall, ZHOU_GUIYING, bundles=("newborn",), received=False)
    plain = hall.agent_day.start_for(AGENT, auth.auth_id, "newborn")  # no scan yet: no key
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "wangqiang", "demo123")
        app.open_case(plain.case_id)
        await settle(pilot)
        assert not app.screen.check_action("scan", ())
        await press(pilot, "escape")
        await settle(pilot)
        hall.agent_day.receive(AGENT, auth.auth_id, scan)
        app.open_case(plain.case_id)
        await settle(pilot)
        assert app.screen.check_action("scan", ())
        await press(pilot, "a")
        await app.workers.wait_for_complete()
        await settle(pilot)
        text = screen_text(app)
        assert "周桂英的授权委托书扫描件（PNG，2 KB，校验值一致）" in text, text
        assert "保存在本机数据库中（不留文件" in text and "hall-app scan" in text  # a plain database here
