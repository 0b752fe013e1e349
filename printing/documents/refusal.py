"""不予受理通知书: a reasoned refusal with the applicant's remedies."""

from __future__ import annotations

from hall_app.domain.documents import RefusalData
from printing import labels as L
from printing.layout import Sheet, fmt_date


def compose(s: Sheet) -> None:
    d: RefusalData = s.data
    s.header()
    s.para(L.REFUSAL_LEAD.format(name=d.applicant_name, date=fmt_date(d.issued_at), bundle=d.bundle_name))
    s.fields([(L.ID_NUMBER, d.applicant_id_masked)])
    s.section(L.REFUSAL_REASON)
    s.para(d.reason)
    s.section(L.REFUSAL_BASIS)
    s.para(d.basis or L.REFUSAL_BASIS_DEFAULT)
    for warning in d.warnings:
        s.boxed(L.NOTICE_BOX + warning)
    s.boxed(L.REFUSAL_RIGHTS)
    if d.review_body:
        s.para(L.REFUSAL_REVIEW_BODY.format(body=d.review_body), "small")
    if d.court:
        s.para(L.REFUSAL_COURT.format(court=d.court), "small")
    s.qr_block()
    hall = d.hall
    s.seal(L.SEAL_ORG, fmt_date(d.issued_at), [
        f"{L.CLERK}：{hall.clerk}" if hall.clerk else "",
        f"{L.PHONE}：{hall.phone}" if hall.phone else "",
        f"{L.ADDRESS}：{hall.address}" if hall.address else "",
    ])
    s.signatures([(L.RECIPIENT_SIGN, L.SIGN_DATE)])
