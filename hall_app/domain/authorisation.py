"""授权委托 (authorisation first): who may file for whom, for which bundles, until when.

A township agent (帮代办员), a village cadre or a relative acts for a principal
(委托人) only with a recorded authorisation: the principal's checked ID, the proxy,
their relation, the bundles it covers, its validity, how the principal signed it
(signature; fingerprint or a village committee's attestation when they cannot sign),
and, once the signed paper is back, when it was received and the thumbprint
(SHA-256) of its scan. Pure rules, no I/O: the register (services/authorisations.py),
the case (``case.authorisation_set``) and the server (server/agents.py) all ask here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from hall_app.domain.case_state import PROXY_RELATIONS
from hall_app.domain.ids import check_citizen_id

RELATIONS = PROXY_RELATIONS  # 配偶 … 帮代办员, 村（社区）干部
AGENT_RELATIONS = ("帮代办员", "村（社区）干部")
METHODS = {"signed": "委托人签名", "fingerprint": "委托人按指印", "attested": "村（居）委会代为证明"}
MAX_DAYS = 366  # an authorisation is renewed at least once a year
MAX_BUNDLES = 20


class AuthorisationError(Exception):
    """An authorisation that cannot be recorded or used; the message lists every reason."""


@dataclass(frozen=True)
class Authorisation:
    auth_id: str
    principal_id: str
    principal_name: str
    agent: str  # the proxy's user name
    agent_name: str
    relation: str
    bundles: tuple[str, ...]
    valid_from: str  # ISO dates, both days included
    valid_until: str
    method: str = "signed"
    attested_by: str = ""  # the village committee, for ``attested``
    township: str = ""  # the principal's township (from their address)
    recorded_at: str = ""
    received_at: str = ""  # the signed paper is back
    thumbprint: str = ""  # SHA-256 of its scan or photo, when one was attached
    revoked_at: str = ""
    revoked_reason: str = ""

    @property
    def method_label(self) -> str:
        return METHODS.get(self.method, self.method)

    def to_payload(self) -> dict[str, Any]:
        out = asdict(self)
        out["bundles"] = list(self.bundles)
        return out

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> "Authorisation":
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        known["bundles"] = tuple(known.get("bundles") or ())
        return cls(**known)


@dataclass(frozen=True)
class Draft:
    """What an agent typed for a new authorisation (before it is checked)."""

    principal_id: str
    relation: str
    bundles: tuple[str, ...]
    valid_from: str
    valid_until: str
    method: str = "signed"
    attested_by: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        return None


def problems(draft: Draft, today: dt.date, known_bundles: Iterable[str] | None = None) -> list[str]:
    """Every reason ``draft`` cannot be recorded, at once, in Chinese (none: it can)."""
    out = []
    check = check_citizen_id(draft.principal_id, today)
    if not check.ok:
        out.append(f"委托人身份证号码有误：{check.error}")
    if draft.relation not in RELATIONS:
        out.append(f"关系请从以下选择：{'、'.join(RELATIONS)}")
    if not draft.bundles:
        out.append("请选择授权办理的事项（一件事）")
    elif len(draft.bundles) > MAX_BUNDLES:
        out.append(f"一份委托书最多 {MAX_BUNDLES} 件事")
    elif known_bundles is not None:
        known = set(known_bundles)  # once: an iterator is read only once
        unknown = [b for b in draft.bundles if b not in known]
        if unknown:
            out.append(f"目录中没有：{'、'.join(unknown[:3])}")
    start, until = parse_date(draft.valid_from), parse_date(draft.valid_until)
    if start is None:
        out.append("委托起始日期应为 YYYY-MM-DD")
    if until is None:
        out.append("委托截止日期应为 YYYY-MM-DD")
    if start and until:
        if until < start:
            out.append("委托截止日期早于起始日期")
        elif (until - start).days >= MAX_DAYS:
            out.append("委托期限最长一年，请分次授权")
        if until < today:
            out.append("委托截止日期已过")
    if draft.method not in METHODS:
        out.append(f"签署方式应为：{'、'.join(METHODS.values())}")
    elif draft.method == "attested" and not draft.attested_by.strip():
        out.append("委托人无法签名时，须写明出具证明的村（居）民委员会")
    return out


def why_not(auth: Authorisation | None, principal_id: str, agent: str, bundle: str, on: dt.date,
            *, need_received: bool = False) -> str:
    """Why ``auth`` does not let ``agent`` file ``bundle`` for ``principal_id`` on ``on``
    ("" when it does). ``need_received``: the signed paper must be back (acceptance)."""
    if auth is None:
        return "没有该委托人的授权委托书，请先录入授权"
    if auth.revoked_at:
        return f"授权委托书已撤销（{auth.revoked_reason or auth.revoked_at[:10]}）"
    if auth.principal_id != principal_id:
        return "授权委托书的委托人与本办件申请人不一致"
    if auth.agent != agent:
        return f"授权委托书的受托人是 {auth.agent_name or auth.agent}，不是本人"
    if bundle not in auth.bundles:
        return "授权委托书不包括本事项，请补充授权"
    start, until = parse_date(auth.valid_from), parse_date(auth.valid_until)
    if start is None or until is None:
        return "授权委托书的期限无法识别"
    if on < start:
        return f"授权委托书自 {auth.valid_from} 起生效"
    if on > until:
        return f"授权委托书已于 {auth.valid_until} 到期，请重新授权"
    if need_received and not auth.received_at:
        return "尚未收到委托人签署的授权委托书"
    return ""


def is_valid(auth: Authorisation, on: dt.date) -> bool:
    start, until = parse_date(auth.valid_from), parse_date(auth.valid_until)
    return not auth.revoked_at and start is not None and until is not None and start <= on <= until


def status_label(auth: Authorisation, on: dt.date) -> str:
    if auth.revoked_at:
        return "已撤销"
    until = parse_date(auth.valid_until)
    if until is not None and on > until:
        return "已过期"
    if not is_valid(auth, on):
        return "未生效"
    if not auth.received_at:
        return "待收回签署件"
    if until is not None and (until - on).days <= 14:
        return f"有效（{(until - on).days}天后到期）"
    return "有效"


# 乡镇 / 街道 from an address: "重庆市江津区白沙镇宝珠村7组" → "白沙镇".
_TOWNSHIP = re.compile(r"(?:^|[省市区县旗])([^省市区县旗镇乡\s]{1,8}?(?:街道|镇|乡))")


def township_of(address: str) -> str:
    match = _TOWNSHIP.search(address or "")
    return match.group(1) if match else ""


def township_problem(agent_township: str, principal_township: str) -> str:
    """An agent files only for principals of their own township ("" when fine or unknown)."""
    if not agent_township:
        return ""
    if not principal_township:
        return f"无法从委托人地址确定所属乡镇，帮代办员只能为{agent_township}的群众代办"
    if principal_township != agent_township:
        return f"委托人属于{principal_township}，不在本帮代办员的服务范围（{agent_township}）内"
    return ""


def case_problem(state: Any, on: dt.date) -> str:
    """A proxy case (channel ``proxy``) may be accepted only with the copy of a valid,
    in-scope, unexpired, received authorisation on it ("" when it may, or when the case
    is not a proxy case)."""
    if getattr(state, "channel", "") != "proxy":
        return ""
    data = getattr(state, "authorisation", None)
    if not data:
        return "代办办件须附有效的授权委托书（帮代办工作台 F6 录入授权）"
    auth = Authorisation.from_payload(data)
    return why_not(auth, state.applicant.get("id_number", ""), state.created_by or auth.agent,
                   state.bundle_code, on, need_received=True)
