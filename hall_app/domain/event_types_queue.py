"""Payload schemas of the queue's events (``queue.*``), registered with the case events'
checker in hall_app/domain/event_types.py, so ``validate_event`` knows them too.

Queue events are decided and written by the queue's authority (the server, or the
embedded queue store on one machine), each checked against its schema before it is
stored; devices check what they read back (``QueueEvent`` replay) and the kiosk's
offline tickets before it stores them and again when the server receives them.
No device pushes them through ``/v1/push``: the queue endpoints decide them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hall_app.domain.event_types import Code, FollowUpStep, Name, Note, Payload, text_rule

Id = Annotated[str, text_rule(32, min_length=1)]  # ticket, appointment, window, line ids
OptId = Annotated[str, text_rule(32)]
Instant = Annotated[str, text_rule(40)]  # ISO 8601 with offset
Prefix = Annotated[str, text_rule(4, min_length=1)]
Number = Annotated[int, Field(ge=1, le=999_999)]
Skills = dict[Id, Annotated[int, Field(ge=1, le=99)]]
Priority = Literal["", "老年人", "残疾人", "孕妇", "军人及优抚对象", "其他"]
Source = Literal["kiosk", "window", "appointment", "offline", "cli", "simulation"]
CaseRef = Annotated[str, text_rule(40)]
HHMM = Annotated[str, text_rule(5, min_length=4)]
IdNumber = Annotated[str, text_rule(32)]


class TicketIssued(Payload):
    ticket: Id
    line: Id
    prefix: Prefix
    number: Number
    priority: Priority = ""
    sort_at: Instant
    issued_at: Instant = ""  # set for offline tickets (the kiosk's time); else the event's time
    source: Source = "kiosk"
    appointment: OptId = ""
    id_number: IdNumber = ""
    name: Name = ""
    device: Annotated[str, text_rule(64)] = ""  # the device that issued it (a kiosk)


class TicketAt(Payload):
    ticket: Id
    window: OptId = ""


class TicketCalled(TicketAt):
    line: Id
    how: Literal["next", "direct"] = "next"
    streak: int = Field(0, ge=0, le=1000)
    label: Annotated[str, text_rule(12)] = ""


class TicketRecalled(TicketAt):
    calls: int = Field(ge=1, le=1000)
    label: Annotated[str, text_rule(12)] = ""


class TicketTransferred(TicketAt):
    from_line: Id
    to_line: Id
    to_window: OptId = ""


class TicketFinished(TicketAt):
    cases: list[CaseRef] = Field(default_factory=list, max_length=50)


class CaseLinked(TicketAt):
    """A case was started on the ticket being served (the case records the ticket in its
    own ``case.started``; this is the queue's side, so figures per case need no device)."""
    case: Annotated[str, text_rule(40, min_length=1)]
    replaces: CaseRef = ""  # the case it replaces (voided for a changed bundle), if any
    label: Annotated[str, text_rule(12)] = ""


class TicketNoShow(TicketAt):
    auto: bool = False


class TicketExpired(TicketAt):
    from_state: Literal["waiting", "called", "serving", "held"]


class WindowOnly(Payload):
    window: Id


class WindowSwitched(Payload):
    window: Id
    lines: Skills | None = None  # None: back to the schedule / own skills


class ScheduleItem(Payload):
    from_: HHMM = Field(alias="from")
    to: HHMM
    lines: Skills


class WindowSet(Payload):
    window: Id
    name: Name = ""
    skills: Skills
    schedule: list[ScheduleItem] = Field(default_factory=list, max_length=24)


class LineSet(Payload):
    line: Id
    name: Name
    prefix: Prefix
    open: bool = True
    sort: int = Field(0, ge=0, le=1000)
    service_minutes: float = Field(10.0, gt=0, le=600)
    slot_minutes: int = Field(30, ge=5, le=240)
    slot_capacity: int = Field(4, ge=0, le=1000)
    bundles: list[Code] = Field(default_factory=list, max_length=200)
    life_stages: list[Code] = Field(default_factory=list, max_length=50)


class AppointmentBooked(Payload):
    appointment: Id
    code: Id
    line: Id
    day: Annotated[str, text_rule(10, min_length=10)]
    slot: HHMM
    name: Name = ""
    id_number: IdNumber = ""
    phone: Annotated[str, text_rule(32)] = ""
    source: Literal["cli", "csv", "screen", "online", "simulation"] = "cli"
    external_id: Annotated[str, text_rule(64)] = ""


class AppointmentOnly(Payload):
    appointment: Id


class AppointmentCancelled(AppointmentOnly):
    reason: Note = ""


class AppointmentCheckedIn(AppointmentOnly):
    ticket: Id
    late: bool = False


class BlockReserved(Payload):
    kiosk: Annotated[str, text_rule(64, min_length=1)]
    prefix: Prefix
    start: Number
    end: Number  # inclusive


class VisitRated(Payload):
    """The citizen's rating of a finished visit on the window's rate pad (issue 11);
    ``level`` None is 未评价 (the pad timed out or the citizen declined): never a good level."""
    ticket: Id
    window: Id
    label: Annotated[str, text_rule(12)] = ""
    clerk: Annotated[str, text_rule(64)] = ""
    level: int | None = Field(None, ge=1, le=5)
    dimensions: dict[Literal["服务态度", "服务效率", "服务水平"], Annotated[int, Field(ge=1, le=5)]] = Field(
        default_factory=dict)
    reasons: list[Annotated[str, text_rule(20, min_length=1)]] = Field(default_factory=list, max_length=8)
    cases: list[CaseRef] = Field(default_factory=list, max_length=50)
    how: Literal["chosen", "timeout", "declined"] = "chosen"


class VisitFollowUpOpened(Payload):
    """A visit rated 不满意 / 非常不满意 opened its follow-up (written with its
    ``queue.visit_rated``, so the follow-ups are found without reading every rating)."""
    ticket: Id
    window: Id
    label: Annotated[str, text_rule(12)] = ""
    clerk: Annotated[str, text_rule(64)] = ""
    level: Literal[1, 2]
    reasons: list[Annotated[str, text_rule(20, min_length=1)]] = Field(default_factory=list, max_length=8)
    cases: list[CaseRef] = Field(default_factory=list, max_length=50)


class VisitFollowUp(FollowUpStep):
    """One step of a bad visit rating's follow-up (hall_app/domain/visit_followup.py): the
    same steps and note rule as ``case.follow_up``, keyed by the visit's ticket; ``by`` the
    supervisor who recorded it; ``cases`` the cases the visit produced."""
    ticket: Id
    window: OptId = ""
    by: Annotated[str, text_rule(64, min_length=1)]
    cases: list[CaseRef] = Field(default_factory=list, max_length=50)


class DayClosed(Payload):
    expired: int = Field(0, ge=0)
    missed: int = Field(0, ge=0)


QUEUE_SCHEMAS: dict[str, type[Payload]] = {
    "queue.ticket_issued": TicketIssued,
    "queue.ticket_called": TicketCalled,
    "queue.ticket_recalled": TicketRecalled,
    "queue.serving_started": TicketAt,
    "queue.ticket_held": TicketAt,
    "queue.ticket_transferred": TicketTransferred,
    "queue.ticket_finished": TicketFinished,
    "queue.case_linked": CaseLinked,
    "queue.ticket_no_show": TicketNoShow,
    "queue.ticket_left": TicketAt,
    "queue.ticket_expired": TicketExpired,
    "queue.window_opened": WindowOnly,
    "queue.window_paused": WindowOnly,
    "queue.window_closed": WindowOnly,
    "queue.window_switched": WindowSwitched,
    "queue.window_set": WindowSet,
    "queue.line_set": LineSet,
    "queue.appointment_booked": AppointmentBooked,
    "queue.appointment_cancelled": AppointmentCancelled,
    "queue.appointment_checked_in": AppointmentCheckedIn,
    "queue.appointment_missed": AppointmentOnly,
    "queue.block_reserved": BlockReserved,
    "queue.day_closed": DayClosed,
    "queue.visit_rated": VisitRated,
    "queue.visit_follow_up_opened": VisitFollowUpOpened,
    "queue.visit_follow_up": VisitFollowUp,
}

QUEUE_EVENT_TYPES = frozenset(QUEUE_SCHEMAS)
