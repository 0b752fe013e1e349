"""The queue around the day: appointments (预约) and their check-in, number blocks a
kiosk reserves to issue offline and the upload of what it issued, and the end-of-day
close. Decisions are made in the database as in queue_store.py."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from hall_app.domain import queue as q
from hall_app.domain.queue import QueueError, Ticket
from hall_app.domain.queue_schedule import check_in, missed, parse_hhmm
from hall_app.domain.queue_views import APPOINTMENT_STATE_LABELS, AppointmentView, Block
from hall_app.server.queue_models import (
    queue_appointments,
    queue_blocks,
    queue_counters,
    queue_lines,
    queue_tickets,
    queue_windows,
)
from hall_app.server.queue_store import (
    BLOCK_TOP,
    Actor,
    QueueStore,
    issued_payload,
    new_id,
    ticket_from_row,
    ticket_row,
)

CODE_DIGITS = "0123456789"


def _appointment_view(row: Any, line_name: str) -> AppointmentView:
    return AppointmentView(appointment=row.appointment, code=row.code, line=row.line, line_name=line_name,
                           day=row.day, slot=row.slot, state=row.state,
                           state_label=APPOINTMENT_STATE_LABELS.get(row.state, row.state), name=row.name,
                           id_number=row.id_number, phone=row.phone, ticket=row.ticket, source=row.source,
                           external_id=row.external_id)


def _clean_day(day: str) -> str:
    from hall_app.domain.text import to_halfwidth

    raw = to_halfwidth(str(day or "")).strip().replace("/", "-")
    try:
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        raise QueueError(f"日期“{str(day)[:20]}”格式不对，应为 年-月-日（如 2026-12-01）", "invalid", 422) from None


def _clean_person(name: str, id_number: str, phone: str) -> tuple[str, str, str]:
    from hall_app.domain.ids import check_citizen_id
    from hall_app.domain.text import clean, compact, text_problem

    name = clean(name)
    problem = text_problem(name, 100)
    if problem:
        raise QueueError(f"姓名{problem}", "invalid", 422)
    if id_number.strip():
        result = check_citizen_id(id_number)
        if not result.ok:
            raise QueueError(result.error or "身份证号码无效", "invalid", 422)
        id_number = result.value
    phone = compact(phone)
    if phone and (not phone.isascii() or not phone.replace("+", "").isdigit() or len(phone) > 20):
        raise QueueError(f"电话“{phone[:20]}”格式不对", "invalid", 422)
    return name, id_number, phone


def book(store: QueueStore, actor: Actor, line: str, day: str, slot: str, *, name: str = "", id_number: str = "",
         phone: str = "", source: str = "cli", external_id: str = "", conn: Connection | None = None
         ) -> AppointmentView:
    """Book a slot (预约). Refused: a past day, a slot already full, an unknown line."""
    if actor.kind in ("display", "kiosk"):
        raise QueueError("本设备不能预约", "scope", 403)
    if conn is None:
        with store.engine.begin() as own:
            return book(store, actor, line, day, slot, name=name, id_number=id_number, phone=phone, source=source,
                        external_id=external_id, conn=own)
    now, at, today = store.now()
    day = _clean_day(day)
    hhmm = f"{parse_hhmm(slot):%H:%M}"
    if day < today:
        raise QueueError(f"{day} 已经过去，不能预约", "invalid", 422)
    if day == today and source != "csv" and missed(day, hhmm, now, store.policy):
        raise QueueError(f"今天 {hhmm} 的时段已经过去，请预约更晚的时段", "invalid", 422)
    name, id_number, phone = _clean_person(name, id_number, phone)
    row = store.line_row(conn, actor.hall, line)
    # the line row's lock makes two bookings of the last place in a slot wait for each other
    conn.execute(select(queue_lines.c.line).where(queue_lines.c.hall == actor.hall, queue_lines.c.line == row.line)
                 .with_for_update())
    taken = conn.execute(select(func.count()).select_from(queue_appointments).where(
        queue_appointments.c.hall == actor.hall, queue_appointments.c.line == row.line,
        queue_appointments.c.day == day, queue_appointments.c.slot == hhmm,
        queue_appointments.c.state.in_(("booked", "checked_in")))).scalar_one()
    if taken >= row.slot_capacity:
        raise QueueError(f"{row.name} {day} {hhmm} 时段已约满（{row.slot_capacity} 人）", "refused", 409)
    code = ""
    for _ in range(20):
        candidate = "".join(secrets.choice(CODE_DIGITS) for _ in range(8))
        if conn.execute(select(queue_appointments.c.code).where(
                queue_appointments.c.hall == actor.hall, queue_appointments.c.code == candidate)).first() is None:
            code = candidate
            break
    values = {"appointment": new_id(12), "code": code, "line": row.line, "day": day, "slot": hhmm, "name": name,
              "id_number": id_number, "phone": phone, "source": source, "external_id": external_id}
    store.emit(conn, actor, today, at, "queue.appointment_booked", values)
    conn.execute(insert(queue_appointments).values(hall=actor.hall, state="booked", ticket="", created_at=at,
                                                   **values))
    got = conn.execute(select(queue_appointments).where(
        queue_appointments.c.appointment == values["appointment"])).one()
    return _appointment_view(got, row.name)


def list_appointments(store: QueueStore, actor: Actor, day: str = "", line: str = "") -> list[AppointmentView]:
    _now, _at, today = store.now()
    day = _clean_day(day) if day else today
    with store.engine.connect() as conn:
        names = {r.line: r.name for r in conn.execute(select(queue_lines.c.line, queue_lines.c.name)
                                                      .where(queue_lines.c.hall == actor.hall))}
        stmt = select(queue_appointments).where(queue_appointments.c.hall == actor.hall,
                                                queue_appointments.c.day == day)
        if line:
            stmt = stmt.where(queue_appointments.c.line == store.line_row(conn, actor.hall, line).line)
        rows = conn.execute(stmt.order_by(queue_appointments.c.slot, queue_appointments.c.created_at)).all()
    private = actor.kind in ("hall", "window", "local", "admin")
    views = [_appointment_view(r, names.get(r.line, r.line)) for r in rows]
    return views if private else [replace(v, name="", id_number="", phone="") for v in views]


def _find_appointment(conn: Connection, hall: str, code_or_id: str, today: str) -> Any:
    from hall_app.domain.text import compact

    key = compact(code_or_id).upper()
    if not key:
        raise QueueError("请输入预约码或身份证号", "invalid", 422)
    row = conn.execute(select(queue_appointments).where(
        queue_appointments.c.hall == hall, queue_appointments.c.code == key[:32]).with_for_update()).first()
    if row is None and len(key) == 18:
        rows = conn.execute(select(queue_appointments).where(
            queue_appointments.c.hall == hall, queue_appointments.c.id_number == key,
            queue_appointments.c.state == "booked").order_by(queue_appointments.c.day,
                                                              queue_appointments.c.slot).with_for_update()).all()
        row = next((r for r in rows if r.day == today), rows[0] if rows else None)
    if row is None:
        shown = key[:20] if key.isprintable() else "?"
        raise QueueError(f"没有找到预约“{shown}”，请核对预约码，或取普通号", "not_found", 404)
    return row


def cancel(store: QueueStore, actor: Actor, code: str, reason: str = "") -> AppointmentView:
    if actor.kind in ("display", "kiosk"):
        raise QueueError("本设备不能取消预约", "scope", 403)
    _now, at, today = store.now()
    with store.engine.begin() as conn:
        row = _find_appointment(conn, actor.hall, code, today)
        if row.state != "booked":
            raise QueueError(f"该预约{APPOINTMENT_STATE_LABELS.get(row.state, row.state)}，不能取消", "refused", 409)
        store.emit(conn, actor, today, at, "queue.appointment_cancelled",
                   {"appointment": row.appointment, "reason": reason[:2000]})
        conn.execute(update(queue_appointments).where(queue_appointments.c.appointment == row.appointment)
                     .values(state="cancelled"))
        line = store.line_row(conn, actor.hall, row.line)
        got = conn.execute(select(queue_appointments).where(
            queue_appointments.c.appointment == row.appointment)).one()
        return _appointment_view(got, line.name)


def checkin(store: QueueStore, actor: Actor, code_or_id: str) -> tuple[Ticket, str]:
    """Check in by appointment code or ID number: a ticket placed at the slot (within the
    grace), or an ordinary one (late). Refused: unknown, another day's, too early, used."""
    if actor.kind == "display":
        raise QueueError("叫号屏只能查看", "scope", 403)
    now, at, today = store.now()
    with store.engine.begin() as conn:
        row = _find_appointment(conn, actor.hall, code_or_id, today)
        if row.state == "checked_in":
            raise QueueError("该预约已签到取号，请勿重复取号", "refused", 409)
        if row.state != "booked":
            raise QueueError(f"该预约{APPOINTMENT_STATE_LABELS.get(row.state, row.state)}，请取普通号", "refused", 409)
        outcome = check_in(row.day, row.slot, now, store.policy)
        ticket = store.issue(actor, row.line, id_number=row.id_number, name=row.name, source="appointment",
                             sort_at=outcome.sort_at, appointment=row.appointment, conn=conn)
        store.emit(conn, actor, today, at, "queue.appointment_checked_in",
                   {"appointment": row.appointment, "ticket": ticket.ticket, "late": not outcome.on_time})
        conn.execute(update(queue_appointments).where(queue_appointments.c.appointment == row.appointment)
                     .values(state="checked_in", ticket=ticket.ticket))
        return ticket, outcome.message


# -- kiosk blocks -------------------------------------------------------------------------------
def reserve_block(store: QueueStore, actor: Actor, line: str, day: str = "", size: int = 0) -> Block:
    """Numbers for a kiosk to issue while it cannot reach the server: taken downward from
    BLOCK_TOP, so they never meet the online numbers counting up from 1."""
    if actor.kind not in ("kiosk", "hall", "local", "admin"):
        raise QueueError("只有取号机可以预留离线号段", "scope", 403)
    size = size or store.policy.block_size
    if not 1 <= size <= 200:
        raise QueueError("号段大小应为 1–200", "invalid", 422)
    _now, at, today = store.now()
    day = _clean_day(day) if day else today
    if day < today:
        raise QueueError(f"{day} 已经过去，不能预留号段", "invalid", 422)
    from hall_app.server.writes import insert_for

    with store.engine.begin() as conn:
        row = store.line_row(conn, actor.hall, line)
        conn.execute(insert_for(conn)(queue_counters).values(hall=actor.hall, day=day, prefix=row.prefix,
                                                             next_number=1, block_floor=BLOCK_TOP)
                     .on_conflict_do_nothing())
        key = (queue_counters.c.hall == actor.hall, queue_counters.c.day == day, queue_counters.c.prefix == row.prefix)
        counter = conn.execute(select(queue_counters).where(*key).with_for_update()).one()
        start, end = counter.block_floor - size, counter.block_floor - 1
        if start < counter.next_number:
            raise QueueError(f"{row.name} {day} 的号码已不够预留离线号段", "refused", 409)
        conn.execute(update(queue_counters).where(*key).values(block_floor=start))
        kiosk = actor.device_id or actor.window or actor.kind
        store.emit(conn, actor, today, at, "queue.block_reserved",
                   {"kiosk": kiosk, "prefix": row.prefix, "start": start, "end": end})
        conn.execute(insert(queue_blocks).values(hall=actor.hall, day=day, prefix=row.prefix, start=start, end=end,
                                                 kiosk=kiosk, reserved_at=at))
        return Block(row.line, row.prefix, day, start, end)


def upload_offline(store: QueueStore, actor: Actor, tickets: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Tickets a kiosk issued from its blocks while offline. Each answered on its own:
    stored, duplicate (already here, same ticket), or rejected (not from this kiosk's
    block, or the number is taken). Idempotent: uploading again changes nothing."""
    from hall_app.domain.event_types import EventInvalid, validate_event

    if actor.kind not in ("kiosk", "hall", "local", "admin"):
        raise QueueError("只有取号机可以上传离线取号", "scope", 403)
    _now, at, today = store.now()
    kiosk = actor.device_id or actor.window or actor.kind
    results = []
    for item in tickets[:500]:
        tid = str(item.get("ticket", ""))[:32] if isinstance(item, dict) else ""
        try:
            payload = {k: item[k] for k in ("ticket", "line", "prefix", "number", "priority", "sort_at", "issued_at")
                       if k in item} | {"source": "offline"}
            validate_event("queue.ticket_issued", payload)
            day = _clean_day(str(item.get("day", "")))
        except (EventInvalid, QueueError, TypeError) as exc:
            results.append({"ticket": tid, "status": "rejected", "error": str(exc)})
            continue
        with store.engine.begin() as conn:
            results.append(_store_offline(store, conn, actor, kiosk, payload, day, at, today))
    return results


def _store_offline(store: QueueStore, conn: Connection, actor: Actor, kiosk: str, p: dict[str, Any], day: str,
                   at: str, today: str) -> dict[str, str]:
    existing = conn.execute(select(queue_tickets).where(queue_tickets.c.ticket == p["ticket"])).first()
    if existing is not None:
        same = (existing.prefix, existing.number, existing.day) == (p["prefix"], p["number"], day)
        return {"ticket": p["ticket"], "status": "duplicate" if same else "rejected",
                "error": "" if same else "该取号编号已被另一张号使用"}
    block = conn.execute(select(queue_blocks).where(
        queue_blocks.c.hall == actor.hall, queue_blocks.c.day == day, queue_blocks.c.prefix == p["prefix"],
        queue_blocks.c.start <= p["number"], queue_blocks.c.end >= p["number"], queue_blocks.c.kiosk == kiosk)).first()
    if block is None:
        return {"ticket": p["ticket"], "status": "rejected",
                "error": f"号码 {p['prefix']}{p['number']:03d} 不在本机预留的号段内"}
    taken = conn.execute(select(queue_tickets.c.ticket).where(
        queue_tickets.c.hall == actor.hall, queue_tickets.c.day == day, queue_tickets.c.prefix == p["prefix"],
        queue_tickets.c.number == p["number"])).first()
    if taken is not None:
        return {"ticket": p["ticket"], "status": "rejected", "error": "该号码已被使用"}
    line = store.line_row(conn, actor.hall, p["line"])
    issued = min(max(p.get("issued_at") or at, block.reserved_at), at)  # the kiosk's clock, kept in bounds
    ticket = Ticket(ticket=p["ticket"], hall=actor.hall, day=day, line=line.line, prefix=p["prefix"],
                    number=p["number"], priority=p.get("priority", ""), sort_at=issued, issued_at=issued,
                    source="offline", version=1)
    store.emit(conn, actor, day, at, "queue.ticket_issued", issued_payload(ticket, kiosk, offline=True))
    conn.execute(insert(queue_tickets).values(**ticket_row(ticket)))
    if day < today:  # the day is over: on record, and ended with it
        expired = q.ticket_after(ticket, "expire", now=at)
        store.save_ticket(conn, ticket, expired)
        store.emit(conn, actor, day, at, "queue.ticket_expired", {"ticket": ticket.ticket, "from_state": q.WAITING})
    return {"ticket": p["ticket"], "status": "stored", "error": ""}


# -- end of day ------------------------------------------------------------------------------------
def close_day(store: QueueStore, actor: Actor, day: str = "") -> dict[str, int]:
    """End a hall day: every ticket still open ends as expired (闭厅未办), appointments not
    checked in are missed, windows close. Numbering starts again the next day by itself
    (it is per day). Closing twice changes nothing the second time."""
    actor.may_manage()
    _now, at, today = store.now()
    day = _clean_day(day) if day else today
    expired = missed_count = 0
    with store.engine.begin() as conn:
        rows = conn.execute(select(queue_tickets).where(
            queue_tickets.c.hall == actor.hall, queue_tickets.c.day == day,
            queue_tickets.c.state.in_(tuple(q.OPEN_STATES))).order_by(queue_tickets.c.sort_at)
            .with_for_update()).all()
        for row in rows:
            t = ticket_from_row(row)
            new = q.ticket_after(t, "expire", now=at)
            store.save_ticket(conn, t, new)
            store.emit(conn, actor, day, at, "queue.ticket_expired",
                       {"ticket": t.ticket, "window": t.window, "from_state": t.state})
            expired += 1
        for w in [store.load_window(conn, actor.hall, r.window) for r in conn.execute(
                select(queue_windows.c.window).where(queue_windows.c.hall == actor.hall))]:
            if w.current:
                w = replace(w, current="", version=w.version + 1)
                conn.execute(update(queue_windows).where(queue_windows.c.hall == w.hall,
                                                         queue_windows.c.window == w.window)
                             .values(current="", version=w.version))
            if w.state != q.W_CLOSED and day == today:
                new_w = q.window_after(w, "close")
                store.save_window(conn, w, new_w)
                store.emit(conn, actor, day, at, "queue.window_closed", {"window": w.window})
        for row in conn.execute(select(queue_appointments).where(
                queue_appointments.c.hall == actor.hall, queue_appointments.c.day == day,
                queue_appointments.c.state == "booked").with_for_update()).all():
            store.emit(conn, actor, day, at, "queue.appointment_missed", {"appointment": row.appointment})
            conn.execute(update(queue_appointments).where(queue_appointments.c.appointment == row.appointment)
                         .values(state="missed"))
            missed_count += 1
        store.emit(conn, actor, day, at, "queue.day_closed", {"expired": expired, "missed": missed_count})
    return {"expired": expired, "missed": missed_count}
