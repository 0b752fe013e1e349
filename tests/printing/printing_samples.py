"""Sample documents and read-back helpers for the printing tests (no database).

A plain module with a unique name (tests/ has no packages), used by conftest.py and
imported directly by the test modules.
"""

from __future__ import annotations

import io

from hall_app.domain.documents import (
    AuthorisationData,
    CommitmentData,
    HallInfo,
    ItemLine,
    MaterialLine,
    NoticeData,
    ReceiptData,
    RefusalData,
)
from hall_app.domain.ids import mask_citizen_id

FULL_ID = "50038119900307002X"  # a valid-looking number that must never reach paper
PROXY_ID = "500381196505120018"
CODE = "K7P9M2QTX4RH"
URL = f"https://zwfw.cq.gov.cn/t/{CODE}"

HALL = HallInfo(
    name="重庆市江津区政务服务中心",
    address="重庆市江津区鼎山街道滨江新城江津大道1号",
    phone="023-47521234",
    window="3号综合窗口",
    clerk="李红",
)


def base(**over) -> dict:
    fields = dict(
        hall=HALL, tracking_code=CODE, tracking_url=URL,
        document_number=f"渝江政受〔2026〕{CODE}号", issued_at="2026-11-21T10:30:00",
        applicant_name="张三丰", applicant_id_masked=mask_citizen_id(FULL_ID),
        bundle_name="新生儿出生一件事",
    )
    fields.update(over)
    return fields


def receipt(**over) -> ReceiptData:
    fields = base(
        warnings=("2027年节假日安排尚未公布，跨年的办结日期按常规工作日推算，可能调整",),
        items=(
            ItemLine("出生医学证明", "区卫生健康委员会", 5, "2026-11-28", "出生医学证明"),
            ItemLine("户口登记（出生登记）", "江津区公安分局", 3, "2026-11-26"),
            ItemLine("社会保障卡申领", "区人力社保局", 10, "2026-12-05"),
        ),
        received=(MaterialLine("父母双方身份证", form="原件"),
                  MaterialLine("住院分娩证明", "医院出具", "原件及复印件")),
        exempted=(MaterialLine("结婚证", note="电子证照“结婚证”在库，免于提交"),
                  MaterialLine("户口簿", note="电子证照在库")),
        deferred=(MaterialLine("新生儿照片", "近期免冠彩色", "电子版"),),
        deferred_deadline="2026-12-01", expected_completion="2026-12-05",
    )
    fields.update(over)
    return ReceiptData(**fields)


def notice(**over) -> NoticeData:
    fields = base(
        document_number=f"渝江政告〔2026〕{CODE}号",
        missing=(MaterialLine("出生医学证明", "由助产机构签发", "原件"),
                 MaterialLine("父母结婚证", "非本市登记的须提供", "原件及复印件")),
        deadline="2026-12-05",
    )
    fields.update(over)
    return NoticeData(**fields)


def commitment(**over) -> CommitmentData:
    fields = base(deferred=(MaterialLine("新生儿照片", "近期免冠彩色", "电子版"),), deadline="2026-12-01")
    fields.update(over)
    return CommitmentData(**fields)


def refusal(**over) -> RefusalData:
    fields = base(document_number=f"渝江政不受〔2026〕{CODE}号",
                  reason="申请事项依法不需要取得行政许可",
                  basis="《中华人民共和国行政许可法》第三十二条第一款第（一）项",
                  review_body="重庆市江津区人民政府")
    fields.update(over)
    return RefusalData(**fields)


def authorisation(**over) -> AuthorisationData:
    fields = base(principal_name="张三丰", principal_id_masked=mask_citizen_id(FULL_ID),
                  proxy_name="王小明", proxy_id_masked=mask_citizen_id(PROXY_ID), relation="帮代办员",
                  scope=("出生医学证明", "户口登记（出生登记）", "社会保障卡申领"), valid_until="2026-12-31")
    fields.update(over)
    return AuthorisationData(**fields)


BUILDERS = {"receipt": receipt, "notice": notice, "commitment": commitment,
            "refusal": refusal, "authorisation": authorisation}

LONG_ADDRESS = ("重庆市江津区" + "鼎山街道滨江新城江津大道幸福小区" * 6)[:100]


def long_receipt() -> ReceiptData:
    items = tuple(ItemLine(f"第{i}项长名称事项（含多部门联办的情形说明{i}）", f"承办部门{i}号科室", i,
                           f"2026-12-{i:02d}")
                  for i in range(1, 13))
    return receipt(items=items, delivery="邮政寄递", mail_address=LONG_ADDRESS,
                   received=tuple(MaterialLine(f"已收材料{i}") for i in range(1, 9)))


def long_notice() -> NoticeData:
    missing = tuple(MaterialLine(f"缺少的材料第{i}号", f"须加盖单位公章并注明用途{i}", "原件") for i in range(1, 31))
    return notice(missing=missing)


def page_images(pdf: bytes, dpi: float):
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    return [page.render(scale=dpi / 72, grayscale=True).to_pil() for page in doc]


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(text: str) -> str:
    """Extracted text without line breaks or blanks (wrapping splits names)."""
    return "".join(text.split())


def pdfium_text(pdf: bytes) -> str:
    """Text as PDFium (Chrome's engine) extracts it; pypdf garbles surrogate pairs
    in ToUnicode maps, so characters beyond the BMP are checked with this."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    return "\n".join(page.get_textpage().get_text_range() for page in doc)
