"""授权委托书: the principal authorises a proxy (relative or 帮代办员)."""

from __future__ import annotations

from hall_app.domain.documents import AuthorisationData
from printing import labels as L
from printing.layout import Sheet, fmt_date


def compose(s: Sheet) -> None:
    d: AuthorisationData = s.data
    s.header()
    s.fields([
        (L.PRINCIPAL, d.principal_name or d.applicant_name),
        (L.ID_NUMBER, d.principal_id_masked or d.applicant_id_masked),
        (L.PROXY, d.proxy_name),
        (L.ID_NUMBER + " ", d.proxy_id_masked),
        (L.RELATION, d.relation),
    ], wide=(L.RELATION,))
    s.para(L.AUTH_LEAD.format(bundle=d.bundle_name))
    scope = list(d.scope) or [L.AUTH_SCOPE_DEFAULT.format(bundle=d.bundle_name)]
    s.numbered([(item, []) for item in scope])
    s.para(L.AUTH_POWERS)
    if d.valid_from and d.valid_until:
        s.para(L.AUTH_VALID_RANGE.format(start=fmt_date(d.valid_from), date=fmt_date(d.valid_until)))
    else:
        s.para(L.AUTH_VALID.format(date=fmt_date(d.valid_until)) if d.valid_until else L.AUTH_VALID_OPEN)
    if d.method_label:
        s.para(L.AUTH_METHOD.format(method=d.method_label))
    s.para(L.AUTH_DUTY)
    for warning in d.warnings:
        s.boxed(L.NOTICE_BOX + warning)
    s.signatures([(L.PRINCIPAL_SIGN, L.SIGN_DATE), (L.PROXY_SIGN, L.SIGN_DATE)])

    s.section(L.VILLAGE_TITLE)
    s.para(L.VILLAGE_TEXT)
    if d.attested_by:
        s.para(L.VILLAGE_NAMED.format(name=d.attested_by))
    s.seal(L.VILLAGE_SEAL, L.SIGN_DATE, [L.VILLAGE_SIGN])
    s.qr_block()
