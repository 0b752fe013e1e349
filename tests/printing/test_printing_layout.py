"""Long content flows onto more pages or a longer roll; nothing is cut at the edge."""

from __future__ import annotations

import pytest
from printing_samples import BUILDERS, LONG_ADDRESS, flat, long_notice, long_receipt, page_images, pdf_text

from hall_app.domain.documents import ItemLine, MaterialLine
from printing import render_pdf
from printing.papers import PAPERS

ROLLS = ("80mm", "58mm")


def assert_all_present(text: str, names) -> None:
    text = flat(text)
    missing = [n for n in names if flat(n) not in text]
    assert not missing, f"lost on paper: {missing}"


@pytest.mark.parametrize("paper", ["a4", *ROLLS])
def test_twelve_items_and_a_long_address_lose_nothing(paper):
    data = long_receipt()
    result = render_pdf("receipt", data, paper)
    text = pdf_text(result.pdf)
    assert_all_present(text, [i.name for i in data.items] + [i.department for i in data.items])
    assert_all_present(text, [m.name for m in data.received] + [LONG_ADDRESS])
    assert len(LONG_ADDRESS) == 100
    if paper == "a4":
        assert result.pages >= 2
        assert "第2页/共2页" in flat(text)


@pytest.mark.parametrize("paper", ["a4", *ROLLS])
def test_thirty_missing_materials_lose_nothing(paper):
    data = long_notice()
    result = render_pdf("notice", data, paper)
    text = pdf_text(result.pdf)
    assert_all_present(text, [m.name for m in data.missing] + [m.spec for m in data.missing])
    if paper == "a4":
        assert result.pages >= 2
        assert flat(text).count("需补正的材料") >= result.pages  # table header repeats


@pytest.mark.parametrize(("kind", "paper"), [("receipt", "58mm"), ("receipt", "80mm"),
                                             ("notice", "58mm"), ("authorisation", "58mm")])
def test_roll_ink_stays_inside_the_printable_dots(kind, paper):
    """Render at 203 dpi; the columns the printer cannot reach must be blank."""
    data = long_receipt() if kind == "receipt" else BUILDERS[kind]()
    image = page_images(render_pdf(kind, data, paper).pdf, 203)[0]
    margin = (image.width - PAPERS[paper].dots) // 2
    assert margin > 0
    left = image.crop((0, 0, margin, image.height))
    right = image.crop((image.width - margin, 0, image.width, image.height))
    assert left.getextrema()[0] > 200 and right.getextrema()[0] > 200


def test_a4_ink_stays_inside_the_page_margins():
    for page in page_images(render_pdf("receipt", long_receipt(), "a4").pdf, 100):
        border = round(10 / 25.4 * 100)  # 10 mm of the 20 mm margin
        w, h = page.size
        for box in ((0, 0, border, h), (w - border, 0, w, h), (0, 0, w, border), (0, h - border, w, h)):
            assert page.crop(box).getextrema()[0] > 200


def test_roll_height_follows_the_content():
    import io

    from pypdf import PdfReader

    short = render_pdf("receipt", BUILDERS["receipt"](), "58mm").pdf
    long = render_pdf("receipt", long_receipt(), "58mm").pdf
    heights = [float(PdfReader(io.BytesIO(p)).pages[0].mediabox.height) for p in (short, long)]
    assert heights[1] > heights[0] * 1.3


def test_a_very_long_roll_continues_on_a_further_page():
    items = tuple(ItemLine(f"超长回执事项{i:03d}", f"部门{i}", 5, "2026-12-01") for i in range(160))
    result = render_pdf("receipt", BUILDERS["receipt"](items=items), "58mm")
    assert result.pages >= 2
    assert_all_present(pdf_text(result.pdf), [i.name for i in items])


def test_unbreakable_long_text_wraps():
    blob = "A" * 300
    data = BUILDERS["notice"](missing=(MaterialLine("材料" + blob, blob),))
    for paper in ("a4", "58mm"):
        assert blob in flat(pdf_text(render_pdf("notice", data, paper).pdf))


def test_plain_text_paragraphs_skip_the_parser_with_the_same_result():
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from printing.layout import Para

    style = ParagraphStyle("t", fontName="Helvetica", fontSize=9, leading=12, wordWrap="CJK", textColor="#333333")
    for text in ("受理回执  跟踪码 K7P9", "  前后有空格\u3000", "A &amp; B", "<b>粗</b>体"):
        ours, theirs = Para(text, style), Paragraph(text, style)
        assert [f.__dict__ for f in ours.frags] == [f.__dict__ for f in theirs.frags], text
        assert ours.text == theirs.text
