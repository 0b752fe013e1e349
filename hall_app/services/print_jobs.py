"""Print a case's document: build its data, render and send it (printing/ is
imported only here, when something is printed), and record what happened.

A printer failure never undoes or blocks a decision: the PDF is kept, the failure
is recorded on the case, and a reprint is one call away.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hall_app.services.context import HallContext

PAPERS = ("a4", "80mm", "58mm")


@dataclass(frozen=True)
class PrintOutcome:
    kind: str
    pdf_path: str
    sent_to: str
    error: str | None
    warnings: tuple[str, ...]


def printer_config(ctx: "HallContext", paper: str):
    from printing.backends import PrinterConfig

    s = ctx.settings
    return PrinterConfig(backend=s.printer, cups_queue=s.cups_queue, escpos_host=s.escpos_host,
                         escpos_port=s.escpos_port, escpos_width=paper if paper != "a4" else s.escpos_width,
                         pdf_dir=s.pdf_path, font_path=s.font_path)


def print_case_document(ctx: "HallContext", kind: str, case_id: str, actor: str,
                        paper: str | None = None, out: Path | None = None) -> PrintOutcome:
    from hall_app.services.intake import IntakeError

    paper = paper or (ctx.settings.receipt_paper if kind == "receipt" else "a4")
    if paper not in PAPERS:
        raise IntakeError(f"纸张应为：{'、'.join(PAPERS)}")
    if kind != "receipt" and paper != "a4":
        raise IntakeError("只有受理回执可打印在热敏卷纸上，其他文书请用 A4")
    data = ctx.documents.build(kind, case_id, actor)
    from hall_app.services.secure_print import keeps_pdfs_inside, print_private

    if out is None and keeps_pdfs_inside(ctx, actor):  # an agent's laptop: no PDF left on disk
        result = print_private(ctx, kind, data, paper, printer_config(ctx, paper), case_id)
    else:
        import printing

        result = printing.print_document(kind, data, paper=paper, out=out, config=printer_config(ctx, paper))
    outcome = PrintOutcome(kind, str(result.pdf_path), result.sent_to or "", result.error, tuple(result.warnings))
    ctx.cases.record_print(case_id, actor, kind, outcome.pdf_path, paper, outcome.sent_to, outcome.error or "")
    return outcome
