"""The demo hall's morning of queue traffic (issue 11), so the supervisor's live hall
shows real figures on the embedded default: tickets taken, called, served, a few
no-shows, through the real queue code with its clock stepped over the hours before
now. Deterministic apart from the date and the time it is run.

How the morning ends, so that every kind of alert has something to show:
- 5号综合窗口 (不动产) was paused half an hour ago: 不动产 waits past its target, and
  the pause is long;
- in the last half hour only 不动产, 企业 and 社保医保 tickets came, so 1号综合窗口
  (个人 and 办不成事反映) is idle with nothing of its own: a tidal switch is suggested;
- 3号综合窗口 stopped calling a few minutes ago with 企业 tickets waiting: idle with a queue.

A few finished visits are rated on their window's rate pad right after (``VISIT_RATINGS``:
the n-th visit finished in the morning → its level, None = 未评价), so the ratings
panel shows visit ratings with an 未评价 among them, and one 不满意 whose follow-up
(``queue.visit_follow_up_opened``, written by the queue with the rating) waits on the
supervisor's 差评整改 list at 待核实.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hall_app.domain.queue import QueueError

SPAN = 150  # minutes of traffic before now (less when the day began later)
CLERKS = {"W01": "wangfang", "W02": "liuwei", "W03": "zhangli", "W04": "zhaomin", "W05": "sunjie",
          "W06": "zhoulan"}
SERVICE = {"personal": 8.0, "firm": 15.0, "estate": 20.0, "social": 6.0, "complaint": 10.0}
SPREAD = (0.6, 1.0, 1.4, 0.8, 1.2)  # service times cycle through these shares of the line's usual
EARLY = ("personal", "personal", "social", "firm", "personal", "estate", "personal", "social", "complaint",
         "personal", "firm", "estate")
LATE = ("estate", "firm", "social", "estate")  # the last half hour
NO_SHOW_EVERY = 8  # every 8th call: nobody comes (a no-show two minutes later)
# n-th finished visit → level (None: 未评价); the 6th is rated 不满意 and opens a follow-up
VISIT_RATINGS: dict[int, int | None] = {2: 5, 3: None, 5: 4, 6: 2, 8: 3}


@dataclass
class _Desk:
    busy_until: float = -1.0
    ticket: str = ""
    no_show: bool = False
    stop_at: float = 1e9  # calls nobody after this minute
    services: list[float] = field(default_factory=list)


def play_morning(queue, now: dt.datetime, windows: dict[str, dict[str, int]]) -> int:
    """Play the morning on the embedded queue ``queue`` (a LocalQueue) up to ``now``;
    ``windows``: each window's lines. The windows open at its start. Returns the tickets taken."""
    from hall_app.services.queue import LocalQueue

    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    span = min(SPAN, int((now - midnight).total_seconds() // 60) - 1)
    if span < 20:
        return 0  # just after midnight: no morning to show
    start = now - dt.timedelta(minutes=span)
    clock = {"t": start}
    desks = {w: LocalQueue("", hall=queue.hall, window=w, kind="local", user=CLERKS.get(w, ""),
                           clock=lambda: clock["t"], engine=queue.engine) for w in windows}
    kiosk = LocalQueue("", hall=queue.hall, kind="kiosk", clock=lambda: clock["t"], engine=queue.engine)
    state = {w: _Desk() for w in windows}
    if "W03" in state:
        state["W03"].stop_at = span - 8
    if "W01" in state:
        state["W01"].stop_at = span
    paused_at = span - 30
    arrivals = _arrivals(span)
    calls = taken = finished = 0
    waiting: dict[str, int] = {}
    for minute in range(span + 1):
        clock["t"] = min(start + dt.timedelta(minutes=minute, seconds=7), now - dt.timedelta(seconds=1))
        if minute == 0:
            for w, q in desks.items():
                if q.window_view(w).state != "open":
                    q.open_window(w)
        for line, priority in arrivals.get(minute, []):
            kiosk.issue_ticket(line, priority=priority)
            waiting[line] = waiting.get(line, 0) + 1
            taken += 1
        for w, q in desks.items():
            desk = state[w]
            if desk.ticket and minute >= desk.busy_until:
                (q.no_show if desk.no_show else q.finish)(desk.ticket)
                if not desk.no_show:
                    finished += 1
                    _rate(queue, w, desk.ticket, VISIT_RATINGS, finished, clock)
                desk.ticket = ""
            if w == "W05" and minute == paused_at:
                if desk.ticket:  # the visit at it ends first
                    (q.no_show if desk.no_show else q.finish)(desk.ticket)
                    desk.ticket = ""
                q.pause_window(w)
            if desk.ticket or minute >= desk.stop_at or (w == "W05" and minute >= paused_at):
                continue
            if not any(waiting.get(line) for line in windows[w]):
                continue
            try:
                ticket = q.call_next(w)
            except QueueError:
                continue  # nobody waiting for this window
            waiting[ticket.line] -= 1
            calls += 1
            desk.ticket, desk.no_show = ticket.ticket, calls % NO_SHOW_EVERY == 0
            if desk.no_show:
                desk.busy_until = minute + 2
                continue
            q.start_serving(ticket.ticket, window=w)
            length = SERVICE.get(ticket.line, 10.0) * SPREAD[calls % len(SPREAD)]
            desk.busy_until = minute + max(1, round(length))
            if desk.busy_until > span and w in ("W01", "W03"):
                desk.busy_until = span  # these two end the morning free (the alerts above)
    queue.store.forget_names(queue.hall)
    return taken


def _rate(queue, window: str, ticket: str, ratings: dict[int, int | None], n: int, clock: dict) -> None:
    """The window's rate pad answers for the n-th finished visit when ``ratings`` names it."""
    from hall_app.services.queue import LocalQueue

    if n not in ratings:
        return
    pad = LocalQueue("", hall=queue.hall, window=window, kind="pad", clock=lambda: clock["t"], engine=queue.engine)
    level = ratings[n]
    reasons = {5: ["一次办成"], 4: ["办理较快"], 3: ["等候时间偏长"], 2: ["等候时间长"]}.get(level or 0, [])
    pad.rate_visit(ticket, level, reasons=reasons, how="chosen" if level else "timeout")


def _arrivals(span: int) -> dict[int, list[tuple[str, str]]]:
    """Minute → tickets taken then: one every 3 minutes or so, 老年人 every seventh."""
    out: dict[int, list[tuple[str, str]]] = {}
    for n, minute in enumerate(range(0, span - 2, 3)):
        late = minute >= span - 30
        lines = LATE if late else EARLY
        line = lines[n % len(lines)]
        out.setdefault(minute, []).append((line, "老年人" if n % 7 == 3 else ""))
    return out
