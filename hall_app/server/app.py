"""The central server's HTTP API (FastAPI on uvicorn). The OpenAPI spec is at
``/openapi.json`` and browsable at ``/docs``."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool

from hall_app.domain import jsontext
from hall_app.domain.event_types import EventInvalid, Text, validate_event
from hall_app.server import auth, dispatcher, duplicates, feed
from hall_app.server.guard import DATABASE_DOWN, DEFAULT_MAX_BODY, RequestGuard, describe_validation
from hall_app.server.inbox import router as inbox_router
from hall_app.server.ratelimit import RateLimits
from hall_app.server.results import ResultError, ResultIn, post_result
from hall_app.server.scopes import access, publish_scopes
from hall_app.server.tracking import find_view, not_found, render_view, too_many


class EnrollIn(BaseModel):
    model_config = ConfigDict(strict=True)

    code: Text(64) = Field(description="管理员给出的一次性登记码")
    device_id: Text(64) = Field(description="设备自己生成的编号（UUIDv7）")
    name: Text(100) = ""


class EnrollOut(BaseModel):
    device_id: str
    token: str = Field(description="设备令牌：只显示这一次，服务器只保存其 SHA-256")
    scope: str
    hall: str = ""
    window: str = ""
    agent: str = ""


class PushIn(BaseModel):
    # Items are checked one by one in the push pipeline (a bad one is rejected alone),
    # not here, where one would fail the whole request.
    events: list[Any] = Field(
        max_length=feed.MAX_BATCH,
        description="事件（event_id, case_id, device_id, device_seq, actor, type, payload, device_time, "
                    "schema_version），按设备序号排列")


class PushResult(BaseModel):
    event_id: str
    status: str = Field(description="stored（已保存）/ duplicate（已有，内容相同）/ rejected（拒收）")
    seq: int | None = Field(None, description="在变更流中的位置")
    error: str = ""
    code: str = Field("", description="拒收原因：invalid（格式或内容不合格）/ scope / conflict"
                                      " / seq_taken（设备序号已被占用） / seq_gap（设备序号不连续）"
                                      " / authorisation（代办无有效授权） / township（不在帮代办员的乡镇）")


class PushOut(BaseModel):
    results: list[PushResult]
    head: int


class PullItem(BaseModel):
    seq: int
    kind: str = Field(description="event（办件事件）或 bundle（套餐版本）")
    event: dict[str, Any]


class PullOut(BaseModel):
    items: list[PullItem]
    next: int = Field(description="下一次拉取的游标")
    more: bool


class ResultPost(BaseModel):
    model_config = ConfigDict(strict=True)

    tracking_code: Text(40) = ""
    case_id: Text(36) = ""
    item: Text(64)
    status: Text(16) = Field(description="received / approved / rejected / completed")
    note: Text(2000, multiline=True) = ""
    document: Text(500) = Field("", description="出件文书的编号或链接")
    result_id: Text(64) = Field("", description="部门系统自己的结果编号：重发同一结果不会重复登记")


class TrackingItem(BaseModel):
    code: str
    name: str
    department: str = Field(description="办理部门")
    status: str = Field(description="pending / dispatched / received / approved / rejected / completed")
    status_label: str
    due: str = Field(description="承诺办结日期")
    updated: str
    note: str = Field(description="部门说明（已去除姓名、证件号、电话、地址）")


class TrackingOut(BaseModel):
    tracking_code: str
    bundle: str
    applicant: str = Field(description="申请人姓名（遮盖，如 张*丰）")
    status: str
    status_label: str
    accepted_on: str
    expected: str = Field(description="预计办结日期")
    items: list[TrackingItem]
    departments: list[dict[str, Any]] = Field(default_factory=list, description="各办理部门的进度")
    delivery: dict[str, str] = Field(default_factory=dict, description="送达方式与 EMS 邮件号（不含领取人）")
    to_bring: list[str] = Field(default_factory=list, description="申请人还需补交的材料")
    bring_by: str = Field(default="", description="容缺材料（或一次性告知材料）的补交期限")


class JSONBodyRequest(Request):
    """A request whose JSON body is decoded by hall_app/domain/jsontext.py: orjson where
    it reads exactly what json reads (2-3x faster on a 500-event push), json elsewhere,
    so every body gets the value, or the error and its 422, it got before."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = jsontext.loads(await self.body())
        return self._json


class JSONBodyRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def decoded(request: Request) -> Response:
            return await handler(JSONBodyRequest(request.scope, request.receive))

        return decoded


def create_app(engine: Engine, hooks: feed.Hooks | None = None, limiter: RateLimits | None = None,
               max_body: int = DEFAULT_MAX_BODY, queue_clock: Any = None) -> FastAPI:
    """The app. ``max_body``: the largest request body in bytes (413 beyond; the device
    splits its batches to stay under it, and reads it from ``/v1/state``).
    ``queue_clock``: the queue's clock (a simulated hall day); default the real time."""
    app = FastAPI(title="hall-app 中心服务器", version="1",
                  description="政务服务中心设备同步、部门数据回流与办件进度查询")
    app.router.route_class = JSONBodyRoute  # every route below decodes its JSON body with jsontext
    app.state.engine = engine
    app.state.hooks = hooks or feed.Hooks()
    app.state.limiter = limiter or RateLimits()  # per client address, in the database
    app.state.max_body = max_body
    # Outermost of our own layers: the token is checked and the size limit applied
    # before any of the body is read (hall_app/server/guard.py); each endpoint then
    # says which scopes may call it (hall_app/server/scopes.py, ``access``).
    app.add_middleware(RequestGuard, engine=engine, max_body=max_body)

    @app.exception_handler(DBAPIError)
    async def _database_down(_request: Request, _exc: DBAPIError) -> JSONResponse:
        return JSONResponse({"detail": DATABASE_DOWN}, status_code=503)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # Never echo the input: it may hold what cannot be encoded (a lone surrogate).
        return JSONResponse({"detail": describe_validation(exc.errors())}, status_code=422)

    @app.get("/healthz", dependencies=[access("healthz")])
    def healthz() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/v1/enroll", response_model=EnrollOut, dependencies=[access("enroll")])
    def enroll(body: EnrollIn, request: Request) -> dict[str, Any]:
        client = app.state.limiter.client(request)
        if not app.state.limiter.allow(engine, "enroll", client):
            raise HTTPException(429, "登记尝试过于频繁，请稍后再试", headers={"Retry-After": "60"})
        try:
            info, token = auth.enroll(engine, body.code, body.device_id, body.name)
        except auth.AuthError as exc:
            raise HTTPException(400, str(exc)) from None
        app.state.limiter.refund(engine, "enroll", client)  # only failed attempts count
        return {"device_id": info.device_id, "token": token, "scope": info.scope, "hall": info.hall,
                "window": info.window, "agent": info.agent}

    @app.get("/v1/state")
    def state(device: auth.DeviceInfo = access("state")) -> dict[str, Any]:
        return feed.device_state(engine, device) | {"max_body": max_body, "max_batch": feed.MAX_BATCH}

    def push_work(device: auth.DeviceInfo, events: list[Any]) -> bytes:
        outcomes, position = feed.push(engine, device, events, app.state.hooks)
        dispatcher.after_push(engine, events, outcomes)  # 数据分发 of what was accepted (after COMMIT)
        duplicates.after_push(engine, events, outcomes)  # two agents filing one need (after COMMIT)
        return feed.answer_json(outcomes, position)

    @app.post("/v1/push", response_model=PushOut)
    async def push(body: PushIn, device: auth.DeviceInfo = access("push")) -> Response:
        """One trip to the thread pool per push: the batch's work and its answer's JSON.
        (A plain ``def`` endpoint with a response model costs two: FastAPI checks the
        answer against the model on the pool again; the answer is built here from
        ``Outcome.to_dict`` and documented by ``PushOut``.)"""
        try:
            answer = await run_in_threadpool(push_work, device, body.events)
        except PermissionError as exc:
            raise HTTPException(403, str(exc)) from None
        return Response(answer, media_type="application/json")

    @app.get("/v1/pull", response_model=PullOut)
    def pull(after: int = Query(0, ge=0), limit: int = Query(500, ge=1, le=feed.MAX_PAGE),
             own: bool = Query(False, description="也返回本设备自己的事件（本机数据库恢复后重建用）"),
             device: auth.DeviceInfo = access("pull")) -> dict[str, Any]:
        try:
            items, cursor, more = feed.pull(engine, device, after, limit, own)
        except PermissionError as exc:
            raise HTTPException(403, str(exc)) from None
        return {"items": items, "next": cursor, "more": more}

    @app.post("/v1/results")
    def results(body: ResultPost, device: auth.DeviceInfo = access("results")) -> dict[str, Any]:
        if not (body.tracking_code or body.case_id):
            raise HTTPException(422, "请提供跟踪码或办件编号")
        from hall_app.domain.tracking import parse_tracking_code

        code = parse_tracking_code(body.tracking_code) or "" if body.tracking_code else ""
        result = ResultIn(body.item, body.status, body.note, body.document, body.result_id, code, body.case_id)
        try:
            validate_event("case.item_result", result.payload())  # the schema every device checks too
        except EventInvalid as exc:
            raise HTTPException(422, str(exc)) from None
        try:
            return post_result(engine, device, result)
        except ResultError as exc:
            raise HTTPException(exc.status, str(exc)) from None

    headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}

    @app.get("/t/{code}.json", response_model=TrackingOut, dependencies=[access("track_json")],
             responses={404: {"description": "没有该跟踪码的办件"}, 429: {"description": "查询过于频繁"}})
    def track_json(code: str, request: Request) -> JSONResponse:
        """The tracking page as JSON for other systems: the same view, nothing more."""
        if not app.state.limiter.allow_request(engine, "track", request):
            return JSONResponse({"detail": "查询过于频繁，请一分钟后再试"}, 429,
                                headers=headers | {"Retry-After": "60"})
        view = find_view(engine, code)
        if view is None:
            return JSONResponse({"detail": "未找到办件"}, 404, headers=headers)
        return JSONResponse(view, headers=headers)

    @app.get("/t/{code}", response_class=HTMLResponse, dependencies=[access("track")])
    def track(code: str, request: Request) -> Response:
        """The citizen's tracking page (HTML; ``Accept: application/json`` gives the JSON variant)."""
        accept = request.headers.get("accept", "")
        if "application/json" in accept and "text/html" not in accept:
            return track_json(code, request)
        if not app.state.limiter.allow_request(engine, "track", request):
            page = too_many()
        else:
            view = find_view(engine, code)
            page = render_view(view) if view is not None else not_found()
        return HTMLResponse(page.body, status_code=page.status, headers=headers)

    # the hall queue (hall_app/server/queue.py): its routes and its store on the same database
    from hall_app.server.queue import register as register_queue
    from hall_app.server.queue_store import QueueStore

    app.state.queue = QueueStore(engine, queue_clock) if queue_clock is not None else QueueStore(engine)
    register_queue(app)
    # -- supervise (issue 11): the hall's figures for supervisors, ratings from the tracking page --
    from hall_app.server import attachments, dashboards, person_files, public_rating

    for router in (dashboards.router, public_rating.router, attachments.router, person_files.router):
        publish_scopes(router)
        app.include_router(router)

    app.include_router(inbox_router)  # the department inbox (inbox.py)
    publish_scopes(app)
    return app


ENV_MAX_BODY = "HALL_SERVER_MAX_BODY"
SHUTDOWN_SECONDS = 5  # SIGTERM: requests in flight get this long, then their connections close


def create_app_from_env() -> FastAPI:
    """The app for ``uvicorn --factory`` (several worker processes): URL from HALL_SERVER_DB."""
    import os

    from hall_app.config import load_settings
    from hall_app.server.db import open_engine

    app = create_app(open_engine(None), limiter=RateLimits.from_settings(load_settings()),
                     max_body=int(os.environ.get(ENV_MAX_BODY) or DEFAULT_MAX_BODY))
    settle_heap()
    return app


def settle_heap() -> None:
    """Before serving: collect once and move what survived (the app, its routes, the
    catalog, compiled statements: several hundred thousand objects) out of the collector's
    generations (``gc.freeze``), so a full collection in the middle of a burst of calls
    walks only what requests made, not the whole server. Only the server process does
    this (``hall-app server``), not an app a test builds."""
    import gc

    gc.collect()
    gc.freeze()


def serve(url: str | None, host: str = "127.0.0.1", port: int = 8700, log_level: str = "info",
          workers: int = 1, max_body: int = DEFAULT_MAX_BODY, limits: RateLimits | None = None) -> None:
    """Run the server in the foreground (``hall-app server``). ``limits``: rate limits and
    trusted proxies (workers > 1 read them from the settings, as ``limits`` was made).

    uvicorn's own proxy-header handling is off (it would believe X-Forwarded-For from
    127.0.0.1 and rewrite the client address): the app decides whom to believe
    (``trusted_proxies``, ratelimit.py)."""
    import os
    import sys

    import uvicorn

    from hall_app.server.db import ENV_URL, normalise_url, open_engine

    # Hand the interpreter lock round more often: a request holding the feed lock in the
    # database then waits less for Python before it commits.
    sys.setswitchinterval(0.001)
    engine = open_engine(url)  # migrations run once, here, before any worker starts
    dispatcher.sweep(engine)  # accepted cases that arrived while no server dispatched them
    if workers > 1:
        engine.dispose()
        os.environ[ENV_URL] = normalise_url(url)
        os.environ[ENV_MAX_BODY] = str(max_body)
        uvicorn.run("hall_app.server.app:create_app_from_env", factory=True, host=host, port=port,
                    log_level=log_level, timeout_keep_alive=30, workers=workers,
                    timeout_graceful_shutdown=SHUTDOWN_SECONDS, proxy_headers=False)
        return
    app = create_app(engine, limiter=limits, max_body=max_body)
    settle_heap()
    uvicorn.run(app, host=host, port=port, log_level=log_level,
                timeout_keep_alive=30, timeout_graceful_shutdown=SHUTDOWN_SECONDS, proxy_headers=False)
