"""The demo hall's queue: service lines, windows with skills and tidal schedules,
today's appointments, a morning of traffic (queue_demo_day.py) and a few tickets
waiting, so a new user sees the queue working on the embedded default (``hall-app
demo``). Deterministic apart from the date: run on another day, it adds that day's
appointments and waiting tickets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hall_app.services.demo import CHEN_MIN, LI_NA, LIU_YANG, ZHAO_JIANGUO
from hall_app.services.queue import HallQueue

# line, name, prefix, sort, default service minutes, slot capacity, life stages
LINES = [
    ("personal", "综合窗口·个人", "A", 1, 8.0, 4, ["出生", "入学", "就业", "婚育", "退休", "身后"]),
    ("firm", "综合窗口·企业", "B", 2, 15.0, 3, ["企业开办", "企业经营", "企业注销"]),
    ("estate", "不动产", "C", 3, 20.0, 2, []),
    ("social", "社保医保", "D", 4, 6.0, 4, []),
    ("complaint", "办不成事反映", "E", 5, 10.0, 2, []),
]
# window, name, skills, tidal schedule
WINDOWS = [
    ("W01", "1号综合窗口", {"personal": 1, "complaint": 2}, []),
    ("W02", "2号综合窗口", {"personal": 1, "social": 2}, []),
    ("W03", "3号综合窗口", {"personal": 1, "firm": 2},
     [{"from": "09:00", "to": "11:00", "lines": {"firm": 1, "personal": 2}}]),
    ("W04", "4号综合窗口", {"firm": 1, "personal": 2}, []),
    ("W05", "5号综合窗口", {"estate": 1, "personal": 2}, []),
    ("W06", "6号综合窗口", {"social": 1, "personal": 2},
     [{"from": "14:00", "to": "16:00", "lines": {"personal": 1, "social": 2}}]),
]
# line, name, id number (the demo files' people: hall_app/services/demo.py); booked at the
# next half hours from now, so the first can be checked in at the kiosk straight away
APPOINTMENTS = [
    ("personal", "刘洋", LIU_YANG),
    ("firm", "刘洋", ""),
    ("estate", "李娜", LI_NA),
    ("personal", "陈敏", CHEN_MIN),
    ("social", "赵建国", ZHAO_JIANGUO),
]
# line, priority
TICKETS = [("personal", ""), ("personal", "老年人"), ("firm", ""), ("personal", ""), ("social", ""),
           ("estate", "")]
# after the demo morning (queue_demo_day.py) on the embedded queue: none for 个人, so the
# idle 1号综合窗口 keeps the tidal switch suggestion it shows
TICKETS_AFTER_MORNING = [("firm", ""), ("social", "老年人"), ("estate", "")]


@dataclass(frozen=True)
class DemoQueue:
    lines: int
    windows: int
    appointments: list[str]  # "09:30 综合窗口·个人 预约码 12345678"
    tickets: list[str]  # labels issued now


def demo_slots(now: dt.datetime, count: int) -> list[str]:
    """The half-hour slots from the one nearest ``now`` on, within the day."""
    start = now.replace(minute=0 if now.minute < 15 else (30 if now.minute < 45 else 0), second=0, microsecond=0)
    if now.minute >= 45:
        start += dt.timedelta(hours=1)
    slots = [start + dt.timedelta(minutes=30 * i) for i in range(count)]
    return [f"{s:%H:%M}" for s in slots if s.date() == now.date()]


def seed_demo_queue(queue: HallQueue, now: dt.datetime) -> DemoQueue:
    """Set up the demo hall's queue (once) and today's appointments and waiting tickets
    (once a day). Safe to run again: what is there is kept."""
    known = {line.line for line in queue.lines()}
    for line, name, prefix, sort, minutes, capacity, stages in LINES:
        if line not in known:
            queue.set_line(line, name, prefix, sort=sort, service_minutes=minutes, slot_capacity=capacity,
                           life_stages=stages)
    have = {w.window: w for w in queue.windows()}
    for window, name, skills, schedule in WINDOWS:
        if window not in have:
            queue.set_window(window, name, skills, schedule)
    appointments: list[str] = []
    tickets: list[str] = []
    day = now.date().isoformat()
    if not queue.appointments(day):
        for (line, name, id_number), slot in zip(APPOINTMENTS, demo_slots(now, len(APPOINTMENTS))):
            booked = queue.book_appointment(line, day, slot, name=name, id_number=id_number)
            appointments.append(f"{slot} {booked.line_name} {name} 预约码 {booked.code}")
    if not queue.waiting() and not queue.board().calls:
        from hall_app.services.queue import LocalQueue
        from hall_app.services.queue_demo_day import play_morning

        own = {w: skills for w, _name, skills, _schedule in WINDOWS}
        played = isinstance(queue, LocalQueue) and play_morning(queue, now, own) > 0
        if not played:
            for window, *_rest in WINDOWS:
                if queue.window_view(window).state != "open":
                    queue.open_window(window)
        for line, priority in TICKETS_AFTER_MORNING if played else TICKETS:
            tickets.append(queue.issue_ticket(line, priority=priority).label)
    return DemoQueue(len(LINES), len(WINDOWS), appointments, tickets)
