"""Issue 9: who may write what. The scope table row by row (endpoints and event
types), the per-event rules of the push path, and every endpoint declaring its
scopes (in code and in OpenAPI). docs/server.md carries the same table."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from hall_app.domain.events import EVENT_TYPES, Event
from hall_app.server.app import create_app
from hall_app.server.auth import DeviceInfo, make_enrollment_code
from hall_app.server.scopes import (
    ENDPOINTS,
    PUBLIC,
    PUBLIC_ENDPOINTS,
    QUEUE_EVENTS,
    SCOPE_TABLE,
    CaseDirectory,
    Owner,
    access,
    authorise_event,
    endpoint_scopes,
    markdown_table,
    undeclared_routes,
)

ROOT = Path(__file__).resolve().parents[2]
CASE_EVENTS = sorted(t for t in EVENT_TYPES if t.startswith("case."))
DEVICE_ENDPOINTS = sorted(set(ENDPOINTS) - PUBLIC_ENDPOINTS)

# The rule as the issue states it, written out by hand (the code's table must say the same).
# The queue (issue 10): a kiosk only issues tickets; a display only reads; a window acts for
# its own window (checked in the queue code, tests/queue/test_queue_http.py); the hall does all.
QUEUE_READ = {"queue_lines", "queue_windows", "queue_window", "queue_board"}
QUEUE_WINDOW = QUEUE_READ | {"queue_live", "queue_waiting", "queue_ticket", "queue_suggestions", "queue_events",
                             "queue_issue", "queue_checkin", "queue_call_next", "queue_call", "queue_act",
                             "queue_link_case",
                             "queue_window_state", "queue_switch", "queue_leave", "queue_appointments", "queue_book",
                             "queue_cancel", "queue_last_visit", "queue_rate_visit"}
EXPECTED_ENDPOINTS = {
    # + reading back the scans of signed authorisations (issue 13): the hall's, an agent its own
    "hall": {"state", "push", "pull", "attachment_read"} | QUEUE_WINDOW | {
        "queue_import", "queue_set_line", "queue_set_window", "queue_close_day",
        "queue_visit_follow_ups", "queue_visit_follow_up"},  # bad visit ratings' follow-ups (issue 11)
    "window": {"state", "push", "pull", "attachment_read"} | QUEUE_WINDOW,
    # + scans of signed authorisations, person-file extracts of its principals (issue 13)
    "agent": {"state", "push", "pull", "attachment", "attachment_read", "person_files"},
    "dept": {"state", "results", "inbox", "package", "ack", "check"},  # its own inbox (issue 12)
    "kiosk": {"state", "queue_lines", "queue_issue", "queue_checkin", "queue_blocks", "queue_offline"},
    "display": {"state"} | QUEUE_READ,
    # the window's rate pad (issue 11): its window's last finished visit and its rating, nothing else
    "pad": {"state", "queue_last_visit", "queue_rate_visit"},
    "admin": {"state"},
    # supervise (issue 11): its hall's figures, the live hall, a tidal switch accepted, and
    # the follow-ups of bad visit ratings (listed and stepped)
    "supervisor": {"state", "dashboard", "dashboard_visits"} | QUEUE_READ | {
        "queue_live", "queue_suggestions", "queue_switch", "queue_visit_follow_ups", "queue_visit_follow_up"},
}
DEPT_EVENTS = {"case.item_result", "case.check_recorded"}  # results and 告知承诺 post-checks
SERVER_ONLY = {"case.duplicate_flagged"}  # the server flags two agents' filings of one need (issue 13)
REGISTER = {"register.authorisation_saved"}  # an agent's register of authorisations (issue 13)
# Enquiries without a case (咨询 / 首问负责 / 办不成事): a hall's devices write their hall's,
# an agent its own; departments none; supervisors only read their counts.
ENQUIRY = {"enquiry.opened", "enquiry.closed"}
EXPECTED_EVENTS = {
    "hall": set(CASE_EVENTS) - DEPT_EVENTS - SERVER_ONLY | ENQUIRY,
    "window": set(CASE_EVENTS) - DEPT_EVENTS - SERVER_ONLY | ENQUIRY,
    "agent": (set(CASE_EVENTS) - DEPT_EVENTS - SERVER_ONLY - {"case.reviewed", "case.follow_up"}) | REGISTER | ENQUIRY,
    "dept": DEPT_EVENTS,
    "kiosk": set(),  # queue events are written by the server only, never pushed
    "display": set(),
    "pad": set(),  # its rating is decided by the queue endpoint, never pushed
    "admin": set(),
    "supervisor": set(),  # supervise (issue 11): reads figures, writes nothing
}
SCOPES = {"hall": "hall:JJ01", "window": "window:JJ01/W03", "agent": "agent:王强@JJ01", "dept": "dept:市公安局",
          "kiosk": "kiosk:JJ01/K1", "display": "display:JJ01/D1", "pad": "pad:JJ01/W03", "admin": "admin:李华",
          "supervisor": "supervisor:JJ01/chenjing"}


def device(kind: str, hall: str = "JJ01", agent: str = "王强") -> DeviceInfo:
    return DeviceInfo(f"{kind}-1", SCOPES[kind].replace("JJ01", hall), hall=hall,
                      agent=agent if kind == "agent" else "", dept="市公安局" if kind == "dept" else "")


def event(kind: str, case_id: str = "case-1", payload: dict | None = None, seq: int = 1) -> Event:
    if payload is None:
        payload = {"tracking_code": "K7P9M2QTX4RH", "bundle_code": "newborn"} if kind == "case.started" else {}
    return Event(f"e-{kind}-{seq}", case_id, "d", seq, "zhangli", kind, payload)


def test_the_table_has_every_kind_and_says_what_the_issue_says():
    assert set(SCOPE_TABLE) == set(EXPECTED_ENDPOINTS)
    for kind, rule in SCOPE_TABLE.items():
        assert set(rule.endpoints) == EXPECTED_ENDPOINTS[kind], kind
        assert set(rule.events) == EXPECTED_EVENTS[kind], kind
        assert rule.endpoints <= set(ENDPOINTS) - PUBLIC_ENDPOINTS
        assert rule.events <= set(EVENT_TYPES) | QUEUE_EVENTS | REGISTER
    # nobody's event is orphaned (but the ones only the server writes)
    assert {t for r in SCOPE_TABLE.values() for t in r.events} >= set(EVENT_TYPES) - SERVER_ONLY
    assert endpoint_scopes("track") == [PUBLIC] and endpoint_scopes("results") == ["dept"]
    with pytest.raises(KeyError):
        endpoint_scopes("no-such-endpoint")


@pytest.mark.parametrize("kind", sorted(SCOPE_TABLE))
@pytest.mark.parametrize("event_type", CASE_EVENTS + sorted(QUEUE_EVENTS | {"queue.ticket_issued"} | REGISTER))
def test_event_types_row_by_row(kind, event_type):
    """Each (scope kind, event type): allowed exactly when the table says so, on a case
    the device may otherwise touch (its hall's, started by its agent)."""
    me = device(kind)
    directory = CaseDirectory({"case-1": Owner("JJ01", "王强" if kind == "agent" else "")})
    case_id = "case-new" if event_type == "case.started" else "case-1"
    verdict = authorise_event(me, event(event_type, case_id), directory)
    allowed = event_type in EXPECTED_EVENTS[kind]
    assert verdict.ok is allowed, (kind, event_type, verdict.reason)
    if not allowed:
        assert verdict.code == "scope" and verdict.status == 403 and event_type in verdict.reason


def test_hall_is_fixed_from_the_device_never_the_payload():
    hall = device("hall")
    everywhere = authorise_event(hall, event("case.started", payload={"tracking_code": "X", "hall": "*"}),
                                 CaseDirectory())
    assert not everywhere.ok and everywhere.code == "scope" and "JJ01" in everywhere.reason
    other = authorise_event(device("agent"), event("case.started", payload={"tracking_code": "X", "hall": "JJ02"}),
                            CaseDirectory())
    assert not other.ok and "JJ02" in other.reason  # an agent of JJ01 cannot start a case in JJ02
    silent = authorise_event(device("agent"), event("case.started", payload={"tracking_code": "X"}), CaseDirectory())
    assert silent.owner == Owner("JJ01", "王强")  # no hall in the payload: the agent's own
    assert authorise_event(hall, event("case.started", payload={"tracking_code": "X", "hall": "JJ01"}),
                           CaseDirectory()).owner == Owner("JJ01")


def test_a_case_belongs_to_the_hall_that_started_it_first():
    directory = CaseDirectory({"case-1": Owner("JJ01")})
    stranger = device("hall", hall="JJ02")
    start = authorise_event(stranger, event("case.started"), directory)
    assert not start.ok and start.code == "conflict" and start.status == 409 and "JJ01" in start.reason
    edit = authorise_event(stranger, event("case.applicant_set"), directory)
    assert not edit.ok and edit.code == "scope"
    assert authorise_event(device("window"), event("case.applicant_set"), directory).ok  # same hall
    again = authorise_event(device("hall"), event("case.started"), directory)
    assert again.ok  # the owner's own start sent again is left to deduplication


def test_agents_keep_to_their_own_cases_and_halls_see_their_agents_cases():
    directory = CaseDirectory({"mine": Owner("JJ01", "王强"), "hers": Owner("JJ01", "李娜"),
                               "hall": Owner("JJ01")})
    me = device("agent")
    assert authorise_event(me, event("case.field_set", "mine"), directory).ok
    assert not authorise_event(me, event("case.field_set", "hers"), directory).ok
    assert not authorise_event(me, event("case.field_set", "hall"), directory).ok
    assert authorise_event(device("hall"), event("case.field_set", "hers"), directory).owner == Owner("JJ01", "李娜")
    no_hall = DeviceInfo("a2", "agent:老张", agent="老张")  # enrolled before agents needed a hall
    refused = authorise_event(no_hall, event("case.started"), CaseDirectory())
    assert not refused.ok and "agent:姓名@大厅" in refused.reason


def test_no_writes_before_the_start_except_the_own_start_earlier_in_the_batch():
    directory = CaseDirectory()
    early = authorise_event(device("hall"), event("case.applicant_set", "fresh"), directory)
    assert not early.ok and early.code == "not_started" and early.status == 409
    assert authorise_event(device("hall"), event("case.started", "fresh"), directory).ok
    assert authorise_event(device("hall"), event("case.applicant_set", "fresh", seq=2), directory).ok
    # another hall's device in the same position is still refused (the start is JJ01's)
    assert not authorise_event(device("hall", hall="JJ02"), event("case.field_set", "fresh"), directory).ok


# --- endpoints ----------------------------------------------------------------------------

def sqlite_app():
    return create_app(create_engine("sqlite://"))


def test_every_endpoint_declares_its_scopes_in_code_and_in_openapi():
    app = sqlite_app()
    assert undeclared_routes(app) == []
    spec = app.openapi()
    declared = set()
    for name, where in ENDPOINTS.items():
        method, path = where.split(" ", 1)
        operation = spec["paths"][path][method.lower()]
        assert operation["x-scopes"] == endpoint_scopes(name), name
        declared.add(name)
        if name in PUBLIC_ENDPOINTS:
            assert "security" not in operation
        else:
            assert operation["security"] == [{"device_token": endpoint_scopes(name)}]
    assert declared == set(ENDPOINTS)
    assert spec["components"]["securitySchemes"]["device_token"]["scheme"] == "bearer"


def test_an_endpoint_without_a_declaration_is_caught():
    app = sqlite_app()

    @app.get("/v1/forgotten")
    def forgotten() -> dict:
        return {}

    @app.get("/v1/declared", dependencies=[access("state")])
    def declared() -> dict:
        return {}

    assert undeclared_routes(app) == ["['GET'] /v1/forgotten"]


REQUESTS = {
    "state": ("GET", "/v1/state", None),
    "push": ("POST", "/v1/push", {"events": []}),
    "pull": ("GET", "/v1/pull?after=0", None),
    "results": ("POST", "/v1/results", {"case_id": "no-such-case", "item": "x", "status": "received"}),
    "attachment": ("POST", "/v1/attachments/" + "0" * 64 + "?auth_id=a-1", {}),
    "attachment_read": ("GET", "/v1/attachments/" + "0" * 64, None),
    "person_files": ("GET", "/v1/person-files", None),
    # the queue (issue 10): an empty hall's queue answers 404/409/422, never 401/403, where allowed
    "queue_lines": ("GET", "/v1/queue/lines", None),
    "queue_windows": ("GET", "/v1/queue/windows", None),
    "queue_window": ("GET", "/v1/queue/windows/W03", None),
    "queue_board": ("GET", "/v1/queue/board", None),
    "queue_waiting": ("GET", "/v1/queue/tickets", None),
    "queue_ticket": ("GET", "/v1/queue/tickets/A001", None),
    "queue_suggestions": ("GET", "/v1/queue/suggestions", None),
    "queue_events": ("GET", "/v1/queue/events", None),
    "queue_live": ("GET", "/v1/queue/live", None),
    "queue_issue": ("POST", "/v1/queue/tickets", {"line": "A"}),
    "queue_checkin": ("POST", "/v1/queue/checkin", {"code": "12345678"}),
    "queue_call_next": ("POST", "/v1/queue/windows/W03/call-next", None),
    "queue_call": ("POST", "/v1/queue/windows/W03/call", {"ref": "A001"}),
    "queue_act": ("POST", "/v1/queue/windows/W03/act", {"action": "finish"}),
    "queue_link_case": ("POST", "/v1/queue/windows/W03/cases", {"case": "0190a3c4-0000-7000-8000-000000000001"}),
    "queue_window_state": ("POST", "/v1/queue/windows/W03/state", {"action": "open"}),
    "queue_switch": ("POST", "/v1/queue/windows/W03/switch", {"lines": None}),
    "queue_leave": ("POST", "/v1/queue/tickets/A001/leave", None),
    "queue_appointments": ("GET", "/v1/queue/appointments", None),
    "queue_book": ("POST", "/v1/queue/appointments", {"line": "A", "day": "2026-12-01", "slot": "09:00"}),
    "queue_cancel": ("POST", "/v1/queue/appointments/12345678/cancel", {}),
    "queue_import": ("POST", "/v1/queue/appointments/import", {"csv_text": ""}),
    "queue_set_line": ("PUT", "/v1/queue/lines/A", {"name": "综合", "prefix": "A"}),
    "queue_set_window": ("PUT", "/v1/queue/windows/W03", {"skills": {"A": 1}}),
    "queue_close_day": ("POST", "/v1/queue/close-day", {"day": "2020-01-01"}),
    "queue_blocks": ("POST", "/v1/queue/blocks", {"line": "A"}),
    "queue_offline": ("POST", "/v1/queue/offline", {"tickets": []}),
    "queue_last_visit": ("GET", "/v1/queue/windows/W03/visit", None),
    "queue_rate_visit": ("POST", "/v1/queue/windows/W03/visit/rating", {"ticket": "A001", "level": None,
                                                                       "how": "timeout"}),
    "queue_visit_follow_ups": ("GET", "/v1/queue/visit-follow-ups", None),
    "queue_visit_follow_up": ("POST", "/v1/queue/visit-follow-ups/no-such-ticket", {"step": "verified",
                                                                                  "note": "属实", "by": "chenjing"}),
    "dashboard": ("GET", "/v1/dashboard", None),  # supervise (issue 11)
    "dashboard_visits": ("GET", "/v1/dashboard/visit-ratings?first=2026-11-01&last=2026-11-30", None),
    "inbox": ("GET", "/v1/departments/市公安局/inbox", None),
    "package": ("GET", "/v1/departments/市公安局/packages/no-such-case", None),
    "ack": ("POST", "/v1/departments/市公安局/packages/no-such-case/ack", None),
    "check": ("POST", "/v1/departments/市公安局/checks", {"case_id": "no-such-case", "item": "x", "result": "passed"}),
}


@pytest.mark.postgres
def test_endpoints_row_by_row_over_http(server_engine):
    """Every scope kind against every device endpoint: 403 exactly where the table says no."""
    assert set(REQUESTS) == set(DEVICE_ENDPOINTS)
    client = TestClient(create_app(server_engine))
    tokens = {}
    for n, (kind, scope) in enumerate(SCOPES.items()):
        answer = client.post("/v1/enroll", json={"code": make_enrollment_code(server_engine, scope),
                                                 "device_id": f"dev-{n}"})
        assert answer.status_code == 200, answer.text
        tokens[kind] = answer.json()["token"]
    for kind, token in tokens.items():
        for endpoint, (method, path, body) in REQUESTS.items():
            answer = client.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})
            if endpoint in EXPECTED_ENDPOINTS[kind]:
                assert answer.status_code not in (401, 403), (kind, endpoint, answer.text)
            else:
                assert answer.status_code == 403, (kind, endpoint, answer.text)
                assert SCOPE_TABLE[kind].label in answer.json()["detail"]
    for method, path, body in REQUESTS.values():
        assert client.request(method, path, json=body).status_code == 401  # no token at all


def test_docs_carry_the_same_table():
    """docs/server.md shows the table as the code has it (regenerate: python -m hall_app.server.scopes)."""
    text = (ROOT / "docs" / "server.md").read_text(encoding="utf-8")
    assert markdown_table() in text
    assert "| `hall` | `hall:JJ01` | `GET /v1/state`, `POST /v1/push`, `GET /v1/pull`, " \
           "`GET /v1/attachments/{sha256}` | all `case.*` except " \
           "`case.check_recorded`, `case.duplicate_flagged`, `case.item_result`; `enquiry.closed`; " \
           "`enquiry.opened` |" in markdown_table()
