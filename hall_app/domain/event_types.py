"""Payload schemas: one pydantic model per event type, versioned by ``schema_version``.

Shared by the device (checked where an event is appended, before anything is
written: hall_app/store/repository.py) and the server (checked on push, each event
answered on its own). ``validate_event`` is the one entry point; it raises
:class:`EventInvalid` with a Chinese reason that names the field.

Every string obeys one text rule (hall_app/domain/text.py): no NUL, no control
characters (a newline only in the free-text fields marked multi-line), no lone
surrogates, and a length limit per field. Types are strict: ``"3"`` is not a
number and ``3`` is not a text. Unknown keys are refused, so nothing unchecked
rides along. An unknown event type or schema version is invalid.

Importing this module imports pydantic (~0.1 s); the domain and the UI start without
it: import it lazily where an event is written or received.
"""

import json
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, create_model

from hall_app.domain.case import CaseError, CaseState, replay
from hall_app.domain.events import EVENT_TYPES, SCHEMA_VERSION, Event
from hall_app.domain.text import printable, text_problem

SUPPORTED_VERSIONS = (1,)
MAX_PAYLOAD_BYTES = 64 * 1024  # one event's payload as UTF-8 JSON (a request body holds hundreds)
MAX_DEVICE_SEQ = 2**63 - 1  # a PostgreSQL bigint
MAX_LIST = 500  # codes in one list (materials, items, warnings)


class EventInvalid(CaseError):
    """An event (or its payload) the schema refuses; the message names the field."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(printable(message, 400))  # it may quote what was sent: keep it sendable
        self.field = printable(field)


# The shared text rule (hall_app/domain/text.py) as a pattern pydantic checks in Rust:
# no C0/C1 control characters (a newline only in multi-line fields). Lone surrogates
# are refused by pydantic itself (``string_unicode``); the Chinese reason for either
# comes from ``text_problem`` (``_reason`` below).
_SINGLE_LINE = "^[^\x00-\x1f\x7f-\x9f]*$"
_MULTI_LINE = "^[^\x00-\x09\x0b-\x1f\x7f-\x9f]*$"


def text_rule(max_length: int, multiline: bool = False, min_length: int = 0) -> StringConstraints:
    """The shared text rule as pydantic constraints, at most ``max_length`` characters.

    Used as ``Annotated[str, text_rule(...)]``: written out so that type checkers see a
    ``str`` (a call in an annotation is not a type to them)."""
    return StringConstraints(min_length=min_length, max_length=max_length,
                             pattern=_MULTI_LINE if multiline else _SINGLE_LINE)


def Text(max_length: int, multiline: bool = False, min_length: int = 0) -> Any:  # a type factory
    """A string under the shared text rule, at most ``max_length`` characters."""
    return Annotated[str, text_rule(max_length, multiline, min_length)]


# bundle, item, material, question and field codes; user names
Code: TypeAlias = Annotated[str, text_rule(64, min_length=1)]
Short: TypeAlias = Annotated[str, text_rule(64)]
Date: TypeAlias = Annotated[str, text_rule(40)]  # an ISO date or time as the device wrote it (display only)
Name: TypeAlias = Annotated[str, text_rule(100)]
Value: TypeAlias = Annotated[str, text_rule(2000)]  # an applicant attribute or a form field as typed (after clean())
Note: TypeAlias = Annotated[str, text_rule(2000, multiline=True)]  # free text: reasons, notes, comments
Required: TypeAlias = Annotated[str, text_rule(2000, multiline=True, min_length=1)]
EventId: TypeAlias = Annotated[str, text_rule(64)]  # the id of the write a slot event replaces ("" for none)


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    # Payloads with lists can outgrow a request; the others are bounded by their fields.
    sized: ClassVar[bool] = False


class Started(Payload):
    bundle_code: Code
    bundle_version: int = Field(1, ge=0, le=1_000_000)
    bundle_hash: Short = ""
    tracking_code: Annotated[str, text_rule(16, min_length=1)]
    hall: Annotated[str, text_rule(32)] = ""
    window: Annotated[str, text_rule(32)] = ""
    channel: Annotated[str, text_rule(32)] = "window"
    ticket: Annotated[str, text_rule(32)] = ""  # the queue ticket served when the case began (issue 10)
    ticket_label: Annotated[str, text_rule(12)] = ""  # its number, e.g. A012 (shown with the case)


class Claimed(Payload):
    user: Code


class StepSet(Payload):
    step: Annotated[str, text_rule(32, min_length=1)]


class ApplicantSet(Payload):
    key: Code
    value: Value | None = None
    base: EventId = ""


class Proxy(Payload):
    name: Name
    id_number: Annotated[str, text_rule(32)] = ""
    relation: Annotated[str, text_rule(32)] = ""
    kind: Annotated[str, text_rule(32)] = ""


class ProxySet(Payload):
    proxy: Proxy | None
    base: EventId = ""


class AnswerSet(Payload):
    question: Code
    value: Value | None = None
    base: EventId = ""


class MaterialMarked(Payload):
    material: Code
    status: Literal["handed_in", "missing", "deferred"] | None = None
    base: EventId = ""


class FieldSet(Payload):
    key: Code
    value: Value | None = None
    base: EventId = ""


class NoticeIssued(Payload):
    sized: ClassVar[bool] = True
    missing: list[Code] = Field(default_factory=list, max_length=MAX_LIST)
    deadline: Date = ""
    reason: Note = ""
    warnings: list[Note] = Field(default_factory=list, max_length=MAX_LIST)


class Accepted(Payload):
    sized: ClassVar[bool] = True
    items: dict[Code, Date] = Field(default_factory=dict, max_length=MAX_LIST)
    warnings: list[Note] = Field(default_factory=list, max_length=MAX_LIST)
    commitments: dict[Code, Date] = Field(default_factory=dict, max_length=MAX_LIST)  # 告知承诺 → check due


class AcceptedDeferred(Accepted):
    deferred: list[Code] = Field(default_factory=list, max_length=MAX_LIST)
    deadline: Date = ""


class DeferredSupplied(Payload):
    material: Code
    via: Literal["paper", "elicence"] = "paper"  # on paper, or its e-licence fetched (电子证照已调取)
    licence: Name = ""  # the e-licence's type, as the bundle names it (e.g. 出生医学证明)


class Refused(Payload):
    reason: Required
    basis: Note = ""


class Dispatched(Payload):
    sized: ClassVar[bool] = True
    items: list[Code] = Field(default_factory=list, max_length=MAX_LIST)
    departments: dict[Name, list[Code]] = Field(default_factory=dict, max_length=MAX_LIST)


class ItemResult(Payload):
    item: Code
    status: Literal["received", "in_progress", "needs_material", "approved", "rejected", "completed"]
    note: Note = ""
    document: Annotated[str, text_rule(500)] = ""


class HandedOver(Payload):
    method: Literal["window", "mail", "elicence", "home"] = "window"  # home: an agent delivers (issue 13)
    note: Note = ""
    waybill: Annotated[str, text_rule(20)] = ""  # mail: the EMS number (checked by the domain)
    collector: Literal["", "applicant", "proxy"] = ""  # window: who collected (verified by ID number)
    collector_name: Name = ""


class Rated(Payload):
    level: int = Field(ge=1, le=5)
    comment: Note = ""
    reasons: list[Annotated[str, text_rule(32, min_length=1)]] = Field(default_factory=list, max_length=10)
    dimensions: dict[Literal["服务态度", "服务效率", "服务水平"], int] = Field(default_factory=dict)
    channel: Literal["window", "tracking", "pad", "agent"] = "window"  # agent: 帮代办员代为评价 (issue 13)
    follow_up_due: Date = ""  # a bad rating: the date its follow-up is due (working days, set where rated)


class FollowUpStep(Payload):
    step: Literal["verified", "rectified", "explained", "appealed", "revisited", "closed"]
    note: Required


class Voided(Payload):
    reason: Required


class Reviewed(Payload):
    note: Required


class DocumentPrinted(Payload):
    kind: Annotated[str, text_rule(64)]
    path: Annotated[str, text_rule(1000)] = ""
    paper: Annotated[str, text_rule(32)] = ""
    printer: Annotated[str, text_rule(200)] = ""
    error: Note = ""


SCHEMAS: dict[int, dict[str, type[Payload]]] = {1: {
    "case.started": Started,
    "case.claimed": Claimed,
    "case.applicant_set": ApplicantSet,
    "case.proxy_set": ProxySet,
    "case.step_set": StepSet,
    "case.answer_set": AnswerSet,
    "case.material_marked": MaterialMarked,
    "case.field_set": FieldSet,
    "case.notice_issued": NoticeIssued,
    "case.accepted": Accepted,
    "case.accepted_deferred": AcceptedDeferred,
    "case.deferred_supplied": DeferredSupplied,
    "case.refused": Refused,
    "case.dispatched": Dispatched,
    "case.item_result": ItemResult,
    "case.handed_over": HandedOver,
    "case.rated": Rated,
    "case.follow_up": FollowUpStep,
    "case.voided": Voided,
    "case.reviewed": Reviewed,
    "case.document_printed": DocumentPrinted,
}}
# The events after the counter (docs/dispatch.md) live in their own module; it builds on
# the types above, so it is imported here, after them.
from hall_app.domain.event_types_dispatch import AFTER_SCHEMAS  # noqa: E402

SCHEMAS[1].update(AFTER_SCHEMAS)
# -- agents (issue 13): their schemas live in their own module --
from hall_app.domain.event_types_agents import AGENT_SCHEMAS  # noqa: E402 - needs Payload above

SCHEMAS[1].update(AGENT_SCHEMAS)
# -- enquiries without a case (domain/enquiry.py) --
from hall_app.domain.event_types_enquiry import ENQUIRY_SCHEMAS  # noqa: E402 - needs Payload above

SCHEMAS[1].update(ENQUIRY_SCHEMAS)
assert set(SCHEMAS[SCHEMA_VERSION]) == set(EVENT_TYPES), "every event type needs a schema"


class Envelope(BaseModel):
    """An event as pushed: the fields around the payload (the payload checked apart)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    event_id: Annotated[str, text_rule(64, min_length=1)]
    case_id: Annotated[str, text_rule(36, min_length=1)]
    device_id: Annotated[str, text_rule(64, min_length=1)]
    device_seq: int = Field(ge=1, le=MAX_DEVICE_SEQ)
    actor: Annotated[str, text_rule(64)]
    type: Annotated[str, text_rule(40, min_length=1)]
    payload: dict[str, Any]
    device_time: Date = ""
    schema_version: int = Field(SCHEMA_VERSION, ge=1, le=1000)


# -- messages -----------------------------------------------------------------------------
_MESSAGES = {
    "missing": "缺少此项",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "model_type": "应为对象",
    "none_required": "应为空",
    "string_too_short": "不能为空",
    "too_long": "项目过多",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "literal_error": "取值无效",
    "string_unicode": "含有无法编码的字符（半个代理字符）",
}


def _where(loc: tuple) -> str:
    parts = [printable(str(p), 40) for p in loc if not (isinstance(p, str) and p in ("str", "int"))]
    return ".".join(p for p in parts if not p.startswith(("function-after", "nullable", "Proxy", "constrained-str")))


def _reason(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "string_pattern_mismatch" and isinstance(error.get("input"), str):
        return (text_problem(error["input"], 10**9, multiline=error["ctx"]["pattern"] == _MULTI_LINE)
                or "含有不允许的字符")
    if kind == "string_too_long":
        return f"过长（{len(error.get('input') or '')} 字，最多 {error.get('ctx', {}).get('max_length')} 字）"
    if kind == "string_too_short" and error.get("input"):  # empty: 不能为空. pydantic puts each bound in ctx
        return f"过短（{len(error['input'])} 字，至少 {error['ctx']['min_length']} 字）"
    if kind == "too_short":
        return f"项目过少（至少 {error['ctx']['min_length']} 项）"
    if kind in ("greater_than", "less_than"):
        return f"数值应{'大于' if kind == 'greater_than' else '小于'} {error['ctx'][kind[0] + 't']:g}"  # gt, lt
    message = _MESSAGES.get(kind)
    if kind == "literal_error":
        return f"取值无效，应为 {error.get('ctx', {}).get('expected', '')}"
    if kind in ("greater_than_equal", "less_than_equal"):
        limit = error.get("ctx", {}).get("ge", error.get("ctx", {}).get("le"))
        return f"{message}（界限 {limit}）"
    return message or f"格式不符（{kind}）"


def _first_problem(exc: ValidationError) -> tuple[str, str]:
    errors = exc.errors(include_url=False, include_input=True, include_context=True)
    # A nullable field reports both branches; the one that is not "should be None" says why.
    best = next((e for e in errors if e.get("type") != "none_required"), errors[0])
    return _where(tuple(best.get("loc", ()))), _reason(best)


def check_envelope(raw: Any) -> Envelope:
    """The fields around the payload, strictly typed; EventInvalid says which is wrong."""
    if not isinstance(raw, dict):
        raise EventInvalid("事件应为一个对象")
    try:
        return Envelope.model_validate(raw)
    except ValidationError as exc:
        where, why = _first_problem(exc)
        raise EventInvalid(f"事件的字段 {where} 不合格：{why}", where) from None


TYPED_EVENTS: dict[tuple[int, str], type[Envelope]] = {}  # built on first use (import stays light)
SIZED = {(version, kind) for version, schemas in SCHEMAS.items() for kind, model in schemas.items() if model.sized}


def typed_event(version: Any, kind: Any) -> type[Envelope] | None:
    """The envelope with its payload typed for (version, type), so a whole event is
    checked in one pydantic pass (the server checks thousands a second)."""
    if type(version) is not int or not isinstance(kind, str):
        return None
    model = TYPED_EVENTS.get((version, kind))
    if model is None:
        payload = SCHEMAS.get(version, {}).get(kind) or extra_schema(version, kind)
        if payload is None:
            return None
        model = create_model(f"Event_{kind.replace('.', '_')}_v{version}", __base__=Envelope, payload=(payload, ...))
        TYPED_EVENTS[(version, kind)] = model
    return model


def _named(payload: Any, where: str) -> str:
    """For a slot's value, the slot (地址 is ``key: address``): ``（address）``."""
    if where != "payload.value" or not isinstance(payload, dict):
        return ""
    name = payload.get("key", payload.get("question"))
    return f"（{printable(name, 40)}）" if isinstance(name, str) else ""


def check_event(raw: Any) -> dict[str, Any]:
    """A whole event (envelope and payload) as the server receives it; returns ``raw``
    (the payload as sent, without defaults filled in) or raises EventInvalid."""
    if not isinstance(raw, dict):
        raise EventInvalid("事件应为一个对象")
    version, kind = raw.get("schema_version", SCHEMA_VERSION), raw.get("type")
    model = typed_event(version, kind)
    if model is None:  # say which of the two is wrong, in order
        check_envelope(raw)
        validate_event(kind, raw.get("payload"), version)
    assert model is not None  # validate_event raised above for every (version, type) without a model
    try:
        model.__pydantic_validator__.validate_python(raw)
    except ValidationError as exc:
        where, why = _first_problem(exc)
        if where.startswith("payload"):
            raise EventInvalid(f"事件 {kind} 的字段 {where}{_named(raw.get('payload'), where)} 不合格：{why}",
                               where) from None
        raise EventInvalid(f"事件的字段 {where} 不合格：{why}", where) from None
    if (version, kind) in SIZED:
        validate_event(kind, raw["payload"], version)  # the size check
    return raw


def validate_event(kind: object, payload: Any, schema_version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The payload if ``kind`` at ``schema_version`` allows it; else EventInvalid."""
    schemas = SCHEMAS.get(schema_version) if type(schema_version) is int else None
    if schemas is None:
        raise EventInvalid(f"不支持的事件格式版本 {str(schema_version)[:20]}（支持 {SUPPORTED_VERSIONS}）",
                           "schema_version")
    model = (schemas.get(kind) or extra_schema(schema_version, kind)) if isinstance(kind, str) else None
    if model is None:
        shown = kind[:40] if isinstance(kind, str) else type(kind).__name__
        raise EventInvalid(f"未知的事件类型 {shown!r}", "type")
    if not isinstance(payload, dict):
        raise EventInvalid(f"事件 {kind} 的内容应为一个对象", "payload")
    try:
        model.model_validate(payload)
        size = len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()) if model.sized else 0
        if size > MAX_PAYLOAD_BYTES:
            raise EventInvalid(f"事件 {kind} 的内容过大（{size // 1024} KB，最多 {MAX_PAYLOAD_BYTES // 1024} KB）",
                               "payload")
    except ValidationError as exc:
        where, why = _first_problem(exc)
        path = f"payload.{where}" if where else "payload"
        raise EventInvalid(f"事件 {kind} 的字段 {path} 不合格：{why}", path) from None
    return payload


# -- event types beyond the case's (queue: hall_app/domain/event_types_queue.py) ---------------------
def extra_schema(version: int, kind: str) -> type[Payload] | None:
    """The payload schema of a non-case event type (``queue.*``, ``register.*``), loaded on first use."""
    if version != 1:
        return None
    if kind.startswith("register."):
        from hall_app.domain.event_types_agents import REGISTER_SCHEMAS

        return REGISTER_SCHEMAS.get(kind)
    if not kind.startswith("queue."):
        return None
    from hall_app.domain.event_types_queue import QUEUE_SCHEMAS

    return QUEUE_SCHEMAS.get(kind)


def replay_checked(events: list[Event]) -> CaseState | None:
    """Replay (never strict) with every event checked against its schema first.

    An event its schema refuses (one stored before the schemas existed) is not applied:
    it is listed as an anomaly and the case is flagged for review, like any event the
    projection cannot apply. Used wherever events that came from elsewhere are replayed.
    """
    good, bad = [], []
    for event in events:
        try:
            validate_event(event.type, event.payload, event.schema_version)
            good.append(event)
        except EventInvalid as exc:
            bad.append((event, exc))
    state = replay(good, strict=False)
    if state is not None and bad:
        for event, problem in bad:
            state.anomalies.append(f"{printable(str(event.type), 40)}（{printable(str(event.device_id), 64)}"
                                   f"#{event.device_seq}）：内容不合格，未采用：{problem}")
        state.needs_review = True
    return state
