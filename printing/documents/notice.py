"""一次性告知书: every missing material at once (《行政许可法》第三十二条)."""

from __future__ import annotations

from hall_app.domain.documents import NoticeData
from printing import labels as L
from printing.documents.common import material_requirement
from printing.layout import Sheet, fmt_date


def compose(s: Sheet) -> None:
    d: NoticeData = s.data
    hall = d.hall
    s.header()
    if d.sequence > 1:
        s.para(L.NOTICE_SEQ.format(n=d.sequence), "center")
        s.para(L.NOTICE_SEQ_REASON.format(reason=d.reason) if d.reason else "", "small")
        if d.added:
            s.para(L.NOTICE_SEQ_ADDED.format(names="、".join(d.added)), "small")
    s.para(L.NOTICE_LEAD.format(name=d.applicant_name, date=fmt_date(d.issued_at),
                                bundle=d.bundle_name))
    s.fields([(L.ID_NUMBER, d.applicant_id_masked)])

    s.section(L.MISSING_HEAD[1] + L.COUNT_ITEMS.format(n=len(d.missing)))
    s.records(L.MISSING_HEAD, [[m.name, material_requirement(m)] for m in d.missing],
              [0.07, 0.38, 0.55])
    for warning in d.warnings:
        s.boxed(L.NOTICE_BOX + warning)

    if d.deadline:
        s.para(L.NOTICE_DEADLINE.format(date=fmt_date(d.deadline)))
    s.para(L.NOTICE_HOW)
    s.numbered([(how + _where(how, hall), []) for how in d.how])
    s.para(L.NOTICE_AFTER)
    s.boxed(L.NOTICE_LAW)

    s.qr_block()
    s.seal(L.SEAL_ORG, fmt_date(d.issued_at), [
        f"{L.ISSUER}：{hall.clerk}" if hall.clerk else "",
        f"{L.WINDOW}：{hall.window}" if hall.window else "",
        f"{L.PHONE}：{hall.phone}" if hall.phone else "",
    ])
    s.signatures([(L.RECIPIENT_SIGN, L.SIGN_DATE)])


def _where(how: str, hall) -> str:
    """The counter for 窗口补交, the hall's address for 邮政寄递."""
    place = hall.window if "窗口" in how else hall.address if "邮" in how else ""
    return L.HOW_WINDOW_AT.format(place=place) if place else ""
