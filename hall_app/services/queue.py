"""The hall queue as the screens and the CLI use it: one API, two places it can run.

- :class:`LocalQueue` — the embedded default (one machine, no server): the server's
  own queue code (hall_app/server/queue_store.py) on an SQLite file beside the
  device database (``hall.queue.db`` next to ``hall.db``). The kiosk, the display and
  the windows in separate processes on this machine share that file; SQLite's
  ``BEGIN IMMEDIATE`` decides between them. Why not an embedded server: see docs/queue.md.
- :class:`HttpQueue` (hall_app/services/queue_http.py) — an enrolled device talks to
  the central server's ``/v1/queue/…`` API with its device token.

Both answer with the same view objects (hall_app/domain/queue_views.py) and refuse
with :class:`QueueError` (a Chinese message to show as is; nothing changed). When the
server cannot be reached, :class:`QueueOffline` (a QueueError) says so.

``open_queue(ctx)`` picks the right one. A window's methods default to this device's
window (``settings.window``); pass ``window=`` to act for another (a supervisor).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hall_app.domain.queue import DEFAULT_POLICY, Policy, QueueError, QueueOffline
from hall_app.domain.queue_replay import QueueEvent
from hall_app.domain.queue_views import (
    AppointmentView,
    Block,
    BoardView,
    ImportResult,
    LineView,
    PositionView,
    Suggestion,
    TicketView,
    WindowView,
    from_dict,
)

if TYPE_CHECKING:
    from hall_app.domain.queue_live import LiveHall, LiveTargets
    from hall_app.domain.visit_rating import FinishedVisit
    from hall_app.services.context import HallContext

__all__ = ["HallQueue", "LocalQueue", "QueueError", "QueueOffline", "open_queue", "queue_path"]


class HallQueue:
    """The queue API (both implementations). Every method either returns what the queue
    now holds or raises QueueError with nothing changed."""

    hall: str
    window: str
    kind: str  # the device kind the queue knows this caller as (window / kiosk / display / hall / local)

    def _run(self, op: str, **params: Any) -> Any:  # pragma: no cover - implemented by both
        raise NotImplementedError

    def _win(self, window: str | None) -> str:
        name = window or self.window
        if not name:
            raise QueueError("本设备没有设置窗口（设置 window 或用 --window 指定）", "invalid", 422)
        return name

    # -- reading -------------------------------------------------------------------------
    def lines(self) -> list[LineView]:
        """Service lines with waiting counts, open windows serving each, estimated wait."""
        return [from_dict(LineView, x) for x in self._run("lines")]

    def windows(self) -> list[WindowView]:
        return [WindowView.from_json(x) for x in self._run("windows")]

    def window_view(self, window: str | None = None) -> WindowView:
        """One window: state, lines it serves now, the current ticket, waiting per line, held tickets."""
        return WindowView.from_json(self._run("window", window=self._win(window)))

    def ticket(self, ref: str) -> TicketView:
        """A ticket by number today (A012) or id."""
        return from_dict(TicketView, self._run("ticket", ref=ref))

    def waiting(self, line: str = "") -> list[TicketView]:
        """Waiting tickets in calling order (priority first, then place), of one line or all."""
        return [from_dict(TicketView, x) for x in self._run("waiting", line=line)]

    def board(self, after: int = 0) -> BoardView:
        """The hall display's board. Pass the last ``seq`` you got: unchanged → ``changed=False``."""
        return BoardView.from_json(self._run("board", after=after))

    def position(self, ticket: str) -> PositionView | None:
        """The public position of a ticket (id): people ahead and state, nothing personal."""
        data = self._run("position", ticket=ticket)
        return from_dict(PositionView, data) if data else None

    def suggestions(self) -> list[Suggestion]:
        """Tidal switches the queue suggests now (a long line while a window idles)."""
        return [from_dict(Suggestion, x) for x in self._run("suggestions")]

    def live(self, targets: "LiveTargets | None" = None, day: str = "") -> "LiveHall":
        """The supervisor's live hall: per line and window today's figures from the queue's
        events, and the alerts (hall_app/domain/queue_live.py)."""
        from hall_app.domain.queue_live import LiveHall, LiveTargets

        t = targets or LiveTargets()
        return LiveHall.from_dict(self._run("live", target=t.wait_target, idle=t.idle_alert, paused=t.paused_alert,
                                            day=day))

    def events(self, day: str = "", after: int = 0, limit: int = 1000) -> list[QueueEvent]:
        """The append-only queue events (for dashboards and replay)."""
        return [QueueEvent.from_dict(x) for x in self._run("events", day=day, after=after, limit=limit)]

    # -- tickets -------------------------------------------------------------------------
    def issue_ticket(self, line: str, priority: str = "", id_number: str = "", name: str = "") -> TicketView:
        """Take a ticket (取号) for ``line`` (code or prefix). ``priority``: one of
        PRIORITY_KINDS (老年人/残疾人/孕妇/军人及优抚对象/其他) or ""."""
        return from_dict(TicketView, self._run("issue", line=line, priority=priority, id_number=id_number,
                                               name=name))

    def check_in(self, code_or_id: str) -> TicketView:
        """Appointment check-in by code or ID number → a ticket (``message`` says on time or late)."""
        return from_dict(TicketView, self._run("checkin", code=code_or_id))

    def call_next(self, window: str | None = None) -> TicketView:
        return from_dict(TicketView, self._run("call_next", window=self._win(window)))

    def call_ticket(self, ref: str, window: str | None = None) -> TicketView:
        """Call a given ticket (a held one, or one out of turn)."""
        return from_dict(TicketView, self._run("call", window=self._win(window), ref=ref))

    def _act(self, action: str, ref: str, window: str | None, **extra: Any) -> TicketView:
        return from_dict(TicketView, self._run("act", window=self._win(window), action=action, ref=ref, **extra))

    def recall(self, ref: str = "", window: str | None = None) -> TicketView:
        """Call the current ticket again; past the limit it becomes a no-show (state no_show)."""
        return self._act("recall", ref, window)

    def start_serving(self, ref: str = "", window: str | None = None) -> TicketView:
        return self._act("serve", ref, window)

    def hold(self, ref: str = "", window: str | None = None) -> TicketView:
        """Park the ticket; call it back later with call_ticket."""
        return self._act("hold", ref, window)

    def transfer(self, ref: str = "", to_line: str = "", to_window: str = "", window: str | None = None
                 ) -> TicketView:
        """To another line and/or window; the ticket keeps its place (original issue time)."""
        return self._act("transfer", ref, window, to_line=to_line, to_window=to_window)

    def finish(self, ref: str = "", cases: list[str] | None = None, window: str | None = None) -> TicketView:
        """The visit is over; ``cases``: the case ids it produced (none for a consultation)."""
        return self._act("finish", ref, window, cases=list(cases or []))

    def link_case(self, case: str, ref: str = "", replaces: str = "", window: str | None = None) -> TicketView:
        """Record that ``case`` was started on the ticket in service (``ref``, default the
        window's current one), replacing ``replaces`` if given; the answer lists its cases."""
        return from_dict(TicketView, self._run("link_case", window=self._win(window), case=case, ref=ref,
                                               replaces=replaces))

    def no_show(self, ref: str = "", window: str | None = None) -> TicketView:
        return self._act("no_show", ref, window)

    def leave(self, ref: str) -> TicketView:
        """A waiting person has gone away."""
        return from_dict(TicketView, self._run("leave", ref=ref))

    # -- the visit's rating (issue 11) -------------------------------------------------------
    def last_visit(self, window: str | None = None) -> "FinishedVisit | None":
        """The visit last finished at the window today (what its rate pad offers), rated or not."""
        from hall_app.domain.visit_rating import FinishedVisit

        return FinishedVisit.from_json(self._run("last_visit", window=self._win(window)))

    def rate_visit(self, ticket: str, level: int | None, dimensions: dict[str, int] | None = None,
                   reasons: list[str] | None = None, how: str = "chosen",
                   window: str | None = None) -> "FinishedVisit":
        """Record the citizen's rating of a visit finished at the window, once; ``level``
        None = 未评价 (``how``: timeout or declined)."""
        from hall_app.domain.visit_rating import FinishedVisit

        visit = FinishedVisit.from_json(self._run("rate_visit", window=self._win(window), ticket=ticket, level=level,
                                                  dimensions=dict(dimensions or {}), reasons=list(reasons or []),
                                                  how=how))
        assert visit is not None
        return visit

    def bad_visits(self, ticket: str = "") -> list[dict[str, Any]]:
        """The hall's bad visit ratings with their follow-up steps (raw events; the rules:
        hall_app/domain/visit_followup.py)."""
        return list(self._run("bad_visits", ticket=ticket))

    def follow_up_visit(self, ticket: str, step: str, note: str, by: str) -> dict[str, Any]:
        """One step of a bad visit rating's follow-up, recorded by ``by`` (a supervisor)."""
        return dict(self._run("follow_up_visit", ticket=ticket, step=step, note=note, by=by))

    # -- windows -------------------------------------------------------------------------
    def open_window(self, window: str | None = None) -> WindowView:
        return WindowView.from_json(self._run("window_action", window=self._win(window), action="open"))

    def pause_window(self, window: str | None = None) -> WindowView:
        return WindowView.from_json(self._run("window_action", window=self._win(window), action="pause"))

    def close_window(self, window: str | None = None) -> WindowView:
        return WindowView.from_json(self._run("window_action", window=self._win(window), action="close"))

    def switch_window(self, lines: dict[str, int] | list[str] | str | None, window: str | None = None) -> WindowView:
        """Tidal switch for today: the lines (with rank) the window serves; None = back to its schedule."""
        return WindowView.from_json(self._run("switch", window=self._win(window), lines=lines))

    # -- appointments ----------------------------------------------------------------------
    def appointments(self, day: str = "", line: str = "") -> list[AppointmentView]:
        return [from_dict(AppointmentView, x) for x in self._run("appointments", day=day, line=line)]

    def book_appointment(self, line: str, day: str, slot: str, name: str = "", id_number: str = "",
                         phone: str = "") -> AppointmentView:
        return from_dict(AppointmentView, self._run("book", line=line, day=day, slot=slot, name=name,
                                                    id_number=id_number, phone=phone))

    def cancel_appointment(self, code: str, reason: str = "") -> AppointmentView:
        return from_dict(AppointmentView, self._run("cancel", code=code, reason=reason))

    def import_appointments(self, csv_text: str) -> ImportResult:
        """Appointments from a booking system's CSV export; all or nothing (docs/queue.md)."""
        return from_dict(ImportResult, self._run("import", csv_text=csv_text))

    # -- the hall ----------------------------------------------------------------------------
    def set_line(self, line: str, name: str, prefix: str, **options: Any) -> None:
        self._run("set_line", line=line, name=name, prefix=prefix, **options)

    def set_window(self, window: str, name: str, skills: dict[str, int] | list[str] | str,
                   schedule: list[dict] | None = None) -> None:
        self._run("set_window", window=window, name=name, skills=skills, schedule=schedule or [])

    def close_day(self, day: str = "") -> dict[str, int]:
        """Tickets still open end as 闭厅未办, appointments not checked in as 未到; windows close."""
        return dict(self._run("close_day", day=day))

    # -- kiosk blocks --------------------------------------------------------------------------
    def reserve_block(self, line: str, day: str = "", size: int = 0) -> Block:
        return from_dict(Block, self._run("reserve_block", line=line, day=day, size=size))

    def upload_offline(self, tickets: list[dict[str, Any]]) -> list[dict[str, str]]:
        return list(self._run("upload_offline", tickets=tickets))

    def close(self) -> None:
        pass


def queue_path(db_path: Path) -> Path:
    """The embedded queue's file beside the device database: hall.db → hall.queue.db."""
    return db_path.with_name(f"{db_path.stem}.queue{db_path.suffix or '.db'}")


class LocalQueue(HallQueue):
    """The queue on this machine: the server's queue code on a local SQLite file."""

    def __init__(self, path: Path | str, hall: str = "JJ01", window: str = "", kind: str = "local",
                 device_id: str = "", user: str = "", clock: Callable[[], dt.datetime] | None = None,
                 policy: Policy = DEFAULT_POLICY, engine: Any = None):
        from hall_app.server.queue_store import Actor, QueueStore, china_now

        if engine is None:
            from hall_app.server.db import ServerDatabaseError, open_engine

            try:
                engine = open_engine(str(path), pool_size=5)
            except ServerDatabaseError as exc:
                raise QueueError(f"无法打开本机排队数据库：{exc}", "offline", 503) from None
        self.engine = engine
        self.hall, self.window, self.kind = hall, window, kind
        self.store = QueueStore(engine, clock or china_now, policy)
        self.actor = Actor(kind, hall, window, device_id, user)

    def _run(self, op: str, **params: Any) -> Any:
        from hall_app.server import queue_ops

        return queue_ops.run(self.store, self.actor, op, params)

    def close(self) -> None:
        self.engine.dispose()


def queue_configured(ctx: "HallContext") -> bool:
    """Whether this device has a queue: enrolled with a server, or the embedded queue's
    file exists (``hall-app demo``, a kiosk or ``hall-app queue`` made it). A hall
    without one shows no queue panel and makes no queue requests (opening the embedded
    queue would create its file)."""
    from sqlalchemy import select

    from hall_app.store.models import Device

    with ctx.read() as session:
        enrolled = session.execute(select(Device.server_url, Device.token).limit(1)).first()
    if enrolled is not None and enrolled[0] and enrolled[1]:
        return True
    return queue_path(Path(ctx.settings.db_path)).exists()


def open_queue(ctx: "HallContext", kind: str = "", user: str = "", window: str = "") -> HallQueue:
    """The queue this device uses: the central server's when the device is enrolled,
    else the embedded one beside the device database. ``kind``: how this caller acts
    on the embedded queue (the server knows an enrolled device by its token).
    ``window``: the window this caller acts for on the embedded queue (the signed-in
    user's window, when several windows share the machine; default the setting's);
    an enrolled device acts for the window its token was issued for. ``user``: the clerk
    signed in; both queues record the window's acts as theirs (on the server it is sent
    with each request and checked there)."""
    from sqlalchemy import select

    from hall_app.store.models import Device

    with ctx.read() as session:
        device = session.scalar(select(Device).limit(1))
    settings = ctx.settings
    if device is not None and device.server_url and device.token:
        from hall_app.services.queue_http import HttpQueue

        return HttpQueue(device.server_url, device.token, hall=device.hall or settings.hall,
                         window=device.window or settings.window, user=user)
    return LocalQueue(queue_path(settings.db_path), hall=settings.hall, window=window or settings.window,
                      kind=kind or "local", device_id=ctx.device_id, user=user, clock=ctx.clock)
