"""The window's "call next" answered by the request guard itself (PostgreSQL).

Fifty windows pressing "call next" at once is the one burst the hall's server must
answer quickly (issue 10: p99 ≤ 100 ms). The decision itself costs under a millisecond
of the server's CPU (queue_fast.py); the rest of each request was the HTTP stack after
the guard: Starlette's middleware and routing, FastAPI's request object, dependency
solving and its exception handling (docs/benchmarks.md, 2026-12-02 q12). The guard has
already read the token (guard.py) and the scope rule is one look-up in the same table
``access("queue_call_next")`` reads, so for this one route the guard answers directly.

Everything the FastAPI route says, this says the same way (tests/queue/test_queue_hot.py
sends each case both ways and compares status, body and headers): the scope refusal
(403), a device without a hall (403), a bad ``X-Hall-User`` (422), the queue's
refusals with ``X-Queue-Code``, the database gone (503). The FastAPI route stays: it
documents the endpoint in OpenAPI and serves SQLite (the embedded queue) and
``HALL_QUEUE_FAST=0``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hall_app.domain.queue import QueueError
from hall_app.server.guard import DATABASE_DOWN
from hall_app.server.queue import actor_of, clerk_of, no_hall
from hall_app.server.queue_fast import database_down
from hall_app.server.scopes import endpoint_scopes, refusal

ENDPOINT = "queue_call_next"
ALLOWED = frozenset(endpoint_scopes(ENDPOINT))  # the scope kinds access(ENDPOINT) lets in
PATH = re.compile(r"/v1/queue/windows/([^/]+)/call-next")
JSON = b"application/json"
USER_BYTES = b"x-hall-user"  # queue.USER_HEADER as the ASGI scope holds it (lower case)


def window_of(scope: dict[str, Any]) -> str | None:
    """The window named by a ``POST …/call-next`` this module answers, else None."""
    if scope.get("method") != "POST":
        return None
    m = PATH.fullmatch(scope.get("path", ""))
    return m.group(1) if m else None


async def _send(send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]] = ()) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", str(len(body)).encode()), (b"content-type", JSON), *headers]})
    await send({"type": "http.response.body", "body": body})


def _detail(text: str) -> bytes:
    # as FastAPI's HTTPException handler writes it (JSONResponse: no ASCII escapes, compact)
    return json.dumps({"detail": text}, ensure_ascii=False, separators=(",", ":")).encode()


async def answer(fast: Any, scope: dict[str, Any], send: Any, device: Any, window: str) -> None:
    """Answer one call next as the FastAPI route would."""
    if device.kind not in ALLOWED:
        await _send(send, 403, _detail(refusal(device, ENDPOINT)))
        return
    if not device.hall:
        await _send(send, 403, _detail(no_hall(device)))
        return
    user = None
    for name, value in scope.get("headers", ()):
        if name == USER_BYTES:
            user = value.decode("latin-1")
            break
    try:
        actor = actor_of(device, clerk_of(device, user))
        body = await fast.call_next(actor, window)
    except QueueError as exc:
        await _send(send, exc.status, _detail(str(exc)), [(b"x-queue-code", exc.code.encode())])
        return
    except Exception as exc:
        if database_down(exc):
            await _send(send, 503, _detail(DATABASE_DOWN))
            return
        raise
    await _send(send, 200, body)
