"""render_pdf: data → PDF bytes (imports reportlab; loaded only when printing)."""

from __future__ import annotations

from importlib import import_module

from printing import labels
from printing.build import build_pdf, measure, page_frame_height
from printing.documents import MODULES
from printing.fonts import load_fonts
from printing.layout import Sheet
from printing.papers import get_paper
from printing.results import PrintingError, RenderResult


def render(kind: str, data, paper: str = "a4", *, font_path: str | None = None,
           fallback_fonts: tuple[str, ...] = ()) -> RenderResult:
    if kind not in MODULES:
        raise ValueError(f"unknown document kind {kind!r}; choose one of {sorted(MODULES)}")
    spec = get_paper(paper)
    fonts = load_fonts(font_path, tuple(fallback_fonts))
    compose = import_module(MODULES[kind]).compose
    sheet = _compose(compose, spec, fonts, kind, data, compact=False)
    if not spec.is_roll:
        # A document a few lines too long for one A4 page gets tighter leading and
        # spacing (same type size) when that fits it on one: a second page holding
        # only the seal helps nobody. Measured first (the line breaks are kept for
        # the build), so a document is laid out for real only once.
        frame = page_frame_height(spec)
        if measure(sheet.story, spec.frame_width, collapse=True) > frame:
            tight = _compose(compose, spec, fonts, kind, data, compact=True)
            if measure(tight.story, spec.frame_width, collapse=True) <= frame:
                pdf, pages = _build(tight)
                if pages == 1:
                    return RenderResult(pdf=pdf, warnings=list(tight.warnings), pages=pages)
    pdf, pages = _build(sheet)
    return RenderResult(pdf=pdf, warnings=list(sheet.warnings), pages=pages)


def _compose(compose, spec, fonts, kind: str, data, compact: bool) -> Sheet:
    sheet = Sheet(spec, fonts, labels.TITLES[kind], data, compact=compact)
    compose(sheet)
    return sheet


def _build(sheet: Sheet) -> tuple[bytes, int]:
    try:
        return build_pdf(sheet)
    except PrintingError:
        raise
    except Exception as exc:  # a layout the engine cannot place (e.g. a giant unbreakable cell)
        raise PrintingError(labels.E_RENDER.format(err=exc)) from exc
