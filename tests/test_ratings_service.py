"""好差评 through the service and the CLI on a real database: a bad rating's follow-up
is dated in working days, stepped by a supervisor only, and listed until closed."""

import pytest

from hall_app.services.intake import IntakeError


def handed_over_case(ctx):
    from sqlalchemy import select

    from hall_app.store.models import CaseRow

    with ctx.read() as session:
        return session.scalar(select(CaseRow.case_id).where(CaseRow.status == "handed_over"))


def test_bad_rating_follow_up_from_rating_to_closed(demo_ctx, clock):
    cid = handed_over_case(demo_ctx)
    # Saturday 2026-11-21 + 15 working days: Nov 23-27 (5), Nov 30-Dec 4 (10), Dec 7-11 (15).
    state = demo_ctx.ratings.rate(cid, "zhangli", 2, ["等候时间长"], {"服务效率": 2}, "等了一个小时。")
    assert state.rating["follow_up"]["due"] == "2026-12-11"
    assert state.rating["reasons"] == ["等候时间长"] and state.rating["comment"] == "等了一个小时。"
    # the demo's earlier bad ratings (issue 11) are listed too: look at this case's row
    before = {r.case_id for r in demo_ctx.ratings.follow_ups(open_only=False)} - {cid}

    def mine(**kw):
        return [r for r in demo_ctx.ratings.follow_ups(**kw) if r.case_id not in before]

    rows = mine()
    assert [r.case_id for r in rows] == [cid] and rows[0].follow_up.state_label == "待核实" and not rows[0].overdue
    with pytest.raises(IntakeError, match="值班长或管理员"):
        demo_ctx.ratings.advance(cid, "zhangli", "verified", "查看录像")
    with pytest.raises(IntakeError, match="下一步应为：核实"):
        demo_ctx.ratings.advance(cid, "chenjing", "closed", "已处理")
    steps = (("verified", "查看录像，属实"), ("explained", "向群众说明高峰期原因"), ("revisited", "群众认可"))
    for step, note in steps:
        demo_ctx.ratings.advance(cid, "chenjing", step, note)
    clock.advance(days=30)  # closed late
    assert mine()[0].overdue
    state = demo_ctx.ratings.advance(cid, "chenjing", "closed", "已向群众反馈")
    assert [s["step"] for s in state.rating["follow_up"]["steps"]] == [
        "opened", "verified", "explained", "revisited", "closed"]
    assert mine() == [] and mine(open_only=False)[0].overdue
    timeline = [e["type"] for e in demo_ctx.cases.timeline(cid)]
    assert timeline.count("case.follow_up") == 4  # every step an event


def test_rating_refusals_leave_the_case_unchanged(demo_ctx):
    cid = handed_over_case(demo_ctx)
    before = len(demo_ctx.cases.timeline(cid))
    for args, message in (((9,), "五级之一"), ((5, ["多次跑动"]), "不能选择理由"), ((None,), "未评价不记入")):
        with pytest.raises(IntakeError, match=message):
            demo_ctx.ratings.rate(cid, "zhangli", *args)
    assert len(demo_ctx.cases.timeline(cid)) == before
    demo_ctx.ratings.rate(cid, "zhangli", 5, ["一次办成"])
    with pytest.raises(IntakeError, match="只评价一次"):
        demo_ctx.ratings.rate(cid, "zhangli", 4)
    with pytest.raises(IntakeError, match="没有需要整改回访的差评"):
        demo_ctx.ratings.advance(cid, "chenjing", "verified", "x")


def test_a_case_not_yet_handed_over_cannot_be_rated(demo_ctx):
    from sqlalchemy import select

    from hall_app.store.models import CaseRow

    with demo_ctx.read() as session:
        cid = session.scalar(select(CaseRow.case_id).where(CaseRow.status == "completed"))
    with pytest.raises(IntakeError, match="送达"):
        demo_ctx.ratings.rate(cid, "zhangli", 5)


def test_cli_rate_and_follow_up(tmp_path, capsys, demo_template):
    import shutil

    from sqlalchemy import select

    from hall_app.cli import main
    from hall_app.config import Settings
    from hall_app.services import open_context
    from hall_app.store.models import CaseRow

    db = tmp_path / "hall.db"
    shutil.copy(demo_template, db)
    ctx = open_context(Settings(db=str(db)))
    with ctx.read() as session:
        code = session.scalar(select(CaseRow.tracking_code).where(CaseRow.status == "handed_over"))
    ctx.close()
    argv = ["--db", str(db), "rate", code, "--level", "1", "--reason", "推诿扯皮", "--comment", "来回跑三趟；"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "已登记评价：非常不满意" in out and "整改回访" in out
    assert main(["--db", str(db), "follow-ups"]) == 0
    assert "非常不满意" in capsys.readouterr().out
    assert main(["--db", str(db), "follow-up", code, "--step", "verified", "--note", "属实",
                 "--as-user", "zhangli"]) != 0
    assert "值班长" in capsys.readouterr().err
    assert main(["--db", str(db), "follow-up", code, "--step", "verified", "--note", "属实",
                 "--as-user", "chenjing"]) == 0
    assert "已登记：核实" in capsys.readouterr().out


@pytest.mark.parametrize(("typed", "said"), [("三", "评价等级应为五级之一"), ("6", "评价等级应为五级之一"),
                                             ("满意", "已登记评价：满意"), ("５", "已登记评价：非常满意")])
def test_cli_rate_level_by_number_or_name_and_a_bad_one_in_chinese(tmp_path, capsys, demo_template, typed, said):
    """``--level 三`` was argparse's English "invalid int value"; now the level's name or a
    (full-width) digit is taken, anything else is refused by the rating rules in Chinese."""
    import shutil

    from sqlalchemy import select

    from hall_app.cli import main
    from hall_app.config import Settings
    from hall_app.services import open_context
    from hall_app.store.models import CaseRow

    db = tmp_path / "hall.db"
    shutil.copy(demo_template, db)
    ctx = open_context(Settings(db=str(db)))
    with ctx.read() as session:
        code = session.scalar(select(CaseRow.tracking_code).where(CaseRow.status == "handed_over"))
    ctx.close()
    status = main(["--db", str(db), "rate", code, "--level", typed])
    captured = capsys.readouterr()
    assert said in captured.out + captured.err
    assert (status == 0) == said.startswith("已登记")
