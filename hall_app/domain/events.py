"""Case events: the immutable facts a case is made of (ARCHITECTURE.md, "Cases as an event log"),
and the events of an enquiry without a case (``enquiry.*``, hall_app/domain/enquiry.py)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import orjson

from hall_app.domain.jsontext import plain

SCHEMA_VERSION = 1

# Every event type a case may carry. Payload keys are documented beside each.
# The five "set one value" events (applicant, proxy, answer, material, field) also
# carry ``base``: the id of the write they replace, for conflict detection (case.py).
EVENT_TYPES = {
    "case.started": "bundle_code, bundle_version, bundle_hash, tracking_code, hall, window, channel, ticket (queue)",
    "case.claimed": "user: who works on the draft now",
    "case.applicant_set": "key, value: one applicant attribute (id_number, name, phone, address, uscc …)",
    "case.proxy_set": "proxy: {name, id_number, relation, kind} or null (亲人帮助办理 / 帮代办)",
    "case.step_set": "step: the intake step the clerk is on",
    "case.answer_set": "question, value",
    "case.material_marked": "material, status (handed_in / missing / deferred)",
    "case.field_set": "key, value",
    "case.notice_issued": "missing: [codes], deadline, reason (for a second notice)",
    "case.accepted": "items: {code: due date}, warnings, commitments: {告知承诺 item: post-check due}",
    "case.accepted_deferred": "deferred: [codes], deadline, items: {code: due}, warnings",
    "case.deferred_supplied": "material",
    "case.refused": "reason, basis",
    "case.dispatched": "items: [codes], departments: {department: [its items]}",
    "case.item_result": "item, status (received / in_progress / needs_material / approved / rejected / completed), "
                        "note, document",
    "case.handed_over": "method (window / mail / elicence), note, waybill, collector, collector_name",
    "case.rated": "level (1..5), comment, reasons, dimensions, channel, follow_up_due (a bad rating)",
    "case.follow_up": "step, note: the follow-up of a bad rating (核实 → 整改/解释说明/申诉 → 回访 → 办结)",
    "case.voided": "reason",
    "case.reviewed": "note: a supervisor checked the conflicts and clears needs_review",
    "case.document_printed": "kind, path, paper, printer, error",
    # After the counter (docs/dispatch.md)
    "case.supplemented": "item, materials, note, due: the supplement (补正) a department asked for, handed in",
    "case.terminated": "kind (terminate / revoke), reason, basis: 容缺 overdue or a failed 告知承诺 check",
    "case.check_recorded": "item, result (passed / failed), note: the department's 告知承诺 post-check",
    "case.deferral_reminded": "materials, deadline, channel (phone / sms / in_person / letter), note: the window "
                              "reminded the applicant of deferred materials due (容缺, domain/deferral.py)",
    # -- agents (帮办代办, issue 13; schema in event_types_agents.py) --
    "case.authorisation_set": "authorisation: the copy of the 授权委托书 the case is filed under, or null",
    "case.duplicate_flagged": "other_case_id, other_tracking_code, other_agent, other_window, principal_name, "
                              "bundle_name: the server found another open case of the same principal and bundle "
                              "(at least one of the two a proxy case)",
    # -- enquiries without a case (咨询 / 首问负责 / 办不成事; domain/enquiry.py, docs/dispatch.md):
    # their own stream, whose id (in ``case_id``) is the event id of its opening --
    "enquiry.opened": "kind (consult / referral / unresolved), topic, bundle, answered, phone, target_kind, "
                      "target, reason, why, hall, window",
    "enquiry.closed": "result, action, handled_by: the owner closes it (办不成事: what was done, by whom)",
}


def _enc(value: Any) -> str:
    """One envelope value as canonical JSON (a string the fast way; anything else as json does)."""
    if type(value) is str:
        return _encode_string(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _num(value: Any) -> str:
    return int.__repr__(value) if type(value) is int else _enc(value)


_encode_string = json.encoder.encode_basestring  # C, as json.dumps uses


def _encoded_fast(event: "Event") -> tuple[str, str] | None:
    """Event.encoded with orjson (3-4x faster): the same text where orjson writes what
    json writes (no floats, ints within 64 bits, no lone surrogates: jsontext.py);
    None where it might not."""
    envelope = {"actor": event.actor, "case_id": event.case_id, "device_id": event.device_id,
                "device_seq": event.device_seq, "device_time": event.device_time, "event_id": event.event_id,
                "schema_version": event.schema_version, "type": event.type}
    if not (plain(event.payload) and plain(envelope)):
        return None
    try:
        payload = orjson.dumps(event.payload, option=orjson.OPT_SORT_KEYS)
        envelope["payload"] = orjson.Fragment(payload)
        raw = orjson.dumps(envelope, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # an int beyond 64 bits, a lone surrogate
        return None
    return payload.decode(), hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class Event:
    event_id: str
    case_id: str
    device_id: str
    device_seq: int
    actor: str
    type: str
    payload: dict[str, Any] = field(default_factory=dict)
    device_time: str = ""
    schema_version: int = SCHEMA_VERSION

    def content_hash(self) -> str:
        """A digest of everything the event says; same id + other hash = a conflict."""
        return self.encoded()[1]

    def encoded(self) -> tuple[str, str]:
        """The payload as canonical JSON and the content hash, with the payload encoded once.

        The hash is the SHA-256 of the whole event as canonical JSON (sorted keys, no
        spaces, UTF-8); that text is the envelope's keys in sorted order around the
        payload's own canonical text, so the payload is encoded once and serves both
        the digest and the stored copy (the push path does this per event).
        """
        fast = _encoded_fast(self)
        if fast is not None:
            return fast
        payload = json.dumps(self.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        raw = (f'{{"actor":{_enc(self.actor)},"case_id":{_enc(self.case_id)},"device_id":{_enc(self.device_id)},'
               f'"device_seq":{_num(self.device_seq)},"device_time":{_enc(self.device_time)},'
               f'"event_id":{_enc(self.event_id)},"payload":{payload},'
               f'"schema_version":{_num(self.schema_version)},"type":{_enc(self.type)}}}')
        return payload, hashlib.sha256(raw.encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "case_id": self.case_id,
            "device_id": self.device_id,
            "device_seq": self.device_seq,
            "actor": self.actor,
            "type": self.type,
            "payload": self.payload,
            "device_time": self.device_time,
            "schema_version": self.schema_version,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Event":
        return cls(
            event_id=data["event_id"],
            case_id=data["case_id"],
            device_id=data["device_id"],
            device_seq=int(data["device_seq"]),
            actor=data["actor"],
            type=data["type"],
            payload=dict(data.get("payload") or {}),
            device_time=data.get("device_time", ""),
            schema_version=int(data.get("schema_version", SCHEMA_VERSION)),
        )
