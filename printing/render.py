"""render_pdf: data → PDF bytes (imports reportlab; loaded only when printing)."""

from __future__ import annotations

from importlib import import_module

from printing import labels
from printing.build import build_pdf
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
    sheet, pdf, pages = _build(compose, spec, fonts, kind, data, compact=False)
    if pages == 2 and not spec.is_roll:
        # A few lines too long for one A4 page: tighter leading and spacing (same type
        # size) often fit it; a second page holding only the seal helps nobody.
        tight = _build(compose, spec, fonts, kind, data, compact=True)
        if tight[2] == 1:
            sheet, pdf, pages = tight
    return RenderResult(pdf=pdf, warnings=list(sheet.warnings), pages=pages)


def _build(compose, spec, fonts, kind: str, data, compact: bool) -> tuple[Sheet, bytes, int]:
    sheet = Sheet(spec, fonts, labels.TITLES[kind], data, compact=compact)
    compose(sheet)
    try:
        pdf, pages = build_pdf(sheet)
    except PrintingError:
        raise
    except Exception as exc:  # a layout the engine cannot place (e.g. a giant unbreakable cell)
        raise PrintingError(labels.E_RENDER.format(err=exc)) from exc
    return sheet, pdf, pages
