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
    sheet = Sheet(spec, fonts, labels.TITLES[kind], data)
    import_module(MODULES[kind]).compose(sheet)
    try:
        pdf, pages = build_pdf(sheet)
    except PrintingError:
        raise
    except Exception as exc:  # a layout the engine cannot place (e.g. a giant unbreakable cell)
        raise PrintingError(labels.E_RENDER.format(err=exc)) from exc
    return RenderResult(pdf=pdf, warnings=list(sheet.warnings), pages=pages)
