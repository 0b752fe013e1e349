"""受理回执: the citizen's proof that the case was accepted."""

from __future__ import annotations

from hall_app.domain.documents import ReceiptData
from printing import labels as L
from printing.documents.common import material_details
from printing.layout import Sheet, fmt_date, fmt_datetime


def compose(s: Sheet) -> None:
    d: ReceiptData = s.data
    hall = d.hall
    delivery = _delivery(d)
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
    ], [0.06, 0.47, 0.17, 0.13, 0.17])
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


def _delivery(d: ReceiptData) -> str:
    """领取方式 with what goes with it: the address for postal delivery only (a mail
    address kept on a window pick-up case is not printed), the window otherwise."""
    how = d.delivery or L.DELIVERY_WINDOW
    if how == L.DELIVERY_MAIL:
        return how + (f"（{L.MAIL_TO}：{d.mail_address}）" if d.mail_address else "")
    if how == L.DELIVERY_WINDOW and d.hall.window:
        return how + f"（{d.hall.window}）"
    return how
