"""What the queue answers: plain dataclasses shared by the queue store, the HTTP API
(as JSON) and the device-side service (hall_app/services/queue.py), so a screen
gets the same objects whether the queue runs on this machine or on the server."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

T = TypeVar("T")


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """A view from its JSON form (unknown keys ignored, so a newer server does not break an older device)."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in names})


def to_dict(view: Any) -> dict[str, Any]:
    return asdict(view)


def jsonable(value: Any) -> Any:
    """Views (and lists and dicts of them, and queue events) as JSON-ready values."""
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    return value


@dataclass(frozen=True)
class TicketView:
    ticket: str  # id; the position page is /q/{ticket}
    label: str  # A012
    line: str
    line_name: str
    state: str
    state_label: str
    day: str
    priority: str = ""
    window: str = ""
    window_name: str = ""
    target_window: str = ""
    issued_at: str = ""
    called_at: str = ""
    serving_at: str = ""
    ended_at: str = ""
    calls: int = 0
    ahead: int = 0  # people ahead in its line (waiting tickets only)
    estimate_minutes: float | None = None  # None: no open window serves the line now
    source: str = ""
    appointment: str = ""
    id_number: str = ""  # only to windows and supervisors (prefill); never on the public page
    name: str = ""
    message: str = ""  # what to tell the person (check-in result, automatic no-show …)
    cases: list[str] = field(default_factory=list)  # the cases started on it (queue.case_linked); windows only


@dataclass(frozen=True)
class LineView:
    line: str
    name: str
    prefix: str
    open: bool
    waiting: int = 0
    priority_waiting: int = 0
    windows_serving: int = 0  # open windows whose skills include the line now
    median_service: float = 0.0  # minutes, rolling median today (or the line's default)
    estimate_minutes: float | None = None  # for a ticket taken now
    service_minutes: float = 10.0
    slot_minutes: int = 30
    slot_capacity: int = 4
    sort: int = 0
    bundles: list[str] = field(default_factory=list)
    life_stages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class WindowView:
    window: str
    name: str
    state: str
    state_label: str
    skills: dict[str, int]  # in force now (switch, schedule or own)
    own_skills: dict[str, int] = field(default_factory=dict)
    schedule: list[dict[str, Any]] = field(default_factory=list)
    manual: dict[str, int] | None = None
    current: TicketView | None = None
    waiting: dict[str, int] = field(default_factory=dict)  # per line it serves now
    held: list[TicketView] = field(default_factory=list)  # parked here, to call back

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "WindowView":
        current = data.get("current")
        return from_dict(cls, {**data, "current": from_dict(TicketView, current) if current else None,
                               "held": [from_dict(TicketView, t) for t in data.get("held") or []]})


@dataclass(frozen=True)
class CallView:
    label: str
    window: str
    window_name: str
    line: str
    line_name: str
    at: str
    recall: bool = False
    seq: int = 0


@dataclass(frozen=True)
class BoardView:
    """The hall display's data. ``seq`` is the last queue event: ask again with
    ``after=seq`` and an unchanged board comes back as ``changed=False`` (cheap to poll)."""

    hall: str
    day: str
    at: str
    seq: int
    changed: bool = True
    calls: list[CallView] = field(default_factory=list)  # latest first
    lines: list[LineView] = field(default_factory=list)
    windows: list[WindowView] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "BoardView":
        return from_dict(cls, {**data, "calls": [from_dict(CallView, c) for c in data.get("calls") or []],
                               "lines": [from_dict(LineView, x) for x in data.get("lines") or []],
                               "windows": [WindowView.from_json(w) for w in data.get("windows") or []]})


@dataclass(frozen=True)
class PositionView:
    """The public position page (/q/{ticket}): no personal data."""

    label: str
    line_name: str
    state: str
    state_label: str
    day: str
    ahead: int
    estimate_minutes: float | None
    window_name: str = ""


@dataclass(frozen=True)
class AppointmentView:
    appointment: str
    code: str  # what the citizen types at the kiosk
    line: str
    line_name: str
    day: str
    slot: str
    state: str  # booked / checked_in / cancelled / missed
    state_label: str
    name: str = ""
    id_number: str = ""
    phone: str = ""
    ticket: str = ""
    source: str = ""
    external_id: str = ""


APPOINTMENT_STATE_LABELS = {"booked": "已预约", "checked_in": "已签到", "cancelled": "已取消", "missed": "未到"}


@dataclass(frozen=True)
class Suggestion:
    line: str
    line_name: str
    estimate_minutes: float
    window: str
    window_name: str
    skills: dict[str, int]  # what the window would serve after the switch
    message: str


@dataclass(frozen=True)
class Block:
    """Numbers reserved for one kiosk to issue while it cannot reach the server."""

    line: str
    prefix: str
    day: str
    start: int
    end: int  # inclusive


@dataclass(frozen=True)
class ImportResult:
    imported: int
    skipped: int  # rows already imported (same external id)
    problems: list[str] = field(default_factory=list)  # nothing is imported when there is any
