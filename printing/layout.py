"""Building blocks shared by the documents, each laid out for A4 or a roll.

A document module calls these in reading order; the same call gives a ruled
table on A4 and stacked lines on an 80/58 mm roll. Every piece of text passes
through :class:`printing.markup.Markup` (glyph check, ID masking, escaping).
"""

from __future__ import annotations

import datetime as dt
import weakref

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, HRFlowable, KeepTogether, Paragraph, Spacer, Table, TableStyle, paragraph

from hall_app.domain.tracking import format_tracking_code
from printing import labels
from printing.fonts import FontSet
from printing.linebreak import plan_lines
from printing.markup import Markup
from printing.papers import MM, Paper
from printing.qr import QRFlowable


def fmt_date(value: str) -> str:
    try:
        d = dt.date.fromisoformat(value[:10])
    except (TypeError, ValueError):
        return value or ""
    return f"{d.year}年{d.month}月{d.day}日"


def fmt_datetime(value: str) -> str:
    try:
        t = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return fmt_date(value)
    return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"


def _styles(paper: Paper, font: str, compact: bool = False) -> dict[str, ParagraphStyle]:
    """The type scale of a paper; ``compact`` tightens leading and spacing (same font
    sizes) so a document a few lines too long for one A4 page still fits on it."""
    b = paper.body
    k = 0.88 if compact else 1.0  # leading and spacing factor
    base = ParagraphStyle("body", fontName=font, fontSize=b, leading=b * 1.5 * k, wordWrap="CJK",
                          bulletFontName=font, spaceAfter=b * 0.15 * k)
    roll = paper.is_roll

    def derive(name: str, **kw) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "body": base,
        "small": derive("small", fontSize=b * 0.85, leading=b * 1.3 * k),
        "sub": derive("sub", fontSize=b * 0.85, leading=b * 1.3 * k, leftIndent=b * 1.8),
        "item": derive("item", leftIndent=b * 1.8, bulletIndent=0, spaceBefore=b * 0.2 * k),
        "hall": derive("hall", fontSize=b * 1.3, leading=b * 1.8 * k, alignment=TA_CENTER),
        "title": derive("title", fontSize=paper.title, leading=paper.title * 1.4 * k,
                        alignment=TA_CENTER, spaceAfter=b * 0.3 * k),
        "right": derive("right", fontSize=b * 0.85, leading=b * 1.3 * k, alignment=TA_RIGHT),
        "center": derive("center", alignment=TA_CENTER),
        "tiny_center": derive("tiny_center", fontSize=b * 0.7, leading=b * k, alignment=TA_CENTER),
        "small_center": derive("small_center", fontSize=b * 0.85, leading=b * 1.3 * k, alignment=TA_CENTER),
        "code": derive("code", fontSize=b * 1.45, leading=b * 2 * k, alignment=TA_CENTER if roll else 0),
        "heading": derive("heading", fontSize=b * 1.15, leading=b * 1.6 * k, spaceBefore=b * 0.5 * k),
        "cell": derive("cell", fontSize=b * 0.95, leading=b * 1.35 * k, spaceAfter=0),
        "sign": derive("sign", leading=b * 1.6 * k, spaceBefore=b * 1.3 * k),
        # The border is drawn borderPadding outside the text: indent so it stays in the frame.
        "box": derive("box", borderWidth=0.8, borderColor=colors.black, borderPadding=b * 0.4,
                      leftIndent=b * 0.5, rightIndent=b * 0.5, spaceBefore=b * 0.8 * k, spaceAfter=b * 0.8 * k),
    }


class Para(Paragraph):
    """A paragraph that breaks lines by the Chinese rules (:mod:`printing.linebreak`)
    and remembers its line breaks for a given width: a roll is measured before it
    is built, and table cells are wrapped more than once.

    Plain text (no tags, no entities: most labels and values) skips reportlab's
    markup parser: its one fragment is a copy of the fragment the parser makes for
    the style, carrying the text."""

    def __init__(self, text, style=None, bulletText=None, frags=None, **kw):
        if frags is None and style is not None and "<" not in text and "&" not in text:
            text = paragraph.cleanBlockQuotedText(text)
            if text:
                frags = [_template_frag(style).clone(text=text)]
        super().__init__(text, style, bulletText, frags, **kw)

    def breakLinesCJK(self, maxWidths):
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        style = self.style
        self.height = 0
        paragraph._handleBulletWidth(self.bulletText, style, maxWidths)
        frags = self.frags
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara  # the tail of a split paragraph keeps its lines
        if not frags or any(hasattr(f, "cbDefn") for f in frags) or style.endDots:
            return super().breakLinesCJK(maxWidths)  # images, anchors, dot leaders: not ours
        if len(frags) == 1:
            f = frags[0]
            text = f.text if hasattr(f, "text") else "".join(getattr(f, "words", []))
            widths = _char_widths(text, f.fontName, f.fontSize)
            lines = [(max_w - used, [text[a:b].strip() if b < len(text) else text[a:b]])
                     for a, b, used, _hard, max_w in _with_widths(plan_lines(text, widths, maxWidths),
                                                                   maxWidths)]
            return f.clone(kind=0, lines=lines, ascent=f.fontSize, descent=-0.2 * f.fontSize)
        units = [paragraph.cjkU(t, f, "utf8") for f in frags for t in (f.text or [""])]
        hard = frozenset(i for i, u in enumerate(units) if hasattr(u.frag, "lineBreak"))
        auto = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        out = []
        for a, b, used, is_hard, max_w in _with_widths(
                plan_lines(units, [u.width for u in units], maxWidths, hard), maxWidths):
            out.append(paragraph.makeCJKParaLine(units[a:b], max_w, used, max_w - used, is_hard,
                                                 auto not in ("", "off")))
        return paragraph.ParaLines(kind=1, lines=out)

    def wrap(self, avail_width, avail_height):
        key = (id(self), avail_width)  # split() clones carry our attributes: id tells them apart
        cached = getattr(self, "_wrap_cache", None)
        if cached is None or cached[0] != key or not hasattr(self, "blPara"):  # split() drops it
            cached = self._wrap_cache = (key, super().wrap(avail_width, avail_height))
        return cached[1]


_TEMPLATES: "weakref.WeakKeyDictionary[ParagraphStyle, object]" = weakref.WeakKeyDictionary()


def _template_frag(style: ParagraphStyle):
    """The fragment reportlab's parser makes for plain text in ``style`` (kept as long
    as the style lives: one document's styles go with the document)."""
    frag = _TEMPLATES.get(style)
    if frag is None:
        _style, frags, _bullet = paragraph.ParaParser().parse("x", style)
        frag = _TEMPLATES[style] = frags[0]
    return frag


_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


def _char_widths(text: str, font: str, size: float) -> list[float]:
    """Advance width of each character; remembered per font and size (the same few
    hundred characters come back in every document)."""
    table = _WIDTHS.setdefault((font, size), {})
    out = []
    for ch in text:
        w = table.get(ch)
        if w is None:
            w = table[ch] = stringWidth(ch, font, size)
        out.append(w)
    return out


def _with_widths(lines, max_widths):
    for n, (a, b, used, hard) in enumerate(lines):
        yield a, b, used, hard, max_widths[min(n, len(max_widths) - 1)]


class SealArea(Flowable):
    """Issuer and date with a dashed circle over them, where the seal is pressed."""

    def __init__(self, diameter: float, font: str, size: float, lines: list[str]) -> None:
        super().__init__()
        self.d, self.font, self.size, self.lines = diameter, font, size, lines
        self.d = diameter = max([diameter] + [stringWidth(t, font, size) + 10 for t in lines])
        self.w = diameter
        self.hAlign = "RIGHT"

    def wrap(self, avail_width, avail_height):
        return self.w, self.d

    def draw(self) -> None:
        c, r, cx = self.canv, self.d / 2, self.w / 2
        c.saveState()
        c.setDash(3, 2)
        c.setLineWidth(0.6)
        c.circle(cx, r, r - 1, stroke=1, fill=0)
        c.setFont(self.font, self.size)
        step = self.size * 1.8
        y = r + step * (len(self.lines) - 1) / 2 - self.size / 3
        for line in self.lines:
            c.drawCentredString(cx, y, line)
            y -= step
        c.restoreState()


class Sheet:
    """One document being laid out: its story, styles and warnings."""

    def __init__(self, paper: Paper, fonts: FontSet, title: str, data, compact: bool = False) -> None:
        self.paper, self.fonts, self.title, self.data = paper, fonts, title, data
        self.compact = compact
        self.markup = Markup(fonts)
        self.st = _styles(paper, fonts.main, compact)
        self.story: list[Flowable] = []
        self.width = paper.frame_width
        self.roll = paper.is_roll

    @property
    def warnings(self) -> list[str]:
        return self.markup.warnings

    def p(self, text: object, style: str = "body", **kw) -> Paragraph:
        return Para(self.markup(text), self.st[style], **kw)

    def add(self, *flowables: Flowable) -> None:
        self.story.extend(flowables)

    def para(self, text: object, style: str = "body") -> None:
        if text:
            self.add(self.p(text, style))

    def space(self, mm: float) -> None:
        self.add(Spacer(1, mm * MM))

    def header(self) -> None:
        """Hall, title, number and tracking code; on A4 the QR sits top right."""
        d = self.data
        code = format_tracking_code(d.tracking_code)
        number = f"{labels.DOC_NUMBER}：{d.document_number}" if d.document_number else ""
        if self.roll:
            self.add(self.p(d.hall.name, "hall"), self.p(self.title, "title"))
            self.para(number, "small_center")
            if code:  # a blank form printed before its case exists has none
                self.add(self.p(labels.TRACKING_CODE, "small_center"), self._code(code))
            return
        middle = [self.p(d.hall.name, "hall"), self.p(self.title, "title"), self.p(number, "small_center")]
        if code:
            middle.append(self._code(f"{labels.TRACKING_CODE}：{code}"))
        qr = self._qr()
        side = (qr.side if qr else 0) + 2 * MM
        right = [qr, self.p(labels.QR_CAPTION, "tiny_center")] if qr else ""
        pad = [("FONTNAME", (0, 0), (-1, -1), self.fonts.main),
               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
               ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (2, 0), (2, 0), "RIGHT")]
        self.add(Table([["", middle, right]], colWidths=[side, self.width - 2 * side, side],
                       style=pad), Spacer(1, 2 * MM))

    def _code(self, text: str) -> Paragraph:
        """The tracking code, as large as the line allows (never wrapped)."""
        style = self.st["code"]
        size = min(style.fontSize, style.fontSize * self.width * 0.97
                   / max(1.0, stringWidth(text, self.fonts.main, style.fontSize)))
        return Para(self.markup(text), ParagraphStyle(
            "code_fit", parent=style, fontSize=size, leading=size * 1.4, alignment=TA_CENTER))

    def _qr(self) -> QRFlowable | None:
        if not self.data.tracking_url:
            self.markup._warn(labels.W_NO_QR_URL)
            return None
        return QRFlowable(self.data.tracking_url, self.paper.qr_target)

    def section(self, heading: str) -> None:
        self.add(self.p(heading, "heading"),
                 HRFlowable(width="100%", thickness=0.6, color=colors.black, spaceAfter=2))

    def fields(self, pairs: list[tuple[str, str]], wide: tuple[str, ...] = ()) -> None:
        """Label/value pairs: a two-pair-per-row grid on A4, one per line on a roll."""
        pairs = [(k, v) for k, v in pairs if v]
        if self.roll:
            self.add(*[self.p(f"{k}：{v}") for k, v in pairs])
            return
        rows, spans, pending = [], [], []
        for k, v in pairs:
            cells = [self.p(k, "cell"), self.p(v, "cell")]
            if k in wide:
                spans.append(("SPAN", (1, len(rows)), (3, len(rows))))
                rows.append(cells + ["", ""])
            elif pending:
                rows.append(pending + cells)
                pending = []
            else:
                pending = cells
        if pending:  # an odd last pair takes the whole row
            spans.append(("SPAN", (1, len(rows)), (3, len(rows))))
            rows.append(pending + ["", ""])
        w = self.width
        self._table(rows, [w * 0.15, w * 0.35, w * 0.15, w * 0.35], spans, header=False)

    def _table(self, rows, widths, extra=(), header=True) -> None:
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("FONTNAME", (0, 0), (-1, -1), self.fonts.main),  # not the default Helvetica
                 ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                 ("TOPPADDING", (0, 0), (-1, -1), 1 if self.compact else 2),
                 ("BOTTOMPADDING", (0, 0), (-1, -1), 2 if self.compact else 3), *extra]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)))
        self.add(Table(rows, colWidths=widths, style=TableStyle(style),
                       repeatRows=1 if header else 0, hAlign="LEFT", spaceAfter=1.5 * MM))

    def numbered(self, entries: list[tuple[str, list[str]]], start: int = 1,
                 inline: bool = False) -> None:
        """``1. main line`` with its details hanging under it (or after it, smaller)."""
        small, b = self.st["small"].fontSize, self.paper.body
        indent = b * (0.8 + 0.55 * len(str(start + len(entries) - 1)))  # room for "12."
        item = ParagraphStyle("item_n", parent=self.st["item"], leftIndent=indent)
        sub = ParagraphStyle("sub_n", parent=self.st["sub"], leftIndent=indent)
        for n, (main, subs) in enumerate(entries, start):
            subs = [s for s in subs if s]
            text = self.markup(main)
            if inline and subs:
                text += f'<font size="{small:.1f}">　（{self.markup("；".join(subs))}）</font>'
            self.add(Para(text, item, bulletText=f"{n}."))
            if not inline:
                self.add(*[Para(self.markup(s), sub) for s in subs])

    def records(self, head: tuple[str, ...], rows: list[list[str]], fracs: list[float]) -> None:
        """A numbered table (A4, header repeated on each page) or stacked entries (roll).

        ``head[0]`` is the number column; ``row[0]`` is the main text of each entry.
        """
        if self.roll:
            self.numbered([(r[0], [f"{h}：{v}" for h, v in zip(head[2:], r[1:]) if v])
                           for r in rows])
            return
        table = [[self.p(h, "cell") for h in head]]
        table += [[self.p(str(i), "cell")] + [self.p(v, "cell") for v in r]
                  for i, r in enumerate(rows, 1)]
        self._table(table, self._fit_short_columns(head, rows, [self.width * f for f in fracs]))

    def _fit_short_columns(self, head: tuple[str, ...], rows: list[list[str]], widths: list[float]) -> list[float]:
        """Columns after the main text (a department, 3个工作日, a date) are short: each is
        widened to its longest cell in the font actually used — fonts differ by a fifth
        in digit width, and a date broken before 日 doubles every row — taking the room
        from the main column, which wraps anyway. The main column keeps at least a third."""
        style = self.st["cell"]
        pad = 6.5  # the table's left + right padding and a hair for rounding
        widths = list(widths)
        for col in range(2, len(widths)):
            cells = [head[col]] + [str(r[col - 1]) for r in rows if len(r) >= col]
            need = max(stringWidth(c, style.fontName, style.fontSize) for c in cells) + pad
            spare = widths[1] - self.width / 3
            if need > widths[col] and spare > 0:
                grow = min(need - widths[col], spare)
                widths[col] += grow
                widths[1] -= grow
        return widths

    def boxed(self, text: str) -> None:
        self.add(self.p(text, "box"))

    def qr_block(self) -> None:
        """On a roll the QR closes the document (on A4 it is in the header)."""
        if not self.roll:
            return
        d = self.data
        qr = self._qr()
        if qr:
            qr.hAlign = "CENTER"
            self.add(Spacer(1, 2 * MM), qr, self.p(labels.QR_CAPTION, "center"),
                     self.p(d.tracking_url, "small_center"))
        self.para(labels.QR_HINT.format(code=format_tracking_code(d.tracking_code)), "small_center")

    def seal(self, org: str, date: str, left: list[str] = ()) -> None:
        """The issuing block: notes on the left, issuer + date under a seal circle on the right."""
        circle = SealArea((26 if self.roll else 34 if self.compact else 38) * MM, self.fonts.main, self.paper.body,
                          [org, date])
        if self.roll:
            circle.hAlign = "CENTER"
            self.add(*[self.p(t, "small") for t in left if t], Spacer(1, 2 * MM), circle)
            return
        side = circle.w + 4 * MM
        block = Table([[[self.p(t, "small") for t in left if t], circle]],
                      colWidths=[self.width - side, side], hAlign="LEFT",
                      style=[("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (0, 0), 0),
                             ("FONTNAME", (0, 0), (-1, -1), self.fonts.main),
                             ("RIGHTPADDING", (1, 0), (1, 0), 0)])
        # The seal never stands alone on a page: the last line before it goes along.
        last = [self.story.pop()] if self.story and isinstance(self.story[-1], Paragraph) else []
        self.add(KeepTogether([*last, Spacer(1, 3 * MM), block]))

    def signatures(self, rows: list[tuple[str, ...]]) -> None:
        """Signature lines: each row on one line on A4, one line per part on a roll."""
        lines = [part for row in rows for part in row] if self.roll else ["　".join(r) for r in rows]
        self.add(KeepTogether([self.p(self._fit_blanks(line), "sign") for line in lines]))

    def _fit_blanks(self, line: str) -> str:
        """Shorten the ____ blanks until the line fits (a wrapped blank looks broken)."""
        size = self.st["sign"].fontSize
        while "__" in line and stringWidth(line, self.fonts.main, size) > self.width:
            i = line.rindex("__")
            line = line[:i] + line[i + 1:]
        return line
