"""What goes on paper: plain data for each printed document.

Built by the services from a case, its plan and the hall's settings; rendered by
``printing/`` (which never touches the database). Everything is already in the
form the citizen reads: masked ID numbers, Chinese labels, computed dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hall_app.domain.labels import DOCUMENT_KINDS  # noqa: F401 - re-exported

# Which document may be printed in which case status (None: any case with a proxy).
PRINTABLE_IN: dict[str, tuple[str, ...] | None] = {
    "receipt": ("accepted", "accepted_deferred", "dispatched", "completed", "handed_over", "rated"),
    "notice": ("notice_issued",),
    "commitment": ("accepted_deferred", "dispatched", "completed", "handed_over", "rated"),
    "refusal": ("refused", "rated"),
    "authorisation": None,
    # after the counter (docs/dispatch.md; built by services/documents_after.py)
    "delivery": ("handed_over", "rated"),
    "supply": ("accepted", "accepted_deferred", "dispatched", "completed", "handed_over", "rated"),
    "pledge": ("accepted", "dispatched", "completed", "handed_over", "rated", "terminated"),
    "termination": ("terminated",),
}
# Statuses after a plain acceptance (a deferred or refused decision is told by the decision).
_ACCEPTED = frozenset({"accepted", "dispatched", "completed", "handed_over", "rated"})


def documents_for(state: Any) -> list[str]:
    """The documents a case's decision produces, in printing order (a ``CaseState``)."""
    kinds: list[str] = []
    decision = state.decision.get("type", "")
    if state.status == "notice_issued":
        kinds.append("notice")
    elif state.status == "refused" or decision == "case.refused":
        kinds.append("refusal")
    elif state.status == "accepted_deferred" or decision == "case.accepted_deferred":
        kinds += ["receipt", "commitment"]
    elif state.status in _ACCEPTED:
        kinds.append("receipt")
    if kinds and state.proxy and kinds[0] == "receipt":
        kinds.append("authorisation")
    if kinds and kinds[0] == "receipt" and any(item.get("commitment") for item in state.items.values()):
        kinds.append("pledge")  # 告知承诺书: items accepted on the applicant's commitment
    # never one the status no longer allows (a voided case; a deferral whose materials all came)
    return [k for k in kinds if state.status in (PRINTABLE_IN[k] or (state.status,))]


@dataclass(frozen=True)
class HallInfo:
    name: str  # 重庆市江津区政务服务中心
    address: str = ""
    phone: str = ""  # enquiry phone printed on every document
    window: str = ""  # 3号综合窗口
    clerk: str = ""  # clerk's display name


@dataclass(frozen=True)
class ItemLine:
    name: str
    department: str
    promised_days: int
    due: str  # ISO date
    output: str = ""


@dataclass(frozen=True)
class MaterialLine:
    name: str
    spec: str = ""
    form: str = ""  # 原件 / 复印件 / 原件及复印件
    note: str = ""  # e.g. 电子证照“结婚证”在库，免于提交


@dataclass(frozen=True)
class DocumentBase:
    hall: HallInfo
    tracking_code: str  # canonical, e.g. K7P9M2QTX4RH
    tracking_url: str  # {tracking_base_url}/t/{tracking_code}
    document_number: str  # e.g. 渝江政受〔2026〕K7P9M2QTX4RH号
    issued_at: str  # ISO datetime, device time
    applicant_name: str
    applicant_id_masked: str  # 110105********002X (never the full number)
    bundle_name: str
    warnings: tuple[str, ...] = ()  # e.g. the unpublished-calendar warning


@dataclass(frozen=True)
class ReceiptData(DocumentBase):
    items: tuple[ItemLine, ...] = ()
    received: tuple[MaterialLine, ...] = ()
    exempted: tuple[MaterialLine, ...] = ()  # 免交 N 项 (e-licences on file)
    deferred: tuple[MaterialLine, ...] = ()
    deferred_deadline: str = ""
    delivery: str = "窗口领取"  # or 邮政寄递
    mail_address: str = ""
    expected_completion: str = ""  # the latest item due date


@dataclass(frozen=True)
class NoticeData(DocumentBase):
    missing: tuple[MaterialLine, ...] = ()
    deadline: str = ""  # ISO date to supply them
    how: tuple[str, ...] = ("窗口补交", "邮政寄递", "网上上传（渝快办）")
    reason: str = ""  # why a second notice, if it is one
    sequence: int = 1
    added: tuple[str, ...] = ()  # materials no earlier notice named (the reason says why)


@dataclass(frozen=True)
class CommitmentData(DocumentBase):
    deferred: tuple[MaterialLine, ...] = ()
    deadline: str = ""
    consequence: str = (
        "逾期未补交的，视为未提交申请材料，已作出的受理决定予以撤回，相关事项终止办理；"
        "申请人作出不实承诺的，依法记入信用记录。"
    )


@dataclass(frozen=True)
class RefusalData(DocumentBase):
    reason: str = ""
    basis: str = ""
    review_body: str = ""  # 行政复议机关, printed when known
    court: str = ""  # 管辖人民法院, printed when known


@dataclass(frozen=True)
class AuthorisationData(DocumentBase):
    principal_name: str = ""
    principal_id_masked: str = ""
    proxy_name: str = ""
    proxy_id_masked: str = ""
    relation: str = ""  # 子女 / 配偶 / 帮代办员 …
    scope: tuple[str, ...] = field(default_factory=tuple)  # item names authorised
    valid_until: str = ""
    # the blank form an agent prints before the visit (issue 13): from, method, committee
    valid_from: str = ""
    method_label: str = ""  # 委托人签名 / 委托人按指印 / 村（居）委会代为证明
    attested_by: str = ""


# -- after the counter (docs/dispatch.md) -------------------------------------------------------
@dataclass(frozen=True)
class DeliveryData(DocumentBase):
    """送达回证: what was handed over, how, and to whom (the collector signs it)."""

    items: tuple[ItemLine, ...] = ()
    results: tuple[str, ...] = ()  # per item: its output and the document number, or the refusal
    method: str = ""  # 窗口领取 / 邮政寄递 / 电子证照送达
    waybill: str = ""
    collector: str = ""  # 申请人本人 / 代办人 …
    collector_name: str = ""
    delivered_at: str = ""


@dataclass(frozen=True)
class SupplyData(DocumentBase):
    """补交材料收据: the deferred materials handed in later, and what is still due."""

    supplied: tuple[MaterialLine, ...] = ()
    still_due: tuple[MaterialLine, ...] = ()
    deadline: str = ""


@dataclass(frozen=True)
class PledgeData(DocumentBase):
    """告知承诺书: the applicant signs that the conditions of these items are met."""

    items: tuple[ItemLine, ...] = ()
    check_due: str = ""
    consequence: str = (
        "行政机关将在承诺期限内进行事后核查；经核查承诺内容与实际不符的，依法撤销相关决定，"
        "并将虚假承诺情况记入信用记录。"
    )


@dataclass(frozen=True)
class TerminationData(DocumentBase):
    """终止办理通知书 / 撤销决定: why the case ends, on what basis."""

    kind: str = ""  # 终止办理 / 撤销
    reason: str = ""
    basis: str = ""
