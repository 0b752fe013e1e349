"""受理回执: the citizen's proof that the case was accepted."""

from __future__ import annotations

from hall_app.domain.documents import ReceiptData
from printing import labels as L
from printing.documents.common import material_details
from printing.layout import Sheet, fmt_date, fmt_datetime


def compose(s: Sheet) -> None:
    d: ReceiptData = s.data
    hall = d.hall
    mail = bool(d.mail_address) or d.delivery == L.DELIVERY_MAIL
    delivery = d.delivery or (L.DELIVERY_MAIL if mail else L.DELIVERY_WINDOW)
    if mail:
        delivery += f"（{L.MAIL_TO}：{d.mail_address}）"
    elif hall.window:
        delivery += f"（{hall.window}）"
    s.header()
    s.fields([
        (L.ISSUED_AT, fmt_datetime(d.issued_at)),
        (L.APPLICANT, d.applicant_name),
        (L.ID_NUMBER, d.applicant_id_masked),
        (L.WINDOW, hall.window),
        (L.CLERK, hall.clerk),
        (L.PHONE, hall.phone),
        (L.BUNDLE, d.bundle_name),
        (L.DELIVERY, delivery),
    ], wide=(L.BUNDLE, L.DELIVERY))

    s.section(L.ITEMS + L.COUNT_ITEMS.format(n=len(d.items)))
    s.records(L.ITEM_HEAD, [
        [i.name + (f"（{L.ITEM_OUTPUT}：{i.output}）" if i.output else ""), i.department,
         L.DAYS.format(n=i.promised_days), fmt_date(i.due)]
        for i in d.items
    ], [0.07, 0.37, 0.24, 0.14, 0.18])
    if d.expected_completion:
        s.para(L.EXPECTED.format(date=fmt_date(d.expected_completion)))
    for warning in d.warnings:
        s.boxed(L.NOTICE_BOX + warning)

    s.section(L.RECEIVED + L.COUNT_ITEMS.format(n=len(d.received)))
    if d.received:
        s.numbered([(m.name, material_details(m)) for m in d.received], inline=True)
    else:
        s.para(L.NONE)
    if d.exempted:
        s.section(L.EXEMPTED.format(n=len(d.exempted)))
        s.para(L.EXEMPTED_LEAD, "small")
        s.numbered([(m.name, [m.note]) for m in d.exempted], inline=True)
    if d.deferred:
        s.section(L.DEFERRED + L.COUNT_ITEMS.format(n=len(d.deferred)))
        s.para(L.DEFERRED_LEAD.format(date=fmt_date(d.deferred_deadline)), "small")
        s.numbered([(m.name, material_details(m)) for m in d.deferred], inline=True)

    s.qr_block()
    s.seal(L.SEAL_ORG, fmt_date(d.issued_at), [
        f"{L.ADDRESS}：{hall.address}" if hall.address else "", L.RECEIPT_KEEP])
