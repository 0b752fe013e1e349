"""Font resolution, embedding and rare characters (生僻字) outside the BMP."""

from __future__ import annotations

import pytest
from printing_samples import BUILDERS, flat, pdf_text, pdfium_text

from printing import PrinterConfig, PrintingError, labels, render_pdf
from printing import fonts as fontmod

fontTools = pytest.importorskip("fontTools")

JI = "\U00020BB7"  # 𠮷, CJK Extension B: not in WenQuanYi Micro Hei


def _box(pen_class, *args):
    pen = pen_class(*args)
    for x0, y0, x1, y1, clockwise in ((100, -100, 900, 800, True), (200, 0, 800, 700, False)):
        pts = [(x0, y0), (x0, y1), (x1, y1), (x1, y0)]
        if not clockwise:
            pts.reverse()
        pen.moveTo(pts[0])
        for p in pts[1:]:
            pen.lineTo(p)
        pen.closePath()
    return pen


def make_font(path, chars: str, cff: bool = False) -> str:
    """A tiny font drawing a box for each of ``chars`` (TrueType or CFF outlines)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    names = [".notdef"] + [f"u{ord(c):04X}" for c in chars]
    family = "TestFont"  # the same name for every test font, on purpose: see test below
    fb = FontBuilder(1000, isTTF=not cff)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({ord(c): n for c, n in zip(chars, names[1:])})
    if cff:
        strings = {n: _box(T2CharStringPen, 1000, None).getCharString() for n in names}
        fb.setupCFF(family, {"FullName": family}, strings, {})
    else:
        fb.setupGlyf({n: _box(TTGlyphPen, None).glyph() for n in names})
    fb.setupHorizontalMetrics({n: (1000, 100) for n in names})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": family, "styleName": "Regular"})
    fb.setupOS2()
    fb.setupPost()
    fb.save(str(path))
    return str(path)


def test_the_package_font_is_installed_and_truetype():
    sources = fontmod.package_sources()
    assert sources, "paperang-p2-fonts-cjk (WenQuanYi Micro Hei) should be a dependency"
    assert fontmod.outline_kind(sources[0].path, sources[0].index) == ("truetype", False)


def test_default_resolution_prints_chinese_without_system_fonts():
    fonts = fontmod.load_fonts()
    assert all(fonts.has(ch) for ch in fontmod.PROBE)
    assert fonts.main_source.origin in ("system", "package")


def test_outline_kind_tells_truetype_from_cff(tmp_path):
    assert fontmod.outline_kind(make_font(tmp_path / "a.ttf", "A"))[0] == "truetype"
    assert fontmod.outline_kind(make_font(tmp_path / "a.otf", "A", cff=True))[0] == "cff"
    assert fontmod.outline_kind(str(tmp_path / "nothing.ttf")) == (None, False)


def test_registered_fonts_are_cached_across_documents():
    assert fontmod.load_fonts() is fontmod.load_fonts()
    source = fontmod.load_fonts().main_source
    assert fontmod.register(source) is fontmod.register(source)


def test_configured_font_comes_first():
    package = fontmod.package_sources()[0]
    fonts = fontmod.load_fonts(package.path)
    assert fonts.main_source.origin == "configured"
    assert fonts.warnings == []


def test_hall_font_environment_variable(monkeypatch):
    package = fontmod.package_sources()[0]
    monkeypatch.setenv("HALL_FONT", f"{package.path}#0")
    fonts = fontmod.load_fonts()
    assert fonts.main_source.origin == "configured"


@pytest.mark.parametrize("bad", ["cff", "missing", "no_han"])
def test_unusable_configured_font_warns_and_falls_back(tmp_path, bad):
    path = {"cff": lambda: make_font(tmp_path / "x.otf", "中", cff=True),
            "missing": lambda: str(tmp_path / "missing.ttf"),
            "no_han": lambda: make_font(tmp_path / "latin.ttf", "ABC")}[bad]()
    result = render_pdf("receipt", BUILDERS["receipt"](), "a4", config=PrinterConfig(font_path=path))
    assert any(path in w for w in result.warnings)
    assert "受理回执" in pdf_text(result.pdf)


def test_no_font_anywhere_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(fontmod, "system_sources", lambda: [])
    monkeypatch.setattr(fontmod, "package_sources", lambda: [])
    with pytest.raises(PrintingError, match="中文字体"):
        fontmod.load_fonts(str(tmp_path / "none.ttf"))


def test_rare_character_without_any_font_is_marked_and_warned(monkeypatch):
    monkeypatch.setattr(fontmod, "_fc_list", lambda pattern: [])  # no system fallback either
    data = BUILDERS["receipt"](applicant_name=f"{JI}田花子")
    for paper in ("a4", "58mm"):
        result = render_pdf("receipt", data, paper)
        assert any(JI in w and labels.MISSING_GLYPH in w for w in result.warnings)
        text = flat(pdf_text(result.pdf))
        assert f"{labels.MISSING_GLYPH}田花子" in text  # visible mark, never a silent gap


def test_rare_character_drawn_by_a_fallback_font(tmp_path):
    fallback = make_font(tmp_path / "extb.ttf", JI)
    data = BUILDERS["receipt"](applicant_name=f"{JI}田花子")
    result = render_pdf("receipt", data, "80mm", config=PrinterConfig(fallback_font_paths=(fallback,)))
    assert result.warnings == []
    assert f"{JI}田花子" in flat(pdfium_text(result.pdf))  # ToUnicode carries the surrogate pair
    import io

    from pypdf import PdfReader

    names = {str(f.get_object()["/BaseFont"]) for p in PdfReader(io.BytesIO(result.pdf)).pages
             for f in p["/Resources"]["/Font"].values()}
    assert len(names) >= 2  # main subset + the fallback subset, both embedded


def test_fallback_from_the_environment(monkeypatch, tmp_path):
    fallback = make_font(tmp_path / "extb2.ttf", JI)
    monkeypatch.setenv("HALL_FONT_FALLBACK", fallback)
    result = render_pdf("notice", BUILDERS["notice"](applicant_name=f"{JI}野"), "a4")
    assert result.warnings == []
    assert f"{JI}野" in flat(pdfium_text(result.pdf))


def test_invisible_and_control_characters_do_not_print_as_boxes():
    data = BUILDERS["receipt"](applicant_name="张\u200b三\ufe00丰\t")
    result = render_pdf("receipt", data, "a4")
    assert result.warnings == []
    assert "张三丰" in flat(pdf_text(result.pdf))


def test_two_fonts_with_the_same_postscript_name_stay_apart(tmp_path):
    """reportlab would map the second registration onto the first face."""
    first = fontmod.register(fontmod.FontSource(make_font(tmp_path / "one.ttf", "AB")))
    second = fontmod.register(fontmod.FontSource(make_font(tmp_path / "two.ttf", JI)))
    assert first[0] != second[0] and ord(JI) in second[1] and ord(JI) not in first[1]
    from reportlab.pdfbase import pdfmetrics

    assert ord(JI) in pdfmetrics.getFont(second[0]).face.charToGlyph


# -- parsed fonts kept between processes (printing/fontcache.py) -------------------------------

def test_a_cached_font_is_the_same_font(tmp_path, monkeypatch):
    from printing.fontcache import make_font
    from printing.fonts import package_sources

    monkeypatch.setenv("HALL_CACHE_DIR", str(tmp_path))
    source = package_sources()[0]
    parsed = make_font("CacheA", source.path, source.index)  # parses and stores
    [entry] = (tmp_path / "fonts").iterdir()
    cached = make_font("CacheB", source.path, source.index)  # from the cache
    for attr in ("charToGlyph", "charWidths", "glyphPos", "hmetrics", "ascent", "descent", "bbox", "name",
                 "unitsPerEm", "defaultWidth", "flags", "stemV"):
        assert getattr(cached.face, attr) == getattr(parsed.face, attr), attr
    assert type(cached.face.name) is type(parsed.face.name)
    assert cached.face._ttf_data == parsed.face._ttf_data
    assert cached.face._pdfScale(517) == parsed.face._pdfScale(517)
    subset = list(range(32, 127)) + [ord(c) for c in "受理回执"]
    assert cached.face.makeSubset(subset) == parsed.face.makeSubset(subset)
    assert cached.stringWidth("受理回执 K7P9", 10.5) == parsed.stringWidth("受理回执 K7P9", 10.5)

    entry.write_bytes(entry.read_bytes()[:1000])  # truncated: parsed again, and rewritten
    again = make_font("CacheC", source.path, source.index)
    assert again.face.charToGlyph == parsed.face.charToGlyph
    assert entry.stat().st_size > 1000
