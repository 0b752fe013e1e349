"""Crash and resume: the app in a real terminal (tmux), driven partway, killed with
SIGKILL, started again: the clerk is back on the step with every value entered."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from hall_app.services.demo import LIU_YANG
from tests.ui.helpers import copy_db

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


class Terminal:
    def __init__(self, db: Path) -> None:
        self.db = db
        self.socket = f"hall-test-{uuid.uuid4().hex[:8]}"

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True,
                              text=True).stdout

    def start(self) -> None:
        command = f"cd {ROOT} && exec {sys.executable} -m tests.ui.counter_app {self.db}"
        self.tmux("new-session", "-d", "-s", "hall", "-x", "100", "-y", "32", command)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "hall")

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                screen = self.screen()
            except subprocess.CalledProcessError:
                screen = ""
            if text in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "hall", "-l", text)

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "hall", key)
            time.sleep(0.05)

    def kill9(self) -> None:
        pid = int(self.tmux("display-message", "-p", "-t", "hall", "#{pane_pid}").strip())
        os.kill(pid, signal.SIGKILL)  # the app itself (exec'd): no chance to save anything
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        self.close()

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        tmpdir = os.environ.get("TMUX_TMPDIR", "/tmp")
        Path(tmpdir, f"tmux-{os.getuid()}", self.socket).unlink(missing_ok=True)

    def login(self) -> None:
        self.wait_for("演示账号")
        self.type("zhangli")
        self.keys("Enter")
        self.type("demo123")
        self.keys("Enter")
        self.wait_for("今日本窗口办件")


def scratch(db: Path, key: str) -> str | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT value FROM field_drafts WHERE key = ? ORDER BY updated_at DESC LIMIT 1",
                           (key,)).fetchone()
    return row[0] if row else None


def wait_until(check, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("the value never reached the database")


def test_kill_9_at_any_step_and_find_every_value(demo_template, tmp_path):
    db = copy_db(demo_template, tmp_path)
    term = Terminal(db)
    try:
        term.start()
        term.login()
        term.keys("F2")
        term.wait_for("群众要办什么")
        term.type("生孩子")
        term.wait_for("关键词：生孩子")
        term.keys("Enter")
        term.wait_for("综合窗口一次受理")
        term.keys("Enter")
        term.wait_for("证件号码")
        term.type(LIU_YANG)
        term.wait_for("在库电子证照")
        term.keys("Enter")
        term.wait_for("情形问题")
        term.type("11111111")  # answers as fast as tmux can type them, one per question on screen
        term.wait_for("该按键未作答")  # the follow-ups they inserted are not answered by keys typed before
        term.type("1")  # seen now: 随父
        term.wait_for("还有 1 个问题未回答")
        term.type("1")  # 缴费: 是
        term.wait_for("全部问题已回答")
        term.keys("Enter")
        term.wait_for("材料清单")
        term.keys("a")
        term.wait_for("已将 4 项材料标为已收")
        term.keys("Enter")
        term.wait_for("一表申报")
        term.type("刘思")  # half a name, no Enter
        wait_until(lambda: scratch(db, "baby_name") == "刘思")
        term.kill9()

        term = Terminal(db)
        term.start()
        term.login()
        term.wait_for("一表  ")  # the draft is listed, at its step
        term.keys("Tab", "Tab", "Enter")  # search → today → drafts: the newest draft
        screen = term.wait_for("未提交")  # the form step, with the half-typed name still to be confirmed
        assert "一表申报" in screen and "刘思" in screen
        assert "陈敏" in screen and "预填" in screen  # prefilled from the 结婚证 e-licence
        term.keys("F7")
        screen = term.wait_for("● 已收")
        assert screen.count("● 已收") == 4 and screen.count("✓ 电子证照") == 3
        term.keys("F7")
        screen = term.wait_for("全部问题已回答")
        assert "待答" not in screen
        term.keys("F7")
        screen = term.wait_for("在库电子证照")
        assert LIU_YANG in screen

        # Killed again mid-way through typing an ID number on a new intake.
        term.keys("Escape")
        term.wait_for("今日本窗口办件")
        term.keys("F2")
        term.wait_for("群众要办什么")
        term.keys("Enter")  # the window's most frequent bundle
        term.wait_for("综合窗口一次受理")
        term.keys("Enter")
        term.wait_for("证件号码")
        term.type("5001161990")
        wait_until(lambda: scratch(db, "applicant.id_number") == "5001161990")
        term.kill9()

        term = Terminal(db)
        term.start()
        term.login()
        term.wait_for("草稿（回车继续办理）")
        # The new draft is listed at the applicant step: "申请人" is then in both tables'
        # headers and in the draft's step column (the headers alone show before the rows).
        wait_until(lambda: term.screen().count("申请人") >= 3, timeout=30)
        term.keys("Tab", "Tab", "Enter")
        screen = term.wait_for("已输入 10/18 位")
        assert "5001161990" in screen
    finally:
        term.close()
