"""The statistics report (issue 11): each case of a period turned into facts, then the
reform's figures per bundle, window, clerk or day (hall_app/domain/stats.py).

Everything is recomputed from the cases' events (their replayed state) and the
bundle version each case used; nothing is a stored counter. Rows come out as plain
lists for CSV and XLSX (the CLI writes them; the screens show them).
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import io
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from hall_app.domain.case_state import CaseState
from hall_app.domain.enquiry_figures import COLUMNS as ENQUIRY_COLUMNS
from hall_app.domain.enquiry_figures import EnquiryFigures
from hall_app.domain.enquiry_figures import total as enquiry_total
from hall_app.domain.rating import RatingFigures
from hall_app.domain.stats import (
    GROUPS,
    OUTCOMES,
    SEED_REFERENCE,
    CaseFacts,
    Figures,
    Period,
    figures,
    grouped,
    trips_for,
)
from hall_app.store.models import CaseRow

if TYPE_CHECKING:
    from hall_app.services.context import HallContext
    from hall_app.services.dashboard import ReportInputs

OUTCOME_OF_STATUS = {"draft": "open", "notice_issued": "notice", "refused": "refused", "voided": "voided",
                     "accepted_deferred": "deferred"}
DONE = {"completed", "handed_over", "rated"}


class ReportError(ValueError):
    """A report that cannot be made as asked; the message is for the user."""


EXPORT_KINDS = {"csv": "CSV（Excel 可打开）", "xlsx": "Excel 工作簿（XLSX）", "pdf": "A4 月度统计报告（PDF）"}
DEFAULT_EXPORT_DIR = "~/hall-exports"  # where the dashboard's export writes unless told otherwise
WRITE_PROBLEMS = {errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EROFS: "磁盘为只读",
                  errno.ENOTDIR: "路径中有同名文件，不是文件夹", errno.EEXIST: "已有同名文件，不是文件夹",
                  errno.ENOSPC: "磁盘空间已满", errno.ENAMETOOLONG: "路径太长",
                  errno.ENOENT: "该位置不存在，也无法在此新建文件夹"}


def write_problem(exc: OSError) -> str:
    """Why a file could not be written, in Chinese (the system's words only when unknown)."""
    return WRITE_PROBLEMS.get(exc.errno or 0) or f"写入失败（{exc.strerror or exc}）"


def export_name(period: Period, by: str, kind: str) -> str:
    """The file name the dashboard's export gives: ``report-2026-11-01_2026-11-30-bundle.csv``."""
    return f"report-{period.first.isoformat()}_{period.last.isoformat()}-{by}.{kind}"


def _day(stamp: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(stamp[:10])
    except (TypeError, ValueError):
        return None


def outcome_of(state: CaseState) -> str:
    if state.status in OUTCOME_OF_STATUS:
        return OUTCOME_OF_STATUS[state.status]
    if state.decision.get("type") == "case.accepted_deferred":
        return "deferred"
    if state.decision.get("type") == "case.refused":
        return "refused"  # refused and then rated: still a refusal, not an acceptance
    return "accepted"  # accepted and everything after it


class ReportService:
    def __init__(self, ctx: "HallContext"):
        self.ctx = ctx

    def facts(self, period: Period) -> list[CaseFacts]:
        """One CaseFacts per case started in ``period`` (drafts count as 办理中)."""
        first, last = period.first.isoformat(), (period.last + dt.timedelta(days=1)).isoformat()
        with self.ctx.read() as session:
            ids = list(session.scalars(select(CaseRow.case_id).where(CaseRow.created_at >= first,
                                                                     CaseRow.created_at < last)
                                       .order_by(CaseRow.created_at)))
        work = self.ctx.cases
        return [self.case_facts(work, work.get(case_id)) for case_id in ids]

    def case_facts(self, work, state: CaseState) -> CaseFacts:
        day = _day(state.created_at) or self.ctx.now().date()
        outcome = outcome_of(state)
        base = CaseFacts(state.case_id, state.bundle_code, state.window, state.created_by, day, outcome)
        if outcome in ("open", "voided", "refused"):
            return base
        plan = work.plan(state)
        taken = [p.item for p in plan.items if not state.items or p.item.code in state.items]
        done_days = trips = None
        if state.status in DONE:
            decided = _day(state.decided_at)
            finished = max((d for d in (_day(i.get("at", "")) for i in state.items.values()) if d), default=None)
            if decided and finished:
                done_days = self.ctx.calendar.working_days_between(decided, finished)
            handed = state.handed_over
            later_at_window = (handed.get("method") == "window" and decided is not None
                               and (_day(handed.get("at", "")) or decided) > decided)
            trips = trips_for(len(state.notices), later_at_window)
        return replace(base, items=len(taken), materials_required=len(plan.materials),
                         materials_exempted=len(plan.exempt), fields_merged=plan.fields_asked,
                         fields_separate=plan.fields_without_merge,
                         statutory_days=tuple(i.statutory_days for i in taken),
                         promised_days=tuple(i.promised_days for i in taken),
                         completed_working_days=done_days, trips=trips)

    def report(self, period: Period, by: str = "bundle") -> "Report":
        if by not in GROUPS:
            raise ReportError(f"分组应为：{'、'.join(f'{k}（{v}）' for k, v in GROUPS.items())}")
        facts = self.facts(period)
        from hall_app.services.dashboard import DashboardService

        ratings, rating_groups = DashboardService(self.ctx).rating_groups(period, by)
        return Report(period, by, figures(facts), grouped(facts, by),
                      self.ctx.enquiries.figures(period.first, period.last), self.group_names(by),
                      ratings, rating_groups)

    def write(self, period: Period, by: str, kind: str, path: Path) -> tuple["Report", Path]:
        """The period's report written to ``path`` as CSV, XLSX or the A4 PDF (printing/
        monthly_report.py); ReportError (nothing written) for a period with nothing in it, a
        kind not offered, or a file that cannot be written."""
        built = self._built(period, by, kind)
        return built.report, self._write_built(built, kind, path)

    def export(self, period: Period, by: str, kind: str, folder: str) -> tuple["Report", Path]:
        """The report written into ``folder`` (made if missing; ``~`` and a relative path are
        in the home folder)
        under :func:`export_name`: what the dashboard's export dialog does. Nothing is
        made or written when the report is refused."""
        if not folder.strip():
            raise ReportError("请填写保存位置（文件夹）")
        where = Path(folder.strip()).expanduser()
        if not where.is_absolute():  # a TUI starts anywhere: a bare name is a folder in the home folder
            where = Path.home() / where
        built = self._built(period, by, kind)
        try:
            where.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ReportError(f"无法写入文件夹 {where}：{write_problem(exc)}") from None
        return built.report, self._write_built(built, kind, where / export_name(period, by, kind))

    def _built(self, period: Period, by: str, kind: str) -> "ReportInputs":
        from hall_app.services.dashboard import DashboardService, ReportInputs

        if kind not in EXPORT_KINDS:
            raise ReportError(f"导出格式应为：{'、'.join(EXPORT_KINDS)}")
        if kind == "pdf":
            built = DashboardService(self.ctx).report_inputs(period, by)
        else:
            report = self.report(period, by)
            built = ReportInputs(report, report.ratings, "", self.ctx.now(), dict(report.names))
        if built.report.empty:
            raise ReportError(f"统计期 {period.label} 没有办件和评价，未生成文件。")
        return built

    def _write_built(self, built: "ReportInputs", kind: str, path: Path) -> Path:
        try:
            if kind == "pdf":
                from printing.monthly_report import monthly_report_pdf

                assert built.ratings is not None
                path.write_bytes(monthly_report_pdf(
                    built.report, built.ratings, built.hall_name, built.generated, built.group_names,
                    font_path=self.ctx.settings.font_path or None,
                    enquiry_days=self.ctx.settings.deadlines.enquiry_days))
            else:
                built.report.write(path, kind)
        except OSError as exc:
            raise ReportError(f"无法写入 {path}：{write_problem(exc)}") from None
        return path

    def group_names(self, by: str) -> dict[str, str]:
        """What a reader calls each group: a bundle's name (新生儿出生, not ``newborn``), a
        clerk's name; windows and days are shown as they are."""
        from hall_app.store.models import User

        with self.ctx.read() as session:
            if by == "bundle":
                return {code: name for code, name in session.execute(
                    select(CaseRow.bundle_code, CaseRow.bundle_name).distinct()) if name}
            if by == "clerk":
                return {u: n for u, n in session.execute(select(User.username, User.display_name)) if n}
        return {}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


RATING_HEADER = ["评价数", "非常满意", "满意", "基本满意", "不满意", "非常不满意", "未评价", "好评率",
                 "差评整改已办结", "按期办结", "按期率", "未办结", "逾期未办结"]
HEADER = ["分组", "办件数", *OUTCOMES.values(), "应交材料", "电子证照免交", "减材料", "合并后填写项",
          "分别填写项", "减填写", "承诺/法定时限减少", "已办结", "实际用时减少", "人均跑动次数", "减跑动"]


@dataclass(frozen=True)
class Report:
    period: Period
    by: str
    total: Figures
    groups: dict[str, Figures]
    enquiries: dict[str, EnquiryFigures] = field(default_factory=dict)  # per kind: 咨询、首问负责、办不成事
    names: dict[str, str] = field(default_factory=dict)  # group key -> what the rows show (ReportService.group_names)
    ratings: RatingFigures | None = None  # 好差评 of the period (cases' and visits'), hall_app/domain/rating_groups.py
    rating_groups: dict[str, RatingFigures] = field(default_factory=dict)  # the same per group of ``by``

    @property
    def empty(self) -> bool:
        """No case taken, no rating given and no enquiry opened or closed in the period."""
        return (self.total.cases == 0 and not (self.ratings and self.ratings.total)
                and not any(f.opened or f.closed for f in self.enquiries.values()))

    def rating_rows(self) -> list[list[str]]:
        """好差评 per group and in total under their own header (empty when nothing was rated
        and no follow-up counts): the five levels and 未评价, the share good among those who
        rated, the bad ratings' follow-ups closed, on time, still open and overdue."""
        r = self.ratings
        if r is None or not (r.total or r.follow_ups_closed or r.follow_ups_open):
            return []

        def row(name: str, f: RatingFigures) -> list[str]:
            return [name, str(f.total), *(str(n) for n in f.distribution.values()), _pct(f.good_share),
                    str(f.follow_ups_closed), str(f.follow_ups_on_time), _pct(f.on_time_share),
                    str(f.follow_ups_open), str(f.follow_ups_overdue)]

        return [[f"好差评（按{GROUPS[self.by]}）", *RATING_HEADER],
                *(row(self.names.get(k, k), v) for k, v in self.rating_groups.items()), row("合计", r)]

    def enquiry_rows(self) -> list[list[str]]:
        """The enquiries without a case per kind and their total, under their own header
        (empty when there is nothing to count)."""
        if not self.enquiries:
            return []
        rows = [[f.kind_label, *(str(v) for v in f.values())] for f in self.enquiries.values()]
        return [["不建办件的登记", *ENQUIRY_COLUMNS.values()], *rows,
                ["合计", *(str(v) for v in enquiry_total(self.enquiries).values())]]

    def rows(self) -> list[list[str]]:
        """Header, one row per group, the total, then the seeds' reference figures."""
        def row(name: str, f: Figures) -> list[str]:
            trips = "—" if f.trips_per_case is None else f"{f.trips_per_case:.2f}"
            return [name, str(f.cases), *(str(f.outcomes[k]) for k in OUTCOMES), str(f.materials_required),
                    str(f.materials_exempted), _pct(f.less_materials), str(f.fields_merged),
                    str(f.fields_separate), _pct(f.less_filling), _pct(f.less_time_promised), str(f.completed),
                    _pct(f.less_time_actual), trips, _pct(f.less_trips)]

        ref = SEED_REFERENCE
        blank = [""] * (len(HEADER) - 1)
        reference = ["参考（" + ref.source + "）", *blank]
        reference[HEADER.index("减材料")] = _pct(ref.less_materials)
        reference[HEADER.index("承诺/法定时限减少")] = _pct(ref.less_time)
        reference[HEADER.index("减跑动")] = _pct(ref.less_trips)
        return [[f"按{GROUPS[self.by]}", *HEADER[1:]], *(row(self.names.get(k, k), v) for k, v in self.groups.items()),
                row("合计", self.total), reference]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([f"统计期：{self.period.label}"])
        writer.writerows(self.rows())
        ratings = self.rating_rows()
        if ratings:
            writer.writerow([])
            writer.writerows(ratings)
        if self.enquiries:
            writer.writerow([])
            writer.writerows(self.enquiry_rows())
        return out.getvalue()

    def write(self, path: Path, kind: str) -> Path:
        if kind == "csv":
            path.write_text(self.csv(), encoding="utf-8-sig")  # with a BOM: Excel opens Chinese right
        elif kind == "xlsx":
            write_xlsx(path, f"统计期：{self.period.label}", self.rows(), self.rating_rows(), self.enquiry_rows())
        else:
            raise ReportError("导出格式应为 csv 或 xlsx")
        return path


def write_xlsx(path: Path, title: str, rows: Iterable[list[str]], *more: list[list[str]]) -> None:
    """The rows on one sheet under a title; each of ``more`` (a header and its rows) after a
    blank row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "统计"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    for block, lines in enumerate((list(rows), *more)):
        if block and lines:
            sheet.append([])
        for n, row in enumerate(lines):
            sheet.append([_cell(v) for v in row])
            if n == 0:
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 24
    book.save(path)


def _cell(value: str) -> int | str:
    return int(value) if value.isdigit() else value
