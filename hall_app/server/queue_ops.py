"""One table from operation name to the queue code that does it, so the embedded queue
(hall_app/services/queue.py, LocalQueue) and the HTTP API (hall_app/server/queue.py)
run exactly the same code with the same checks, and answer the same JSON."""

from __future__ import annotations

from typing import Any

from hall_app.domain.queue import QueueError
from hall_app.domain.queue_views import jsonable
from hall_app.server import queue_days, queue_read
from hall_app.server.queue_store import Actor, QueueStore


def _issue(store: QueueStore, actor: Actor, p: dict[str, Any]) -> Any:
    source = "kiosk" if actor.kind == "kiosk" else ("window" if actor.kind == "window" else "cli")
    ticket = store.issue(actor, str(p.get("line", "")), priority=str(p.get("priority") or ""),
                         id_number=_id_number(p.get("id_number")), name=_name(p.get("name")),
                         source=str(p.get("source") or source))
    return queue_read.view_of(store, actor, ticket)


def _id_number(raw: Any) -> str:
    if not raw:
        return ""
    from hall_app.domain.ids import check_citizen_id

    result = check_citizen_id(str(raw))
    if not result.ok:
        raise QueueError(result.error or "身份证号码无效", "invalid", 422)
    return result.value


def _name(raw: Any) -> str:
    from hall_app.domain.text import clean, text_problem

    name = clean(str(raw or ""))
    problem = text_problem(name, 100)
    if problem:
        raise QueueError(f"姓名{problem}", "invalid", 422)
    return name


def _checkin(store: QueueStore, actor: Actor, p: dict[str, Any]) -> Any:
    ticket, message = queue_days.checkin(store, actor, str(p.get("code", "")))
    return queue_read.view_of(store, actor, ticket, message)


def _act(store: QueueStore, actor: Actor, p: dict[str, Any]) -> Any:
    ticket = store.act(actor, p["window"], str(p.get("action", "")), str(p.get("ref") or ""),
                       to_line=str(p.get("to_line") or ""), to_window=str(p.get("to_window") or ""),
                       cases=[str(c) for c in p.get("cases") or []])
    message = "已重呼多次未到，按过号处理" if p.get("action") == "recall" and ticket.state == "no_show" else ""
    return queue_read.view_of(store, actor, ticket, message)


def _link_case(store: QueueStore, actor: Actor, p: dict[str, Any]) -> Any:
    from dataclasses import replace

    from hall_app.server.queue_cases import link_case

    ticket, cases = link_case(store, actor, p["window"], str(p.get("case") or ""), str(p.get("ref") or ""),
                              str(p.get("replaces") or ""))
    return replace(queue_read.view_of(store, actor, ticket), cases=cases)


def _window_action(store: QueueStore, actor: Actor, p: dict[str, Any]) -> Any:
    store.window_action(actor, p["window"], str(p.get("action", "")))
    return queue_read.window(store, actor, p["window"])


def _switch(store: QueueStore, actor: Actor, p: dict[str, Any]) -> Any:
    store.switch(actor, p["window"], p.get("lines"))
    return queue_read.window(store, actor, p["window"])


def _import(store: QueueStore, actor: Actor, p: dict[str, Any]) -> Any:
    from hall_app.server.queue_import import import_csv

    return import_csv(store, actor, str(p.get("csv_text", "")))


def _live(store: QueueStore, actor: Actor, p: dict[str, Any]) -> Any:
    from hall_app.server.queue_live import live, targets_of

    return live(store, actor, targets_of(p), str(p.get("day") or ""))


def _set_line(store: QueueStore, actor: Actor, p: dict[str, Any]) -> None:
    options = {k: p[k] for k in ("open", "sort", "service_minutes", "slot_minutes", "slot_capacity", "bundles",
                                 "life_stages") if k in p}
    store.put_line(actor, str(p["line"]), str(p["name"]), str(p["prefix"]), **options)


def _last_visit(store: QueueStore, actor: Actor, p: dict[str, Any]) -> Any:
    from hall_app.server.queue_rating import last_visit

    visit = last_visit(store, actor, p["window"])
    return visit.to_json() if visit is not None else None


def _rate_visit(store: QueueStore, actor: Actor, p: dict[str, Any]) -> Any:
    from hall_app.server.queue_rating import rate_visit

    return rate_visit(store, actor, p["window"], str(p.get("ticket") or ""), p.get("level"),
                      p.get("dimensions") or {}, [str(r) for r in p.get("reasons") or []],
                      str(p.get("how") or "chosen")).to_json()


def _bad_visits(store: QueueStore, actor: Actor, p: dict[str, Any]) -> Any:
    from hall_app.server.queue_rating import bad_visits

    return bad_visits(store, actor, str(p.get("ticket") or ""))


def _follow_up_visit(store: QueueStore, actor: Actor, p: dict[str, Any]) -> Any:
    from hall_app.server.queue_rating import follow_up_visit

    return follow_up_visit(store, actor, str(p.get("ticket") or ""), str(p.get("step") or ""),
                           str(p.get("note") or ""), str(p.get("by") or ""))


OPS = {
    "lines": lambda s, a, p: queue_read.lines(s, a),
    "windows": lambda s, a, p: queue_read.windows(s, a),
    "window": lambda s, a, p: queue_read.window(s, a, p["window"]),
    "ticket": lambda s, a, p: queue_read.ticket(s, a, str(p.get("ref", ""))),
    "waiting": lambda s, a, p: queue_read.waiting(s, a, str(p.get("line") or "")),
    "board": lambda s, a, p: queue_read.board(s, a, int(p.get("after") or 0)),
    "position": lambda s, a, p: queue_read.position(s, str(p.get("ticket", ""))),
    "suggestions": lambda s, a, p: queue_read.suggestions(s, a),
    "live": _live,
    "events": lambda s, a, p: queue_read.events(s, a, str(p.get("day") or ""), int(p.get("after") or 0),
                                                min(int(p.get("limit") or 1000), 5000)),
    "issue": _issue,
    "checkin": _checkin,
    "call_next": lambda s, a, p: queue_read.view_of(s, a, s.call_next(a, p["window"])),
    "call": lambda s, a, p: queue_read.view_of(s, a, s.call(a, p["window"], str(p.get("ref", "")))),
    "act": _act,
    "link_case": _link_case,
    "leave": lambda s, a, p: queue_read.view_of(s, a, s.leave(a, str(p.get("ref", "")))),
    "window_action": _window_action,
    "switch": _switch,
    "appointments": lambda s, a, p: queue_days.list_appointments(s, a, str(p.get("day") or ""),
                                                                 str(p.get("line") or "")),
    "book": lambda s, a, p: queue_days.book(s, a, str(p.get("line", "")), str(p.get("day", "")),
                                            str(p.get("slot", "")), name=str(p.get("name") or ""),
                                            id_number=str(p.get("id_number") or ""), phone=str(p.get("phone") or ""),
                                            source=str(p.get("source") or "cli")),
    "cancel": lambda s, a, p: queue_days.cancel(s, a, str(p.get("code", "")), str(p.get("reason") or "")),
    "import": _import,
    "set_line": _set_line,
    "set_window": lambda s, a, p: s.put_window(a, str(p["window"]), str(p.get("name") or ""), p["skills"],
                                               p.get("schedule") or []),
    "close_day": lambda s, a, p: queue_days.close_day(s, a, str(p.get("day") or "")),
    "reserve_block": lambda s, a, p: queue_days.reserve_block(s, a, str(p.get("line", "")), str(p.get("day") or ""),
                                                              int(p.get("size") or 0)),
    "last_visit": _last_visit,
    "rate_visit": _rate_visit,
    "bad_visits": _bad_visits,
    "follow_up_visit": _follow_up_visit,
    "upload_offline": lambda s, a, p: queue_days.upload_offline(s, a, list(p.get("tickets") or [])),
}


def run(store: QueueStore, actor: Actor, op: str, params: dict[str, Any]) -> Any:
    handler = OPS.get(op)
    if handler is None:
        raise QueueError(f"未知的排队操作“{op[:20]}”", "invalid", 422)
    return jsonable(handler(store, actor, params))
