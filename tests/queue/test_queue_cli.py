"""hall-app queue … on the embedded default: the demo hall's queue, a visit from ticket
to finish, and bad input answered in Chinese with the queue unchanged."""

from __future__ import annotations

import json

import pytest

from hall_app.cli import main


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    """The demo hall made once (it takes a while); each test gets its own copy."""
    folder = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--db", str(folder / "hall.db")]) == 0
    return folder


@pytest.fixture
def db(demo_files, tmp_path, monkeypatch, capsys):
    import shutil

    monkeypatch.chdir(tmp_path)  # no hall-app.toml around
    for file in demo_files.iterdir():
        shutil.copy(file, tmp_path / file.name)
    capsys.readouterr()
    return str(tmp_path / "hall.db")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def events(capsys, db: str) -> int:
    code, out, _ = run(capsys, "queue", "events", "--json", "--db", db)
    assert code == 0
    return len(json.loads(out))


def test_demo_opens_the_queue(db, capsys):
    """The demo plays a morning before now (queue_demo_day.py; how long depends on the
    time of day), then leaves a few tickets waiting; run again, it adds nothing."""
    code, out, _ = run(capsys, "queue", "status", "--json", "--db", db)
    board = json.loads(out)
    assert code == 0 and len(board["lines"]) == 5 and len(board["windows"]) == 6
    waiting = sum(line["waiting"] for line in board["lines"])
    assert waiting >= 3  # at least the three issued after the morning (six without one)
    assert {w["state"] for w in board["windows"]} <= {"open", "paused"}  # 5号 paused in the morning
    names = {x["name"] for x in board["lines"]}
    assert names == {"综合窗口·个人", "综合窗口·企业", "不动产", "社保医保", "办不成事反映"}
    before = events(capsys, db)
    assert main(["demo", "--db", db]) == 0  # again: nothing added twice
    capsys.readouterr()
    code, out, _ = run(capsys, "queue", "status", "--json", "--db", db)
    assert sum(line["waiting"] for line in json.loads(out)["lines"]) == waiting and events(capsys, db) == before


def issue(capsys, db: str, *extra: str) -> str:
    code, out, _ = run(capsys, "queue", "issue", "A", *extra, "--json", "--db", db)
    assert code == 0
    return json.loads(out)["label"]


def test_a_visit_from_the_command_line(db, capsys):
    label = issue(capsys, db)
    code, out, _ = run(capsys, "queue", "issue", "A", "--priority", "孕妇", "--db", db)
    number = int(label[1:]) + 1
    assert code == 0 and f"A{number:03d}" in out and "前面" in out
    code, out, _ = run(capsys, "queue", "call", "--window", "W01", "--db", db)
    assert code == 0 and "已叫号" in out and "1号综合窗口" in out
    assert run(capsys, "queue", "act", "serve", "--window", "W01", "--db", db)[0] == 0
    code, out, _ = run(capsys, "queue", "act", "finish", "--window", "W01", "--db", db)
    assert code == 0 and "已办结" in out


@pytest.mark.parametrize("argv,message", [
    (["queue", "act", "finish", "--window", "W02"], "本窗口当前没有呼叫中的号"),
    (["queue", "call", "Z999", "--window", "W02"], "今天没有“Z999”号"),
    (["queue", "act", "transfer", "A001", "--to-line", "nope", "--window", "W02"], "没有业务类别“nope”"),
    (["queue", "issue", "𠮷"], "没有业务类别“𠮷”"),
    (["queue", "issue", "A", "--priority", "VIP"], "优先类别“VIP”无效"),
    (["queue", "appointments", "checkin", "00000000"], "没有找到预约“00000000”"),
    (["queue", "appointments", "add", "A", "2026/13/40", "09:00"], "日期“2026/13/40”格式不对"),
    (["queue", "appointments", "add", "A", "2999-01-01", "９：６０"], "时间“９：６０”格式不对"),
    (["queue", "window", "switch", "--window", "W02"], "请用 --lines"),
    (["queue", "window", "open", "--window", "W09"], "没有窗口“W09”"),
])
def test_bad_input_gets_a_chinese_message_and_changes_nothing(db, capsys, argv, message):
    before = events(capsys, db)
    code, _out, err = run(capsys, *argv, "--db", db)
    assert code == 2 and message in err and "Traceback" not in err
    assert events(capsys, db) == before


def test_a_ticket_called_by_another_window_and_the_double_press(db, capsys):
    label = issue(capsys, db)
    assert run(capsys, "queue", "call", label, "--window", "W01", "--db", db)[0] == 0
    before = events(capsys, db)
    code, _, err = run(capsys, "queue", "call", label, "--window", "W02", "--db", db)
    assert code == 2 and "已由 W01 窗口叫号" in err
    code, _, err = run(capsys, "queue", "call", "--window", "W01", "--db", db)
    assert code == 2 and f"本窗口正在呼叫 {label}" in err
    assert events(capsys, db) == before


def test_appointments_import_and_cancel(db, capsys, tmp_path):
    good = tmp_path / "booked.csv"
    good.write_text("日期,时段,业务,姓名,预约编号\n2999-01-01,10:00,A,刘洋,W-1\n", encoding="utf-8-sig")
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,时段,业务,姓名,预约编号\n2999-01-01,10:00,Q,刘洋,W-2\n", encoding="gb18030")
    code, _, err = run(capsys, "queue", "appointments", "import", str(bad), "--db", db)
    assert code == 2 and "没有导入任何预约" in err and "第 2 行" in err
    code, out, _ = run(capsys, "queue", "appointments", "import", str(good), "--db", db)
    assert code == 0 and "已导入 1 个预约" in out
    code, out, _ = run(capsys, "queue", "appointments", "list", "--day", "2999-01-01", "--json", "--db", db)
    [booked] = json.loads(out)
    assert booked["external_id"] == "W-1" and booked["state"] == "booked"
    code, out, _ = run(capsys, "queue", "appointments", "cancel", booked["code"], "--db", db)
    assert code == 0 and "已取消" in out
    code, _, err = run(capsys, "queue", "appointments", "import", str(tmp_path / "missing.csv"), "--db", db)
    assert code == 2 and "无法读取文件" in err


def test_simulate_a_small_day(capsys, tmp_path):
    code, out, _ = run(capsys, "queue", "simulate", "--day", "2026-12-01", "--tickets", "15", "--windows", "2",
                       "--no-tidal", "--server-db", str(tmp_path / "sim.db"), "--json")
    report = json.loads(out)
    assert code == 0 and report["tickets"] == 15 and report["events"] > 15
    assert sum(line["issued"] for line in report["lines"]) == 15
    code, _, err = run(capsys, "queue", "simulate", "--day", "12月1日", "--tickets", "5")
    assert code == 2 and "格式不对" in err
