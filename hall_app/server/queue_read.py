"""Reading the queue: tickets with their place and estimated wait, lines, windows, the
hall display's board, the public position page, tidal switch suggestions, the event
log. Read-only; works on the queue store's engine (PostgreSQL or SQLite)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, and_, func, or_, select, tuple_

from hall_app.domain import queue as q
from hall_app.domain.queue import QueueError, Ticket, Window
from hall_app.domain.queue_replay import QueueEvent, estimate_wait, minutes_between, rolling_median
from hall_app.domain.queue_schedule import effective_skills, schedule_to_json
from hall_app.domain.queue_views import (
    BoardView,
    CallView,
    LineView,
    PositionView,
    Suggestion,
    TicketView,
    WindowView,
)
from hall_app.server.queue_cases import linked_cases
from hall_app.server.queue_models import queue_events, queue_lines, queue_tickets, queue_windows
from hall_app.server.queue_store import Actor, QueueStore, count_events, ticket_from_row, window_from_row

RECENT_CALLS = 10
T = TypeVar("T")


class cached_property(Generic[T]):
    """functools.cached_property without its lock: on Python 3.11 that lock is one per
    property for *every* instance, so two threads reading two snapshots at once (two
    requests of a threaded server, a window's poll and its key) could each wait for the
    other — one on the lock, the other on the database lock the first holds (SQLite's
    BEGIN IMMEDIATE). A snapshot is used by one thread, so no lock is needed."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> T:
        if obj is None:
            return self  # type: ignore[return-value]
        value = obj.__dict__[self.name] = self.func(obj)
        return value


class Snapshot:
    """One read of a hall's queue at ``now``: lines, windows and waiting tickets, each
    loaded on first use (a call's answer needs only names; a board needs everything)."""

    def __init__(self, store: QueueStore, conn: Connection, hall: str):
        self.store, self.conn, self.hall = store, conn, hall
        self.now, _at, self.day = store.now()
        self.medians: dict[str, float] = {}

    @classmethod
    def load(cls, store: QueueStore, conn: Connection, hall: str) -> "Snapshot":
        return cls(store, conn, hall)

    @cached_property
    def lines(self) -> dict[str, Any]:
        return {r.line: r for r in self.conn.execute(
            select(queue_lines).where(queue_lines.c.hall == self.hall).order_by(queue_lines.c.sort,
                                                                                 queue_lines.c.line))}

    @cached_property
    def windows(self) -> dict[str, Window]:
        return {w.window: w for w in (window_from_row(r) for r in self.conn.execute(
            select(queue_windows).where(queue_windows.c.hall == self.hall).order_by(queue_windows.c.window)))}

    @cached_property
    def waiting(self) -> list[Ticket]:
        return [ticket_from_row(r) for r in self.conn.execute(select(queue_tickets).where(
            queue_tickets.c.hall == self.hall, queue_tickets.c.day == self.day, queue_tickets.c.state == q.WAITING))]

    def skills(self, w: Window) -> dict[str, int]:
        return effective_skills(w, self.now)

    def serving(self, line: str) -> int:
        """Open windows that serve ``line`` now."""
        return sum(1 for w in self.windows.values() if w.state == q.W_OPEN and line in self.skills(w))

    def median(self, line: str) -> float:
        """Rolling median service time of ``line`` today (minutes), from its finished visits."""
        if line not in self.medians:
            row = self.lines.get(line)
            default = float(row.service_minutes) if row is not None else self.store.policy.default_service_minutes
            rows = self.conn.execute(
                select(queue_tickets.c.serving_at, queue_tickets.c.called_at, queue_tickets.c.ended_at)
                .where(queue_tickets.c.hall == self.hall, queue_tickets.c.day == self.day,
                       queue_tickets.c.line == line, queue_tickets.c.state == q.FINISHED)
                .order_by(queue_tickets.c.ended_at.desc()).limit(self.store.policy.rolling_services)).all()
            durations = [minutes_between(r.serving_at or r.called_at, r.ended_at) for r in reversed(rows)
                         if (r.serving_at or r.called_at) and r.ended_at]
            self.medians[line] = rolling_median(durations, default, self.store.policy.rolling_services)
        return self.medians[line]

    def ahead(self, ticket: Ticket) -> int:
        if ticket.state != q.WAITING:
            return 0
        if "waiting" in self.__dict__:
            return q.people_ahead(ticket, self.waiting)
        # one count in the database (the same order as q.place_key), not every waiting row
        c = queue_tickets.c
        mine = tuple_(c.sort_at, c.issued_at, c.number) < tuple_(ticket.sort_at, ticket.issued_at, ticket.number)
        before = or_(c.is_priority.is_(True), mine) if not ticket.is_priority else and_(c.is_priority.is_(True), mine)
        return int(self.conn.execute(select(func.count()).select_from(queue_tickets).where(
            c.hall == self.hall, c.day == ticket.day, c.state == q.WAITING, c.line == ticket.line,
            c.ticket != ticket.ticket, before)).scalar_one())

    def estimate(self, ticket: Ticket) -> float | None:
        if ticket.state != q.WAITING:
            return None
        return estimate_wait(self.ahead(ticket), self.serving(ticket.line), self.median(ticket.line))

    def line_name(self, line: str) -> str:
        if "lines" not in self.__dict__:  # the names alone: cached by the store for a few seconds
            return self.store.names(self.conn, self.hall)[0].get(line, line)
        row = self.lines.get(line)
        return row.name if row is not None else line

    def window_name(self, window: str) -> str:
        if "windows" not in self.__dict__:
            return self.store.names(self.conn, self.hall)[1].get(window, window)
        w = self.windows.get(window)
        return (w.name or w.window) if w is not None else window

    def view(self, ticket: Ticket, private: bool = True, message: str = "") -> TicketView:
        return TicketView(
            ticket=ticket.ticket, label=ticket.label, line=ticket.line, line_name=self.line_name(ticket.line),
            state=ticket.state, state_label=q.STATE_LABELS.get(ticket.state, ticket.state), day=ticket.day,
            priority=ticket.priority, window=ticket.window,
            window_name=self.window_name(ticket.window) if ticket.window else "", target_window=ticket.target_window,
            issued_at=ticket.issued_at, called_at=ticket.called_at, serving_at=ticket.serving_at,
            ended_at=ticket.ended_at, calls=ticket.calls, ahead=self.ahead(ticket),
            estimate_minutes=self.estimate(ticket),
            source=ticket.source, appointment=ticket.appointment, id_number=ticket.id_number if private else "",
            name=ticket.name if private else "", message=message)

    def line_view(self, row: Any) -> LineView:
        waiting = [t for t in self.waiting if t.line == row.line]
        serving = self.serving(row.line)
        median = self.median(row.line)
        return LineView(line=row.line, name=row.name, prefix=row.prefix, open=row.open, waiting=len(waiting),
                        priority_waiting=sum(1 for t in waiting if t.is_priority), windows_serving=serving,
                        median_service=round(median, 2), estimate_minutes=estimate_wait(len(waiting), serving, median),
                        service_minutes=row.service_minutes, slot_minutes=row.slot_minutes,
                        slot_capacity=row.slot_capacity, sort=row.sort, bundles=list(row.bundles or []),
                        life_stages=list(row.life_stages or []))

    def window_view(self, w: Window, held: list[Ticket] | None = None, cases: bool = False) -> WindowView:
        skills = self.skills(w)
        current = None
        if w.current:
            row = self.conn.execute(select(queue_tickets).where(queue_tickets.c.ticket == w.current)).first()
            if row is not None:
                current = self.view(ticket_from_row(row))
            if current is not None and cases:  # the cases started on it: a window program restarted knows them
                current = replace(current, cases=linked_cases(self.conn, current.ticket))
        waiting = {line: sum(1 for t in self.waiting if t.line == line
                             and (not t.target_window or t.target_window == w.window)) for line in skills}
        return WindowView(window=w.window, name=w.name or w.window, state=w.state,
                          state_label=q.WINDOW_STATE_LABELS.get(w.state, w.state), skills=skills,
                          own_skills=dict(w.skills), schedule=schedule_to_json(w.schedule), manual=w.manual,
                          current=current, waiting=waiting, held=[self.view(t) for t in held or []])


def ticket(store: QueueStore, actor: Actor, ref: str) -> TicketView:
    with store.engine.connect() as conn:
        snap = Snapshot.load(store, conn, actor.hall)
        t = store.find_ticket(conn, actor.hall, ref, snap.day, lock=False)
        private = actor.kind in ("window", "hall", "local", "admin")
        view = snap.view(t, private=private)
        return replace(view, cases=linked_cases(conn, t.ticket)) if private else view


def view_of(store: QueueStore, actor: Actor, t: Ticket, message: str = "") -> TicketView:
    """A ticket just decided, with its place and estimated wait (a called or ended ticket
    needs only the names, usually from the store's cache: no query at all)."""
    if t.state != q.WAITING and store.names_cached(actor.hall):
        snap = Snapshot(store, None, actor.hall)  # type: ignore[arg-type]
        return snap.view(t, private=actor.kind != "display", message=message)
    with store.engine.connect() as conn:
        snap = Snapshot.load(store, conn, actor.hall)
        return snap.view(t, private=actor.kind != "display", message=message)


def waiting(store: QueueStore, actor: Actor, line: str = "") -> list[TicketView]:
    with store.engine.connect() as conn:
        snap = Snapshot.load(store, conn, actor.hall)
        tickets = sorted((t for t in snap.waiting if not line or t.line == line), key=q.place_key)
        return [snap.view(t, private=actor.kind in ("window", "hall", "local", "admin")) for t in tickets]


def lines(store: QueueStore, actor: Actor) -> list[LineView]:
    with store.engine.connect() as conn:
        snap = Snapshot.load(store, conn, actor.hall)
        return [snap.line_view(row) for row in snap.lines.values()]


def windows(store: QueueStore, actor: Actor) -> list[WindowView]:
    with store.engine.connect() as conn:
        snap = Snapshot.load(store, conn, actor.hall)
        return [snap.window_view(w) for w in snap.windows.values()]


def window(store: QueueStore, actor: Actor, name: str) -> WindowView:
    with store.engine.connect() as conn:
        snap = Snapshot.load(store, conn, actor.hall)
        w = snap.windows.get(name)
        if w is None:
            raise QueueError(f"没有窗口“{name[:32]}”", "not_found", 404)
        held = [ticket_from_row(r) for r in conn.execute(select(queue_tickets).where(
            queue_tickets.c.hall == actor.hall, queue_tickets.c.day == snap.day, queue_tickets.c.state == q.HELD,
            queue_tickets.c.window == name).order_by(queue_tickets.c.sort_at))]
        return snap.window_view(w, held, cases=actor.kind in ("window", "hall", "local", "admin"))


def board(store: QueueStore, actor: Actor, after: int = 0) -> BoardView:
    """The hall display's board; ``after``: the ``seq`` the display has (unchanged → changed=False)."""
    with store.engine.connect() as conn:
        seq = count_events(conn, actor.hall)
        _now, at, day = store.now()
        if after and after == seq:
            return BoardView(actor.hall, day, at, seq, changed=False)
        snap = Snapshot.load(store, conn, actor.hall)
        rows = conn.execute(select(queue_events).where(
            queue_events.c.hall == actor.hall, queue_events.c.day == day,
            queue_events.c.type.in_(("queue.ticket_called", "queue.ticket_recalled")))
            .order_by(queue_events.c.seq.desc()).limit(RECENT_CALLS)).all()
        calls = [CallView(label=r.payload.get("label", ""), window=r.window, window_name=snap.window_name(r.window),
                          line=r.line, line_name=snap.line_name(r.line), at=r.at,
                          recall=r.type == "queue.ticket_recalled", seq=r.seq) for r in rows]
        return BoardView(actor.hall, day, at, seq, True, calls, [snap.line_view(r) for r in snap.lines.values()],
                         [snap.window_view(w) for w in snap.windows.values()])


def position(store: QueueStore, ticket_id: str) -> PositionView | None:
    """The public page of one ticket: its place and state, nothing personal."""
    with store.engine.connect() as conn:
        row = conn.execute(select(queue_tickets).where(queue_tickets.c.ticket == ticket_id[:32])).first()
        if row is None:
            return None
        t = ticket_from_row(row)
        snap = Snapshot.load(store, conn, t.hall)
        return PositionView(label=t.label, line_name=snap.line_name(t.line), state=t.state,
                            state_label=q.STATE_LABELS.get(t.state, t.state), day=t.day, ahead=snap.ahead(t),
                            estimate_minutes=snap.estimate(t),
                            window_name=snap.window_name(t.window) if t.state in (q.CALLED, q.SERVING) else "")


def suggestions(store: QueueStore, actor: Actor) -> list[Suggestion]:
    """Tidal switches worth making now: a line whose next ticket would wait longer than
    the threshold, while an open window that does not serve it has nothing to do."""
    out: list[Suggestion] = []
    with store.engine.connect() as conn:
        snap = Snapshot.load(store, conn, actor.hall)
        busy_lines = {t.line for t in snap.waiting}
        idle = [w for w in snap.windows.values() if w.state == q.W_OPEN and not w.current
                and not (set(snap.skills(w)) & busy_lines)]
        for row in snap.lines.values():
            waiting = sum(1 for t in snap.waiting if t.line == row.line)
            if not waiting:
                continue
            serving = snap.serving(row.line)
            median = snap.median(row.line)
            est = estimate_wait(waiting, serving, median) if serving else waiting * median
            if est is None or est < store.policy.suggest_wait_minutes:
                continue
            for w in idle:
                if row.line in snap.skills(w):
                    continue
                skills = {row.line: 1} | {line: rank + 1 for line, rank in snap.skills(w).items()}
                out.append(Suggestion(row.line, row.name, round(est, 1), w.window, w.name or w.window, skills,
                                      f"{row.name} 预计等候约 {est:.0f} 分钟；{w.name or w.window} 空闲，"
                                      f"建议切换为优先办理{row.name}"))
    return out


def events(store: QueueStore, actor: Actor, day: str = "", after: int = 0, limit: int = 1000) -> list[QueueEvent]:
    with store.engine.connect() as conn:
        stmt = select(queue_events).where(queue_events.c.hall == actor.hall, queue_events.c.seq > after)
        if day:
            stmt = stmt.where(queue_events.c.day == day)
        rows = conn.execute(stmt.order_by(queue_events.c.seq).limit(limit)).all()
    return [QueueEvent(r.seq, r.hall, r.day, r.at, r.type, dict(r.payload), r.actor, r.device_id) for r in rows]
