"""Issue 11: a bad rating on the window's rate pad reaches the supervisor: listed among
the bad ratings' follow-ups (service, CLI, dashboard), due in working days with the
hall's calendar, stepped by a supervisor only, counted in 'follow-up on time'."""

from __future__ import annotations

import shutil

import pytest

from hall_app.domain.stats import month as month_period
from hall_app.services.dashboard import DashboardService
from hall_app.services.intake import IntakeError
from hall_app.services.queue import LocalQueue, queue_path

CASE = "0190a3c4-0000-7000-8000-0000000000aa"


def bad_visit(db_path, clock, level=2, cases=()):
    """A visit at W01 finished and rated ``level`` on its pad, in the hall's own queue file."""
    clerk = LocalQueue(queue_path(db_path), hall="JJ01", window="W01", user="zhangli", clock=clock)
    if not clerk.lines():
        clerk.set_line("personal", "综合窗口·个人", "A")
        clerk.set_window("W01", "1号综合窗口", {"personal": 1})
        clerk.open_window()
    clerk.issue_ticket("A")
    clerk.call_next()
    clerk.start_serving()
    ticket = clerk.finish(cases=list(cases)).ticket
    pad = LocalQueue(queue_path(db_path), hall="JJ01", window="W01", kind="pad", clock=clock)
    pad.rate_visit(ticket, level, reasons=["等候时间长"])
    pad.close()
    clerk.close()
    return ticket


def test_bad_visit_rating_follow_up_from_rating_to_closed(demo_ctx, clock):
    ticket = bad_visit(demo_ctx.settings.db_path, clock, cases=[CASE])
    [row] = demo_ctx.ratings.visit_follow_ups()
    # Saturday 2026-11-21 + 15 working days: Nov 23-27 (5), Nov 30-Dec 4 (10), Dec 7-11 (15).
    assert (row.ticket, row.label, row.cases, row.window, row.level_label) == (ticket, "A001", (CASE,), "W01", "不满意")
    assert row.follow_up.due.isoformat() == "2026-12-11" and row.comment == "等候时间长" and not row.overdue
    assert row in demo_ctx.ratings.follow_ups()  # with the cases' own bad ratings
    day = DashboardService(demo_ctx).snapshot().day
    [line] = [f for f in day.follow_ups if f.visit_label]
    assert (line.case_id, line.visit_label, line.follow_up.state_label) == (CASE, "A001", "待核实")
    before = DashboardService(demo_ctx).rating_figures(month_period("2026-11"))
    with pytest.raises(IntakeError, match="值班长或管理员"):
        demo_ctx.ratings.advance_visit("A001", "zhangli", "verified", "查看录像")
    with pytest.raises(IntakeError, match="下一步应为：核实"):
        demo_ctx.ratings.advance_visit("A001", "chenjing", "closed", "已处理")
    for name, note in (("verified", "查看录像，属实"), ("rectified", "增开窗口"), ("revisited", "群众认可"),
                       ("closed", "已向群众反馈")):
        clock.advance(days=1)
        done = demo_ctx.ratings.advance_visit("A001", "chenjing", name, note)
    assert done.follow_up.closed and done.follow_up.on_time()
    assert [(s.step, s.actor) for s in done.follow_up.steps][1:] == [
        ("verified", "chenjing"), ("rectified", "chenjing"), ("revisited", "chenjing"), ("closed", "chenjing")]
    assert demo_ctx.ratings.visit_follow_ups() == [] and len(demo_ctx.ratings.visit_follow_ups(open_only=False)) == 1
    assert not [f for f in DashboardService(demo_ctx).snapshot().day.follow_ups if f.visit_label]
    after = DashboardService(demo_ctx).rating_figures(month_period("2026-11"))
    assert (after.follow_ups_closed, after.follow_ups_on_time, after.follow_ups_open) == (
        before.follow_ups_closed + 1, before.follow_ups_on_time + 1, before.follow_ups_open - 1)


def test_cli_lists_a_bad_pad_rating_and_steps_it(tmp_path, capsys, demo_template):
    from hall_app.cli import main

    db = tmp_path / "hall.db"
    shutil.copy(demo_template, db)
    from hall_app.services.context import china_now

    bad_visit(db, china_now, level=1)
    assert main(["--db", str(db), "follow-ups"]) == 0
    out = capsys.readouterr().out
    assert "服务 A001" in out and "非常不满意" in out and "待核实" in out
    assert main(["--db", str(db), "follow-up", "A001", "--visit", "--step", "verified", "--note", "属实",
                 "--as-user", "zhangli"]) != 0
    assert "值班长" in capsys.readouterr().err
    assert main(["--db", str(db), "follow-up", "A001", "--visit", "--step", "verified", "--note", "属实",
                 "--as-user", "chenjing"]) == 0
    assert "已登记：核实（共 1 步）" in capsys.readouterr().out
    assert main(["--db", str(db), "follow-ups"]) == 0
    assert "已核实" in capsys.readouterr().out


def test_the_demo_morning_leaves_a_bad_visit_rating_to_follow_up(demo_ctx):
    """Issue 11: ``hall-app demo`` (its morning of queue traffic on the fixed clock, Saturday
    2026-11-21) has a visit rated 不满意 on its window's pad, so a new supervisor sees a visit
    follow-up: open at 待核实, due 15 working days on (Friday 12-11), on the 差评整改 list."""
    from hall_app.services.queue_demo import seed_demo_queue

    seed_demo_queue(demo_ctx.queue, demo_ctx.now())
    [visit] = demo_ctx.ratings.visit_follow_ups()
    assert (visit.level_label, visit.comment, visit.follow_up.state_label) == ("不满意", "等候时间长", "待核实")
    assert visit.follow_up.due.isoformat() == "2026-12-11" and not visit.overdue
    assert visit.label.startswith(("A", "B", "C", "D", "E")) and visit.window
    day = DashboardService(demo_ctx).snapshot().day
    assert any(f.visit_label == visit.label for f in day.follow_ups)
    assert day.ratings_today["不满意"] >= 1 and day.unrated_today == 1
