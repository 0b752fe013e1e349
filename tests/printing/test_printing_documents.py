"""Every document read back: text, embedded fonts, QR code, no full ID number."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from printing_samples import BUILDERS, CODE, FULL_ID, HALL, PROXY_ID, URL, flat, page_images, pdf_text
from pypdf import PdfReader

from printing import render_pdf
from printing.layout import fmt_date

zxingcpp = pytest.importorskip("zxingcpp")

FORMATTED = "K7P9-M2QT-X4RH"


def key_fields(kind: str, data) -> list[str]:
    common = [HALL.name, FORMATTED, data.applicant_name, data.applicant_id_masked, data.bundle_name]
    per_kind = {
        "receipt": lambda d: [*(i.name for i in d.items), *(i.department for i in d.items),
                              *(m.name for m in d.received), *(m.name for m in d.exempted),
                              *(m.name for m in d.deferred), "免交2项", d.warnings[0],
                              "窗口领取", HALL.phone, HALL.clerk, HALL.window, "受理回执",
                              fmt_date(d.items[0].due), d.document_number],
        "notice": lambda d: [*(m.name for m in d.missing), *(m.spec for m in d.missing),
                             "第三十二条", "五日内", "逾期不告知", "即为受理", fmt_date(d.deadline),
                             "窗口补交", "邮政寄递", "网上上传", HALL.clerk, "一次性告知书"],
        "commitment": lambda d: [*(m.name for m in d.deferred), fmt_date(d.deadline),
                                 "视为未提交申请材料", "承诺人（签名", "容缺受理承诺书"],
        "refusal": lambda d: [d.reason, d.basis, "六十日内", "行政复议", "六个月内", "行政诉讼",
                              d.review_body, "不予受理通知书"],
        "authorisation": lambda d: [d.proxy_name, d.proxy_id_masked, d.relation, *d.scope,
                                    fmt_date(d.valid_until), "村（居）民委员会", "授权委托书"],
    }
    return common + per_kind[kind](data)


def fonts_of(pdf: bytes) -> list[dict]:
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            found.append(ref.get_object())
    return found


def qr_texts(image) -> list[str]:
    return [b.text for b in zxingcpp.read_barcodes(image)]


CASES = [(kind, "a4") for kind in BUILDERS] + [("receipt", "80mm"), ("receipt", "58mm"),
                                                ("notice", "80mm"), ("authorisation", "58mm")]


@pytest.mark.parametrize(("kind", "paper"), CASES)
def test_text_reads_back(kind, paper):
    data = BUILDERS[kind]()
    result = render_pdf(kind, data, paper)
    assert result.pdf.startswith(b"%PDF")
    assert result.warnings == []
    text = flat(pdf_text(result.pdf))
    for field in key_fields(kind, data):
        assert flat(field) in text, f"{field!r} missing from the {kind} on {paper}"


@pytest.mark.parametrize(("kind", "paper"), CASES)
def test_every_font_is_embedded(kind, paper):
    fonts = fonts_of(render_pdf(kind, BUILDERS[kind](), paper).pdf)
    assert fonts
    for font in fonts:
        assert font["/Subtype"] == "/TrueType", font  # reportlab's TTF subsets
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font["/BaseFont"]
        assert "STSong" not in str(font["/BaseFont"])


@pytest.mark.parametrize(("kind", "paper"), CASES)
def test_qr_decodes_to_tracking_url(kind, paper):
    dpi = 203 if paper != "a4" else 150
    pdf = render_pdf(kind, BUILDERS[kind](), paper).pdf
    assert qr_texts(page_images(pdf, dpi)[0]) == [URL]


def test_qr_decodes_from_the_58mm_printer_bitmap():
    """The 1-bit image the ESC/POS back-end sends, at 203 dpi and 384 dots."""
    from printing.raster import pdf_to_images

    images, _ = pdf_to_images(render_pdf("receipt", BUILDERS["receipt"](), "58mm").pdf, 384)
    assert images[0].width == 384
    assert qr_texts(images[0].convert("L")) == [URL]


@pytest.mark.parametrize(("kind", "paper"), CASES)
def test_full_id_number_appears_nowhere(kind, paper):
    pdf = render_pdf(kind, BUILDERS[kind](), paper).pdf
    text = flat(pdf_text(pdf))
    for number in (FULL_ID, PROXY_ID):
        assert number not in text
        assert number.encode() not in pdf
    assert all(FULL_ID not in t for t in qr_texts(page_images(pdf, 150)[0]))


def test_unmasked_id_in_data_is_masked_with_a_warning():
    data = BUILDERS["receipt"](applicant_id_masked=FULL_ID, applicant_name=f"张三丰 {FULL_ID}")
    result = render_pdf("receipt", data, "a4")
    assert FULL_ID not in flat(pdf_text(result.pdf))
    assert "500381********002X" in flat(pdf_text(result.pdf))
    assert any("身份证号" in w for w in result.warnings)


def test_no_personal_data_in_pdf_metadata():
    meta = PdfReader(io.BytesIO(render_pdf("receipt", BUILDERS["receipt"](), "a4").pdf)).metadata
    values = " ".join(str(v) for v in meta.values())
    assert "张三丰" not in values and FULL_ID not in values
    assert CODE in values


def test_sequence_and_reason_of_a_second_notice():
    data = BUILDERS["notice"](sequence=2, reason="申请人补交的结婚证为复印件")
    text = flat(pdf_text(render_pdf("notice", data).pdf))
    assert "第2次告知" in text and "结婚证为复印件" in text


def test_mail_delivery_prints_the_address():
    data = BUILDERS["receipt"](delivery="邮政寄递", mail_address="重庆市江津区几江街道东门路8号")
    text = flat(pdf_text(render_pdf("receipt", data, "80mm").pdf))
    assert "邮政寄递" in text and "几江街道东门路8号" in text


def test_unknown_kind_or_paper_is_a_value_error():
    with pytest.raises(ValueError):
        render_pdf("invoice", BUILDERS["receipt"]())
    with pytest.raises(ValueError):
        render_pdf("receipt", BUILDERS["receipt"](), "a5")


def test_missing_tracking_url_warns_and_still_prints():
    result = render_pdf("receipt", BUILDERS["receipt"](tracking_url=""), "58mm")
    assert any("二维码" in w for w in result.warnings)
    assert FORMATTED in pdf_text(result.pdf)


def test_import_is_cheap():
    code = ("import sys, printing; heavy = [m for m in ('reportlab', 'qrcode', 'escpos', "
            "'pypdfium2', 'PIL') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_warm_up_loads_fonts_once():
    from printing import warm_up
    from printing.fonts import load_fonts

    assert warm_up() == []
    assert load_fonts() is load_fonts()
