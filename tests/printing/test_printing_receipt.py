"""The A4 receipt: one page when the content fits, a second only for long content,
never a page holding only the seal; 领取方式 that does not contradict itself."""

from __future__ import annotations

import pypdfium2
from printing_samples import BUILDERS, HALL, flat, long_receipt, pdfium_text

from hall_app.domain.documents import ItemLine, MaterialLine
from printing import render_pdf

RECEIPT_STATUSES = ("accepted", "accepted_deferred", "dispatched", "completed", "handed_over", "rated")


def page_texts(pdf: bytes) -> list[str]:
    doc = pypdfium2.PdfDocument(pdf)
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


def test_every_demo_receipt_fits_one_a4_page(demo_ctx):
    from sqlalchemy import select

    from hall_app.services.documents import DocumentService
    from hall_app.store.models import CaseRow

    with demo_ctx.read() as session:
        ids = session.scalars(select(CaseRow.case_id).where(CaseRow.status.in_(RECEIPT_STATUSES))).all()
    assert len(ids) >= 5
    for case_id in ids:
        data = DocumentService(demo_ctx).build("receipt", case_id)
        result = render_pdf("receipt", data, "a4")
        assert result.pages == 1, (data.tracking_code, len(data.items), result.pages)
        if data.delivery != "邮政寄递":
            assert not data.mail_address


def test_a_receipt_just_too_long_for_the_normal_spacing_still_fits_one_page():
    """Seven items with results, three kinds of materials: like the demo's fullest receipt."""
    items = tuple(ItemLine(f"城乡居民基本医疗保险参保登记{i}", "市医保局", 3, "2026-12-04", "参保登记结果")
                  for i in range(7))
    mats = tuple(MaterialLine(f"材料{i}", "分娩住院医疗费用票据或结算单", "原件", "出院未满7日的可容缺后补")
                 for i in range(2))
    data = BUILDERS["receipt"](items=items, received=mats, deferred=mats, delivery="邮政寄递", warnings=(),
                               mail_address="重庆市江津区几江街道艾坪山路18号3单元5-2")
    result = render_pdf("receipt", data, "a4")
    assert result.pages == 1
    assert "参保登记结果" in flat(pdfium_text(result.pdf))


def test_a_genuinely_long_receipt_takes_two_pages_and_the_seal_is_not_alone():
    result = render_pdf("receipt", long_receipt(), "a4")
    assert result.pages == 2
    last = page_texts(result.pdf)[-1]
    assert "受理单位（盖章）" in last
    # Something of the document's body goes with the seal onto its page.
    body = [line for line in last.splitlines()
            if line.strip() and not any(k in line for k in ("地址", "请妥善保管", "盖章", "年", "跟踪码"))]
    assert body, last


def test_window_pick_up_never_prints_a_mail_address():
    data = BUILDERS["receipt"](delivery="窗口领取", mail_address="四川省成都市武侯区某某路1号")
    text = flat(pdfium_text(render_pdf("receipt", data, "a4").pdf))
    assert f"窗口领取（{HALL.window}）" in text
    assert "寄递地址" not in text and "武侯区" not in text


def test_postal_delivery_prints_the_address():
    data = BUILDERS["receipt"](delivery="邮政寄递", mail_address="重庆市江津区几江街道艾坪山路18号")
    text = flat(pdfium_text(render_pdf("receipt", data, "a4").pdf))
    assert "邮政寄递（寄递地址：重庆市江津区几江街道艾坪山路18号）" in text
    assert "窗口领取" not in text



def test_short_columns_keep_their_text_whole_whatever_the_font(monkeypatch):
    """The 预计办结 date ("2026年11月23日") must not break before 日 whatever CJK font the
    machine has: with WenQuanYi Zen Hei (Debian's fonts-wqy-zenhei), whose digits are
    wider than Micro Hei's, every item row took two lines and the demo's fullest receipt
    spilled onto a second page. Short columns are sized to their text."""
    import dataclasses
    import os

    zenhei = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
    fonts = [None] + ([zenhei] if os.path.exists(zenhei) else [])
    items = tuple(ItemLine(f"城乡居民基本医疗保险参保登记{i}", "市人力社保局", 3, "2026-11-23", "参保登记结果")
                  for i in range(7))
    data = dataclasses.replace(long_receipt(), items=items)
    for font in fonts:
        if font:
            monkeypatch.setenv("HALL_FONT", font)
        text = "".join(page_texts(render_pdf("receipt", data, "a4").pdf))
        assert text.count("2026年11月23日") == 7, (font, text.count("2026年11月23"))
