"""Remappable keys and the Chinese command palette.

- A ``[keymap]`` in a real config file moves a key: the app is driven with the new key,
  the old one no longer works, and the key bar, help and palette show the new one.
- The palette speaks Chinese (placeholder, "no matches", no English system commands) and
  finds commands by pinyin (xb, xinban → 新办).
"""

from __future__ import annotations

import asyncio
import io

from hall_app.config import load_settings
from hall_app.services.context import HallContext
from screens.strings import Palette as TP
from tests.ui.helpers import NEWBORN, copy_db, fixed_clock, login, press, screen_text, settle, type_text

SIZE = (100, 32)


def app_from_config(tmp_path, demo_template, text: str):
    from bundles.loader import load_catalog
    from screens.app import HallApp

    db = copy_db(demo_template, tmp_path)
    config = tmp_path / "hall-app.toml"
    config.write_text(f'db = "{db}"\npdf_dir = "{tmp_path / "documents"}"\n' + text, encoding="utf-8")
    ctx = HallContext(load_settings(str(config)), clock=fixed_clock)
    catalog = load_catalog([NEWBORN])
    ctx.catalog_service._catalog = catalog
    ctx.__dict__["catalog"] = catalog
    return HallApp(ctx, cursor_blink=False), ctx


def key_bar(app) -> str:
    return str(app.screen.query_one("#key-bar").render())


async def test_keymap_from_config_moves_a_key(tmp_path, demo_template):
    # 新办 onto F9, 待跟进 (F9 by default) onto F2 in exchange
    app, ctx = app_from_config(tmp_path, demo_template, '[keymap]\n"workbench.new" = "f9"\n'
                               '"workbench.follow_ups" = "f2"\n"intake.leave" = "f12"\n')
    try:
        async with app.run_test(size=SIZE) as pilot:
            await login(pilot)
            assert type(app.screen).__name__ == "WorkbenchScreen"
            bar = key_bar(app)
            assert " f9  新办" in bar and " f2 " not in bar
            await press(pilot, "f2")  # the old key opens no intake now: it goes to the follow-up list
            assert type(app.screen).__name__ == "WorkbenchScreen"
            assert app.screen.focused is app.screen.query_one("#followups")
            await press(pilot, "f1")  # help shows the key in force
            help_table = app.screen.query_one("#help-table").content
            from rich.console import Console

            console = Console(width=100, record=True, file=io.StringIO())
            console.print(help_table)
            text = console.export_text()
            assert any("f9" in line and "新办" in line for line in text.splitlines()), text
            await press(pilot, "escape")
            await press(pilot, "f9")  # the new one opens an intake
            await settle(pilot)
            assert type(app.screen).__name__ == "IntakeScreen"
            await press(pilot, "escape")  # intake.leave moved to f12: Esc no longer leaves
            await settle(pilot)
            assert type(app.screen).__name__ == "IntakeScreen"
            await press(pilot, "f12")
            await settle(pilot)
            assert type(app.screen).__name__ == "WorkbenchScreen"
            await press(pilot, "ctrl+p")  # the palette names the new key
            await type_text(pilot, "新办")
            await asyncio.sleep(0.3)
            await settle(pilot)
            assert "新办（f9）" in screen_text(app)
    finally:
        ctx.close()


async def test_prose_hints_follow_the_keymap(tmp_path, demo_template):
    app, ctx = app_from_config(tmp_path, demo_template,
                               '[keymap]\n"app.help" = "f10"\n"app.palette" = "ctrl+k"\n"dialog.no" = "q"\n')
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            login_keys = str(app.screen.query_one("#login-keys").render())
            assert "F10 帮助" in login_keys and "Ctrl+K 命令面板" in login_keys and "F1 " not in login_keys
            from screens.dialogs import ConfirmDialog

            app.push_screen(ConfirmDialog("确定？"))
            await settle(pilot)
            assert "Q 取消" in screen_text(app) or "q 取消" in screen_text(app)
    finally:
        ctx.close()


async def palette_lines(pilot, query: str) -> list[str]:
    app = pilot.app
    await type_text(pilot, query)
    await asyncio.sleep(0.8)  # past Textual's 0.5 s "no matches" countdown
    await settle(pilot)
    return screen_text(app).splitlines()


async def test_palette_is_chinese(app):
    from textual.command import CommandInput

    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await press(pilot, "ctrl+p")
        await asyncio.sleep(0.3)
        await settle(pilot)
        assert app.screen.query_one(CommandInput).placeholder == TP.placeholder
        text = screen_text(app)
        assert "新办" in text
        for english in ("Maximize", "Quit", "Theme", "Screenshot", "Keys", "Search for commands"):
            assert english not in text, english
        lines = await palette_lines(pilot, "qqqzzz")
        text = "\n".join(lines)
        assert TP.no_matches in text and "No matches" not in text


async def test_palette_lists_only_the_apps_own_commands_with_the_search_box_focused(app):
    """The search box (a Textual Input) has English keys of its own; the palette shows
    none of them, whatever has the focus."""
    from textual.widgets import Input

    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        app.screen.query_one("#search", Input).focus()
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await asyncio.sleep(0.3)
        await settle(pilot)
        text = screen_text(app)
        assert "新办" in text
        for english in ("Paste text", "Focus Next", "Move cursor", "Delete"):
            assert english not in text, english
        lines = await palette_lines(pilot, "xb")
        assert any("新办（" in line for line in lines) and not any("Paste" in line for line in lines), lines


async def test_palette_finds_commands_by_pinyin(app):
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        for query in ("xb", "xinban"):
            await press(pilot, "ctrl+p")
            lines = await palette_lines(pilot, query)
            assert any("新办（" in line for line in lines), lines
            if query == "xinban":
                await press(pilot, "enter")
                await settle(pilot)
                assert type(app.screen).__name__ == "IntakeScreen"
            else:
                await press(pilot, "escape")
                await settle(pilot)


def test_every_binding_has_an_id():
    from screens.keymap import binding_ids, unbound_bindings

    assert unbound_bindings() == []
    assert {"workbench.new", "intake.next", "intake.prev", "questions.answer_9", "choice.pick_1",
            "decision.accept", "help.close"} <= set(binding_ids())


def test_prose_key_names():
    from screens.keymap import prose_key

    assert [prose_key(k) for k in ("f6", "ctrl+p", "escape", "enter", "r", "ctrl+shift+x", "slash")] == [
        "F6", "Ctrl+P", "Esc", "回车", "r", "Ctrl+Shift+X", "/"]


def test_pinyin_matching():
    from screens.pinyin import match

    for query in ("xb", "xinban", "xinb", "xban", "XB", "xin ban"):
        assert match(query, "新办") == (0, 2), query
    assert match("cxdy", "重新打印") == match("zxdy", "重新打印") == (0, 4)  # either reading of 重
    assert match("dy", "重新打印") == (2, 4)
    assert match("bx", "新办") is None and match("xbb", "新办") is None and match("新", "新办") is None


def test_hints_built_away_from_their_screen_use_the_binding_default():
    from screens.keymap import binding_ids
    from screens.print_worker import REPRINT_KEY

    ids = binding_ids()
    assert ids["decision.reprint"].key == ids["case.reprint"].key == REPRINT_KEY


def test_a_key_moved_onto_one_in_use_is_found():
    from screens.keymap import clashes

    assert ("workbench.refresh", "f2", "workbench.new") in clashes({"workbench.refresh": "f2"})
    assert ("workbench.refresh", "f1", "app.help") in clashes({"workbench.refresh": "f1"})
    assert ("workbench.new", "f9", "workbench.follow_ups") in clashes({"workbench.new": "f9"})
    # f2 was freed, and F9's 待跟进 went to F5
    assert clashes({"workbench.new": "f9", "workbench.refresh": "f2", "workbench.follow_ups": "f5"}) == []
    assert clashes({}) == []  # the defaults share keys on purpose (enter: execute / finish)


def test_a_print_failure_names_the_reprint_key_in_force():
    from types import SimpleNamespace

    from textual._context import active_app

    from screens.print_worker import Printed

    failed = Printed("receipt", "", "", "缺纸")
    assert "按 r 重新打印" in failed.line()
    token = active_app.set(SimpleNamespace(_keymap={"decision.reprint": "ctrl+r"}))
    try:
        assert "按 Ctrl+R 重新打印" in failed.line()
    finally:
        active_app.reset(token)
