"""The queue's HTTP API (``/v1/queue/…``) and the public position page ``/q/{ticket}``.

Each endpoint declares who may call it (``access(...)``; the ids and the scope rows are
in hall_app/server/queue_scopes.py). The device's token gives the actor: its hall
always comes from the token, never from the request, and a window device acts only
for its own window (checked in the queue code, so the embedded queue checks it too).
Every operation runs through hall_app/server/queue_ops.py, the same code as the
embedded queue.
"""

from __future__ import annotations

import html
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from hall_app.domain.queue import QueueError
from hall_app.server import auth
from hall_app.server.queue_bodies import (
    ActIn,
    AppointmentIn,
    BlockIn,
    CallIn,
    CancelIn,
    CheckInIn,
    CloseDayIn,
    ImportIn,
    IssueIn,
    LineIn,
    LinkCaseIn,
    OfflineIn,
    SwitchIn,
    VisitFollowUpIn,
    VisitRatingIn,
    WindowIn,
    WindowStateIn,
)
from hall_app.server.queue_ops import run
from hall_app.server.queue_store import Actor, QueueStore
from hall_app.server.scopes import access

USER_HEADER = "x-hall-user"  # the clerk signed in at the device (hall_app/services/queue_http.py)
CLERK_KINDS = frozenset({"window", "hall"})  # devices a clerk signs in at; the others act as themselves


def clerk_of(device: auth.DeviceInfo, raw: str | None) -> str:
    """The clerk a window (or hall) device says is signed in, from ``X-Hall-User``
    (percent-encoded UTF-8), or "" (no clerk: the event's actor is the device kind).

    What the server can check: the device's token (the clerk signed in on that device
    with their password, which the server never sees), its kind (a kiosk, display or
    rate pad has no clerk: the header is ignored), and the name itself (a user name:
    1–64 printable characters, not a device kind, so figures per clerk never take a
    device for a person). The window a clerk acts for is still the token's own
    (Actor.may_act_for)."""
    if not raw or device.kind not in CLERK_KINDS:
        return ""
    from urllib.parse import unquote

    from hall_app.domain.queue_live import DEVICE_ACTORS

    try:
        name = unquote(raw, errors="strict").strip()
    except UnicodeDecodeError:
        raise QueueError("登录用户名的编码无法识别（应为 UTF-8）", "invalid", 422) from None
    if not name or len(name) > 64 or not name.isprintable():
        raise QueueError("登录用户名无效：应为 1–64 个可见字符", "invalid", 422)
    if name in DEVICE_ACTORS:
        raise QueueError(f"登录用户名“{name}”与设备类别同名，不能记为办理人", "invalid", 422)
    return name


def no_hall(device: auth.DeviceInfo) -> str:
    """What a device whose scope names no hall is told (403)."""
    return f"本设备的登记范围 {device.scope} 没有指定大厅，不能使用排队"


def actor_of(device: auth.DeviceInfo, user: str = "") -> Actor:
    # a supervisor's token names the supervisor (supervisor:HALL/NAME): who its follow-up steps are by
    person = device.scope.partition("/")[2] if device.kind == "supervisor" else ""
    return Actor(device.kind, device.hall, device.window if device.kind in ("window", "pad") else "",
                 device.device_id, user=user, person=person)


def _store(request: Request) -> QueueStore:
    return request.app.state.queue


def _do(request: Request, device: auth.DeviceInfo, op: str, **params: Any) -> Any:
    if not device.hall:
        raise HTTPException(403, no_hall(device))
    try:
        actor = actor_of(device, clerk_of(device, request.headers.get(USER_HEADER)))
        result = run(_store(request), actor, op, params)
    except QueueError as exc:
        raise HTTPException(exc.status, str(exc), headers={"X-Queue-Code": exc.code}) from None
    # already plain JSON values (queue_ops.run): sent as they are, without another encoding pass
    return JSONResponse(result)


def _do_body(request: Request, device: auth.DeviceInfo, op: str, body: BaseModel, **keys: Any) -> Any:
    """``_do`` for a route that names its target in the path and the rest in its body."""
    return _do(request, device, op, **keys, **body.model_dump())


def register(api: FastAPI | APIRouter) -> None:
    """Add the queue's routes to ``api``. app.py passes the app itself: this FastAPI
    keeps an included router's routes apart (``_IncludedRouter``), where the scope
    check (scopes.undeclared_routes, publish_scopes) would not see them.

    On PostgreSQL the window's "call next" runs on psycopg's async pool, answered by the
    request guard (queue_fast.py, queue_hot.py); the pool opens with the app."""
    state = getattr(api, "state", None)
    if state is not None and getattr(state, "queue", None) is not None:
        from hall_app.server import queue_fast

        if queue_fast.wanted(state.queue.engine):
            fast = state.queue_fast = queue_fast.FastQueue(state.queue.engine, state.queue)
            router = getattr(api, "router", api)
            router.on_startup.append(fast.open)
            router.on_shutdown.append(fast.close)

    @api.get("/v1/queue/lines", tags=["queue"])
    def lines(request: Request, device: auth.DeviceInfo = access("queue_lines")) -> Any:
        """业务类别、等候人数、在办窗口数与预计等候（分钟）。"""
        return _do(request, device, "lines")

    @api.get("/v1/queue/windows", tags=["queue"])
    def windows(request: Request, device: auth.DeviceInfo = access("queue_windows")) -> Any:
        return _do(request, device, "windows")

    @api.get("/v1/queue/windows/{window}", tags=["queue"])
    def window(window: str, request: Request, device: auth.DeviceInfo = access("queue_window")) -> Any:
        return _do(request, device, "window", window=window)

    @api.get("/v1/queue/board", tags=["queue"])
    def board(request: Request, after: int = 0, device: auth.DeviceInfo = access("queue_board")) -> Any:
        """叫号大屏：最近叫号、各类别等候人数、窗口。after=上次的 seq：未变化时只回 changed=false。"""
        return _do(request, device, "board", after=after)

    @api.get("/v1/queue/tickets", tags=["queue"])
    def waiting(request: Request, line: str = "", device: auth.DeviceInfo = access("queue_waiting")) -> Any:
        return _do(request, device, "waiting", line=line)

    @api.get("/v1/queue/tickets/{ref}", tags=["queue"])
    def ticket(ref: str, request: Request, device: auth.DeviceInfo = access("queue_ticket")) -> Any:
        return _do(request, device, "ticket", ref=ref)

    @api.get("/v1/queue/suggestions", tags=["queue"])
    def suggestions(request: Request, device: auth.DeviceInfo = access("queue_suggestions")) -> Any:
        """潮汐窗口切换建议：某类别预计等候超过阈值而别的窗口空闲时。"""
        return _do(request, device, "suggestions")

    @api.get("/v1/queue/live", tags=["queue"])
    def live(request: Request, target: float | None = None, idle: float | None = None, paused: float | None = None,
             day: str = Query("", max_length=10), device: auth.DeviceInfo = access("queue_live")) -> Any:
        """实时大厅（值班长）：各业务类别今日等候、SLA、过号率，各窗口状态与办理量，及需处理的提醒。
        target：等候目标（分钟，默认 15）；idle：窗口空闲提醒（分钟）；paused：暂停提醒（分钟）。"""
        return _do(request, device, "live", target=target, idle=idle, paused=paused, day=day)

    @api.get("/v1/queue/events", tags=["queue"])
    def events(request: Request, day: str = "", after: int = 0, limit: int = 1000,
               device: auth.DeviceInfo = access("queue_events")) -> Any:
        """排队事件（只增不改），按 seq 排列。"""
        return _do(request, device, "events", day=day, after=after, limit=limit)

    @api.post("/v1/queue/tickets", tags=["queue"])
    def issue(body: IssueIn, request: Request, device: auth.DeviceInfo = access("queue_issue")) -> Any:
        """取号。"""
        return _do(request, device, "issue", **body.model_dump())

    @api.post("/v1/queue/checkin", tags=["queue"])
    def checkin(body: CheckInIn, request: Request, device: auth.DeviceInfo = access("queue_checkin")) -> Any:
        """预约签到取号（预约码或身份证号）。"""
        return _do(request, device, "checkin", code=body.code)

    @api.post("/v1/queue/windows/{window}/call-next", tags=["queue"])
    async def call_next(window: str, request: Request, device: auth.DeviceInfo = access("queue_call_next")) -> Any:
        """叫下一位。同一窗口已有在叫或在办的号时拒绝（连按两次不会叫两个号）。"""
        # On PostgreSQL the request guard answers this route itself (queue_hot.py); this is
        # SQLite, HALL_QUEUE_FAST=0, or a loop the fast pool is not open on: the same plan
        # through SQLAlchemy.
        return await run_in_threadpool(_do, request, device, "call_next", window=window)

    @api.post("/v1/queue/windows/{window}/call", tags=["queue"])
    def call(window: str, body: CallIn, request: Request, device: auth.DeviceInfo = access("queue_call")) -> Any:
        """叫指定的号（挂起的号或插叫）。"""
        return _do(request, device, "call", window=window, ref=body.ref)

    @api.post("/v1/queue/windows/{window}/act", tags=["queue"])
    def act(window: str, body: ActIn, request: Request, device: auth.DeviceInfo = access("queue_act")) -> Any:
        """重呼、开始办理、挂起、转移、办结、过号。"""
        return _do_body(request, device, "act", body, window=window)

    @api.post("/v1/queue/windows/{window}/cases", tags=["queue"])
    def link_case(window: str, body: LinkCaseIn, request: Request,
                  device: auth.DeviceInfo = access("queue_link_case")) -> Any:
        """记下在办理中的号上开始的办件（号与办件的关联，重启后仍在；办结时一并记入）。"""
        return _do_body(request, device, "link_case", body, window=window)

    @api.post("/v1/queue/windows/{window}/state", tags=["queue"])
    def window_state(window: str, body: WindowStateIn, request: Request,
                     device: auth.DeviceInfo = access("queue_window_state")) -> Any:
        """开放、暂停、关闭窗口。"""
        return _do(request, device, "window_action", window=window, action=body.action)

    @api.post("/v1/queue/windows/{window}/switch", tags=["queue"])
    def switch(window: str, body: SwitchIn, request: Request,
               device: auth.DeviceInfo = access("queue_switch")) -> Any:
        """潮汐切换（当天有效）；lines 为 null 时恢复排班。"""
        return _do(request, device, "switch", window=window, lines=body.lines)

    @api.get("/v1/queue/windows/{window}/visit", tags=["queue"])
    def last_visit(window: str, request: Request, device: auth.DeviceInfo = access("queue_last_visit")) -> Any:
        """本窗口今天最近办结的一次服务（评价器据此请群众评价）；没有则为 null。"""
        return _do(request, device, "last_visit", window=window)

    @api.post("/v1/queue/windows/{window}/visit/rating", tags=["queue"])
    def rate_visit(window: str, body: VisitRatingIn, request: Request,
                   device: auth.DeviceInfo = access("queue_rate_visit")) -> Any:
        """群众对本窗口办结的一次服务的评价（每次服务一次；level 为 null 记未评价）。"""
        return _do_body(request, device, "rate_visit", body, window=window)

    @api.get("/v1/queue/visit-follow-ups", tags=["queue"])
    def bad_visits(request: Request, ticket: str = "",
                   device: auth.DeviceInfo = access("queue_visit_follow_ups")) -> Any:
        """大厅的服务差评（不满意、非常不满意）及各自的整改回访步骤。"""
        return _do(request, device, "bad_visits", ticket=ticket)

    @api.post("/v1/queue/visit-follow-ups/{ticket}", tags=["queue"])
    def follow_up_visit(ticket: str, body: VisitFollowUpIn, request: Request,
                        device: auth.DeviceInfo = access("queue_visit_follow_up")) -> Any:
        """登记一次服务差评整改回访的一步（核实 → 整改/解释说明/申诉 → 回访 → 办结）。"""
        return _do_body(request, device, "follow_up_visit", body, ticket=ticket)

    @api.post("/v1/queue/tickets/{ref}/leave", tags=["queue"])
    def leave(ref: str, request: Request, device: auth.DeviceInfo = access("queue_leave")) -> Any:
        return _do(request, device, "leave", ref=ref)

    @api.get("/v1/queue/appointments", tags=["queue"])
    def appointments(request: Request, day: str = "", line: str = "",
                     device: auth.DeviceInfo = access("queue_appointments")) -> Any:
        return _do(request, device, "appointments", day=day, line=line)

    @api.post("/v1/queue/appointments", tags=["queue"])
    def book(body: AppointmentIn, request: Request, device: auth.DeviceInfo = access("queue_book")) -> Any:
        return _do(request, device, "book", **body.model_dump())

    @api.post("/v1/queue/appointments/{code}/cancel", tags=["queue"])
    def cancel(code: str, body: CancelIn, request: Request, device: auth.DeviceInfo = access("queue_cancel")) -> Any:
        return _do(request, device, "cancel", code=code, reason=body.reason)

    @api.post("/v1/queue/appointments/import", tags=["queue"])
    def import_(body: ImportIn, request: Request, device: auth.DeviceInfo = access("queue_import")) -> Any:
        """CSV 导入预约：有任何一行不合格则全部不导入。"""
        return _do(request, device, "import", csv_text=body.csv_text)

    @api.put("/v1/queue/lines/{line}", tags=["queue"])
    def set_line(line: str, body: LineIn, request: Request, device: auth.DeviceInfo = access("queue_set_line")) -> Any:
        _do_body(request, device, "set_line", body, line=line)
        return {"ok": True}

    @api.put("/v1/queue/windows/{window}", tags=["queue"])
    def set_window(window: str, body: WindowIn, request: Request,
                   device: auth.DeviceInfo = access("queue_set_window")) -> Any:
        _do_body(request, device, "set_window", body, window=window)
        return {"ok": True}

    @api.post("/v1/queue/close-day", tags=["queue"])
    def close_day(body: CloseDayIn, request: Request, device: auth.DeviceInfo = access("queue_close_day")) -> Any:
        """闭厅：仍在等候或办理的号记为闭厅未办，未签到的预约记为未到；次日号码重新从 1 开始。"""
        return _do(request, device, "close_day", day=body.day)

    @api.post("/v1/queue/blocks", tags=["queue"])
    def reserve_block(body: BlockIn, request: Request, device: auth.DeviceInfo = access("queue_blocks")) -> Any:
        """取号机预留离线号段。"""
        return _do(request, device, "reserve_block", **body.model_dump())

    @api.post("/v1/queue/offline", tags=["queue"])
    def upload_offline(body: OfflineIn, request: Request, device: auth.DeviceInfo = access("queue_offline")) -> Any:
        """取号机上传离线期间取的号（逐张回答 stored / duplicate / rejected；可重发）。"""
        return _do(request, device, "upload_offline", tickets=body.tickets)

    headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}

    @api.get("/q/{ticket}.json", dependencies=[access("queue_position_json")])
    def position_json(ticket: str, request: Request) -> JSONResponse:
        """公开的排队进度（JSON）：前面人数与状态，不含任何个人信息。"""
        found = _position(request, ticket)
        if isinstance(found, JSONResponse):
            return found
        return JSONResponse(found, headers=headers)

    @api.get("/q/{ticket}", response_class=HTMLResponse, dependencies=[access("queue_position")])
    def position_page(ticket: str, request: Request) -> HTMLResponse:
        """公开的排队进度页（取号单上的二维码）。"""
        found = _position(request, ticket)
        if isinstance(found, JSONResponse):
            body = "查询过于频繁，请一分钟后再试" if found.status_code == 429 else "没有这张号，请核对取号单"
            return HTMLResponse(_page("排队进度", f"<p>{body}</p>"), status_code=found.status_code, headers=headers)
        return HTMLResponse(_page(f"{found['label']} 号排队进度", _describe(found)), headers=headers)

    def _position(request: Request, ticket: str) -> dict[str, Any] | JSONResponse:
        limiter = request.app.state.limiter
        if not limiter.allow_request(request.app.state.engine, "track", request):
            return JSONResponse({"detail": "查询过于频繁，请一分钟后再试"}, 429,
                                headers=headers | {"Retry-After": "60"})
        found = run(_store(request), Actor("display", ""), "position", {"ticket": ticket})
        if not found:
            return JSONResponse({"detail": "没有这张号"}, 404, headers=headers)
        return found


def _describe(p: dict[str, Any]) -> str:
    rows = [("号码", p["label"]), ("业务", p["line_name"]), ("状态", p["state_label"])]
    if p["state"] == "waiting":
        rows.append(("前面还有", f"{p['ahead']} 人"))
        est = p.get("estimate_minutes")
        rows.append(("预计等候", f"约 {round(est)} 分钟" if est is not None else "暂无窗口办理，请留意叫号"))
    if p.get("window_name"):
        rows.append(("请到", p["window_name"]))
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table><p class=note>本页自动刷新；不显示任何个人信息。</p>"


def _page(title: str, body: str) -> str:
    return ("<!doctype html><html lang=zh-CN><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width,initial-scale=1'>"
            "<meta http-equiv=refresh content=20>"
            f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:1.5em}}"
            "th{text-align:left;padding-right:1em}td{font-size:1.3em}.note{color:#666;font-size:.9em}</style>"
            f"</head><body><h1>{html.escape(title)}</h1>{body}</body></html>")
