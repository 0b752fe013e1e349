"""The queue's rows and small helpers: row <-> domain conversions, who acts, ids and
clocks, the issued-ticket payload (used by queue_store.py and the HTTP layer)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from hall_app.domain.queue import QueueError, Ticket, Window
from hall_app.domain.queue_schedule import CHINA, parse_schedule
from hall_app.server.queue_models import queue_events

ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L


def china_now() -> dt.datetime:
    return dt.datetime.now(CHINA)


def new_id(length: int = 10) -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(length))


@dataclass(frozen=True)
class Actor:
    """Who asks: the device's scope kind, hall and window (the HTTP layer builds it from
    the device token; the embedded queue from this machine's settings)."""

    kind: str  # window / pad / hall / kiosk / display / local (this machine, trusted) / admin
    hall: str
    window: str = ""
    device_id: str = ""
    user: str = ""
    person: str = ""  # the one person the token names (a supervisor's: supervisor:HALL/NAME)

    def may_act_for(self, window: str) -> None:
        if self.kind in ("hall", "local", "admin"):
            return
        if self.kind == "window" and self.window == window:
            return
        if self.kind == "window":
            raise QueueError(f"本窗口设备（{self.window}）只能为自己的窗口叫号，不能操作 {window}", "scope", 403)
        raise QueueError("本设备不能操作窗口", "scope", 403)

    def may_rate_for(self, window: str) -> None:
        """A visit's rating (issue 11): the window's own pad or window device, or the hall."""
        if self.kind in ("hall", "local", "admin"):
            return
        if self.kind in ("window", "pad") and self.window == window:
            return
        if self.kind in ("window", "pad"):
            raise QueueError(f"本设备属于 {self.window} 窗口，不能评价 {window} 窗口的服务", "scope", 403)
        raise QueueError("本设备不能登记服务评价", "scope", 403)

    def may_manage(self) -> None:
        if self.kind not in ("hall", "local", "admin"):
            raise QueueError("只有大厅管理设备才能修改排队设置", "scope", 403)


def ticket_from_row(row: Any) -> Ticket:
    return Ticket(ticket=row.ticket, hall=row.hall, day=row.day, line=row.line, prefix=row.prefix, number=row.number,
                  priority=row.priority, state=row.state, window=row.window, target_window=row.target_window,
                  sort_at=row.sort_at, issued_at=row.issued_at, called_at=row.called_at, serving_at=row.serving_at,
                  ended_at=row.ended_at, calls=row.calls, source=row.source, appointment=row.appointment,
                  id_number=row.id_number, name=row.name, version=row.version)


def ticket_row(t: Ticket) -> dict[str, Any]:
    return {"ticket": t.ticket, "hall": t.hall, "day": t.day, "line": t.line, "prefix": t.prefix, "number": t.number,
            "priority": t.priority, "is_priority": t.is_priority, "state": t.state, "window": t.window,
            "target_window": t.target_window, "sort_at": t.sort_at, "issued_at": t.issued_at,
            "called_at": t.called_at, "serving_at": t.serving_at, "ended_at": t.ended_at, "calls": t.calls,
            "source": t.source, "appointment": t.appointment, "id_number": t.id_number, "name": t.name,
            "version": t.version}


def window_from_row(row: Any) -> Window:
    return Window(window=row.window, hall=row.hall, name=row.name, state=row.state, skills=dict(row.skills or {}),
                  schedule=parse_schedule(row.schedule or []), manual=dict(row.manual) if row.manual else None,
                  manual_day=row.manual_day, current=row.current, streak=row.streak, version=row.version)


def issued_payload(ticket: Ticket, device: str = "", offline: bool = False) -> dict[str, Any]:
    payload: dict[str, Any] = {"ticket": ticket.ticket, "line": ticket.line, "prefix": ticket.prefix,
                               "number": ticket.number, "priority": ticket.priority, "sort_at": ticket.sort_at,
                               "source": ticket.source}
    for key in ("appointment", "id_number", "name"):
        if getattr(ticket, key):
            payload[key] = getattr(ticket, key)
    if offline:
        payload["issued_at"] = ticket.issued_at
    if device:
        payload["device"] = device[:32]
    return payload


def count_events(conn: Connection, hall: str) -> int:
    return int(conn.execute(select(func.coalesce(func.max(queue_events.c.seq), 0))
                            .where(queue_events.c.hall == hall)).scalar_one())
