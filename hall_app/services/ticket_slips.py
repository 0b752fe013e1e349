"""The kiosk's printer: is it ready, and print a queue ticket (排队取号单).

The kiosk asks :func:`printer_problem` before it takes a number (no paper → no number);
after the queue has issued the ticket, :func:`slip_for` turns the queue's answer into
what goes on paper and :func:`print_slip` prints it. ``printing`` is imported only
when something is printed (the services stay light).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hall_app.domain.ticket_slip import TicketSlip

if TYPE_CHECKING:
    from hall_app.services.context import HallContext

ROLLS = ("80mm", "58mm")


@dataclass(frozen=True)
class SlipOutcome:
    pdf_path: str
    sent_to: str
    error: str | None
    warnings: tuple[str, ...]


def ticket_paper(ctx: "HallContext") -> str:
    """The kiosk prints on a roll: the configured receipt roll, else the thermal printer's width."""
    s = ctx.settings
    return s.receipt_paper if s.receipt_paper in ROLLS else s.escpos_width


def _config(ctx: "HallContext"):
    from hall_app.services.print_jobs import printer_config

    return printer_config(ctx, ticket_paper(ctx))


def printer_problem(ctx: "HallContext", printer: Any = None) -> str | None:
    """Why no ticket can be printed now (no paper, printer off), or None."""
    from printing.ticket import printer_ready

    return printer_ready(_config(ctx), printer=printer)


def hall_name(ctx: "HallContext") -> str:
    from hall_app.store.models import Hall

    with ctx.read() as session:
        hall = session.get(Hall, ctx.settings.hall)
        return hall.name if hall else "政务服务中心"


def position_url(ctx: "HallContext", ticket_id: str) -> str:
    from hall_app.services.documents import tracking_base

    return f"{tracking_base(ctx).url}/q/{ticket_id}"


def slip_for(ctx: "HallContext", ticket: Any, *, offline: bool = False, hall: str | None = None,
             line_name: str = "") -> TicketSlip:
    """The slip for a queue ticket (a ``TicketView``: id, label, line name, people ahead,
    estimate). No name and no ID number go on paper. Offline, people ahead and the wait
    are not known (said so on paper); ``line_name``: the line's name the kiosk knows."""
    estimate = getattr(ticket, "estimate_minutes", None)
    minutes = None if estimate is None else max(0, math.ceil(estimate))
    slot = ""
    if getattr(ticket, "appointment", "") and getattr(ticket, "source", "") == "appointment":
        slot = str(getattr(ticket, "slot", "") or "")
    return TicketSlip(
        hall_name=hall or hall_name(ctx), number=ticket.label, line_name=line_name or ticket.line_name,
        people_ahead=None if offline else int(getattr(ticket, "ahead", 0) or 0),
        wait_minutes=None if offline else minutes,
        issued_at=ticket.issued_at or ctx.now_iso(), position_url=position_url(ctx, ticket.ticket),
        priority=getattr(ticket, "priority", "") or "", appointment=slot, offline=offline)


def print_slip(ctx: "HallContext", slip: TicketSlip, printer: Any = None) -> SlipOutcome:
    from printing.ticket import print_ticket

    result = print_ticket(slip, ticket_paper(ctx), config=_config(ctx), printer=printer)
    return SlipOutcome(str(result.pdf_path or ""), result.sent_to or "", result.error, tuple(result.warnings))
