"""The queue ticket (排队取号单) on a 58 or 80 mm roll, through the same back-ends as
the case documents: the PDF is always kept, then sent to the file/CUPS/ESC/POS printer.

A ticket is not a case document (no tracking code, no applicant), so it has its own
small entry points instead of a ``KINDS`` entry::

    from printing.ticket import print_ticket, printer_ready
    problem = printer_ready(config)          # None, or why no ticket can be printed now
    result = print_ticket(slip, "80mm", config=config)

``printer_ready`` is asked *before* a number is taken: a kiosk without paper takes
no number at all. reportlab and the printer libraries load on the first call.
"""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from pathlib import Path

from hall_app.domain.ticket_slip import TicketSlip
from printing import labels as L
from printing.backends import PrinterConfig
from printing.results import PrintingError, PrintResult, RenderResult

ROLLS = ("80mm", "58mm")
NUMBER_SIZE = {"80mm": 46.0, "58mm": 38.0}  # points: readable at arm's length


def ticket_pdf_name(slip: TicketSlip, paper: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now()
    number = re.sub(r"[^0-9A-Za-z]", "", slip.number) or "NONUMBER"
    return f"ticket-{number}-{now:%Y%m%d-%H%M%S}-{paper}.pdf"


def render_ticket(slip: TicketSlip, paper: str = "80mm", *, config: PrinterConfig | None = None) -> RenderResult:
    """The ticket as PDF bytes (one roll page as tall as its content) and warnings."""
    if paper not in ROLLS:
        raise ValueError(f"a ticket is printed on a roll; choose one of {list(ROLLS)}")
    from printing.fonts import load_fonts
    from printing.layout import Sheet
    from printing.papers import get_paper

    config = config or PrinterConfig()
    spec = get_paper(paper)
    fonts = load_fonts(config.font_path, tuple(config.fallback_font_paths))
    sheet = Sheet(spec, fonts, L.TICKET_TITLE, slip)
    compose(sheet)
    try:
        return RenderResult(pdf=_build(sheet), warnings=list(sheet.warnings), pages=1)
    except PrintingError:
        raise
    except Exception as exc:
        raise PrintingError(L.E_RENDER.format(err=exc)) from exc


def compose(s) -> None:
    """Hall, title, the number large, the service line, people ahead and the wait, time, QR."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import HRFlowable, Spacer

    from printing.layout import Para, fmt_datetime
    from printing.papers import MM
    from printing.qr import QRFlowable

    d: TicketSlip = s.data
    s.add(s.p(d.hall_name, "hall"), s.p(s.title, "title"))
    s.add(HRFlowable(width="100%", thickness=0.6, spaceBefore=1, spaceAfter=2 * MM))
    s.para(L.TICKET_NUMBER, "small_center")
    # The number as large as the paper allows, never wrapped.
    size = NUMBER_SIZE[s.paper.key]
    size = min(size, size * s.width * 0.95 / max(1.0, stringWidth(d.number, s.fonts.main, size)))
    big = ParagraphStyle("ticket_number", parent=s.st["center"], fontSize=size, leading=size * 1.15,
                         alignment=TA_CENTER, spaceAfter=1 * MM)
    s.add(Para(s.markup(d.number), big))
    line = ParagraphStyle("ticket_line", parent=s.st["heading"], alignment=TA_CENTER, spaceBefore=0)
    s.add(Para(s.markup(f"{L.TICKET_LINE}：{d.line_name}"), line))
    if d.priority:
        s.para(L.TICKET_PRIORITY.format(kind=d.priority), "center")
    if d.appointment:
        s.para(L.TICKET_APPOINTMENT.format(slot=d.appointment), "center")
    s.add(Spacer(1, 1 * MM))
    if d.people_ahead is None:
        s.para(L.TICKET_AHEAD_UNKNOWN, "center")
    else:
        s.para(L.TICKET_AHEAD.format(n=d.people_ahead) if d.people_ahead > 0 else L.TICKET_AHEAD_NONE, "center")
    s.para(_wait_text(d), "center")
    s.para(f"{L.TICKET_ISSUED}：{fmt_datetime(d.issued_at)}", "small_center")
    if d.offline:
        s.boxed(L.TICKET_OFFLINE)
    if d.position_url:
        qr = QRFlowable(d.position_url, s.paper.qr_target)
        qr.hAlign = "CENTER"
        s.add(Spacer(1, 2 * MM), qr, s.p(L.TICKET_QR, "center"), s.p(d.position_url, "tiny_center"))
    else:
        s.markup._warn(L.W_NO_QR_URL)
    s.add(Spacer(1, 1 * MM))
    for hint in L.TICKET_HINTS:
        s.para(hint, "small")


def _wait_text(d: TicketSlip) -> str:
    if d.wait_minutes is None:
        return L.TICKET_WAIT_UNKNOWN
    if d.wait_minutes <= 1 or not d.people_ahead:
        return L.TICKET_WAIT_SHORT
    return L.TICKET_WAIT.format(minutes=d.wait_minutes)


def _build(sheet) -> bytes:
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    from printing.build import measure
    from printing.papers import MAX_ROLL_HEIGHT

    paper = sheet.paper
    height = min(measure(sheet.story, paper.frame_width) + paper.body + 2 * paper.margin_y, MAX_ROLL_HEIGHT)
    buf = BytesIO()
    doc = BaseDocTemplate(buf, pagesize=(paper.width, height), leftMargin=paper.margin_x,
                          rightMargin=paper.margin_x, topMargin=paper.margin_y, bottomMargin=paper.margin_y,
                          title=f"{sheet.title} {sheet.data.number}", author=sheet.data.hall_name,
                          creator="hall-app", initialFontName=sheet.fonts.main, initialFontSize=paper.body)
    frame = Frame(paper.margin_x, paper.margin_y, paper.frame_width, height - 2 * paper.margin_y, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(list(sheet.story))
    return buf.getvalue()


def print_ticket(slip: TicketSlip, paper: str | None = None, out: Path | None = None,
                 config: PrinterConfig | None = None, *, printer=None) -> PrintResult:
    """Render, keep the PDF (``out`` or ``config.pdf_dir``), send it. Printer trouble
    comes back as ``PrintResult.error`` (Chinese); nothing is raised for it."""
    from printing.service import _send, _unique, _write

    config = config or PrinterConfig()
    paper = paper or config.escpos_width
    if paper not in ROLLS:
        paper = "80mm"
    try:
        result = render_ticket(slip, paper, config=config)
    except PrintingError as exc:
        return PrintResult(None, None, str(exc), [])
    except Exception as exc:  # a rendering bug must not crash the kiosk
        return PrintResult(None, None, L.E_RENDER.format(err=exc), [])
    path = Path(out) if out else _unique(config.resolved_pdf_dir() / ticket_pdf_name(slip, paper))
    try:
        _write(path, result.pdf)
    except OSError as exc:
        return PrintResult(None, None, L.E_SAVE.format(path=path, err=exc), list(result.warnings))
    return _send(path, config, printer, list(result.warnings))


def printer_ready(config: PrinterConfig | None = None, *, printer=None) -> str | None:
    """Why no ticket can be printed right now (no paper, printer off or unreachable,
    CUPS queue disabled), or None. A printer that cannot report its paper is taken
    as ready: the print itself will tell."""
    from printing import backends

    config = config or PrinterConfig()
    if printer is None and config.backend == "file":
        return None
    if printer is None and config.backend == "cups":
        lp = backends._find(config.lp_path)
        if lp is None:
            return L.E_LP_MISSING.format(path=config.lp_path)
        if not config.cups_queue:
            return L.E_CUPS_NO_QUEUE
        import os

        lpstat = backends._find(os.path.join(os.path.dirname(lp), "lpstat"))
        return backends._queue_state(lpstat, config.cups_queue, min(5.0, config.lp_timeout))
    if printer is None and config.backend != "escpos":
        return L.E_UNKNOWN_BACKEND.format(backend=config.backend)
    opened = printer is None
    try:
        if opened:
            printer, _where = backends._open_printer(config)
        if backends._paper_status(printer) == 0:
            return L.E_ESCPOS_PAPER
        return None
    except backends._Failure as exc:
        return str(exc)
    except Exception as exc:  # python-escpos' own errors for odd states
        return L.E_ESCPOS_SEND.format(detail=exc)
    finally:
        if opened and printer is not None:
            try:
                printer.close()
            except Exception:
                pass
