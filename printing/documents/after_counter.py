"""The documents after the counter (docs/dispatch.md): 送达回证 (the collector signs),
补交材料收据 (a deferred material handed in later), 告知承诺书 and 终止办理通知书."""

from __future__ import annotations

from hall_app.domain.documents import DeliveryData, PledgeData, SupplyData, TerminationData
from printing import labels as L
from printing.documents.common import material_details
from printing.layout import Sheet, fmt_date


def _seal(s: Sheet) -> None:
    hall = s.data.hall
    s.qr_block()
    s.seal(L.SEAL_ORG, fmt_date(s.data.issued_at), [
        f"{L.CLERK}：{hall.clerk}" if hall.clerk else "",
        f"{L.WINDOW}：{hall.window}" if hall.window else "",
        f"{L.PHONE}：{hall.phone}" if hall.phone else "",
    ])


def _delivery(s: Sheet, d: DeliveryData) -> None:
    s.para(L.DELIVERY_LEAD.format(bundle=d.bundle_name, date=fmt_date(d.delivered_at)))
    pairs = [(L.APPLICANT, d.applicant_name), (L.DELIVERY_METHOD, d.method)]
    if d.waybill:
        pairs.append((L.DELIVERY_WAYBILL, d.waybill))
    if d.collector_name:
        pairs.append((L.DELIVERY_COLLECTOR, f"{d.collector_name}（{d.collector}）"))
    s.fields(pairs)
    s.section(L.DELIVERY_RESULTS + L.COUNT_ITEMS.format(n=len(d.items)))
    s.numbered([(item.name, [item.department, result]) for item, result in zip(d.items, d.results)], inline=True)
    s.signatures([(L.DELIVERY_SIGN,), (L.SIGN_DATE,)])


def _supply(s: Sheet, d: SupplyData) -> None:
    s.para(L.SUPPLY_LEAD.format(name=d.applicant_name, date=fmt_date(d.issued_at)))
    s.section(L.SUPPLY_ITEMS + L.COUNT_ITEMS.format(n=len(d.supplied)))
    s.numbered([(m.name, material_details(m)) for m in d.supplied], inline=True)
    if d.still_due:
        s.section(L.SUPPLY_STILL.format(date=fmt_date(d.deadline)))
        s.numbered([(m.name, material_details(m)) for m in d.still_due], inline=True)
    else:
        s.para(L.SUPPLY_DONE)


def _pledge(s: Sheet, d: PledgeData) -> None:
    s.para(L.PLEDGE_LEAD.format(name=d.applicant_name, id=d.applicant_id_masked, bundle=d.bundle_name))
    s.section(L.PLEDGE_ITEMS + L.COUNT_ITEMS.format(n=len(d.items)))
    s.numbered([(item.name, [item.department, item.output]) for item in d.items], inline=True)
    s.para(L.PLEDGE_PROMISE)
    s.para(L.PLEDGE_CHECK.format(date=fmt_date(d.check_due), text=d.consequence))
    s.para(L.PLEDGE_TRUE)
    s.signatures([(L.COMMITTER_SIGN,), (L.SIGN_DATE,)])


def _termination(s: Sheet, d: TerminationData) -> None:
    s.para(L.TERMINATION_LEAD.format(name=d.applicant_name, bundle=d.bundle_name, kind=d.kind))
    s.section(L.TERMINATION_REASON)
    s.para(d.reason)
    s.section(L.TERMINATION_BASIS)
    s.para(d.basis)
    s.boxed(L.REFUSAL_RIGHTS)
    s.signatures([(L.RECIPIENT_SIGN, L.SIGN_DATE)])


def compose(s: Sheet) -> None:
    d = s.data
    s.header()
    if isinstance(d, DeliveryData):
        _delivery(s, d)
    elif isinstance(d, SupplyData):
        _supply(s, d)
    elif isinstance(d, PledgeData):
        _pledge(s, d)
    elif isinstance(d, TerminationData):
        _termination(s, d)
    for warning in d.warnings:
        s.boxed(L.NOTICE_BOX + warning)
    _seal(s)
