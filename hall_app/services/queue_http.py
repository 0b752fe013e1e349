"""The queue on the central server, for an enrolled device (its token decides what it
may do: hall_app/server/queue_scopes.py). Same API as the embedded queue
(hall_app/services/queue.py, HallQueue); a refusal is QueueError with the server's
Chinese message, a network failure QueueOffline."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from hall_app.domain.queue import QueueError, QueueOffline
from hall_app.services.queue import HallQueue

USER_AGENT = "hall-app-queue/1"
# The clerk signed in at this device, sent with every request (percent-encoded UTF-8):
# the server records the window's acts as theirs (hall_app/server/queue.py, clerk_of).
USER_HEADER = "X-Hall-User"


def _q(value: str) -> str:
    return quote(str(value), safe="")


class HttpQueue(HallQueue):
    def __init__(self, base_url: str, token: str, hall: str = "", window: str = "", kind: str = "",
                 timeout: float = 5.0, client: Any = None, user: str = ""):
        import httpx

        from hall_app.sync.client import tls_context

        self.base_url = base_url.rstrip("/")
        self.hall, self.window, self.kind = hall, window, kind or ("window" if window else "hall")
        headers = {"User-Agent": USER_AGENT, "Authorization": f"Bearer {token}"}
        self.user = user
        if user:  # who is signed in here: the server checks it and records the acts as theirs
            headers[USER_HEADER] = _q(user)
        if client is not None:  # a prepared client (tests and the simulation: the app in process)
            client.headers.update(headers)
            self._http = client
        else:
            self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout,
                                      verify=tls_context())

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        import httpx

        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise QueueOffline("连接排队服务器超时") from None
        except httpx.HTTPError as exc:
            raise QueueOffline(f"无法连接排队服务器（{type(exc).__name__}）") from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", "")
            except ValueError:
                detail = ""
            if response.status_code >= 500 and response.status_code != 503:
                raise QueueError(f"排队服务器出错（{response.status_code}）", "server", response.status_code)
            if response.status_code == 503:
                raise QueueOffline(str(detail) or "排队服务器暂时不可用")
            code = response.headers.get("X-Queue-Code") or ("scope" if response.status_code in (401, 403)
                                                            else "refused")
            raise QueueError(str(detail) or f"排队服务器拒绝了请求（{response.status_code}）", code,
                             response.status_code)
        try:
            return response.json()
        except ValueError:
            raise QueueError("排队服务器的回答无法识别", "server", 502) from None

    def visit_ratings(self, first: str, last: str) -> dict[str, Any]:
        """``GET /v1/dashboard/visit-ratings`` for the days ``first``..``last`` (a supervisor
        device: the hall's visit ratings of any report period, counted by the server)."""
        return dict(self._call("GET", "/v1/dashboard/visit-ratings", params={"first": first, "last": last}))

    def _run(self, op: str, **p: Any) -> Any:
        w = _q(p.get("window", ""))
        routes: dict[str, tuple[str, str, dict[str, Any]]] = {
            "lines": ("GET", "/v1/queue/lines", {}),
            "windows": ("GET", "/v1/queue/windows", {}),
            "window": ("GET", f"/v1/queue/windows/{w}", {}),
            "ticket": ("GET", f"/v1/queue/tickets/{_q(p.get('ref', ''))}", {}),
            "waiting": ("GET", "/v1/queue/tickets", {"params": {"line": p.get("line", "")}}),
            "board": ("GET", "/v1/queue/board", {"params": {"after": p.get("after", 0)}}),
            "suggestions": ("GET", "/v1/queue/suggestions", {}),
            "live": ("GET", "/v1/queue/live", {"params": {k: p[k] for k in ("target", "idle", "paused", "day")
                                                          if p.get(k) not in (None, "")}}),
            "events": ("GET", "/v1/queue/events", {"params": {k: p[k] for k in ("day", "after", "limit") if k in p}}),
            "issue": ("POST", "/v1/queue/tickets", {"json": p}),
            "checkin": ("POST", "/v1/queue/checkin", {"json": p}),
            "call_next": ("POST", f"/v1/queue/windows/{w}/call-next", {}),
            "call": ("POST", f"/v1/queue/windows/{w}/call", {"json": {"ref": p.get("ref", "")}}),
            "act": ("POST", f"/v1/queue/windows/{w}/act", {"json": {k: v for k, v in p.items() if k != "window"}}),
            "link_case": ("POST", f"/v1/queue/windows/{w}/cases",
                          {"json": {k: v for k, v in p.items() if k != "window"}}),
            "window_action": ("POST", f"/v1/queue/windows/{w}/state", {"json": {"action": p.get("action", "")}}),
            "switch": ("POST", f"/v1/queue/windows/{w}/switch", {"json": {"lines": _skills(p.get("lines"))}}),
            "leave": ("POST", f"/v1/queue/tickets/{_q(p.get('ref', ''))}/leave", {}),
            "appointments": ("GET", "/v1/queue/appointments", {"params": p}),
            "book": ("POST", "/v1/queue/appointments", {"json": p}),
            "cancel": ("POST", f"/v1/queue/appointments/{_q(p.get('code', ''))}/cancel",
                       {"json": {"reason": p.get("reason", "")}}),
            "import": ("POST", "/v1/queue/appointments/import", {"json": p}),
            "set_line": ("PUT", f"/v1/queue/lines/{_q(p.get('line', ''))}",
                         {"json": {k: v for k, v in p.items() if k != "line"}}),
            "set_window": ("PUT", f"/v1/queue/windows/{w}",
                           {"json": {"name": p.get("name", ""), "skills": _skills(p.get("skills")),
                                     "schedule": p.get("schedule") or []}}),
            "close_day": ("POST", "/v1/queue/close-day", {"json": {"day": p.get("day", "")}}),
            "last_visit": ("GET", f"/v1/queue/windows/{w}/visit", {}),
            "rate_visit": ("POST", f"/v1/queue/windows/{w}/visit/rating",
                           {"json": {k: v for k, v in p.items() if k != "window"}}),
            "bad_visits": ("GET", "/v1/queue/visit-follow-ups", {"params": {"ticket": p.get("ticket", "")}}),
            "follow_up_visit": ("POST", f"/v1/queue/visit-follow-ups/{_q(p.get('ticket', ''))}",
                                {"json": {k: v for k, v in p.items() if k != "ticket"}}),
            "reserve_block": ("POST", "/v1/queue/blocks", {"json": p}),
            "upload_offline": ("POST", "/v1/queue/offline", {"json": p}),
        }
        if op == "position":
            if not p.get("ticket"):
                return None
            try:
                return self._call("GET", f"/q/{_q(p['ticket'])}.json")
            except QueueError as exc:
                if exc.status == 404:
                    return None
                raise
        if op not in routes:
            raise QueueError(f"未知的排队操作“{op[:20]}”", "invalid", 422)
        method, path, kwargs = routes[op]
        return self._call(method, path, **kwargs)


def _skills(raw: Any) -> Any:
    """Skill lists in any of their forms become the {line: rank} the API takes."""
    if raw is None:
        return None
    from hall_app.domain.queue_schedule import parse_skills

    return parse_skills(raw)
