"""Who may write what: the one table of scope kinds, the endpoints they may call and
the event types they may write, and the per-event checks of the push path.

Every endpoint of the API declares who may call it with :func:`access` (a FastAPI
dependency read from :data:`SCOPE_TABLE`), so the rule is visible in the code, in
OpenAPI (the ``device_token`` security requirement lists the scope kinds, and every
operation carries ``x-scopes``) and in docs/server.md (kept equal by a test).

Per event (:func:`authorise_event`): the event type must be one the device's scope
kind may write; the hall of a case is the device's hall, never the payload's; a case
id belongs to the hall (and, for an agent, the agent) whose device started it first
(the case directory, ``cases``); nothing may be written into a case whose
``case.started`` the server does not hold, except after its own start earlier in the
same batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request, Security
from fastapi.routing import APIRoute, APIRouter
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes
from sqlalchemy import Connection

from hall_app.domain.events import EVENT_TYPES, Event
from hall_app.server.auth import AuthError, DeviceInfo, authenticate

PUBLIC = "public"

# Endpoint ids (what the table speaks of) → the path they stand for.
ENDPOINTS: dict[str, str] = {
    "healthz": "GET /healthz",
    "enroll": "POST /v1/enroll",
    "state": "GET /v1/state",
    "push": "POST /v1/push",
    "pull": "GET /v1/pull",
    "results": "POST /v1/results",
    "track": "GET /t/{code}",
    "track_json": "GET /t/{code}.json",
    # -- supervise (issue 11) --
    "dashboard": "GET /v1/dashboard",
    "dashboard_visits": "GET /v1/dashboard/visit-ratings",
    "rate": "POST /t/{code}/rate",
    # The department inbox (hall_app/server/inbox.py, docs/dispatch.md)
    "inbox": "GET /v1/departments/{dept}/inbox",
    "package": "GET /v1/departments/{dept}/packages/{case_id}",
    "ack": "POST /v1/departments/{dept}/packages/{case_id}/ack",
    "check": "POST /v1/departments/{dept}/checks",
    # The scan of a signed authorisation (hall_app/server/attachments.py, docs/agents.md)
    "attachment": "POST /v1/attachments/{sha256}",
    "attachment_read": "GET /v1/attachments/{sha256}",
    # Person-file extracts of an agent's own principals (hall_app/server/person_files.py)
    "person_files": "GET /v1/person-files",
}
INBOX_ENDPOINTS = frozenset({"inbox", "package", "ack", "check"})
PUBLIC_ENDPOINTS = frozenset({"healthz", "enroll", "track", "track_json", "rate"})

# --- queue (issue 10): its endpoints and rows live in queue_scopes.py -------------------
# Queue events are decided by the queue endpoints and written by the server itself;
# no device pushes them (QUEUE_EVENTS stays empty: nobody may write one through /v1/push).
from hall_app.server.queue_scopes import QUEUE_ACCESS, QUEUE_ENDPOINTS, QUEUE_PUBLIC  # noqa: E402

ENDPOINTS.update(QUEUE_ENDPOINTS)
PUBLIC_ENDPOINTS = PUBLIC_ENDPOINTS | QUEUE_PUBLIC
QUEUE_EVENTS: frozenset[str] = frozenset()
# --- end queue ---------------------------------------------------------------------------

DEPARTMENT_EVENTS = frozenset({"case.item_result", "case.check_recorded"})
SUPERVISOR_EVENTS = frozenset({"case.reviewed", "case.follow_up"})
# Written by the server itself (a duplicate proxy filing, server/duplicates.py): no device pushes them.
SERVER_EVENTS = frozenset({"case.duplicate_flagged"})
CASE_EVENTS = frozenset(t for t in EVENT_TYPES if t.startswith("case."))
# Enquiries without a case (咨询 / 首问负责 / 办不成事, domain/enquiry.py): a hall's devices
# write their hall's, an agent its own; departments none; supervisors read their counts.
ENQUIRY_EVENTS = frozenset(t for t in EVENT_TYPES if t.startswith("enquiry."))
HALL_EVENTS = (CASE_EVENTS - DEPARTMENT_EVENTS - SERVER_EVENTS) | ENQUIRY_EVENTS
# An agent's register of 授权委托书 (not case events; their owner is checked in server/agents.py).
REGISTER_EVENTS = frozenset({"register.authorisation_saved"})
AGENT_EVENTS = (HALL_EVENTS - SUPERVISOR_EVENTS) | REGISTER_EVENTS


@dataclass(frozen=True)
class ScopeRule:
    kind: str
    label: str  # Chinese, as shown in messages
    example: str
    endpoints: frozenset[str]
    events: frozenset[str] = field(default_factory=frozenset)
    note: str = ""


SCOPE_TABLE: dict[str, ScopeRule] = {r.kind: r for r in (
    ScopeRule("hall", "大厅设备", "hall:JJ01", frozenset({"state", "push", "pull", "attachment_read"}), HALL_EVENTS,
              "the hall's cases and enquiries; every case event except department results"),
    ScopeRule("window", "窗口设备", "window:JJ01/W03", frozenset({"state", "push", "pull", "attachment_read"}),
              HALL_EVENTS,
              "as a hall device (a window sees its whole hall); queue actions for its own window only"),
    ScopeRule("agent", "帮代办员", "agent:王强@JJ01",
              frozenset({"state", "push", "pull", "attachment", "attachment_read", "person_files"}), AGENT_EVENTS,
              "only cases and enquiries it started itself, in its own hall; no department results, "
              "no supervisor review; "
              "a decision needs a valid authorisation for a principal of its township (server/agents.py); "
              "its own register entries (`register.*`), scans of signed authorisations; "
              "person-file extracts of its own principals only"),
    ScopeRule("dept", "部门系统", "dept:市公安局 / dept:市公安局@JJ01",
              frozenset({"state", "results"}) | INBOX_ENDPOINTS, DEPARTMENT_EVENTS,
              "its own department's inbox, results (through /v1/results) and post-checks for the items of its "
              "own department, in the halls it serves"),
    ScopeRule("kiosk", "取号机", "kiosk:JJ01/K1", frozenset({"state"}), QUEUE_EVENTS,
              "issues queue tickets only (online, by appointment, or from its reserved offline block); "
              "no case data in or out"),
    ScopeRule("display", "叫号屏", "display:JJ01/D1", frozenset({"state"}), frozenset(),
              "reads the queue board only; no case data"),
    ScopeRule("pad", "评价器", "pad:JJ01/W03", frozenset({"state"}), QUEUE_EVENTS,
              "its own window's last finished visit and the citizen's rating of it (queue.visit_rated, decided "
              "by the queue endpoint); no case data"),
    ScopeRule("admin", "管理员", "admin:李华", frozenset({"state"}), frozenset(),
              "codes, re-binding, revoking and publishing run on the server (hall-app server …)"),
    # -- supervise (issue 11) --
    ScopeRule("supervisor", "值班长", "supervisor:JJ01/chenjing",
              frozenset({"state", "dashboard", "dashboard_visits"}), frozenset(),
              "one supervisor's device, named by the user name they sign in with; reads its own hall's figures, "
              "enquiry counts included (dashboards.py); pushes no events; steps the follow-ups of bad visit "
              "ratings in that supervisor's name only (queue.visit_follow_up, decided by the queue endpoint)"),
)}


for _kind, _extra in QUEUE_ACCESS.items():  # the queue's endpoints join each row (queue_scopes.py)
    SCOPE_TABLE[_kind] = replace(SCOPE_TABLE[_kind], endpoints=SCOPE_TABLE[_kind].endpoints | _extra)


def endpoint_scopes(endpoint: str) -> list[str]:
    """The scope kinds that may call ``endpoint`` (``["public"]`` for the open ones)."""
    if endpoint not in ENDPOINTS:
        raise KeyError(f"unknown endpoint {endpoint!r}: add it to scopes.ENDPOINTS and SCOPE_TABLE")
    if endpoint in PUBLIC_ENDPOINTS:
        return [PUBLIC]
    return [kind for kind, rule in SCOPE_TABLE.items() if endpoint in rule.endpoints]


def may_write(kind: str, event_type: str) -> bool:
    rule = SCOPE_TABLE.get(kind)
    return rule is not None and event_type in rule.events


# --- the FastAPI dependency --------------------------------------------------------------

bearer = HTTPBearer(auto_error=False, scheme_name="device_token",
                    description="设备令牌（登记时取得）。安全要求中列出可以调用该接口的范围类型。")


def refusal(device: DeviceInfo, endpoint: str) -> str:
    """What a device whose scope kind may not call ``endpoint`` is told (403)."""
    rule = SCOPE_TABLE.get(device.kind)
    who = rule.label if rule else device.kind
    return f"{who}（范围 {device.scope}）不能调用 {ENDPOINTS[endpoint]}"


def _caller(endpoint: str) -> Callable[..., Any]:
    # async: a plain function would be run on the thread pool, one more thread hop per
    # request for what is nearly always a look-up the request guard has done already
    async def caller(request: Request, security_scopes: SecurityScopes,
                     credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> DeviceInfo:
        device = getattr(request.state, "device", None)  # the request guard (guard.py) checked it already
        if device is None:
            import anyio.to_thread

            header = f"Bearer {credentials.credentials}" if credentials else None
            try:
                device = await anyio.to_thread.run_sync(authenticate, request.app.state.engine, header)
            except AuthError as exc:
                raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from None
        if device.kind not in security_scopes.scopes:
            raise HTTPException(403, refusal(device, endpoint))
        return device

    caller.hall_endpoint = endpoint  # type: ignore[attr-defined]
    return caller


def _public(endpoint: str) -> Callable[[], None]:
    def public() -> None:
        return None

    public.hall_endpoint = endpoint  # type: ignore[attr-defined]
    return public


def access(endpoint: str) -> Any:
    """The dependency each endpoint declares: who may call it, from :data:`SCOPE_TABLE`.

    For a device endpoint it authenticates the token (401) and checks the scope kind
    (403), and gives the endpoint the :class:`DeviceInfo`; for a public one it only
    marks the endpoint as public on purpose.
    """
    kinds = endpoint_scopes(endpoint)
    if kinds == [PUBLIC]:
        return Depends(_public(endpoint))
    return Security(_caller(endpoint), scopes=kinds)


def declared_endpoint(route: APIRoute) -> str | None:
    """The endpoint id a route declared through :func:`access` (None: it declared nothing)."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        endpoint = getattr(dep.call, "hall_endpoint", None)
        if endpoint is not None:
            return endpoint
        stack.extend(dep.dependencies)
    return None


def api_routes(routes: Iterable[Any]) -> Iterable[APIRoute]:
    """Every APIRoute of an app, including those of routers it includes (FastAPI keeps
    an included router as one entry that holds the router's own routes)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from api_routes(route.original_router.routes)


def publish_scopes(app: FastAPI | APIRouter) -> None:
    """Write each operation's allowed scope kinds into OpenAPI as ``x-scopes`` (an app's
    routes, or an APIRouter's before it is included)."""
    for route in api_routes(app.routes):
        endpoint = declared_endpoint(route)
        if endpoint is not None:
            route.openapi_extra = {**(route.openapi_extra or {}), "x-scopes": endpoint_scopes(endpoint)}


# --- per event ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Owner:
    hall: str
    agent: str = ""


@dataclass(frozen=True)
class Verdict:
    """What the server decided about one event: where it belongs, or why it is refused."""

    owner: Owner | None = None
    code: str = ""  # scope / not_started / conflict
    reason: str = ""
    status: int = 200  # the per-event HTTP status: 403 (not yours), 409 (not now / taken)

    @property
    def ok(self) -> bool:
        return self.owner is not None


def refuse(code: str, reason: str, status: int = 403) -> Verdict:
    return Verdict(None, code, reason, status)


@dataclass
class CaseDirectory:
    """Who each case of a batch belongs to: the server's ``cases`` rows, plus the
    cases started earlier in the same batch (``pending``)."""

    owners: dict[str, Owner] = field(default_factory=dict)
    pending: dict[str, Owner] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: Connection, case_ids: Iterable[str]) -> "CaseDirectory":
        from sqlalchemy import literal, select, union_all

        from hall_app.server.models import cases, feed
        from hall_app.server.writes import among

        ids = list(set(case_ids))
        if not ids:
            return cls({})
        # One round trip for both: the directory's cases, and the enquiries. An enquiry's id
        # is its opening's event id (unique in the feed), so the first device to open it
        # owns it, with no directory table of its own. A case row wins over an enquiry.
        rows = conn.execute(union_all(
            select(cases.c.case_id.label("id"), cases.c.hall, cases.c.agent, literal(0).label("enquiry"))
            .where(among(conn, cases.c.case_id, ids)),
            select(feed.c.event_id, feed.c.hall, feed.c.agent, literal(1))
            .where(among(conn, feed.c.event_id, ids), feed.c.type == "enquiry.opened"))).all()
        owners = {r.id: Owner(r.hall, r.agent) for r in rows if r.enquiry}
        owners.update({r.id: Owner(r.hall, r.agent) for r in rows if not r.enquiry})
        return cls(owners)

    def owner(self, case_id: str) -> Owner | None:
        return self.owners.get(case_id) or self.pending.get(case_id)


def _home(device: DeviceInfo) -> Owner:
    return Owner(device.hall, device.agent if device.kind == "agent" else "")


def _reaches(device: DeviceInfo, owner: Owner) -> bool:
    if device.kind == "agent":
        return owner.agent == device.agent and owner.hall == device.hall
    return owner.hall == device.hall


def authorise_event(device: DeviceInfo, event: Event, directory: CaseDirectory) -> Verdict:
    """May ``device`` write ``event``? Call after the event is validated, before storing;
    events of one batch in their order (a start earlier in the batch counts)."""
    rule = SCOPE_TABLE.get(device.kind)
    if rule is None or not may_write(device.kind, event.type):
        who = rule.label if rule else device.kind
        return refuse("scope", f"{who}（范围 {device.scope}）不能上传 {event.type} 事件")
    if event.type in QUEUE_EVENTS:  # no case: the kiosk's own hall (queue issue)
        return Verdict(Owner(device.hall))
    if not device.hall:
        return refuse("scope", f"本设备的登记范围 {device.scope} 没有指定大厅，不能办件；"
                               "请管理员按 agent:姓名@大厅 重新生成登记码")
    home = _home(device)
    if event.type in REGISTER_EVENTS:  # no case: the agent's own register (its owner: server/agents.py)
        return Verdict(home)
    owner = directory.owner(event.case_id)
    if event.type == "enquiry.opened":
        return _open_enquiry(device, event, directory, home, owner)
    if event.type == "case.started":
        claimed = str(event.payload.get("hall") or "")
        if claimed and claimed != device.hall:
            return refuse("scope", f"办件的大厅“{claimed[:32]}”与本设备的登记范围（大厅 {device.hall}）不符")
        if owner is not None and owner != home:
            return refuse("conflict", f"办件编号 {event.case_id} 已属于{_describe(owner)}，不能在此开始", 409)
        if owner is None:
            directory.pending[event.case_id] = home
        return Verdict(home)
    if owner is None:
        return refuse("not_started", "服务器上还没有该办件（或事项）的开始事件，不能写入", 409)
    if not _reaches(device, owner):
        what = "该事项" if event.type.startswith("enquiry.") else "该办件"
        return refuse("scope", f"{what}属于{_describe(owner)}，不在本设备的范围内")
    return Verdict(owner)


def _open_enquiry(device: DeviceInfo, event: Event, directory: CaseDirectory, home: Owner,
                  owner: Owner | None) -> Verdict:
    """An enquiry's opening: its id is the opening's own event id, so no second opening
    (of another device or hall) can take an enquiry id already stored."""
    if event.event_id != event.case_id:
        return refuse("invalid", "事项的编号应与其登记事件的编号相同", 422)
    claimed = str(event.payload.get("hall") or "")
    if claimed and claimed != device.hall:
        return refuse("scope", f"事项的大厅“{claimed[:32]}”与本设备的登记范围（大厅 {device.hall}）不符")
    if owner is not None and owner != home:
        return refuse("conflict", f"事项编号 {event.case_id} 已属于{_describe(owner)}", 409)
    directory.pending[event.case_id] = home
    return Verdict(home)


def _describe(owner: Owner) -> str:
    return f"大厅 {owner.hall} 的帮代办员 {owner.agent}" if owner.agent else f"大厅 {owner.hall}"


def claim_cases(conn: Connection, started: list[dict[str, Any]]) -> dict[str, Verdict]:
    """Write the case directory rows of the cases a batch starts (before the feed lock)
    and return the cases this batch lost, with the reason (case id → refusal).

    Two batches racing to start one case id: the directory's primary key lets one win;
    the other's events for that case are refused, as if it had come second. A tracking
    code already used by another case is refused the same way.
    """
    from sqlalchemy import select

    from hall_app.server.models import cases
    from hall_app.server.writes import among, insert_for

    if not started:
        return {}
    conn.execute(insert_for(conn)(cases).on_conflict_do_nothing(), started)
    return lost_claims(started, conn.execute(
        select(cases.c.case_id, cases.c.hall, cases.c.agent, cases.c.tracking_code)
        .where(among(conn, cases.c.case_id, list({row["case_id"] for row in started})))).all())


def lost_claims(started: list[dict[str, Any]], rows: Iterable[Any]) -> dict[str, Verdict]:
    """The cases of ``started`` this batch lost, from the directory's rows for them after
    the insert (case_id, hall, agent, tracking_code), with the reason."""
    held = {r[0]: (Owner(r[1], r[2]), r[3]) for r in rows}
    lost: dict[str, Verdict] = {}
    for row in started:
        now = held.get(row["case_id"])
        if now is None:
            lost[row["case_id"]] = refuse("conflict", f"跟踪码 {row['tracking_code']} 已被另一办件使用", 409)
        elif now[0] != Owner(row["hall"], row["agent"]):
            lost[row["case_id"]] = refuse("conflict", f"办件编号 {row['case_id']} 已属于{_describe(now[0])}", 409)
        elif now[1] != row["tracking_code"]:
            lost[row["case_id"]] = refuse("conflict", f"办件 {row['case_id']} 已有另一跟踪码", 409)
    return lost


def undeclared_routes(app: FastAPI) -> list[str]:
    """Routes that do not say who may call them (a test keeps this empty)."""
    return [f"{sorted(r.methods)} {r.path}" for r in api_routes(app.routes) if declared_endpoint(r) is None]


def markdown_table() -> str:
    """The scope table as docs/server.md shows it (a test keeps the two equal;
    ``python -m hall_app.server.scopes`` prints it)."""
    all_hall = SCOPE_TABLE["hall"].events

    def events(rule: ScopeRule) -> str:
        if not rule.events:
            return "—"
        cases, others = rule.events & CASE_EVENTS, sorted(rule.events - CASE_EVENTS)
        if cases <= all_hall and len(cases) > len(all_hall) // 2:
            left_out = sorted(CASE_EVENTS - cases)
            text = "all `case.*` except " + ", ".join(f"`{t}`" for t in left_out)
            return text + "".join(f"; `{t}`" for t in others)
        return ", ".join(f"`{t}`" for t in sorted(rule.events))

    lines = ["| scope | example | endpoints | event types it may write | notes |", "|---|---|---|---|---|"]
    for rule in SCOPE_TABLE.values():
        endpoints = ", ".join(f"`{ENDPOINTS[e]}`" for e in ENDPOINTS
                              if e in rule.endpoints and e not in QUEUE_ENDPOINTS)
        queue = sum(1 for e in rule.endpoints if e in QUEUE_ENDPOINTS)
        note = rule.note + (f"; {queue} queue endpoints (next table)" if queue else "")
        lines.append(f"| `{rule.kind}` | `{rule.example}` | {endpoints} | {events(rule)} | {note} |")
    public = ", ".join(f"`{ENDPOINTS[e]}`" for e in ENDPOINTS if e in PUBLIC_ENDPOINTS and e not in QUEUE_ENDPOINTS)
    lines.append(f"| (anyone) | | {public} | — | enrollment needs a one-time code; all rate-limited but healthz |")
    lines += ["", "The queue's endpoints (hall_app/server/queue_scopes.py; docs/queue.md):", "",
              "| endpoint | who may call it |", "|---|---|"]
    for endpoint, where in QUEUE_ENDPOINTS.items():
        lines.append(f"| `{where}` | {', '.join(f'`{k}`' for k in endpoint_scopes(endpoint))} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
