"""What goes on a queue ticket (排队取号单): plain data for ``printing.ticket``.

Built on the device from the queue service's answer when a ticket is issued; the
printing package renders it and never touches the queue. Nothing personal is
printed: no name and no ID number, only the number, the service line and where
to look for the position (``/q/{ticket}`` shows people ahead and status only).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TicketSlip:
    hall_name: str  # 重庆市江津区政务服务中心
    number: str  # A012
    line_name: str  # 综合窗口·个人
    people_ahead: int | None  # None: not known (a ticket issued offline)
    wait_minutes: int | None  # estimated wait; None when there is no estimate yet
    issued_at: str  # ISO datetime
    position_url: str = ""  # {server}/q/{ticket}; empty: no QR is printed
    priority: str = ""  # 老年人 / 残疾人 / 孕妇 / 军人及优抚对象 …, empty for an ordinary ticket
    appointment: str = ""  # the slot of a checked-in appointment, e.g. "10:00-10:30"
    offline: bool = False  # issued from the kiosk's reserved block while the server was away
