"""Payload schemas of the agents' event types (帮办代办, issue 13), registered in
event_types.SCHEMAS; checked on the device where the event is written and on the
server when it is pushed, like every other type."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hall_app.domain.event_types import Code, Date, Name, Payload, text_rule

Short32 = Annotated[str, text_rule(32)]


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


AGENT_SCHEMAS: dict[str, type[Payload]] = {
    "case.authorisation_set": AuthorisationSet,
}
