"""Turning a laid-out :class:`~printing.layout.Sheet` into PDF bytes.

A4 flows onto as many pages as it needs, each with a footer "第 x 页 / 共 y 页".
A roll page is as tall as its content: the story is measured at the frame width
first; a story longer than ``MAX_ROLL_HEIGHT`` continues on a further page
(printed straight after it, so the paper stays one strip).
"""

from __future__ import annotations

from io import BytesIO

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate

from hall_app.domain.tracking import format_tracking_code
from printing import labels
from printing.layout import Sheet
from printing.papers import MAX_ROLL_HEIGHT, MM

FOOTER = 8 * MM


def _numbered_canvas(sheet: Sheet):
    font, size = sheet.fonts.main, 8
    code = format_tracking_code(sheet.data.tracking_code)
    left = f"{sheet.title}  {labels.TRACKING_CODE} {code}" if code else sheet.title  # a blank form: no case yet
    paper = sheet.paper

    class NumberedCanvas(Canvas):
        """Holds pages back until the end so each footer can say how many there are."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, size)
                y = paper.margin_y
                self.drawString(paper.margin_x, y, left)
                self.drawRightString(paper.width - paper.margin_x, y,
                                     labels.PAGE.format(page=self._pageNumber, pages=total))
                super().showPage()
            super().save()

    return NumberedCanvas


def measure(story, width: float, scratch: Canvas | None = None, *, collapse: bool = False) -> float:
    """Upper bound of the story's height in a frame ``width`` wide.

    ``collapse``: count space between flowables as a frame does (a space before is
    reduced by the space after the previous one; none at the very top): a closer
    estimate, used to choose an A4 layout; roll heights keep the safe upper bound."""
    scratch = scratch or Canvas(BytesIO())
    total, prev_after, first = 0.0, 0.0, True
    for flowable in _flat(story):
        _w, h = flowable.wrapOn(scratch, width, MAX_ROLL_HEIGHT)
        before, after = flowable.getSpaceBefore(), flowable.getSpaceAfter()
        if collapse:
            before = 0.0 if first else max(before - prev_after, 0.0)
        total += before + h + after
        prev_after, first = after, False
    return total


def _flat(story):
    for flowable in story:
        if isinstance(flowable, KeepTogether):  # its wrap() answers "huge" to force a split
            yield from _flat(flowable._content)
        else:
            yield flowable


def page_frame_height(paper) -> float:
    """Height of the text frame of one A4 page (below the margins and the footer)."""
    return paper.height - 2 * paper.margin_y - FOOTER


def build_pdf(sheet: Sheet) -> tuple[bytes, int]:
    paper, d = sheet.paper, sheet.data
    buf = BytesIO()
    meta = dict(title=f"{sheet.title} {d.tracking_code}", author=d.hall.name, subject="",
                creator="hall-app", keywords="",
                # else every page names Helvetica, a font the PDF does not embed
                initialFontName=sheet.fonts.main, initialFontSize=paper.body)
    if paper.is_roll:
        content = measure(sheet.story, paper.frame_width) + 2 * paper.body
        height = min(content + 2 * paper.margin_y, MAX_ROLL_HEIGHT)
        bottom, frame_h = paper.margin_y, height - 2 * paper.margin_y
        canvasmaker = Canvas
    else:
        height = paper.height
        bottom = paper.margin_y + FOOTER
        frame_h = page_frame_height(paper)
        canvasmaker = _numbered_canvas(sheet)
    doc = BaseDocTemplate(buf, pagesize=(paper.width, height), leftMargin=paper.margin_x,
                          rightMargin=paper.margin_x, topMargin=paper.margin_y,
                          bottomMargin=paper.margin_y, **meta)
    frame = Frame(paper.margin_x, bottom, paper.frame_width, frame_h, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(list(sheet.story), canvasmaker=canvasmaker)
    return buf.getvalue(), doc.page
