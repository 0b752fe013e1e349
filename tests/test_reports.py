"""The statistics report through the service and the CLI, on a real database."""

import datetime as dt

import pytest

from hall_app.domain.stats import month, period
from hall_app.services.reports import ReportService
from tests.test_services import start

MARKS = {"maternity_bill": "handed_in", "baby_photo": "handed_in", "bank_card": "handed_in",
         "birth_medical_info": "handed_in"}


def test_a_case_accepted_completed_and_collected_later(demo_ctx, clock):
    # Saturday 2026-11-21: taken and accepted (3 e-licences on file, as the intake test shows).
    cid = start(demo_ctx, marks=MARKS)
    plan = demo_ctx.cases.plan(cid)
    assert len(plan.exempt) == 3
    state = demo_ctx.cases.accept(cid, "zhangli")
    demo_ctx.cases.dispatch(cid, "zhangli")
    clock.advance(days=4)  # Wednesday 25 Nov: departments finish (Mon 23, Tue 24, Wed 25: 3 working days)
    for item in state.items:
        demo_ctx.cases.record_item_result(cid, "dept", item, "completed")
    demo_ctx.cases.hand_over(cid, "zhangli", "window")  # collected at the window on a later day
    facts = {f.case_id: f for f in ReportService(demo_ctx).facts(period(dt.date(2026, 11, 21), dt.date(2026, 11, 21)))}
    mine = facts[cid]
    assert mine.outcome == "accepted" and mine.window == state.window and mine.clerk == "zhangli"
    assert mine.items == len(state.items) and mine.materials_required == len(plan.materials)
    assert mine.materials_exempted == 3
    assert mine.fields_merged == plan.fields_asked < mine.fields_separate == plan.fields_without_merge
    assert mine.completed_working_days == 3
    assert mine.trips == 2  # the visit, and collecting the result on Wednesday


def test_outcomes_count_each_status_once(demo_ctx):
    report = ReportService(demo_ctx).report(month("2026-11"), "window")
    from collections import Counter

    from sqlalchemy import select

    from hall_app.store.models import CaseRow

    with demo_ctx.read() as session:
        # the demo's earlier weeks (issue 11's ratings history) reach back into October
        statuses = Counter(session.scalars(select(CaseRow.status).where(CaseRow.created_at >= "2026-11-01")))
    assert report.total.cases == sum(statuses.values()) > 0
    outcomes = report.total.outcomes
    assert outcomes["open"] == statuses["draft"] and outcomes["voided"] == statuses["voided"]
    assert outcomes["refused"] == statuses["refused"] and outcomes["notice"] == statuses["notice_issued"]
    assert sum(outcomes.values()) == report.total.cases
    assert sum(g.cases for g in report.groups.values()) == report.total.cases


def test_csv_and_xlsx_exports(demo_ctx, tmp_path):
    report = ReportService(demo_ctx).report(month("2026-11"))
    text = report.csv()
    lines = text.splitlines()
    assert lines[0] == "统计期：2026年11月" and lines[1].startswith("按事项,办件数,受理")
    blank = lines.index("")  # the reference line ends the cases' table; the ratings, then the enquiries follow
    assert any(line.startswith("合计,") for line in lines) and "减跑动92.8%" in lines[blank - 1]
    assert lines[blank + 1].startswith("好差评（按事项）,评价数,非常满意,满意,基本满意,不满意,非常不满意,未评价,")
    second = lines.index("", blank + 1)
    assert lines[second - 1].startswith("合计,") and lines[second - 1].split(",")[1] == str(report.ratings.total)
    assert lines[second + 1] == "不建办件的登记,登记,当场答复,办结,未办结,逾期未办结" and lines[-1].startswith("合计,")
    path = report.write(tmp_path / "m.xlsx", "xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(path).active
    assert sheet["A1"].value == "统计期：2026年11月" and sheet["B2"].value == "办件数"
    total = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "合计")
    assert total[1] == report.total.cases  # a number, not text
    csv_path = report.write(tmp_path / "m.csv", "csv")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese right


def test_cli_report_and_its_messages(tmp_path, capsys, demo_template):
    import shutil

    from hall_app.cli import main

    db = tmp_path / "hall.db"
    shutil.copy(demo_template, db)
    assert main(["--db", str(db), "report", "--month", "2099-01"]) == 0
    assert "没有办件" in capsys.readouterr().out
    for argv, message in ((["--month", "2026/11"], "YYYY-MM"), (["--from", "2026-11-30", "--to", "2026-11-01"], "早于"),
                          (["--from", "2026-11-01", "--to", "十一月"], "结束日期应写作"),
                          (["--month", "2026-11", "--format", "xlsx"], "--out")):
        assert main(["--db", str(db), "report", *argv]) != 0
        assert message in capsys.readouterr().err
    out = tmp_path / "r.xlsx"
    assert main(["--db", str(db), "report", "--month", "2026-11", "--format", "xlsx", "--out", str(out)]) == 0
    assert out.exists() and "已导出" in capsys.readouterr().out


@pytest.mark.parametrize("by", ["bundle", "window", "clerk", "day"])
def test_every_grouping_adds_up(demo_ctx, by):
    report = ReportService(demo_ctx).report(month("2026-11"), by)
    assert sum(g.cases for g in report.groups.values()) == report.total.cases
    # the ratings too: every rating and every follow-up in exactly one group
    r, groups = report.ratings, report.rating_groups.values()
    assert r is not None and r.total > 0 and r.follow_ups_open + r.follow_ups_closed > 0
    for name in ("total", "rated", "bad", "follow_ups_closed", "follow_ups_on_time", "follow_ups_open",
                 "follow_ups_overdue"):
        assert sum(getattr(g, name) for g in groups) == getattr(r, name), name
    for label, n in r.distribution.items():
        assert sum(g.distribution[label] for g in groups) == n, label


def test_rows_name_bundles_and_clerks_as_people_read_them(demo_ctx):
    """The table, CSV and XLSX said ``newborn`` and ``zhangli``: the director reads
    新生儿出生 and 张丽 (the PDF already did); windows stay as they are."""
    service = ReportService(demo_ctx)
    by_bundle = service.report(month("2026-11")).csv().splitlines()
    assert any(line.startswith("新生儿出生,") for line in by_bundle)
    assert not any(line.startswith("newborn,") for line in by_bundle)
    by_clerk = service.report(month("2026-11"), "clerk").rows()
    assert "张丽" in [row[0] for row in by_clerk] and "zhangli" not in [row[0] for row in by_clerk]
    by_window = service.report(month("2026-11"), "window").rows()
    assert any(row[0].startswith("W0") for row in by_window)


def test_export_into_a_folder(demo_ctx, tmp_path, monkeypatch):
    """The dashboard's export (ReportService.export): a bare folder name is in the home folder
    (the app may have been started anywhere), a place that cannot be made is said in Chinese,
    an empty period makes no folder, and the file is named after the period and grouping."""
    from hall_app.services.reports import ReportError

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    report, path = ReportService(demo_ctx).export(month("2026-11"), "clerk", "csv", "报表")
    assert path == tmp_path / "home" / "报表" / "report-2026-11-01_2026-11-30-clerk.csv"
    assert path.read_text(encoding="utf-8-sig").startswith("统计期：2026年11月") and report.total.cases > 0
    with pytest.raises(ReportError, match="无法写入文件夹 /proc/sup12-out：该位置不存在，也无法在此新建文件夹"):
        ReportService(demo_ctx).export(month("2026-11"), "bundle", "csv", "/proc/sup12-out")
    with pytest.raises(ReportError, match="没有办件和评价，未生成文件"):
        ReportService(demo_ctx).export(month("2025-01"), "bundle", "csv", str(tmp_path / "empty"))
    assert not (tmp_path / "empty").exists()
    with pytest.raises(ReportError, match="导出格式应为"):
        ReportService(demo_ctx).export(month("2026-11"), "bundle", "doc", str(tmp_path / "x"))


def test_cli_report_by_iso_week(tmp_path, capsys, demo_template):
    import shutil

    from hall_app.cli import main

    db = tmp_path / "hall.db"
    shutil.copy(demo_template, db)
    assert main(["--db", str(db), "report", "--week", "2026-W47", "--by", "day"]) == 0
    out = capsys.readouterr().out
    assert "统计期：2026年第47周（2026-11-16 至 2026-11-22）" in out and "好差评（按日期）" in out
    assert main(["--db", str(db), "report", "--week", "2026-47"]) != 0
    assert "周应写作 YYYY-Www" in capsys.readouterr().err
