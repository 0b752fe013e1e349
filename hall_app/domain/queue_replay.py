"""The queue as a fold over its events, and the figures computed from them.

The server writes one event per change (type and payload: hall_app/domain/
event_types_queue.py) with its own time ``at``. :func:`replay` folds a day's events
back into tickets and windows through the same transition functions the live path
uses (hall_app/domain/queue.py), so a test can check that the live rows equal the
replay. Waits, service times and no-show rates are computed from events, never kept
as counters.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field, replace
from typing import Any

from hall_app.domain.queue import (
    DEFAULT_POLICY,
    FINISHED,
    NO_SHOW,
    W_CLOSED,
    Policy,
    Ticket,
    Window,
    ticket_after,
    window_after,
)
from hall_app.domain.queue_schedule import parse_schedule


@dataclass(frozen=True)
class QueueEvent:
    seq: int
    hall: str
    day: str
    at: str  # server time, ISO 8601
    type: str
    payload: dict[str, Any]
    actor: str = ""
    device_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "hall": self.hall, "day": self.day, "at": self.at, "type": self.type,
                "payload": self.payload, "actor": self.actor, "device_id": self.device_id}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "QueueEvent":
        return cls(int(data["seq"]), data["hall"], data["day"], data["at"], data["type"], dict(data["payload"]),
                   data.get("actor", ""), data.get("device_id", ""))


@dataclass
class QueueState:
    tickets: dict[str, Ticket] = field(default_factory=dict)
    windows: dict[str, Window] = field(default_factory=dict)


def _clear(windows: dict[str, Window], window: str, ticket: str) -> None:
    w = windows.get(window)
    if w is not None and w.current == ticket:
        windows[window] = replace(w, current="", version=w.version + 1)


def apply_event(state: QueueState, event: QueueEvent, policy: Policy = DEFAULT_POLICY) -> None:
    """Fold one event into ``state`` (in place). Raises QueueError if the log holds an
    action that is not legal from the state it finds: the log itself is then wrong."""
    p, kind, at = event.payload, event.type, event.at
    tickets, windows = state.tickets, state.windows
    if kind == "queue.window_set":
        old = windows.get(p["window"]) or Window(p["window"], event.hall, state=W_CLOSED)
        windows[p["window"]] = replace(old, name=p.get("name", old.name), skills=dict(p["skills"]),
                                       schedule=parse_schedule(p.get("schedule") or []), version=old.version + 1)
        return
    if kind in ("queue.window_opened", "queue.window_paused", "queue.window_closed"):
        action = {"opened": "open", "paused": "pause", "closed": "close"}[kind.split("_", 1)[1]]
        windows[p["window"]] = window_after(windows[p["window"]], action)
        return
    if kind == "queue.window_switched":
        w = windows[p["window"]]
        lines = p.get("lines")
        windows[p["window"]] = replace(w, manual=dict(lines) if lines is not None else None,
                                       manual_day=event.day if lines is not None else "", version=w.version + 1)
        return
    if kind == "queue.ticket_issued":
        tickets[p["ticket"]] = Ticket(
            ticket=p["ticket"], hall=event.hall, day=event.day, line=p["line"], prefix=p["prefix"],
            number=p["number"], priority=p.get("priority", ""), sort_at=p["sort_at"],
            issued_at=p.get("issued_at") or at,
            source=p.get("source", "kiosk"), appointment=p.get("appointment", ""), id_number=p.get("id_number", ""),
            name=p.get("name", ""), version=1)
        return
    if not kind.startswith("queue.ticket_") and kind != "queue.serving_started":
        return  # lines, appointments, blocks, day close: no ticket or window state
    t = tickets[p["ticket"]]
    window = p.get("window", "")
    if kind == "queue.ticket_called":
        tickets[t.ticket] = ticket_after(t, "call", window=window, now=at, policy=policy)
        w = windows[window]
        windows[window] = replace(w, current=t.ticket, streak=p.get("streak", w.streak), version=w.version + 1)
    elif kind == "queue.ticket_recalled":
        tickets[t.ticket] = ticket_after(t, "recall", window=window, now=at, policy=policy)
    elif kind == "queue.serving_started":
        tickets[t.ticket] = ticket_after(t, "serve", window=window, now=at, policy=policy)
    elif kind == "queue.ticket_held":
        tickets[t.ticket] = ticket_after(t, "hold", window=window, now=at, policy=policy)
        _clear(windows, t.window, t.ticket)
    elif kind == "queue.ticket_transferred":
        tickets[t.ticket] = ticket_after(t, "transfer", window=window, now=at, policy=policy,
                                         to_line=p.get("to_line", ""), to_window=p.get("to_window", ""))
        _clear(windows, t.window, t.ticket)
    elif kind in ("queue.ticket_finished", "queue.ticket_no_show", "queue.ticket_left", "queue.ticket_expired"):
        action = {"queue.ticket_finished": "finish", "queue.ticket_no_show": "no_show",
                  "queue.ticket_left": "leave", "queue.ticket_expired": "expire"}[kind]
        if action == "no_show" and p.get("auto"):
            new = ticket_after(t, "recall", window=window, now=at, policy=policy)
            assert new.state == NO_SHOW, "an automatic no-show must follow the last recall"
            tickets[t.ticket] = new
        else:
            tickets[t.ticket] = ticket_after(t, action, window=window, now=at, policy=policy)
        _clear(windows, t.window, t.ticket)


def replay(events: list[QueueEvent], policy: Policy = DEFAULT_POLICY) -> QueueState:
    state = QueueState()
    for event in sorted(events, key=lambda e: e.seq):
        apply_event(state, event, policy)
    return state


# -- figures ------------------------------------------------------------------------------------
def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def minutes_between(start: str, end: str) -> float:
    return (_instant(end) - _instant(start)).total_seconds() / 60.0


def service_minutes(ticket: Ticket) -> float | None:
    """How long a finished visit took at the window (from start of service, else the call)."""
    begin = ticket.serving_at or ticket.called_at
    if ticket.state != FINISHED or not begin or not ticket.ended_at:
        return None
    return minutes_between(begin, ticket.ended_at)


def wait_minutes(ticket: Ticket) -> float | None:
    """From taking the ticket (or the appointment's slot, if later) to the first call."""
    if not ticket.called_at:
        return None
    start = max(ticket.issued_at, ticket.sort_at) if ticket.appointment else ticket.issued_at
    return max(0.0, minutes_between(start, ticket.called_at))


def rolling_median(durations: list[float], default: float, last: int = DEFAULT_POLICY.rolling_services) -> float:
    """The median of the last ``last`` durations (in the order they ended); ``default``
    when there is none yet (at opening)."""
    recent = durations[-last:]
    return float(statistics.median(recent)) if recent else default


def estimate_wait(ahead: int, windows_serving: int, median_service: float) -> float | None:
    """Estimated wait in minutes: people ahead ÷ open windows that serve the line ×
    the line's median service time. None when no open window serves the line."""
    if windows_serving <= 0:
        return None
    return ahead / windows_serving * median_service


@dataclass(frozen=True)
class LineFigures:
    line: str
    issued: int
    called: int
    finished: int
    no_show: int
    mean_wait: float | None
    p90_wait: float | None
    median_service: float | None

    @property
    def no_show_rate(self) -> float | None:
        return self.no_show / self.called if self.called else None


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def line_figures(state: QueueState) -> dict[str, LineFigures]:
    """Per line, from a replayed day: issued, called, finished, no-shows, waits, service."""
    by_line: dict[str, list[Ticket]] = {}
    for t in state.tickets.values():
        by_line.setdefault(t.line, []).append(t)
    out = {}
    for line, tickets in sorted(by_line.items()):
        waits = [w for w in (wait_minutes(t) for t in tickets) if w is not None]
        services = [s for s in (service_minutes(t) for t in tickets) if s is not None]
        out[line] = LineFigures(
            line, len(tickets), sum(1 for t in tickets if t.called_at), sum(1 for t in tickets if t.state == FINISHED),
            sum(1 for t in tickets if t.state == NO_SHOW), statistics.fmean(waits) if waits else None,
            percentile(waits, 0.9), float(statistics.median(services)) if services else None)
    return out


# -- the cases a visit produced (queue.case_linked, and the list on queue.ticket_finished) ----
def fold_links(payloads: list[dict[str, Any]]) -> list[str]:
    """A ticket's cases from its ``queue.case_linked`` payloads, oldest first: each adds
    its case and drops the one it ``replaces`` (voided for a changed bundle)."""
    cases: list[str] = []
    for p in payloads:
        if p.get("replaces") in cases:
            cases.remove(p["replaces"])
        if p["case"] not in cases:
            cases.append(p["case"])
    return cases


def merge_cases(*lists: list[str]) -> list[str]:
    out: list[str] = []
    for case in (c for cases in lists for c in cases):
        if case and case not in out:
            out.append(case)
    return out


@dataclass(frozen=True)
class CaseVisit:
    """The visit at the window a case was started in."""
    case: str
    ticket: str
    label: str
    line: str
    window: str
    service_minutes: float | None  # the whole visit (serving → finished); None while not finished
    cases_in_visit: int  # how many cases the visit produced (its time is theirs together)


def case_visits(events: list[QueueEvent], policy: Policy = DEFAULT_POLICY) -> dict[str, CaseVisit]:
    """Per case, the ticket served and that visit's service time, from the queue's events
    alone: the links (``queue.case_linked``) and the finished tickets' case lists."""
    ordered = sorted(events, key=lambda e: e.seq)
    state = replay(ordered, policy)
    links: dict[str, list[dict[str, Any]]] = {}
    finished: dict[str, list[str]] = {}
    for e in ordered:
        if e.type == "queue.case_linked":
            links.setdefault(e.payload["ticket"], []).append(e.payload)
        elif e.type == "queue.ticket_finished":
            finished[e.payload["ticket"]] = list(e.payload.get("cases") or [])
    out: dict[str, CaseVisit] = {}
    for ticket_id in [*links, *(t for t in finished if t not in links)]:
        t = state.tickets.get(ticket_id)
        if t is None:
            continue
        cases = merge_cases(fold_links(links.get(ticket_id, [])), finished.get(ticket_id, []))
        for case in cases:
            out[case] = CaseVisit(case, t.ticket, t.label, t.line, t.window, service_minutes(t), len(cases))
    return out
