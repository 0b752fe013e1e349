"""hall-app report: the reform's figures and 好差评 for a period (a month, an ISO week or
from/to), as a table, CSV, XLSX or PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hall_app.cli.common import UserError, open_ctx

FORMATS = ("table", "csv", "xlsx", "pdf")  # pdf: supervise (issue 11), printing/monthly_report.py


def register(sub) -> None:
    p = sub.add_parser("report", help="统计报表：办件量、减材料、减填写、减时间、减跑动（按事项/窗口/人员/日期）")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--month", help="统计月份，如 2026-11")
    when.add_argument("--week", help="统计周（ISO 周，周一至周日），如 2026-W48")
    when.add_argument("--from", dest="first", help="开始日期 YYYY-MM-DD（与 --to 一起用）")
    p.add_argument("--to", dest="last", help="结束日期 YYYY-MM-DD（含当天）")
    p.add_argument("--by", default="bundle", choices=["bundle", "window", "clerk", "day"], help="分组（默认按事项）")
    p.add_argument("--format", default="table", choices=FORMATS, help="输出格式（默认在终端显示表格）")
    p.add_argument("--out", type=Path, help="导出文件（csv / xlsx 时必填）")
    p.set_defaults(handler=cmd_report)


def _date(text: str | None, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        raise UserError(f"{what}应写作 YYYY-MM-DD，例如 2026-11-01（收到：{(text or '')[:20]}）") from None


def cmd_report(args) -> int:
    from hall_app.domain.stats import month, period, week
    from hall_app.services.reports import ReportError, ReportService

    try:
        if args.month:
            span = month(args.month)
        elif args.week:
            span = week(args.week)
        else:
            span = period(_date(args.first, "开始日期"), _date(args.last, "结束日期"))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if args.format != "table" and args.out is None:
        raise UserError(f"导出 {args.format} 请用 --out 指定文件")
    ctx = open_ctx(args)
    try:
        report = ReportService(ctx).report(span, args.by)
        if report.empty:
            print(f"统计期 {span.label} 没有办件。")
            return 0
        if args.format == "table":
            _print_table(report.rows(), span.label)
            ratings = report.rating_rows()
            if ratings:
                _print_rows(ratings)
            _print_enquiries(report)
        elif args.format == "pdf":
            _, path = ReportService(ctx).write(span, args.by, "pdf", args.out)
            print(f"已生成 {span.label} 月度统计报告（{report.total.cases} 件）：{path}")
        else:
            path = report.write(args.out, args.format)
            print(f"已导出 {span.label} 统计（{report.total.cases} 件）：{path}")
    except ReportError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"无法写入 {args.out}：{exc.strerror or exc}") from None
    finally:
        ctx.close()
    return 0


def _print_table(rows: list[list[str]], label: str) -> None:
    print(f"统计期：{label}")
    _print_rows(rows[:-1])  # the seeds' reference line is printed under the table
    print(rows[-1][0])


def _print_rows(rows: list[list[str]]) -> None:
    from unicodedata import east_asian_width

    def width(text: str) -> int:
        return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)

    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell + " " * (w - width(cell)) for cell, w in zip(r, widths)).rstrip())


def _print_enquiries(report) -> None:
    """The period's enquiries without a case (咨询 / 首问负责 / 办不成事), one line per kind;
    per day and clerk: hall-app enquiry stats."""
    figures = report.enquiries
    if not any(f.opened or f.closed for f in figures.values()):
        return
    print("不建办件的登记：" + "；".join(
        f"{f.kind_label} 登记 {f.opened}（当场答复 {f.answered_at_once}）、办结 {f.closed}、"
        f"未办结 {f.still_open}（逾期 {f.open_overdue}）" for f in figures.values())
        + "（按日期和人员：hall-app enquiry stats）")
