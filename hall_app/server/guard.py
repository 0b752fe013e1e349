"""What every request passes before the app reads its body: the device token (for the
device endpoints) and the size limit.

A pure ASGI middleware, so nothing reads the body first: a request without a valid
token is answered 401 and one whose ``Content-Length`` is over the limit 413 without
receiving a byte of the body; a body sent without a length is counted as it arrives
and cut off at the limit with a 413. The device reads the limit from ``/v1/state``
and splits its batches to stay under it.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from hall_app.domain.text import printable

DEFAULT_MAX_BODY = 2 * 1024 * 1024
DATABASE_DOWN = "服务器数据库暂时不可用，请稍后重试"  # every 503 the server answers
# Paths that need a device token: every /v1/ path but enrollment.
OPEN_PATHS = ("/v1/enroll",)
# Paths that take a larger body: the scan of a signed authorisation (domain/scans.py, plus room).
LARGE_PATHS = {"/v1/attachments": 9 * 1024 * 1024}


def needs_token(path: str) -> bool:
    return path.startswith("/v1/") and path not in OPEN_PATHS


async def reply(send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close"),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


def _fast_queue(scope) -> Any:
    """The app's queue fast path (queue_fast.FastQueue) when its pool is open on this loop, else None."""
    fast = getattr(scope["app"].state, "queue_fast", None) if "app" in scope else None
    return fast if fast is not None and fast.ready() else None


def _database_down(exc: BaseException) -> bool:
    from hall_app.server.queue_fast import database_down

    return database_down(exc)


def too_large_message(limit: int) -> str:
    return f"请求过大：超过 {limit // 1024} KB 的上限，请分批上传"


class RequestGuard:
    def __init__(self, app, engine: Engine, max_body: int = DEFAULT_MAX_BODY):
        self.app = app
        self.engine = engine
        self.max_body = max_body

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        limit = max(self.max_body, LARGE_PATHS.get(scope.get("path", ""), 0))
        if needs_token(scope.get("path", "")):
            device = await self._authenticate(scope, headers.get(b"authorization"), send)
            if device is None:
                return
            scope.setdefault("state", {})["device"] = device
        length = headers.get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await reply(send, 400, "请求头 Content-Length 无效")
                return
            if declared > limit:
                await reply(send, 413, too_large_message(limit))
                return
        if await self._hot(scope, send):
            return
        await self._limited(scope, receive, send, limit)

    @staticmethod
    async def _hot(scope, send) -> bool:
        """The window's call next on PostgreSQL, answered here (queue_hot.py)."""
        device = scope.get("state", {}).get("device")
        fast = _fast_queue(scope) if device is not None else None
        if fast is None:
            return False
        from hall_app.server import queue_hot

        window = queue_hot.window_of(scope)
        if window is None:
            return False
        await queue_hot.answer(fast, scope, send, device, window)
        return True

    async def _authenticate(self, scope, header: bytes | None, send):
        import anyio.to_thread

        from hall_app.server import auth

        text = header.decode("latin-1") if header else None
        known = auth.cached_device(self.engine, text)  # checked a moment ago: no thread, no database
        if known is not None:
            return known
        fast = _fast_queue(scope)
        try:
            if fast is not None:  # PostgreSQL: the queue's async pool, on the loop
                return await fast.authenticate(self.engine, text)
            return await anyio.to_thread.run_sync(auth.authenticate, self.engine, text)
        except auth.AuthError as exc:
            await reply(send, 401, str(exc), [(b"www-authenticate", b"Bearer")])
        except Exception as exc:
            if not (isinstance(exc, DBAPIError) or (fast is not None and _database_down(exc))):
                raise
            await reply(send, 503, DATABASE_DOWN)
        return None

    async def _limited(self, scope, receive, send, limit: int) -> None:
        """Run the app, counting the body as it arrives; past the limit answer 413 and
        tell the app the client has gone (it then stops reading)."""
        received, answered, started = 0, False, False

        async def guarded_receive() -> dict[str, Any]:
            nonlocal received, answered
            if answered:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if not started:
                        await reply(send, 413, too_large_message(limit))
                    answered = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict[str, Any]) -> None:
            nonlocal started
            if answered:
                return  # we answered already: the app's own answer is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except Exception:
            if answered:
                return  # the app failed on the cut body; the client has its 413
            raise


_MESSAGES = {
    "missing": "缺少此项",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "model_attributes_type": "应为对象",
    "too_long": "项目过多",
    "too_short": "项目过少",
    "string_too_long": "过长",
    "string_too_short": "不能为空",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "json_invalid": "不是有效的 JSON",
    "string_unicode": "含有无法编码的字符",
}


def describe_validation(errors: list[dict[str, Any]]) -> str:
    """FastAPI's validation errors as one Chinese line, without the input itself."""
    parts = []
    for error in errors[:5]:
        where = ".".join(printable(str(p), 40) for p in error.get("loc", ()) if p != "body")
        kind = error.get("type", "")
        if kind == "value_error":
            why = printable(str(error.get("ctx", {}).get("error", "")), 200)
        elif kind == "too_long" and error.get("loc", ())[-1:] == ("events",):
            why = f"一次最多 {error.get('ctx', {}).get('max_length', '')} 条事件，请分批上传"
        else:
            why = _MESSAGES.get(kind, f"格式不符（{printable(kind, 40)}）")
        parts.append(f"{where or '请求'}：{why}")
    return "请求格式错误：" + "；".join(parts)
