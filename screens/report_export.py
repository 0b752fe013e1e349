"""导出统计报表: the supervisor exports, from the dashboard (F7), the report of a period
as CSV, XLSX or the A4 PDF — the same report as ``hall-app report`` (services/reports.py
``ReportService.export``: the figures, the ratings per group, the enquiries; the PDF
through printing/monthly_report.py). The period starts as the dashboard's (the month so
far), the folder as ``~/hall-exports`` (DEFAULT_EXPORT_DIR; made if missing). A refusal
— a date not written YYYY-MM-DD, reversed dates, a period with nothing in it, a folder
that cannot be written — is said in the dialog with everything typed kept; nothing is
written. Dismissed with the message saying where the file went."""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static

from hall_app.domain.stats import Period
from screens.dialogs import RecordingDialog
from screens.keymap import prose
from screens.supervise_strings import ReportExport as T
from screens.widgets.choice import ChoiceInput
from screens.widgets.inputs import HallInput


def export_in_thread(ctx, _key: str, _user: str, first: str, last: str, by: str, kind: str, folder: str) -> str:
    """Write the report; the message saying where (IntakeError: the refusal, nothing written)."""
    from hall_app.domain.stats import period
    from hall_app.services.intake import IntakeError
    from hall_app.services.reports import ReportService

    try:
        span = period(_day(first, T.first), _day(last, T.last))
        report, path = ReportService(ctx).export(span, by, kind, folder)
    except ValueError as exc:  # ReportError is one
        raise IntakeError(str(exc)) from None
    ratings = report.ratings.total if report.ratings else 0
    return T.done.format(period=span.label, kind=T.kinds[kind], cases=report.total.cases, ratings=ratings,
                         path=path)


def _day(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(T.bad_date.format(what=what, text=text.strip()[:20])) from None


class ReportExportDialog(RecordingDialog):
    CSS_PATH = "report_export.tcss"
    BINDINGS = [
        Binding("escape", "cancel", T.cancel, id="export.cancel"),
        Binding("enter", "export", show=False, id="export.go"),
    ]

    def __init__(self, span: Period, folder: str, by: str = "bundle", kind: str = "csv") -> None:
        super().__init__(classes="dialog")
        self.case_id = ""  # nothing recorded on a case: RecordingDialog runs the job
        self.span, self.folder, self.by, self.kind = span, folder, by, kind

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static(T.title, classes="dialog-title", markup=False)
            yield Static(T.about, id="export-about", markup=False)
            with Horizontal(id="export-dates"):
                yield Label(T.first)
                yield HallInput(self.span.first.isoformat(), id="export-first")
                yield Label(T.last)
                yield HallInput(self.span.last.isoformat(), id="export-last")
            with Horizontal(classes="export-choice-row"):
                yield Label(T.by)
                yield ChoiceInput(list(T.groups.values()), T.groups[self.by], id="export-by")
            with Horizontal(classes="export-choice-row"):
                yield Label(T.kind)
                yield ChoiceInput(list(T.kinds.values()), T.kinds[self.kind], id="export-kind")
            yield Label(T.folder)
            yield HallInput(self.folder, id="export-folder")
            yield Static("", id="export-name", markup=False)
            yield Static("", id="dialog-error", classes="error", markup=False)
            yield Static(T.keys.format(no=prose(self.app, self.BINDINGS, "export.cancel")), classes="dialog-keys",
                         markup=False)

    def on_mount(self) -> None:
        self._show_file_name()
        self.query_one("#export-first", HallInput).focus()

    def values(self) -> tuple[str, str, str, str, str]:
        """What the dialog holds: first, last, grouping, format, folder (as typed)."""
        by = self.query_one("#export-by", ChoiceInput).value
        kind = self.query_one("#export-kind", ChoiceInput).value
        return (self.query_one("#export-first", HallInput).value, self.query_one("#export-last", HallInput).value,
                next(k for k, label in T.groups.items() if label == by),
                next(k for k, label in T.kinds.items() if label == kind),
                self.query_one("#export-folder", HallInput).value)

    def _show_file_name(self) -> None:
        """The file name the export will write, as the fields stand (blank while a date is not one)."""
        from hall_app.services.reports import export_name

        first, last, by, kind, _ = self.values()
        try:
            name = export_name(Period(_day(first, T.first), _day(last, T.last)), by, kind)
        except ValueError:
            name = ""
        self.query_one("#export-name", Static).update(T.file.format(name=name) if name else "")

    def on_input_changed(self, event: HallInput.Changed) -> None:
        self._show_file_name()

    def on_choice_input_changed(self, event: ChoiceInput.Changed) -> None:
        self._show_file_name()

    def on_choice_input_submitted(self, event: ChoiceInput.Submitted) -> None:
        event.stop()
        self.action_export()

    def on_input_submitted(self, event: HallInput.Submitted) -> None:
        event.stop()
        self.action_export()

    def action_export(self) -> None:
        self.record(export_in_thread, *self.values(), name="report-export", working=T.working)
