"""The printable A4 monthly report of the statistics (issue 11): outcomes, the reform's
figures (减材料、减填写、减时间、减跑动) beside the seeds' reference with a bar chart,
the figures per bundle, 好差评 with the follow-ups of bad ratings, and the enquiries
without a case per kind (opened, answered at once, closed, still open, open overdue).

Input is what the services computed (hall_app/services/reports.py ``Report`` and
hall_app/domain/rating.py ``RatingFigures``); nothing here counts anything itself.
Chinese prints with the CJK font the receipts use (printing/fonts.py).
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import TYPE_CHECKING

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hall_app.domain.stats import OUTCOMES, SEED_REFERENCE
from printing.fonts import load_fonts

if TYPE_CHECKING:
    from hall_app.domain.rating import RatingFigures
    from hall_app.domain.stats import Figures
    from hall_app.services.reports import Report


class T:
    """The report's words (one place)."""

    title = "{hall}“一件事一次办”月度统计报告"
    period = "统计期：{period}　　生成时间：{at}"
    outcomes = "一、办件情况"
    outcome_cols = ("办件数", *OUTCOMES.values())
    reform = "二、改革成效（与 000 号文件参考值对照）"
    reform_cols = ("指标", "本期", "参考值", "计算口径")
    rows = (
        ("减材料", "less_materials", "less_materials", "电子证照免交材料 ÷ 应交材料"),
        ("减填写", "less_filling", None, "1 − 合并表单填写项 ÷ 分别填写项"),
        ("减时间（承诺）", "less_time_promised", "less_time", "1 − 承诺时限 ÷ 法定时限"),
        ("减时间（实际）", "less_time_actual", None, "1 − 实际用时 ÷ 法定时限（已办结）"),
        ("减跑动", "less_trips", "less_trips", "1 − 实际跑动 ÷ 逐项办理跑动"),
    )
    trips = "人均跑动次数：{v}（已办结 {n} 件）"
    chart_ours = "本期"
    chart_ref = "参考值"
    by_group = "三、分{group}统计"
    group_cols = ("{group}", "办件数", "受理", "减材料", "减填写", "减时间", "减跑动")
    ratings = "四、好差评"
    rating_cols = ("评价数", "非常满意", "满意", "基本满意", "不满意", "非常不满意", "未评价", "好评率")
    rating_by_group = "分{group}好差评"
    visit_bundle = "（{row}：评价器上对未产生办件的窗口服务的评价）"
    rating_group_cols = ("{group}", "评价数", "未评价", "好评率", "差评", "整改办结", "按期", "未办结", "逾期")
    follow_ups = ("差评整改：已办结 {closed} 件，其中按期 {on_time} 件（按期率 {share}）；"
                  "未办结 {open} 件，其中逾期 {overdue} 件。")
    enquiries = "五、不建办件的登记（咨询、首问负责、办不成事）"
    enquiry_note = "逾期未办结：登记后 {days} 个工作日仍未办结（截至 {as_of}）。"
    source = "参考值来源：{source}。本报告全部数字由办件事件重新计算，可复核。"
    empty = "本统计期没有办件。"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    return {"base": base,
            "title": ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=1, spaceAfter=4),
            "sub": ParagraphStyle("sub", parent=base, fontSize=9, alignment=1, textColor=colors.grey, spaceAfter=8),
            "h": ParagraphStyle("h", parent=base, fontSize=12, leading=16, spaceBefore=5, spaceAfter=3),
            "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=colors.grey),
            "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12)}


def _table(rows: list[list], widths: list[float], font: str) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return table


def _chart(figures: "Figures", font: str, width: float) -> Drawing:
    """Our four 减 figures against the reference, as horizontal bars (percent)."""
    ref = SEED_REFERENCE
    labels = ["减材料", "减填写", "减时间", "减跑动"]
    ours = [figures.less_materials, figures.less_filling, figures.less_time_promised, figures.less_trips]
    theirs = [ref.less_materials, None, ref.less_time, ref.less_trips]
    height = 42 * mm  # with the ratings per group the month still fits one A4 page
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 22 * mm, 14 * mm, width - 40 * mm, height - 20 * mm
    # no bar (not a 0% bar) where there is no figure: 减填写 has no reference value
    chart.data = [[None if v is None else round(v * 100, 1) for v in reversed(ours)],
                  [None if v is None else round(v * 100, 1) for v in reversed(theirs)]]
    chart.categoryAxis.categoryNames = list(reversed(labels))
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 9
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.bars[0].fillColor = colors.HexColor("#2f6db5")
    chart.bars[1].fillColor = colors.HexColor("#c0c7d0")
    chart.barLabelFormat = "%.1f%%"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    legend = Legend()
    legend.fontName, legend.fontSize = font, 8
    legend.x, legend.y = 22 * mm, 6 * mm
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.colorNamePairs = [(chart.bars[0].fillColor, T.chart_ours), (chart.bars[1].fillColor, T.chart_ref)]
    drawing.add(legend)
    return drawing


def monthly_report_pdf(report: "Report", ratings: "RatingFigures", hall_name: str, generated: dt.datetime,
                       group_names: dict[str, str] | None = None, font_path: str | None = None,
                       enquiry_days: int | None = None) -> bytes:
    """The A4 report as PDF bytes."""
    from hall_app.domain.stats import GROUPS

    fonts = load_fonts(font_path)
    font = fonts.main
    st = _styles(font)
    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=T.title.format(hall=hall_name), author=hall_name)
    width = A4[0] - 32 * mm
    story: list = [Paragraph(T.title.format(hall=hall_name), st["title"]),
                   Paragraph(T.period.format(period=report.period.label, at=generated.strftime("%Y-%m-%d %H:%M")),
                             st["sub"])]
    f = report.total
    story.append(Paragraph(T.outcomes, st["h"]))
    story.append(_table([list(T.outcome_cols), [str(f.cases), *(str(f.outcomes[k]) for k in OUTCOMES)]],
                        [width / len(T.outcome_cols)] * len(T.outcome_cols), font))
    if f.cases == 0:
        story.append(Paragraph(T.empty, st["base"]))
    story.append(Paragraph(T.reform, st["h"]))
    rows: list[list] = [list(T.reform_cols)]
    for label, attr, ref_attr, how in T.rows:
        ref = pct(getattr(SEED_REFERENCE, ref_attr)) if ref_attr else "—"
        rows.append([label, pct(getattr(f, attr)), ref, Paragraph(how, st["cell"])])
    story.append(_table(rows, [30 * mm, 24 * mm, 24 * mm, width - 78 * mm], font))
    trips = "—" if f.trips_per_case is None else f"{f.trips_per_case:.2f}"
    story.append(Paragraph(T.trips.format(v=trips, n=f.completed), st["small"]))
    story.append(KeepTogether([_chart(f, font, width)]))
    group = GROUPS[report.by]
    story.append(Paragraph(T.by_group.format(group=group), st["h"]))
    names = group_names or {}
    grows: list[list] = [[c.format(group=group) for c in T.group_cols]]
    for key, g in report.groups.items():
        accepted = g.outcomes["accepted"] + g.outcomes["deferred"]
        grows.append([Paragraph(names.get(key, key), st["cell"]), str(g.cases), str(accepted), pct(g.less_materials),
                      pct(g.less_filling), pct(g.less_time_promised), pct(g.less_trips)])
    story.append(_table(grows, [width - 6 * 20 * mm, *([20 * mm] * 6)], font))
    story.append(Paragraph(T.ratings, st["h"]))
    dist = list(ratings.distribution.values())
    story.append(_table([list(T.rating_cols), [str(ratings.total), *(str(n) for n in dist),
                                               pct(ratings.good_share)]],
                        [width / len(T.rating_cols)] * len(T.rating_cols), font))
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph(T.follow_ups.format(closed=ratings.follow_ups_closed, on_time=ratings.follow_ups_on_time,
                                               share=pct(ratings.on_time_share), open=ratings.follow_ups_open,
                                               overdue=ratings.follow_ups_overdue), st["base"]))
    if report.rating_groups:
        from hall_app.domain.rating_groups import VISIT_BUNDLE

        note = T.visit_bundle.format(row=VISIT_BUNDLE) if VISIT_BUNDLE in report.rating_groups else ""
        story.append(Paragraph(T.rating_by_group.format(group=group) + note, st["base"]))
        rrows: list[list] = [[c.format(group=group) for c in T.rating_group_cols]]
        for key, r in report.rating_groups.items():
            rrows.append([Paragraph(names.get(key, key), st["cell"]), str(r.total), str(r.total - r.rated),
                          pct(r.good_share), str(r.bad), str(r.follow_ups_closed), str(r.follow_ups_on_time),
                          str(r.follow_ups_open), str(r.follow_ups_overdue)])
        story.append(_table(rrows, [width - 8 * 17 * mm, *([17 * mm] * 8)], font))
    erows = report.enquiry_rows()
    if erows:
        # heading and table on one page (a table split over two pages reads badly)
        story.append(KeepTogether([Paragraph(T.enquiries, st["h"]),
                                   _table(erows, [width / len(erows[0])] * len(erows[0]), font)]))
        if enquiry_days is not None:
            story.append(Paragraph(T.enquiry_note.format(days=enquiry_days, as_of=min(
                report.period.last, generated.date()).isoformat()), st["small"]))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(T.source.format(source=SEED_REFERENCE.source), st["small"]))

    def footer(canvas, _doc) -> None:
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(16 * mm, 9 * mm, f"{hall_name} · {report.period.label}")
        canvas.drawRightString(A4[0] - 16 * mm, 9 * mm, f"第 {canvas.getPageNumber()} 页")

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
