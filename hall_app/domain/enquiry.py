"""Enquiries without a case: a consultation (咨询), a referral under first-contact
responsibility (首问负责) and a report of something that could not be done (办不成事).

An enquiry is its own small event stream (docs/dispatch.md, "Enquiries"): its id is the
id of its ``enquiry.opened`` event and travels in the envelope's ``case_id`` slot (the
stream id), its events are ``enquiry.*``. ``apply`` is pure like the case's: live writes
(strict: an illegal step raises EnquiryError and nothing is written) and a rebuild from
the log (not strict: an event that does not fit becomes an anomaly) go through it.

Rules:
- the clerk who opens it owns it (首问负责) and only the owner closes it;
- a consultation answered at once is closed as it is opened, with no contact phone; an
  open enquiry may keep a phone for the call back (personal data minimal);
- a referral says where the citizen was sent (department, window, another hall) and why;
- 办不成事 says what could not be done and why, and is closed only with what was done
  about it, by whom, and the result.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

from hall_app.domain.case_state import CaseError
from hall_app.domain.events import Event

KINDS = {"consult": "咨询", "referral": "首问负责", "unresolved": "办不成事"}
TARGET_KINDS = {"department": "部门", "window": "窗口", "hall": "其他大厅", "other": "其他"}
STATUS_LABELS = {"open": "待办结", "closed": "已办结"}
OPENED, CLOSED = "enquiry.opened", "enquiry.closed"


class EnquiryError(CaseError):
    """An enquiry step the rules refuse; the message is for the clerk."""


@dataclass
class EnquiryState:
    enquiry_id: str
    kind: str = ""
    topic: str = ""
    owner: str = ""  # the clerk asked first (首问负责): stays the owner until closed
    hall: str = ""
    window: str = ""
    bundle: str = ""
    answered: bool = False  # a consultation answered at once
    phone: str = ""  # only when a follow-up is needed
    target_kind: str = ""  # referral: department / window / hall / other
    target: str = ""
    reason: str = ""  # referral: why the citizen was sent there
    why: str = ""  # 办不成事: why it could not be done
    status: str = ""  # open / closed ("" before its opening)
    opened_at: str = ""
    closed_at: str = ""
    closed_by: str = ""
    result: str = ""  # the answer, or the result of what was done
    action: str = ""  # 办不成事: what was done about it
    handled_by: str = ""  # 办不成事: who handled it
    version: int = 0
    anomalies: list[str] = field(default_factory=list)
    needs_review: bool = False

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def short_id(self) -> str:
        """What a clerk reads and types: the id's last eight characters (its random part)."""
        return self.enquiry_id[-8:]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "EnquiryState":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def _text(payload: dict, key: str) -> str:
    value = payload.get(key, "")
    if not isinstance(value, str):
        raise EnquiryError(f"“{key}”应为文字")
    return value.strip()


def _opened(s: EnquiryState, e: Event) -> None:
    if s.status:
        raise EnquiryError("该事项已经登记过，不能重复登记")
    if e.event_id != e.case_id:
        raise EnquiryError("事项编号应与其登记事件的编号相同")
    p = e.payload
    kind = _text(p, "kind")
    if kind not in KINDS:
        raise EnquiryError(f"事项类别应为 {'、'.join(KINDS.values())} 之一")
    topic = _text(p, "topic")
    if not topic:
        raise EnquiryError("请填写事项内容（群众问的是什么、要办什么）")
    answered = p.get("answered", False)
    if not isinstance(answered, bool):
        raise EnquiryError("“是否当场答复”应为是或否")
    phone = _text(p, "phone")
    if kind == "consult" and answered and phone:
        raise EnquiryError("已当场答复的咨询不需要联系电话（个人信息从简）；需回复的才留电话")
    if kind != "consult" and answered:
        raise EnquiryError("只有咨询可以标为当场答复")
    target_kind, target, reason = _text(p, "target_kind"), _text(p, "target"), _text(p, "reason")
    if kind == "referral":
        if target_kind not in TARGET_KINDS:
            raise EnquiryError(f"请选择引导去向：{'、'.join(TARGET_KINDS.values())}")
        if not target:
            raise EnquiryError("请填写把群众引导到了哪里（部门、窗口或大厅名称）")
        if not reason:
            raise EnquiryError("请填写引导的原因")
    elif target_kind or target or reason:
        raise EnquiryError("引导去向和原因只属于首问负责登记")
    why = _text(p, "why")
    if kind == "unresolved" and not why:
        raise EnquiryError("请填写办不成的原因")
    if kind != "unresolved" and why:
        raise EnquiryError("“办不成的原因”只属于办不成事登记")
    s.kind, s.topic, s.owner = kind, topic, e.actor
    s.hall, s.window, s.bundle = _text(p, "hall"), _text(p, "window"), _text(p, "bundle")
    s.answered, s.phone = answered, phone
    s.target_kind, s.target, s.reason, s.why = target_kind, target, reason, why
    s.opened_at = e.device_time
    s.status = "open"
    if answered:  # answered at once: nothing left to do
        s.status, s.closed_at, s.closed_by = "closed", e.device_time, e.actor


def _closed(s: EnquiryState, e: Event) -> None:
    if not s.status:
        raise EnquiryError("该事项尚未登记")
    if s.status == "closed":
        raise EnquiryError("该事项已经办结")
    if e.actor != s.owner:
        raise EnquiryError(f"该事项由 {s.owner} 首问负责，只能由其本人登记办结")
    p = e.payload
    result, action, handled_by = _text(p, "result"), _text(p, "action"), _text(p, "handled_by")
    if not result:
        raise EnquiryError("办结须填写结果（答复了什么、最后怎样解决）；没有结果不能办结")
    if s.kind == "unresolved":
        if not action:
            raise EnquiryError("办不成事须写明采取了什么措施")
        if not handled_by:
            raise EnquiryError("办不成事须写明由谁处理")
    s.result, s.action, s.handled_by = result, action, handled_by
    s.status, s.closed_at, s.closed_by = "closed", e.device_time, e.actor


HANDLERS = {OPENED: _opened, CLOSED: _closed}


def apply(state: EnquiryState | None, event: Event, strict: bool = True) -> EnquiryState:
    """The state after ``event``; ``state`` is not modified."""
    new = EnquiryState(event.case_id) if state is None else replace(state, anomalies=list(state.anomalies))
    handler = HANDLERS.get(event.type)
    try:
        if handler is None:
            raise EnquiryError(f"未知的事项事件类型 {str(event.type)[:40]}")
        if not isinstance(event.payload, dict):
            raise EnquiryError("事件内容格式有误")
        handler(new, event)
    except EnquiryError as exc:
        if strict:
            raise
        new = EnquiryState(event.case_id) if state is None else replace(state, anomalies=list(state.anomalies))
        new.anomalies.append(f"{str(event.type)[:40]}（{event.device_id}#{event.device_seq}）：{exc}")
        new.needs_review = True
    new.version += 1
    return new


def replay(events: Iterable[Event], strict: bool = False) -> EnquiryState | None:
    """The state after ``events`` in their canonical order; the opening first wherever it
    stands (another device's close can reach a device before the opening does)."""
    ordered = sorted(events, key=lambda e: e.type != OPENED)  # stable: the rest keep their order
    state: EnquiryState | None = None
    for event in ordered:
        state = apply(state, event, strict=strict)
    return state


# -- figures ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EnquiryCount:
    """One (day, clerk, kind): how many were opened, answered at once, closed and are still open."""

    day: dt.date
    clerk: str
    kind: str
    opened: int = 0
    answered_at_once: int = 0
    closed: int = 0
    still_open: int = 0

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


def _day(iso: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(iso[:10])
    except ValueError:
        return None


def count_enquiries(events: Iterable[Event], first: dt.date, last: dt.date) -> list[EnquiryCount]:
    """Counts per day, clerk and kind from the enquiries' events: an opening counts on its
    day for the clerk who opened it (still open: not closed by the end of ``last``), a
    closing on its day for the clerk who closed it. Events of one enquiry may come in any
    order; an enquiry whose events do not replay cleanly counts as its replay says."""
    streams: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        if event.type.startswith("enquiry."):
            streams[event.case_id].append(event)
    tally: dict[tuple[dt.date, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for stream in streams.values():
        state = replay(stream)
        if state is None or not state.kind:
            continue
        opened, closed = _day(state.opened_at), _day(state.closed_at)
        if opened is not None and first <= opened <= last:
            row = tally[(opened, state.owner, state.kind)]
            row[0] += 1
            row[1] += state.answered
            row[3] += closed is None or closed > last
        if closed is not None and first <= closed <= last:
            tally[(closed, state.closed_by, state.kind)][2] += 1
    return [EnquiryCount(day, clerk, kind, *values) for (day, clerk, kind), values in
            sorted(tally.items(), key=lambda item: (item[0][0], item[0][1], list(KINDS).index(item[0][2])
                                                    if item[0][2] in KINDS else 99))]


def totals_by_kind(counts: Iterable[EnquiryCount]) -> dict[str, dict[str, int]]:
    """The counts added up per kind (for a summary line)."""
    out: dict[str, dict[str, int]] = {k: {"opened": 0, "answered_at_once": 0, "closed": 0, "still_open": 0}
                                      for k in KINDS}
    for c in counts:
        row = out.setdefault(c.kind, {"opened": 0, "answered_at_once": 0, "closed": 0, "still_open": 0})
        row["opened"] += c.opened
        row["answered_at_once"] += c.answered_at_once
        row["closed"] += c.closed
        row["still_open"] += c.still_open
    return out
