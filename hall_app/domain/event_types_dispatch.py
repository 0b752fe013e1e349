"""Payload schemas of the events after the counter (docs/dispatch.md), registered
into ``event_types.SCHEMAS``; checked on the device and the server like every other."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hall_app.domain.event_types import MAX_LIST, Code, Date, Note, Payload, Required


class Supplemented(Payload):
    """The window records the supplement (补正) a department asked for: the item goes back."""

    item: Code
    materials: list[Code] = Field(min_length=1, max_length=MAX_LIST)
    note: Note = ""
    due: Date = ""  # the item's new promised date (the days the department waited added back)


class Terminated(Payload):
    """终止办理 (a deferral overdue) or 撤销 (a failed 告知承诺 check), with the reason."""

    kind: Literal["terminate", "revoke"]
    reason: Required
    basis: Note = ""


class CheckRecorded(Payload):
    """A department's post-check (事后核查) of an item accepted on 告知承诺."""

    item: Code
    result: Literal["passed", "failed"]
    note: Note = ""


class DeferralReminded(Payload):
    """The window reminded the applicant of deferred materials still due (domain/deferral.py)."""

    materials: list[Code] = Field(min_length=1, max_length=MAX_LIST)
    deadline: Date
    channel: Literal["phone", "sms", "in_person", "letter"]
    note: Note = ""


AFTER_SCHEMAS: dict[str, type[Payload]] = {
    "case.supplemented": Supplemented,
    "case.terminated": Terminated,
    "case.check_recorded": CheckRecorded,
    "case.deferral_reminded": DeferralReminded,
}
