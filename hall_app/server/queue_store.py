"""The queue's authority: every queue decision, made in the database.

Works on any engine of the server's schema: PostgreSQL on the central server, or an
SQLite file (the server without HALL_SERVER_DB, and the embedded default on one
machine: hall_app/services/queue.py). No process-local lock anywhere:

- a window's action locks the window row (``SELECT … FOR UPDATE``), so a double
  press is decided once;
- "call next" takes the first waiting ticket with ``SELECT … FOR UPDATE SKIP LOCKED``
  bucket by bucket (skill rank, then priority or normal by the ratio), so fifty
  windows calling at once each get a different ticket or none;
- every ticket write is a compare-and-set on ``version`` as well;
- on SQLite each transaction starts with ``BEGIN IMMEDIATE`` (server/db.py), one
  writer at a time.

Every change appends one ``queue_events`` row with the server's time, checked against
its payload schema first (hall_app/domain/event_types_queue.py). Imports SQLAlchemy,
never FastAPI: the device's embedded queue runs this module directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from hall_app.domain import queue as q
from hall_app.domain.queue import DEFAULT_POLICY, Policy, QueueError, Ticket, Window
from hall_app.domain.queue_schedule import CHINA, hall_day, parse_schedule, schedule_to_json
from hall_app.server import queue_statements as st
from hall_app.server.queue_models import queue_lines, queue_tickets, queue_windows
from hall_app.server.queue_rows import (  # noqa: F401 - re-exported
    Actor,
    china_now,
    count_events,
    issued_payload,
    new_id,
    ticket_from_row,
    ticket_row,
    window_from_row,
)

ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
BLOCK_TOP = 1000  # kiosk blocks are taken downward from here; online numbers count up from 1

class QueueStore:
    """The queue's decisions on one database (the reads are in queue_read.py)."""

    NAMES_SECONDS = 10.0  # line and window names may be this old in an answer (another worker renamed one)

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = china_now,
                 policy: Policy = DEFAULT_POLICY):
        self.engine = engine
        self.clock = clock
        self.policy = policy
        self._names: dict[str, tuple[float, dict[str, str], dict[str, str]]] = {}

    def names(self, conn: Connection, hall: str) -> tuple[dict[str, str], dict[str, str]]:
        """The hall's line and window names (for answers only; never for a decision)."""
        import time

        cached = self._names.get(hall)
        if cached is None or cached[0] < time.monotonic():
            lines = {r.line: r.name for r in conn.execute(select(queue_lines.c.line, queue_lines.c.name)
                                                          .where(queue_lines.c.hall == hall))}
            windows = {r.window: r.name or r.window for r in conn.execute(
                select(queue_windows.c.window, queue_windows.c.name).where(queue_windows.c.hall == hall))}
            cached = (time.monotonic() + self.NAMES_SECONDS, lines, windows)
            self._names[hall] = cached
        return cached[1], cached[2]

    def names_cached(self, hall: str) -> bool:
        import time

        cached = self._names.get(hall)
        return cached is not None and cached[0] >= time.monotonic()

    def forget_names(self, hall: str) -> None:
        self._names.pop(hall, None)

    # -- infrastructure ------------------------------------------------------------------
    def now(self) -> tuple[dt.datetime, str, str]:
        """(now, its ISO text, the hall day) from the server's clock."""
        now = self.clock()
        if now.tzinfo is None:
            now = now.replace(tzinfo=CHINA)
        return now, now.isoformat(timespec="milliseconds"), hall_day(now)

    def emit(self, conn: Connection, actor: Actor, day: str, at: str, kind: str, payload: dict[str, Any],
             hall: str = "") -> int:
        """Append one event (checked against its schema first; a refusal means a bug here)."""
        values = st.event_values(actor, day, at, kind, payload, hall)
        return int(conn.execute(st.INSERT_EVENT, st.prefixed(values)).inserted_primary_key[0])

    def change(self, conn: Connection, ticket: tuple[Ticket, Ticket], window: tuple[Window, Window] | None,
               event: dict[str, Any]) -> None:
        """save_ticket, save_window (unless None) and emit (``event``: event_values) in one
        round trip on PostgreSQL (queue_statements.save_change)."""
        from hall_app.server import queue_plans as plans

        plans.run_sync(conn, plans.changed(ticket, window, event))

    def load_window(self, conn: Connection, hall: str, window: str, lock: bool = True) -> Window:
        row = conn.execute(st.WINDOW_FOR_UPDATE if lock else st.WINDOW, {"k_hall": hall, "k_window": window}).first()
        if row is None:
            raise QueueError(f"没有窗口“{window[:32]}”", "not_found", 404)
        return window_from_row(row)

    def save_window(self, conn: Connection, old: Window, new: Window) -> None:
        result = conn.execute(st.SAVE_WINDOW, st.window_params(old, new))
        if result.rowcount != 1:
            raise QueueError("窗口状态刚被改变，请重试", "refused", 409)

    def find_ticket(self, conn: Connection, hall: str, ref: str, day: str, lock: bool = True) -> Ticket:
        """A ticket by its id or its number today (A012, ａ12)."""
        ref = (ref or "").strip()
        parsed = q.parse_label(ref)
        stmt = select(queue_tickets).where(queue_tickets.c.hall == hall)
        if parsed is not None:
            stmt = stmt.where(queue_tickets.c.day == day, queue_tickets.c.prefix == parsed[0],
                              queue_tickets.c.number == parsed[1])
        else:
            stmt = stmt.where(queue_tickets.c.ticket == ref[:32])
        row = conn.execute(stmt.with_for_update() if lock else stmt).first()
        if row is None and parsed is not None and ref[:32].isalnum():
            row = conn.execute(select(queue_tickets).where(queue_tickets.c.ticket == ref[:32])).first()
        if row is None:
            shown = ref[:20] if ref.isprintable() else "?"
            raise QueueError(f"今天没有“{shown}”号", "not_found", 404)
        return ticket_from_row(row)

    def save_ticket(self, conn: Connection, old: Ticket, new: Ticket) -> None:
        """Compare-and-set on ``version``: a ticket changed meanwhile is not overwritten."""
        result = conn.execute(st.SAVE_TICKET, st.ticket_params(old, new))
        if result.rowcount != 1:
            raise QueueError(f"{old.label} 号刚被其他窗口处理，请刷新后重试", "refused", 409)

    def line_row(self, conn: Connection, hall: str, line: str) -> Any:
        """A line by its code or its prefix (A)."""
        from hall_app.domain.text import to_halfwidth

        key = to_halfwidth(line or "").strip()
        row = conn.execute(select(queue_lines).where(queue_lines.c.hall == hall,
                                                     queue_lines.c.line == key[:32])).first()
        if row is None and key:
            row = conn.execute(select(queue_lines).where(queue_lines.c.hall == hall,
                                                         queue_lines.c.prefix == key.upper()[:4])).first()
        if row is None:
            shown = key[:20] if key.isprintable() else "?"
            raise QueueError(f"没有业务类别“{shown}”", "not_found", 404)
        return row

    # -- configuration ---------------------------------------------------------------------
    def put_line(self, actor: Actor, line: str, name: str, prefix: str, *, open: bool = True, sort: int = 0,
                 service_minutes: float = 10.0, slot_minutes: int = 30, slot_capacity: int = 4,
                 bundles: list[str] | None = None, life_stages: list[str] | None = None) -> None:
        actor.may_manage()
        payload = {"line": line, "name": name, "prefix": prefix.upper(), "open": open, "sort": sort,
                   "service_minutes": float(service_minutes), "slot_minutes": slot_minutes,
                   "slot_capacity": slot_capacity, "bundles": list(bundles or []),
                   "life_stages": list(life_stages or [])}
        if not prefix.isascii() or not prefix.isalpha():
            raise QueueError(f"号码前缀“{prefix[:4]}”应为英文字母", "invalid", 422)
        _now, at, day = self.now()
        with self.engine.begin() as conn:
            clash = conn.execute(select(queue_lines.c.line).where(
                queue_lines.c.hall == actor.hall, queue_lines.c.prefix == payload["prefix"],
                queue_lines.c.line != line)).first()
            if clash is not None:
                raise QueueError(f"前缀 {payload['prefix']} 已被业务类别 {clash.line} 使用", "refused", 409)
            self.emit(conn, actor, day, at, "queue.line_set", payload)
            self.forget_names(actor.hall)
            values = {k: v for k, v in payload.items() if k != "line"}
            exists = conn.execute(select(queue_lines.c.line).where(
                queue_lines.c.hall == actor.hall, queue_lines.c.line == line).with_for_update()).first()
            if exists:
                conn.execute(update(queue_lines).where(queue_lines.c.hall == actor.hall, queue_lines.c.line == line)
                             .values(**values))
            else:
                conn.execute(insert(queue_lines).values(hall=actor.hall, line=line, **values))

    def put_window(self, actor: Actor, window: str, name: str, skills: dict[str, int],
                   schedule: list[dict] | None = None) -> None:
        actor.may_manage()
        from hall_app.domain.queue_schedule import parse_skills

        skills = parse_skills(skills)
        entries = parse_schedule(schedule or [])
        _now, at, day = self.now()
        with self.engine.begin() as conn:
            known = {r.line for r in conn.execute(select(queue_lines.c.line).where(queue_lines.c.hall == actor.hall))}
            for line in set(skills) | {x for e in entries for x in e.skills}:
                if line not in known:
                    raise QueueError(f"窗口 {window} 的技能里有不存在的业务类别“{line[:20]}”", "invalid", 422)
            payload = {"window": window, "name": name, "skills": skills, "schedule": schedule_to_json(entries)}
            self.emit(conn, actor, day, at, "queue.window_set", payload)
            self.forget_names(actor.hall)
            row = conn.execute(select(queue_windows.c.version).where(
                queue_windows.c.hall == actor.hall, queue_windows.c.window == window).with_for_update()).first()
            if row is None:
                conn.execute(insert(queue_windows).values(
                    hall=actor.hall, window=window, name=name, state=q.W_CLOSED, skills=skills,
                    schedule=payload["schedule"], manual=None, manual_day="", current="", streak=0, version=1))
            else:
                conn.execute(update(queue_windows).where(queue_windows.c.hall == actor.hall,
                                                         queue_windows.c.window == window)
                             .values(name=name, skills=skills, schedule=payload["schedule"],
                                     version=row.version + 1))

    # -- tickets ---------------------------------------------------------------------------------
    def next_number(self, conn: Connection, hall: str, day: str, prefix: str) -> int:
        """The next online number of ``prefix`` today (numbers restart each day)."""
        from hall_app.server.queue_models import queue_counters
        from hall_app.server.writes import insert_for

        conn.execute(insert_for(conn)(queue_counters).values(hall=hall, day=day, prefix=prefix, next_number=1,
                                                             block_floor=BLOCK_TOP).on_conflict_do_nothing())
        key = (queue_counters.c.hall == hall, queue_counters.c.day == day, queue_counters.c.prefix == prefix)
        row = conn.execute(select(queue_counters).where(*key).with_for_update()).one()
        number = row.next_number if row.next_number < row.block_floor else max(row.next_number, BLOCK_TOP)
        conn.execute(update(queue_counters).where(*key).values(next_number=number + 1))
        return number

    def issue(self, actor: Actor, line: str, *, priority: str = "", id_number: str = "", name: str = "",
              source: str = "kiosk", sort_at: str = "", appointment: str = "",
              conn: Connection | None = None) -> Ticket:
        """Take a ticket (取号). ``sort_at``: its place in line (an appointment's slot)."""
        if actor.kind == "display":
            raise QueueError("叫号屏只能查看，不能取号", "scope", 403)
        if priority and priority not in q.PRIORITY_KINDS:
            raise QueueError(f"优先类别“{priority[:10]}”无效，应为 {'、'.join(q.PRIORITY_KINDS)}", "invalid", 422)
        if conn is None:
            with self.engine.begin() as own:
                return self.issue(actor, line, priority=priority, id_number=id_number, name=name, source=source,
                                  sort_at=sort_at, appointment=appointment, conn=own)
        _now, at, day = self.now()
        row = self.line_row(conn, actor.hall, line)
        if not row.open:
            raise QueueError(f"{row.name} 今日已停止取号", "refused", 409)
        number = self.next_number(conn, actor.hall, day, row.prefix)
        ticket = Ticket(ticket=new_id(), hall=actor.hall, day=day, line=row.line, prefix=row.prefix, number=number,
                        priority=priority, sort_at=sort_at or at, issued_at=at, source=source,
                        appointment=appointment, id_number=id_number, name=name, version=1)
        self.emit(conn, actor, day, at, "queue.ticket_issued", issued_payload(ticket, actor.device_id))
        conn.execute(insert(queue_tickets).values(**ticket_row(ticket)))
        return ticket

    def call_next(self, actor: Actor, window: str) -> Ticket:
        """Call the next ticket for ``window`` (叫号): queue_plans.call_next, which the
        server's async route (queue_fast.py) runs as well."""
        from hall_app.server import queue_plans as plans

        actor.may_act_for(window)
        when = self.now()
        with self.engine.begin() as conn:
            return plans.run_sync(conn, plans.call_next(self, actor, window, when))

    def _ready_to_call(self, conn: Connection, w: Window, day: str) -> None:
        from hall_app.server import queue_plans as plans

        plans.run_sync(conn, plans.ready_to_call(w))

    def _called(self, conn: Connection, actor: Actor, w: Window, ticket: Ticket, now: dt.datetime, at: str,
                day: str, how: str) -> Ticket:
        from hall_app.server import queue_plans as plans

        return plans.run_sync(conn, plans.called(self, actor, w, ticket, (now, at, day), how))

    def call(self, actor: Actor, window: str, ref: str) -> Ticket:
        """Call one given ticket (a held one, or one out of turn)."""
        actor.may_act_for(window)
        now, at, day = self.now()
        with self.engine.begin() as conn:
            w = self.load_window(conn, actor.hall, window)
            ticket = self.find_ticket(conn, actor.hall, ref, day)
            if ticket.state in (q.CALLED, q.SERVING) and ticket.window == window and w.current == ticket.ticket:
                raise QueueError(f"{ticket.label} 号已在本窗口{q.STATE_LABELS[ticket.state]}，不必重复叫号",
                                 "refused", 409)
            q.ticket_after(ticket, "call", window=window, now=at, policy=self.policy)  # legal? (raises)
            self._ready_to_call(conn, w, day)
            return self._called(conn, actor, w, ticket, now, at, day, "direct")

    def act(self, actor: Actor, window: str, action: str, ref: str = "", *, to_line: str = "", to_window: str = "",
            cases: list[str] | None = None) -> Ticket:
        """recall / serve / hold / transfer / finish / no_show on ``ref`` (default: the
        window's current ticket)."""
        if action not in ("recall", "serve", "hold", "transfer", "finish", "no_show"):
            raise QueueError(f"未知的排队操作“{action[:20]}”", "invalid", 422)
        actor.may_act_for(window)
        _now, at, day = self.now()
        with self.engine.begin() as conn:
            w = self.load_window(conn, actor.hall, window)
            if not ref:
                if not w.current:
                    raise QueueError("本窗口当前没有呼叫中的号", "refused", 409)
                ref = w.current
            ticket = self.find_ticket(conn, actor.hall, ref, day)
            line_to, window_to = "", ""
            if action == "transfer":
                line_to, window_to = self._transfer_target(conn, actor.hall, ticket, to_line, to_window)
            new = q.ticket_after(ticket, action, window=window, now=at, policy=self.policy, to_line=line_to,
                                 to_window=window_to)
            base = {"ticket": ticket.ticket, "window": window}
            if action == "recall" and new.state == q.NO_SHOW:
                kind, payload = "queue.ticket_no_show", base | {"auto": True}
            elif action == "recall":
                kind, payload = "queue.ticket_recalled", base | {"calls": new.calls, "label": new.label}
            elif action == "transfer":
                kind, payload = "queue.ticket_transferred", base | {"from_line": ticket.line, "to_line": new.line,
                                                                    "to_window": window_to}
            elif action == "finish":  # every case linked to it (queue_cases.py), and those the window names
                from hall_app.server.queue_cases import finished_cases

                kind, payload = "queue.ticket_finished", base | {"cases": finished_cases(conn, ticket.ticket,
                                                                                         cases or [])}
            else:
                kind = {"serve": "queue.serving_started", "hold": "queue.ticket_held",
                        "no_show": "queue.ticket_no_show"}[action]
                payload = base
            ends = new.state not in (q.CALLED, q.SERVING)
            mine = (w, replace(w, current="", version=w.version + 1)) if w.current == ticket.ticket and ends else None
            if mine is None and ticket.window and ticket.window != window and ends:
                other = self.load_window(conn, actor.hall, ticket.window)
                if other.current == ticket.ticket:
                    self.save_window(conn, other, replace(other, current="", version=other.version + 1))
            self.change(conn, (ticket, new), mine, st.event_values(actor, day, at, kind, payload))
            return new

    def _transfer_target(self, conn: Connection, hall: str, ticket: Ticket, to_line: str,
                         to_window: str) -> tuple[str, str]:
        line = ticket.line
        if to_line:
            row = self.line_row(conn, hall, to_line)
            if not row.open:
                raise QueueError(f"{row.name} 已停止办理，不能转入", "refused", 409)
            line = row.line
        if to_window:
            target = self.load_window(conn, hall, to_window, lock=False)
            if target.state == q.W_CLOSED:
                raise QueueError(f"{target.name or target.window} 已关闭，不能转入", "refused", 409)
            to_window = target.window
        if line == ticket.line and not to_window:
            raise QueueError("请指定转往的另一业务类别或窗口", "invalid", 422)
        return line, to_window

    def leave(self, actor: Actor, ref: str) -> Ticket:
        """A waiting (or held) person has gone away."""
        if actor.kind in ("display", "kiosk"):
            raise QueueError("本设备不能标记离开", "scope", 403)
        _now, at, day = self.now()
        with self.engine.begin() as conn:
            ticket = self.find_ticket(conn, actor.hall, ref, day)
            new = q.ticket_after(ticket, "leave", now=at, policy=self.policy)
            self.save_ticket(conn, ticket, new)
            self.emit(conn, actor, day, at, "queue.ticket_left", {"ticket": ticket.ticket, "window": ticket.window})
            return new

    # -- windows -----------------------------------------------------------------------------------
    def window_action(self, actor: Actor, window: str, action: str) -> Window:
        """open / pause / close a window."""
        actor.may_act_for(window)
        _now, at, day = self.now()
        with self.engine.begin() as conn:
            w = self.load_window(conn, actor.hall, window)
            new = q.window_after(w, action)
            self.save_window(conn, w, new)
            kind = {"open": "queue.window_opened", "pause": "queue.window_paused", "close": "queue.window_closed"}
            self.emit(conn, actor, day, at, kind[action], {"window": window})
            return new

    def switch(self, actor: Actor, window: str, lines: dict[str, int] | None) -> Window:
        """Tidal switch by hand for today (``None``: back to the schedule)."""
        from hall_app.domain.queue_schedule import parse_skills

        if actor.kind == "window":
            actor.may_act_for(window)
        elif actor.kind != "supervisor":  # a supervisor accepts a tidal switch (issue 11)
            actor.may_manage()
        skills = parse_skills(lines) if lines is not None else None
        _now, at, day = self.now()
        with self.engine.begin() as conn:
            if skills is not None:
                for line in skills:
                    self.line_row(conn, actor.hall, line)
                if not skills:
                    raise QueueError("切换后的窗口至少要办理一个业务类别", "invalid", 422)
            w = self.load_window(conn, actor.hall, window)
            new = replace(w, manual=skills, manual_day=day if skills is not None else "", version=w.version + 1)
            self.save_window(conn, w, new)
            self.emit(conn, actor, day, at, "queue.window_switched", {"window": window, "lines": skills})
            return new
