"""Payload schemas of the agents' event types (帮办代办, issue 13), registered in
event_types.SCHEMAS; checked on the device where the event is written and on the
server when it is pushed, like every other type.

``register.authorisation_saved`` is not a case event: it carries one entry of an
agent's register of 授权委托书 (its stream id, in the envelope's ``case_id``, is the
authorisation's id), so the register reaches the agent's other laptops and the hall
(docs/agents.md, "The register travels"). ``event_types.extra_schema`` finds it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hall_app.domain.event_types import Code, Date, Name, Payload, text_rule

Short32 = Annotated[str, text_rule(32)]
Sha256 = Annotated[str, Field(pattern="^([0-9a-f]{64})?$")]


class AuthorisationCopy(Payload):
    auth_id: Annotated[str, text_rule(64, min_length=1)]
    principal_id: Annotated[str, text_rule(18, min_length=1)]
    principal_name: Name
    agent: Code
    agent_name: Name = ""
    relation: Short32
    bundles: list[Code] = Field(min_length=1, max_length=20)
    valid_from: Date
    valid_until: Date
    method: Literal["signed", "fingerprint", "attested"] = "signed"
    attested_by: Annotated[str, text_rule(100)] = ""
    township: Short32 = ""
    recorded_at: Date = ""
    received_at: Date = ""
    thumbprint: Annotated[str, text_rule(64)] = ""
    revoked_at: Date = ""
    revoked_reason: Annotated[str, text_rule(200)] = ""


class AuthorisationSet(Payload):
    authorisation: AuthorisationCopy | None


class DuplicateFlagged(Payload):
    """Written by the server only (device ``server:agents``), into both cases."""

    other_case_id: Annotated[str, text_rule(36, min_length=1)]
    other_tracking_code: Annotated[str, text_rule(16)] = ""
    other_agent: Name = ""
    other_window: Annotated[str, text_rule(32)] = ""  # the other is a window case (a relative at the hall)
    principal_name: Name = ""
    bundle_name: Name = ""


class AuthorisationSaved(Payload):
    """One register entry as it now stands (recorded, paper received, scan attached, revoked)."""

    authorisation: AuthorisationCopy
    scan_mime: Literal["", "application/pdf", "image/jpeg", "image/png"] = ""
    scan_size: Annotated[int, Field(ge=0, le=2**31)] = 0
    scan_sha256: Sha256 = ""


AGENT_SCHEMAS: dict[str, type[Payload]] = {
    "case.authorisation_set": AuthorisationSet,
    "case.duplicate_flagged": DuplicateFlagged,
}
REGISTER_SCHEMAS: dict[str, type[Payload]] = {
    "register.authorisation_saved": AuthorisationSaved,
}
