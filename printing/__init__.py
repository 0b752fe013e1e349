"""Printed documents for the hall: receipt, one-time notice, commitment, refusal,
authorisation — as PDF (always kept), then to a file, CUPS or an ESC/POS printer.

Cheap to import: reportlab, qrcode, pypdfium2 and python-escpos load on the first
render or print, not at application start-up.

    from printing import render_pdf, print_document, PrinterConfig
    result = render_pdf("receipt", receipt_data, paper="58mm")
    outcome = print_document("receipt", receipt_data, config=PrinterConfig(backend="cups",
                             cups_queue="hall-a4"))
    if outcome.error: show(outcome.error)          # Chinese, for the clerk
"""

from __future__ import annotations

from pathlib import Path

from printing.backends import PrinterConfig
from printing.results import PrintingError, PrintResult, RenderResult

__all__ = [
    "KINDS",
    "PAPERS",
    "PrintResult",
    "PrinterConfig",
    "PrintingError",
    "RenderResult",
    "print_document",
    "render_pdf",
    "reprint",
    "warm_up",
]

KINDS = ("receipt", "notice", "commitment", "refusal", "authorisation", "delivery", "supply", "pledge", "termination")
PAPERS = ("a4", "80mm", "58mm")


def render_pdf(kind: str, data, paper: str = "a4", *, config: PrinterConfig | None = None) -> RenderResult:
    """The document as PDF bytes plus warnings (e.g. a character no font has).

    Raises ``ValueError`` for an unknown kind or paper and ``PrintingError`` (Chinese
    message) when no embeddable CJK font can be found.
    """
    from printing.render import render

    config = config or PrinterConfig()
    return render(kind, data, paper, font_path=config.font_path,
                  fallback_fonts=config.fallback_font_paths)


def print_document(kind: str, data, paper: str | None = None, out: Path | None = None,
                   config: PrinterConfig | None = None, *, printer=None) -> PrintResult:
    """Render, write the PDF (``out`` or ``config.pdf_dir``), then send it to the printer.

    ``paper`` defaults to A4, or to ``config.escpos_width`` for a thermal printer.
    Printer failures come back as ``PrintResult.error`` (Chinese); nothing is raised
    except ``ValueError`` for an unknown kind or paper. ``printer``: an already open
    python-escpos printer object (Serial, Dummy…) to use instead of the configured one.
    """
    from printing.service import print_document as run

    return run(kind, data, paper, out, config, printer)


def reprint(pdf_path: Path, config: PrinterConfig | None = None, *, printer=None) -> PrintResult:
    """Send an already kept PDF to the printer again."""
    from printing.service import reprint as run

    return run(pdf_path, config, printer)


def warm_up(config: PrinterConfig | None = None) -> list[str]:
    """Import the PDF libraries and register the fonts now (e.g. in a background worker
    after the first frame), so the first print does not pay for it. Returns the font
    warnings; raises ``PrintingError`` when no CJK font can be found at all."""
    import printing.render  # noqa: F401  (reportlab, qrcode)
    from printing.fonts import load_fonts

    config = config or PrinterConfig()
    return list(load_fonts(config.font_path, tuple(config.fallback_font_paths)).warnings)
