"""Typed, nested settings: today's flat keys, sections, HALL_* variables; a clear message
naming the key for a wrong type or an unknown key; ``hall-app config check``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hall_app.config import ConfigError, Settings, inspect_settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("HALL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no ./hall-app.toml of the developer's
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # checks remembered per test


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "hall-app.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_defaults_and_the_flat_names_still_work():
    settings = Settings(db="/x/hall.db", hall="JJ09", escpos_port=9101)
    assert settings.hall == settings.device.hall == "JJ09"
    assert settings.escpos_port == settings.printing.escpos_port == 9101
    assert settings.db_path == Path("/x/hall.db") and settings.pdf_path == Path("/x/documents")
    assert settings.replace(window="W01").window == "W01" and settings.window == "W03"
    import dataclasses

    copied = dataclasses.replace(settings, window="W02")  # what code written for the flat dataclass does
    assert (copied.window, copied.hall, copied.escpos_port) == ("W02", "JJ09", 9101)
    with pytest.raises(TypeError):
        Settings(colour="red")
    with pytest.raises(AttributeError):
        _ = settings.colour


def test_flat_and_sectioned_keys_from_a_file(tmp_path):
    path = write(tmp_path, 'hall = "JJ02"\nnotice_days = 7\n[printing]\nprinter = "cups"\ncups_queue = "q1"\n'
                           '[sync]\nsync_interval = 5\n[calendar."2027"]\nholidays = ["2027-01-01", 2027-01-02]\n')
    settings = load_settings(path)
    assert (settings.hall, settings.notice_days, settings.printer, settings.cups_queue) == ("JJ02", 7, "cups", "q1")
    assert settings.sync.sync_interval == 5.0 and isinstance(settings.sync_interval, float)
    assert settings.calendar == {"2027": {"holidays": ["2027-01-01", "2027-01-02"]}}
    assert settings.config_file == path


def test_the_local_file_is_found_and_environment_wins(tmp_path, monkeypatch):
    write(tmp_path, "escpos_port = 9200\n")
    assert load_settings().escpos_port == 9200
    monkeypatch.setenv("HALL_ESCPOS_PORT", "9300")
    monkeypatch.setenv("HALL_WINDOW", "W07")
    settings = load_settings()
    assert settings.escpos_port == 9300 and settings.window == "W07"
    assert load_settings(window="W09").window == "W09"  # the command line wins over both


@pytest.mark.parametrize("text, words", [
    ('escpos_port = "abc"', ["escpos_port", "应为整数"]),
    ('escpos_port = "9100"', ["escpos_port", "数字不加引号"]),
    ("escpos_port = 70000", ["escpos_port", "应不大于 65535"]),
    ("notice_days = 0", ["notice_days", "应不小于 1"]),
    ('printer = "cupz"', ["printer", "'file', 'cups', 'escpos'"]),
    ("hall = 12", ["hall", "应为文字"]),
    ("sync_interval = -1", ["sync_interval", "应大于 0"]),
    ('colour = "red"', ["colour 不是已知设置"]),
    ('pritner = "cups"', ["pritner 不是已知设置", "printer"]),
    ('[printing]\nwindow = "W01"', ["[printing] 中的 window", "[device]"]),
    ('printer = "cups"\n[printing]\nprinter = "file"', ["printer 写了两次"]),
    ('[calendar."2027"]\nholidays = ["2027-02-30"]', ['calendar."2027".holidays', "不是日期"]),
    ('[calendar."2027"]\nholidays = ["2026-10-01"]', ["不在 2027 年"]),
    ('[calendar."2027"]\nholiday = []', ["holiday 不是已知设置"]),
    ('[keymap]\n"workbench.new" = "ctrl + n"', ['keymap."workbench.new"', "写法不对"]),
    ('[keymap]\n"workbench.new" = 5', ['keymap."workbench.new"', "应为按键文字"]),
    ("hall = ", ["不是合法的 TOML"]),
])
def test_a_bad_value_names_its_key(tmp_path, text, words):
    path = write(tmp_path, text + "\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    message = str(err.value)
    assert path in message
    for word in words:
        assert word in message, message


def test_a_bad_environment_variable_names_itself(monkeypatch):
    monkeypatch.setenv("HALL_SYNC_INTERVAL", "often")
    with pytest.raises(ConfigError, match="环境变量 HALL_SYNC_INTERVAL = 'often' 有误：应为数字"):
        load_settings()


def test_every_problem_at_once_and_the_good_keys_kept(tmp_path):
    loaded = inspect_settings(write(tmp_path, 'hall = "JJ05"\nescpos_port = "x"\nnotice_days = 0\n'))
    assert len(loaded.problems) == 2
    assert loaded.settings.hall == "JJ05" and loaded.settings.escpos_port == 9100  # bad ones keep the default
    assert loaded.sources["hall"].startswith("配置文件") and "escpos_port" not in loaded.sources


def test_calendar_years_from_the_settings_reach_the_deadlines(tmp_path):
    import datetime as dt

    from hall_app.services.context import HallContext

    path = write(tmp_path, f'db = "{tmp_path / "h.db"}"\n[calendar."2031"]\nholidays = ["2031-03-03"]\n'
                           'workdays = ["2031-03-08"]\n')
    ctx = HallContext(load_settings(path))
    try:
        assert not ctx.calendar.is_working_day(dt.date(2031, 3, 3))  # a Monday, a holiday here
        assert ctx.calendar.is_working_day(dt.date(2031, 3, 8))  # a Saturday, a make-up day
    finally:
        ctx.close()


def hall(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    return subprocess.run([sys.executable, "-m", "hall_app", *args], cwd=cwd, capture_output=True, text=True,
                          env={**env, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT)}, timeout=120)


def test_config_check_shows_what_is_in_force_and_where_from(tmp_path):
    path = write(tmp_path, '[printing]\nprinter = "cups"\n[keymap]\n"workbench.new" = "f9"\n'
                           '"workbench.follow_ups" = "f2"\n')  # 新办 and 待跟进 swap keys
    done = hall("config", "check", "--file", path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any('printer = "cups"' in line and "配置文件" in line for line in lines)
    assert any('escpos_port = 9100' in line and "默认" in line for line in lines)
    assert '"workbench.new" = "f9"' in done.stdout and "设置无误" in done.stdout


def test_config_check_lists_every_problem_and_exits_2(tmp_path):
    path = write(tmp_path, 'escpos_port = "x"\ncolour = 1\n[keymap]\n"workbench.nwe" = "f9"\n')
    done = hall("config", "check", "--file", path, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "escpos_port" in done.stdout and "colour" in done.stdout
    assert "workbench.nwe 不是已知的按键编号，是否想写 workbench.new" in done.stdout
    assert "3 处问题" in done.stderr
    path = write(tmp_path, '[keymap]\n"workbench.refresh" = "f2"\n')
    done = hall("config", "check", "--file", path, cwd=tmp_path)
    assert done.returncode == 2 and "workbench.refresh 改为 f2，与同一页的 workbench.new（新办）冲突" in done.stdout


def test_any_command_refuses_a_bad_config_with_the_message(tmp_path):
    write(tmp_path, 'notice_days = "five"\n')
    done = hall("db", "upgrade", "--db", str(tmp_path / "h.db"), cwd=tmp_path)
    assert done.returncode == 2 and "notice_days" in done.stderr and "Traceback" not in done.stderr
    done = hall("--db", str(tmp_path / "h.db"), cwd=tmp_path)  # the full-screen app: before it starts
    assert done.returncode == 2 and "notice_days" in done.stderr


def test_config_keys_lists_every_binding_id(tmp_path):
    done = hall("config", "keys", cwd=tmp_path)
    assert done.returncode == 0
    ids = {line.split()[0] for line in done.stdout.splitlines()}
    assert {"workbench.new", "intake.next", "materials.all_in", "app.palette"} <= ids


def test_no_pydantic_without_anything_to_check():
    code = ("import sys; from hall_app.config import load_settings; load_settings(db='/tmp/x.db');"
            "print('pydantic' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    out = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True, env=env,
                         check=True)
    assert out.stdout.strip() == "False"


def test_keymap_ids_quoted_or_dotted(tmp_path):
    path = write(tmp_path, '[keymap]\n"workbench.new" = "f9"\nintake.next = "f10, ctrl+right"\n')
    assert load_settings(path).keymap == {"workbench.new": "f9", "intake.next": "f10,ctrl+right"}


def test_a_check_that_passed_is_remembered_and_anything_changed_is_checked_again(tmp_path):
    config = tmp_path / "hall-app.toml"
    config.write_text('hall = "JJ02"\nsync_interval = 5\n[printing]\nescpos_port = 9101\n', encoding="utf-8")
    code = ("import sys, json; from hall_app.config import load_settings; s = load_settings(db='/tmp/x.db');"
            "print(json.dumps(['pydantic' in sys.modules, s.hall, s.sync_interval, s.escpos_port, s.window]))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    env |= {"XDG_CACHE_HOME": str(tmp_path / "cache"), "HALL_WINDOW": "W05", "PYTHONPATH": str(ROOT)}

    def run() -> list:
        import json

        out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                             check=True)
        return json.loads(out.stdout)

    assert run() == [True, "JJ02", 5.0, 9101, "W05"]  # checked with pydantic
    assert run() == [False, "JJ02", 5.0, 9101, "W05"]  # the same input: remembered, same values
    env["HALL_WINDOW"] = "W06"
    assert run() == [True, "JJ02", 5.0, 9101, "W06"]  # a variable changed: checked again
    config.write_text('hall = 5\n', encoding="utf-8")
    for _ in range(2):  # a bad file is never remembered
        done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode != 0 and "应为文字" in done.stderr
