"""The queue screens' calls into the queue service, run in worker threads.

Each function calls the device-side queue service (a ``HallQueue`` from
``hall_app.services.queue.open_queue``: the embedded queue or the hall's server) and
turns a refusal into a Chinese message instead of an exception, so a screen shows it
and nothing else happens. No Textual here: these are plain functions a screen runs with
``asyncio.to_thread``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

log = logging.getLogger("hall_app.screens")
UNEXPECTED = "排队服务暂时出错，稍后自动重试：{error}"

if TYPE_CHECKING:
    from hall_app.services.context import HallContext


def _queue_error():
    from hall_app.domain.queue import QueueError

    return QueueError


def _offline(exc: BaseException) -> bool:
    from hall_app.domain.queue import QueueOffline

    return isinstance(exc, QueueOffline)


# -- kiosk ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KioskStart:
    hall: str
    lines: list[Any]  # LineView, open lines first in their order
    offline: bool = False
    error: str = ""
    reserved: bool = True  # every line has offline numbers and nothing waits to be uploaded


@dataclass(frozen=True)
class KioskResult:
    ticket: Any = None  # TicketView
    offline: bool = False  # issued from the kiosk's reserved block
    no_paper: str = ""  # the printer could not print: no number was taken
    error: str = ""  # the queue refused (bad appointment code …)
    print_error: str = ""  # the number was taken but the slip did not print
    pdf_path: str = ""


def kiosk_start(ctx: "HallContext", queue: Any) -> KioskStart:
    """The start page: the open lines with their waits. A kiosk on the hall's server
    (``KioskQueue``) also uploads the numbers it issued offline and keeps a reserved
    block of numbers per line for the next time the server is away."""
    from hall_app.services.ticket_slips import hall_name

    hall = hall_name(ctx)
    try:
        lines = sorted((line for line in queue.lines() if line.open), key=lambda x: (x.sort, x.line))
    except _queue_error() as exc:
        return KioskStart(hall, [], offline=_offline(exc), error=str(exc), reserved=False)
    except Exception as exc:  # a database hiccup must not stop the kiosk: said, tried again later
        log.exception("kiosk start")
        return KioskStart(hall, [], offline=True, error=UNEXPECTED.format(error=type(exc).__name__), reserved=False)
    if not hasattr(queue, "prepare"):
        return KioskStart(hall, lines)
    try:  # the lines are known: offer them even if the server goes away during the reservation
        queue.upload()
        queue.prepare([line.line for line in lines])
    except _queue_error() as exc:
        return KioskStart(hall, lines, offline=_offline(exc), error=str(exc), reserved=False)
    except Exception as exc:
        log.exception("kiosk reservation")
        return KioskStart(hall, lines, offline=True, error=UNEXPECTED.format(error=type(exc).__name__),
                          reserved=False)
    return KioskStart(hall, lines, reserved=queue.ready([line.line for line in lines]) and not queue.pending())


def _issued(ctx: "HallContext", ticket: Any, printer: Any, names: dict[str, str] | None = None) -> KioskResult:
    from hall_app.services.ticket_slips import print_slip, slip_for

    offline = getattr(ticket, "source", "") == "offline"
    name = (names or {}).get(ticket.line, "")
    if offline and name:  # the offline number knows its line's code only
        from dataclasses import replace

        ticket = replace(ticket, line_name=name)
    outcome = print_slip(ctx, slip_for(ctx, ticket, offline=offline, line_name=name), printer=printer)
    return KioskResult(ticket=ticket, offline=offline, print_error=outcome.error or "", pdf_path=outcome.pdf_path)


def kiosk_issue(ctx: "HallContext", queue: Any, line: str, priority: str = "", printer: Any = None,
                names: dict[str, str] | None = None) -> KioskResult:
    """Ask the printer first (no paper → no number), then take a number and print it."""
    from hall_app.services.ticket_slips import printer_problem

    problem = printer_problem(ctx, printer)
    if problem:
        return KioskResult(no_paper=problem)
    try:
        ticket = queue.issue_ticket(line, priority=priority)
    except _queue_error() as exc:
        return KioskResult(error=str(exc), offline=_offline(exc))
    return _issued(ctx, ticket, printer, names)


def kiosk_checkin(ctx: "HallContext", queue: Any, text: str, printer: Any = None) -> KioskResult:
    """Check in by appointment code or ID number (the queue decides which it is)."""
    from hall_app.services.ticket_slips import printer_problem

    problem = printer_problem(ctx, printer)
    if problem:
        return KioskResult(no_paper=problem)
    try:
        ticket = queue.check_in(text)
    except _queue_error() as exc:
        return KioskResult(error=str(exc), offline=_offline(exc))
    return _issued(ctx, ticket, printer)


# -- display ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BoardPoll:
    board: Any = None  # BoardView, or None when the server could not be reached
    error: str = ""


def display_poll(queue: Any, after: int) -> BoardPoll:
    try:
        return BoardPoll(queue.board(after=after))
    except _queue_error() as exc:
        return BoardPoll(None, str(exc))
    except Exception as exc:  # a socket or database error the client did not wrap: the next poll tries again
        log.warning("display poll failed", exc_info=True)
        return BoardPoll(None, UNEXPECTED.format(error=type(exc).__name__))


# -- the window's queue -----------------------------------------------------------------------
@dataclass(frozen=True)
class WindowPoll:
    window: Any = None  # WindowView
    lines: dict[str, str] | None = None  # line -> name (asked again only when a line is new)
    offline: bool = False
    error: str = ""
    absent: bool = False  # this hall runs no queue: the panel stays hidden


def queue_configured(ctx: "HallContext") -> bool:
    """Whether this device has a queue to show (hall_app/services/queue.py)."""
    from hall_app.services.queue import queue_configured as configured

    return configured(ctx)


@dataclass(frozen=True)
class WindowActed:
    ticket: Any = None  # TicketView after the action (None for window actions)
    window: Any = None  # WindowView after it
    error: str = ""
    offline: bool = False


def window_poll(queue: Any, window: str, known: dict[str, str]) -> WindowPoll:
    try:
        view = queue.window_view(window)
        names = known
        if any(line not in known for line in view.waiting) or not known:
            names = {line.line: line.name for line in queue.lines()}
    except _queue_error() as exc:
        return WindowPoll(None, None, offline=_offline(exc), error=str(exc))
    except Exception as exc:  # the panel says so and tries again; intake is not disturbed
        log.warning("window queue poll failed", exc_info=True)
        return WindowPoll(None, None, offline=True, error=UNEXPECTED.format(error=type(exc).__name__))
    return WindowPoll(view, names)


def window_act(queue: Any, window: str, action: str, ref: str = "", *, to_line: str = "", to_window: str = "",
               cases: list[str] | None = None) -> WindowActed:
    """One key of the window: ``next`` (call next), ``call`` (a given ticket), ``recall``,
    ``serve``, ``hold``, ``transfer``, ``finish`` (with the cases the visit produced),
    ``no_show``; or ``open``/``pause``/``close`` the window."""
    q = queue
    try:
        if action in ("open", "pause", "close"):
            do = {"open": q.open_window, "pause": q.pause_window, "close": q.close_window}[action]
            return WindowActed(window=do(window))
        if action == "next":
            ticket = q.call_next(window)
        elif action == "call":
            ticket = q.call_ticket(ref, window)
        elif action == "transfer":
            ticket = q.transfer(ref, to_line=to_line, to_window=to_window, window=window)
        elif action == "finish":
            ticket = q.finish(ref, cases=list(cases or []), window=window)
        else:
            do_ticket = {"recall": q.recall, "serve": q.start_serving, "hold": q.hold, "no_show": q.no_show}[action]
            ticket = do_ticket(ref, window)
    except _queue_error() as exc:
        return WindowActed(error=str(exc), offline=_offline(exc))
    except Exception as exc:
        log.exception("window queue action %s", action)
        return WindowActed(error=UNEXPECTED.format(error=type(exc).__name__))
    return WindowActed(ticket=ticket)


def link_case(queue: Any, window: str, ticket: str, case: str, replaces: str = "") -> str:
    """Record at the queue that ``case`` was started on ``ticket``; "" when done, else the
    Chinese reason (the case keeps its ticket on this device either way)."""
    try:
        queue.link_case(case, ref=ticket, replaces=replaces, window=window)
    except _queue_error() as exc:
        return str(exc)
    except Exception as exc:
        log.exception("link a case to its ticket")
        return UNEXPECTED.format(error=type(exc).__name__)
    return ""
