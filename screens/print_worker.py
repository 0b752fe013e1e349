"""Printing a case's documents in a worker thread: a printer failure is recorded and
reported, never raised; the decision it follows has already been made."""

from __future__ import annotations

from dataclasses import dataclass

from hall_app.domain.documents import DOCUMENT_KINDS
from screens.strings import Decision as T

REPRINT_KEY = "r"  # decision.reprint and case.reprint (tests/ui/test_keymap_palette.py checks)


@dataclass(frozen=True)
class Printed:
    kind: str
    pdf_path: str
    sent_to: str
    error: str | None
    warnings: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return DOCUMENT_KINDS.get(self.kind, self.kind)

    def line(self) -> str:
        if self.error:
            from screens.keymap import prose_by_id

            return T.print_failed.format(doc=self.name, error=self.error,
                                         key=prose_by_id("decision.reprint", REPRINT_KEY))
        text = T.printed.format(doc=self.name, path=self.pdf_path)
        if self.sent_to and self.sent_to != "file":  # the file back-end only keeps the PDF
            text += T.sent.format(printer=self.sent_to)
        for warning in self.warnings:
            text += f"　⚠ {warning}"
        return text


def print_in_thread(ctx, case_id: str, username: str, kinds: list[str]) -> list[Printed]:
    from hall_app.services.print_jobs import print_case_document

    out: list[Printed] = []
    for kind in kinds:
        try:
            outcome = print_case_document(ctx, kind, case_id, username)
            out.append(Printed(kind, outcome.pdf_path, outcome.sent_to, outcome.error, tuple(outcome.warnings)))
        except Exception as exc:  # any failure is the printer's, not the decision's
            message = str(exc) or type(exc).__name__
            paper = ctx.settings.receipt_paper if kind == "receipt" else "a4"
            try:
                ctx.cases.record_print(case_id, username, kind, "", paper, "", message)
            except Exception:  # recording is best effort here
                pass
            out.append(Printed(kind, "", "", message))
    return out
