"""容缺受理承诺书: the applicant promises to hand in the deferred materials."""

from __future__ import annotations

from hall_app.domain.documents import CommitmentData
from printing import labels as L
from printing.documents.common import material_details
from printing.layout import Sheet, fmt_date


def compose(s: Sheet) -> None:
    d: CommitmentData = s.data
    s.header()
    s.para(L.COMMIT_LEAD.format(name=d.applicant_name, id=d.applicant_id_masked, bundle=d.bundle_name))
    s.section(L.COMMIT_ITEMS + L.COUNT_ITEMS.format(n=len(d.deferred)))
    s.numbered([(m.name, material_details(m)) for m in d.deferred], inline=True)
    s.space(2)
    s.para(L.COMMIT_PROMISE.format(date=fmt_date(d.deadline)))
    s.para(L.COMMIT_CONSEQ.format(text=d.consequence))
    s.para(L.COMMIT_TRUE)
    for warning in d.warnings:
        s.boxed(L.NOTICE_BOX + warning)
    s.signatures([(L.COMMITTER_SIGN,), (L.SIGN_DATE,)])
    s.qr_block()
    hall = d.hall
    s.seal(L.SEAL_ORG, fmt_date(d.issued_at), [
        f"{L.CLERK}：{hall.clerk}" if hall.clerk else "",
        f"{L.WINDOW}：{hall.window}" if hall.window else "",
        f"{L.PHONE}：{hall.phone}" if hall.phone else "",
    ])
