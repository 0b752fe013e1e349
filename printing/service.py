"""print_document: render, always keep the PDF, then hand it to the printer."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from printing import labels
from printing.backends import PrinterConfig, send
from printing.results import PrintingError, PrintResult


def pdf_name(kind: str, tracking_code: str, paper: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now()
    code = re.sub(r"[^0-9A-Za-z]", "", tracking_code) or "NOCODE"
    return f"{kind}-{code}-{now:%Y%m%d-%H%M%S}-{paper}.pdf"


def _unique(path: Path) -> Path:
    n, candidate = 2, path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # a crash never leaves half a PDF under the real name


def print_document(kind: str, data, paper: str | None = None, out: Path | None = None,
                   config: PrinterConfig | None = None, printer=None) -> PrintResult:
    from printing.documents import MODULES
    from printing.papers import get_paper

    config = config or PrinterConfig()
    if kind not in MODULES:
        raise ValueError(f"unknown document kind {kind!r}; choose one of {sorted(MODULES)}")
    warnings: list[str] = []
    thermal = config.backend == "escpos" or printer is not None
    if paper is None:
        paper = config.escpos_width if thermal else "a4"
    elif thermal and not get_paper(paper).is_roll:
        paper = config.escpos_width
        warnings.append(labels.W_ROLL_FOR_PRINTER.format(paper=paper))
    get_paper(paper)  # ValueError for an unknown paper, like an unknown kind

    try:
        from printing.render import render

        result = render(kind, data, paper, font_path=config.font_path,
                        fallback_fonts=config.fallback_font_paths)
    except PrintingError as exc:
        return PrintResult(None, None, str(exc), warnings)
    except Exception as exc:  # never let a rendering bug crash the clerk's screen
        return PrintResult(None, None, labels.E_RENDER.format(err=exc), warnings)
    warnings += result.warnings

    path = Path(out) if out else _unique(config.resolved_pdf_dir() / pdf_name(kind, data.tracking_code, paper))
    try:
        _write(path, result.pdf)
    except OSError as exc:
        return PrintResult(None, None, labels.E_SAVE.format(path=path, err=exc), warnings)
    return _send(path, config, printer, warnings)


def reprint(pdf_path: Path, config: PrinterConfig | None = None, printer=None) -> PrintResult:
    """Send a kept PDF again (paper jam, printer was off…)."""
    return _send(Path(pdf_path), config or PrinterConfig(), printer, [])


def _send(path: Path, config: PrinterConfig, printer, warnings: list[str]) -> PrintResult:
    try:
        sent_to, error, more = send(path, config, printer)
    except Exception as exc:  # a back-end bug must not lose the kept PDF's path
        sent_to, error, more = None, labels.E_CUPS_OTHER.format(detail=exc), []
    return PrintResult(path, sent_to, error, warnings + more)
