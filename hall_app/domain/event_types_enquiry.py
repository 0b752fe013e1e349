"""Payload schemas of the enquiry events (咨询 / 首问负责 / 办不成事; domain/enquiry.py),
registered into ``event_types.SCHEMAS``; checked on the device and the server like
every other type. The domain's rules (which fields each kind needs) come after."""

from __future__ import annotations

from typing import Annotated, Literal

from hall_app.domain.event_types import Name, Note, Payload, Required, Short, text_rule

Topic = Annotated[str, text_rule(500, multiline=True, min_length=1)]
Place = Annotated[str, text_rule(32)]


class EnquiryOpened(Payload):
    kind: Literal["consult", "referral", "unresolved"]
    topic: Topic
    bundle: Short = ""  # the 一件事 it was about, if any
    answered: bool = False  # a consultation answered at once
    phone: Annotated[str, text_rule(20)] = ""  # only when a follow-up is needed
    target_kind: Literal["", "department", "window", "hall", "other"] = ""
    target: Name = ""
    reason: Note = ""
    why: Note = ""
    hall: Place = ""
    window: Place = ""


class EnquiryClosed(Payload):
    result: Required
    action: Note = ""
    handled_by: Name = ""


ENQUIRY_SCHEMAS: dict[str, type[Payload]] = {
    "enquiry.opened": EnquiryOpened,
    "enquiry.closed": EnquiryClosed,
}
