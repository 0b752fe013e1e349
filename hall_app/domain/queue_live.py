"""The live hall (issue 11): the supervisor's queue figures, folded from one hall day's
queue events. Pure: no I/O, no clock (``now`` is passed in).

Definitions (docs/statistics.md, "The live hall"):
- a ticket's wait runs from taking it (an appointment on time: from its slot, if later)
  to its first call; p50/p90 are over the tickets called today, by linear interpolation
  between the closest ranks (p50 is the median);
- SLA: of the tickets whose result against the wait target is known — called (within
  the target or not), or not called yet but already waiting (or gone after waiting)
  longer than the target — the share called within it;
- no-show rate: no-shows ÷ tickets called;
- through the day, per step of the chart (15 minutes, the last one ending now): the waiting
  count at the step's end, and the mean wait of the tickets first called within the step
  (a call at a step's end falls in the next step);
- a window's service time runs from the start of service (else the call) to the finish;
- a window is idle when it is open with no ticket called or in service; the time counts
  from its last ticket ending (or its opening) today, else from the day's first event.

The fold is tolerant: an event about a ticket of another day is skipped, so a log cut
at the day's start folds without error. Window states now and their skills come from
the caller (the queue's window rows, themselves the projection of the events); what
happened today comes from the events.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

WAITING, CALLED, SERVING, HELD = "waiting", "called", "serving", "held"
FINISHED, NO_SHOW, LEFT, EXPIRED = "finished", "no_show", "left", "expired"
DEVICE_ACTORS = frozenset({"", "local", "hall", "window", "kiosk", "display", "pad", "admin", "supervisor",
                           "cli", "simulation"})
FOLDED = frozenset({"queue.ticket_issued", "queue.ticket_called", "queue.serving_started", "queue.ticket_held",
                    "queue.ticket_transferred", "queue.ticket_finished", "queue.ticket_no_show", "queue.ticket_left",
                    "queue.ticket_expired", "queue.window_opened", "queue.window_paused", "queue.window_closed"})
ALERT_KINDS = ("over_target", "idle_with_queue", "tidal", "paused_long")


@dataclass(frozen=True)
class LiveTargets:
    wait_target: float = 15.0  # minutes: a ticket called within this is within the SLA
    idle_alert: float = 3.0  # minutes open and idle (while people wait) before it is flagged
    paused_alert: float = 15.0  # minutes paused before it is an alert
    bin_minutes: int = 15  # the chart's step


@dataclass(frozen=True)
class LineConf:
    line: str
    name: str
    prefix: str = ""
    open: bool = True


@dataclass(frozen=True)
class WindowConf:
    """A window as it stands now (the queue's window row)."""

    window: str
    name: str
    state: str  # open / paused / closed
    skills: dict[str, int]  # in force now (switch, schedule or own)
    current: str = ""  # the ticket id called or in service there


@dataclass(frozen=True)
class LineLive:
    line: str
    name: str
    prefix: str
    waiting: int
    longest_wait: float | None  # minutes, of those waiting now
    p50_wait: float | None
    p90_wait: float | None
    called: int
    served: int
    no_show: int
    within_target: int
    sla_base: int
    series: list[int] = field(default_factory=list)  # waiting at the end of each step of the day
    # the mean wait (minutes) of the tickets first called within each step (None: no call in it)
    wait_series: list[float | None] = field(default_factory=list)

    @property
    def sla(self) -> float | None:
        return self.within_target / self.sla_base if self.sla_base else None

    @property
    def no_show_rate(self) -> float | None:
        return self.no_show / self.called if self.called else None


@dataclass(frozen=True)
class WindowLive:
    window: str
    name: str
    state: str
    lines: dict[str, int]
    ticket: str = ""  # label of the ticket at it (A012)
    ticket_state: str = ""
    clerk: str = ""  # the person who last opened it or called at it today
    served: int = 0
    mean_service: float | None = None
    state_minutes: float | None = None  # minutes in its state, when it changed today
    idle_minutes: float | None = None  # open with nothing at it: for how long
    idle_while_waiting: bool = False  # idle past the alert while somebody waits in the hall


@dataclass(frozen=True)
class Alert:
    kind: str  # one of ALERT_KINDS
    line: str = ""
    window: str = ""
    minutes: float = 0.0  # the wait, idle or paused time (the estimate for a tidal switch)
    waiting: int = 0
    skills: dict[str, int] = field(default_factory=dict)  # tidal: what the window would serve


@dataclass(frozen=True)
class LiveHall:
    day: str
    at: str  # the instant the figures are for
    start: str  # the chart's first step begins here
    bin_minutes: int
    wait_target: float
    lines: list[LineLive]
    windows: list[WindowLive]
    alerts: list[Alert]

    @property
    def waiting(self) -> int:
        return sum(x.waiting for x in self.lines)

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LiveHall":
        from hall_app.domain.queue_views import from_dict

        return from_dict(cls, {**data, "lines": [from_dict(LineLive, x) for x in data.get("lines") or []],
                               "windows": [from_dict(WindowLive, x) for x in data.get("windows") or []],
                               "alerts": [from_dict(Alert, x) for x in data.get("alerts") or []]})


@dataclass
class _Ticket:
    label: str
    line: str
    start: dt.datetime  # when its wait began
    state: str = WAITING
    window: str = ""
    called_at: dt.datetime | None = None
    serving_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None


@dataclass
class _Window:
    since: dt.datetime | None = None  # last state change today
    free_since: dt.datetime | None = None  # last time nothing was at it today
    clerk: str = ""
    services: list[float] = field(default_factory=list)


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def minutes(a: dt.datetime, b: dt.datetime) -> float:
    return (b - a).total_seconds() / 60.0


def quantile(values: list[float], q: float) -> float | None:
    """Linear interpolation between the closest ranks (numpy's default): the median for 0.5."""
    if not values:
        return None
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _issued(p: dict[str, Any], at: dt.datetime) -> _Ticket:
    issued = instant(p["issued_at"]) if p.get("issued_at") else at
    start = max(issued, instant(p["sort_at"])) if p.get("appointment") and p.get("sort_at") else issued
    return _Ticket(f"{p['prefix']}{int(p['number']):03d}", p["line"], start)


class _Fold:
    """Today's tickets and windows, with the waiting count per line sampled each step."""

    def __init__(self, start: dt.datetime, step: dt.timedelta):
        self.tickets: dict[str, _Ticket] = {}
        self.windows: dict[str, _Window] = {}
        self.waiting: dict[str, int] = {}
        self.samples: list[dict[str, int]] = []
        self.next_edge = start + step
        self.step = step

    def sample_until(self, at: dt.datetime) -> None:
        while self.next_edge <= at:
            self.samples.append(dict(self.waiting))
            self.next_edge += self.step

    def _free(self, window: str, at: dt.datetime) -> None:
        if window:
            self.windows.setdefault(window, _Window()).free_since = at

    def apply(self, kind: str, p: dict[str, Any], at: dt.datetime, actor: str) -> None:
        window = p.get("window", "")
        if kind in ("queue.window_opened", "queue.window_paused", "queue.window_closed"):
            w = self.windows.setdefault(window, _Window())
            w.since = at
            if kind == "queue.window_opened":
                w.free_since = at
            if actor not in DEVICE_ACTORS:
                w.clerk = actor
            if kind == "queue.window_closed":
                w.clerk = ""
            return
        if kind == "queue.ticket_issued":
            new = _issued(p, at)
            self.tickets[p["ticket"]] = new
            self.waiting[new.line] = self.waiting.get(new.line, 0) + 1
            return
        t = self.tickets.get(p.get("ticket", ""))
        if t is None:
            return  # another day's ticket, or not a ticket event
        was_waiting, old_line = t.state == WAITING, t.line
        if kind == "queue.ticket_called":
            t.state, t.window = CALLED, window
            t.called_at = t.called_at or at
            w = self.windows.setdefault(window, _Window())
            w.free_since = None
            if actor not in DEVICE_ACTORS:
                w.clerk = actor
        elif kind == "queue.serving_started":
            t.state = SERVING
            t.serving_at = t.serving_at or at
        elif kind == "queue.ticket_held":
            t.state = HELD
            self._free(t.window, at)
        elif kind == "queue.ticket_transferred":
            if t.state != WAITING:
                self._free(t.window, at)
            t.state, t.line, t.window = WAITING, p.get("to_line") or t.line, ""
        elif kind in ("queue.ticket_finished", "queue.ticket_no_show", "queue.ticket_left", "queue.ticket_expired"):
            if t.state in (CALLED, SERVING):
                self._free(t.window, at)
            t.state = {"queue.ticket_finished": FINISHED, "queue.ticket_no_show": NO_SHOW,
                       "queue.ticket_left": LEFT, "queue.ticket_expired": EXPIRED}[kind]
            t.ended_at = at
            begin = t.serving_at or t.called_at
            if t.state == FINISHED and begin is not None:
                self.windows.setdefault(t.window, _Window()).services.append(minutes(begin, at))
        if was_waiting:
            self.waiting[old_line] -= 1
        if t.state == WAITING:
            self.waiting[t.line] = self.waiting.get(t.line, 0) + 1


def wait_series(called: list[tuple[dt.datetime, float]], start: dt.datetime, step: dt.timedelta,
                points: int) -> list[float | None]:
    """The mean of the waits called within each of ``points`` steps from ``start`` (a call
    after the last step's end, at ``now``, counts in the last step)."""
    sums, counts = [0.0] * points, [0] * points
    for at, wait in called:
        n = min(points - 1, max(0, (at - start) // step))
        sums[n] += wait
        counts[n] += 1
    return [sums[n] / counts[n] if counts[n] else None for n in range(points)]


def _line_live(conf: LineConf, tickets: list[_Ticket], now: dt.datetime, target: float,
               series: list[int], start: dt.datetime, step: dt.timedelta) -> LineLive:
    called = [(t.called_at, max(0.0, minutes(t.start, t.called_at))) for t in tickets if t.called_at is not None]
    waits = [w for _at, w in called]
    waiting = [max(0.0, minutes(t.start, now)) for t in tickets if t.state == WAITING]
    within = sum(1 for w in waits if w <= target)
    missed_uncalled = sum(1 for t in tickets if t.called_at is None
                          and minutes(t.start, t.ended_at or now) > target)
    return LineLive(conf.line, conf.name, conf.prefix, len(waiting), max(waiting) if waiting else None,
                    quantile(waits, 0.5), quantile(waits, 0.9), len(waits),
                    sum(1 for t in tickets if t.state == FINISHED), sum(1 for t in tickets if t.state == NO_SHOW),
                    within, len(waits) + missed_uncalled, series, wait_series(called, start, step, len(series)))


def live_hall(day: str, events: list[Any], now: dt.datetime, lines: list[LineConf], windows: list[WindowConf],
              targets: LiveTargets = LiveTargets()) -> LiveHall:
    """The live hall at ``now`` from the day's queue events (objects with ``seq``, ``at``,
    ``type``, ``payload`` and ``actor``: QueueEvent) and the lines and windows as they stand."""
    ordered = sorted((e for e in events if e.type in FOLDED), key=lambda e: e.seq)
    step = dt.timedelta(minutes=targets.bin_minutes)
    first = min(instant(e.at) for e in ordered) if ordered else now
    midnight = first.replace(hour=0, minute=0, second=0, microsecond=0)
    start = midnight + step * ((first - midnight) // step)
    fold = _Fold(start, step)
    for e in ordered:
        at = instant(e.at)
        fold.sample_until(at)
        fold.apply(e.type, e.payload, at, e.actor or "")
    fold.sample_until(now)
    if fold.samples and fold.next_edge - step == now:
        fold.samples[-1] = dict(fold.waiting)  # now ends a step: its point is now
    else:
        fold.samples.append(dict(fold.waiting))  # the last point is now
    by_line: dict[str, list[_Ticket]] = {}
    for t in fold.tickets.values():
        by_line.setdefault(t.line, []).append(t)
    confs = list(lines) + [LineConf(x, x) for x in sorted(set(by_line) - {c.line for c in lines})]
    line_out = [_line_live(c, by_line.get(c.line, []), now, targets.wait_target,
                           [s.get(c.line, 0) for s in fold.samples], start, step) for c in confs]
    waiting_by_line = {x.line: x.waiting for x in line_out}
    hall_waiting = sum(waiting_by_line.values())
    window_out: list[WindowLive] = []
    alerts: list[Alert] = []
    for x in line_out:
        if x.longest_wait is not None and x.longest_wait > targets.wait_target:
            alerts.append(Alert("over_target", line=x.line, minutes=round(x.longest_wait, 1), waiting=x.waiting))
    for conf in windows:
        w = fold.windows.get(conf.window, _Window())
        current = fold.tickets.get(conf.current)
        state_minutes = minutes(w.since, now) if w.since is not None else None
        idle = None
        if conf.state == "open" and not conf.current:
            idle = minutes(w.free_since or first, now)
        flagged = idle is not None and idle >= targets.idle_alert and hall_waiting > 0
        window_out.append(WindowLive(
            conf.window, conf.name, conf.state, dict(conf.skills), current.label if current else "",
            current.state if current else "", w.clerk if conf.state != "closed" else "", len(w.services),
            sum(w.services) / len(w.services) if w.services else None, state_minutes, idle, flagged))
        own_waiting = sum(waiting_by_line.get(line, 0) for line in conf.skills)
        if flagged and own_waiting and idle is not None:
            alerts.append(Alert("idle_with_queue", window=conf.window, minutes=round(idle, 1), waiting=own_waiting))
        if conf.state == "paused":
            paused = state_minutes if state_minutes is not None else minutes(first, now)
            if paused >= targets.paused_alert:
                alerts.append(Alert("paused_long", window=conf.window, minutes=round(paused, 1)))
    return LiveHall(day, now.isoformat(timespec="seconds"), start.isoformat(timespec="seconds"), targets.bin_minutes,
                    targets.wait_target, line_out, window_out, alerts)
