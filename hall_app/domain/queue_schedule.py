"""Time rules of the queue: tidal window schedules (潮汐窗口), appointment slots and their
check-in grace, and the hall day. Pure: times are passed in.

Times of day are "HH:MM" strings in the hall's local time; instants are ISO 8601
strings with an offset (the server's clock, China time).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from hall_app.domain.calendar import CHINA
from hall_app.domain.queue import DEFAULT_POLICY, Policy, QueueError, ScheduleEntry, Window

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(text: str) -> dt.time:
    from hall_app.domain.text import to_halfwidth

    raw = to_halfwidth(str(text)).strip()  # the full-width colon too (U+FF1A)
    match = _HHMM.match(raw)
    if not match:
        raise QueueError(f"时间“{str(text)[:20]}”格式不对，应为 时:分（如 09:30）", "invalid", 422)
    return dt.time(int(match.group(1)), int(match.group(2)))


def hall_day(instant: dt.datetime) -> str:
    """The hall day an instant belongs to (local date in China time)."""
    return instant.astimezone(CHINA).date().isoformat()


def local_hhmm(instant: dt.datetime) -> str:
    return instant.astimezone(CHINA).strftime("%H:%M")


def parse_skills(raw: object) -> dict[str, int]:
    """A skill list: {"A": 1, "B": 2}, or ["A", "B"] (ranks by order), or "A,B" /
    "A:1,B:1" (lines of one rank are served oldest first across them)."""
    if isinstance(raw, dict):
        out = {}
        for line, rank in raw.items():
            if not isinstance(line, str) or not line or type(rank) is not int or not 1 <= rank <= 99:
                raise QueueError(f"窗口技能“{str(line)[:20]}”的优先级应为 1–99 的整数", "invalid", 422)
            out[line] = rank
        return out
    if isinstance(raw, str):
        parts = [p.strip() for p in raw.replace("，", ",").split(",") if p.strip()]
        out = {}
        for i, part in enumerate(parts, 1):
            line, _, rank = part.partition(":")
            if rank and not rank.strip().isdigit():
                raise QueueError(f"窗口技能“{part[:20]}”的优先级应为数字", "invalid", 422)
            out[line.strip()] = int(rank) if rank else i
        return out
    if isinstance(raw, list | tuple):
        return {str(line): i for i, line in enumerate(raw, 1)}
    raise QueueError("窗口技能格式不对", "invalid", 422)


def parse_schedule(raw: object) -> tuple[ScheduleEntry, ...]:
    """[{"from": "09:00", "to": "11:00", "lines": {"B": 1, "A": 2}}, …]"""
    if not raw:
        return ()
    if not isinstance(raw, list | tuple):
        raise QueueError("潮汐时段应为列表", "invalid", 422)
    entries = []
    for item in raw:
        if isinstance(item, ScheduleEntry):
            entries.append(item)
            continue
        if not isinstance(item, dict):
            raise QueueError("潮汐时段的每一项应为 {from, to, lines}", "invalid", 422)
        start, end = parse_hhmm(item.get("from", "")), parse_hhmm(item.get("to", ""))
        if end <= start:
            raise QueueError(f"潮汐时段 {start:%H:%M}–{end:%H:%M} 的结束早于开始", "invalid", 422)
        entries.append(ScheduleEntry(f"{start:%H:%M}", f"{end:%H:%M}", parse_skills(item.get("lines", {}))))
    return tuple(entries)


def schedule_to_json(entries: tuple[ScheduleEntry, ...]) -> list[dict]:
    return [{"from": e.start, "to": e.end, "lines": dict(e.skills)} for e in entries]


def effective_skills(window: Window, now: dt.datetime) -> dict[str, int]:
    """What a window serves at ``now``: the supervisor's switch for today if any, else the
    schedule entry that covers the time, else its own skill list."""
    if window.manual is not None and window.manual_day == hall_day(now):
        return dict(window.manual)
    hhmm = local_hhmm(now)
    for entry in window.schedule:
        if entry.start <= hhmm < entry.end:
            return dict(entry.skills)
    return dict(window.skills)


# -- appointments -------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckIn:
    on_time: bool  # within the grace: the ticket takes the slot's place
    sort_at: str  # where the ticket goes in its line
    message: str  # what the kiosk shows


def slot_instant(day: str, slot: str) -> dt.datetime:
    t = parse_hhmm(slot)
    d = dt.date.fromisoformat(day)
    return dt.datetime.combine(d, t, CHINA)


def check_in(day: str, slot: str, now: dt.datetime, policy: Policy = DEFAULT_POLICY) -> CheckIn:
    """An appointment checked in at ``now``: within ±grace of the slot → its ticket is
    placed at the slot time; later → an ordinary ticket (placed at ``now``); earlier
    than the grace, or another day → refused (QueueError)."""
    today = hall_day(now)
    if day != today:
        raise QueueError(f"该预约是 {day} 的，不是今天（{today}）的，请按预约日期前来或重新预约", "refused", 409)
    at = slot_instant(day, slot)
    grace = dt.timedelta(minutes=policy.grace_minutes)
    local = now.astimezone(CHINA)
    if local < at - grace:
        opens = (at - grace).strftime("%H:%M")
        raise QueueError(f"预约时段为 {slot}，请于 {opens} 后再取号", "refused", 409)
    if local <= at + grace:
        return CheckIn(True, at.isoformat(timespec="milliseconds"), f"预约签到成功（{slot}），按预约时段排队")
    return CheckIn(False, now.isoformat(timespec="milliseconds"),
                   f"已超过预约时段 {slot} 的 {policy.grace_minutes} 分钟宽限，按普通号排队")


def missed(day: str, slot: str, now: dt.datetime, policy: Policy = DEFAULT_POLICY) -> bool:
    """An appointment not checked in is missed once its grace has passed."""
    return now.astimezone(CHINA) > slot_instant(day, slot) + dt.timedelta(minutes=policy.grace_minutes)
