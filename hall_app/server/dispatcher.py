"""Dispatch (数据分发) on the server: an accepted case becomes one package per department.

When an acceptance (受理 / 容缺受理, with or without 告知承诺 items) reaches the
server, the server records ``case.dispatched`` as its own device (``server:dispatch``,
never enrollable) with the department → items map, and writes one ``packages`` row
per department: the department inbox (inbox.py) pages those rows and builds each
package's contents from the case's events, minimised to what that department's
items need (domain/dispatch.py, ``package``).

Idempotent: a case with packages is left alone; a case a standalone device had
dispatched itself before it was enrolled gets its packages without a second event.
Run after each push that stored an acceptance, and as a sweep at start-up.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from hall_app.domain.bundle import Bundle
from hall_app.domain.case import CaseError, apply
from hall_app.domain.dispatch import ACCEPTANCE_STATUSES, departments
from hall_app.domain.events import Event
from hall_app.server.auth import service_device, utc_now
from hall_app.server.models import devices, feed, packages
from hall_app.server.results import NAMESPACE, bundle_of, case_state, find_case
from hall_app.server.writes import insert_for, insert_rows, reserve

DISPATCH_DEVICE = "server:dispatch"
DISPATCH_SCOPE = "admin:dispatch"
DISPATCH_ACTOR = "数据分发"
TRIGGERS = frozenset({"case.accepted", "case.accepted_deferred", "case.dispatched"})


def package_id(case_id: str, department: str) -> str:
    return f"{case_id}/{department}"


def bundle_model(conn: Connection, case: dict[str, Any]) -> Bundle | None:
    data = bundle_of(conn, case["bundle_code"], case["bundle_hash"])
    return Bundle.model_validate(data) if data is not None else None


def dispatch_case(engine: Engine, case_id: str) -> int:
    """Dispatch one case if it is accepted and not dispatched yet; returns packages made."""
    service_device(engine, DISPATCH_DEVICE, DISPATCH_SCOPE)
    with engine.begin() as conn:
        first = reserve(conn, 1)  # serialises with pushes: the state read below is current
        if conn.execute(select(packages.c.package_id).where(packages.c.case_id == case_id).limit(1)).first():
            return 0
        case = find_case(conn, case_id=case_id)
        state = case_state(conn, case_id) if case else None
        bundle = bundle_model(conn, case) if case else None
        if case is None or state is None or bundle is None:
            return 0
        depts = departments(bundle, list(state.items))
        if state.status in ACCEPTANCE_STATUSES:
            seq = first
            _record_dispatch(conn, case, state, depts, first)
        elif state.status != "dispatched":
            return 0
        else:  # dispatched by a standalone device before it was enrolled: packages only
            seq = conn.execute(select(feed.c.seq).where(feed.c.case_id == case_id, feed.c.type == "case.dispatched")
                               .order_by(feed.c.seq).limit(1)).scalar_one()
        now = utc_now()
        conn.execute(insert_for(conn)(packages).on_conflict_do_nothing(), [
            {"package_id": package_id(case_id, d), "case_id": case_id, "department": d, "hall": case["hall"],
             "seq": seq, "created_at": now, "acked_at": ""} for d in depts])
    return len(depts)


def _record_dispatch(conn: Connection, case: dict[str, Any], state, depts: dict[str, list[str]], first: int) -> None:
    from hall_app.domain.event_types import validate_event

    payload = {"items": list(state.items), "departments": depts}
    validate_event("case.dispatched", payload)  # the schema every device checks too
    device_seq = conn.execute(update(devices).where(devices.c.device_id == DISPATCH_DEVICE)
                              .values(last_seq=devices.c.last_seq + 1).returning(devices.c.last_seq)).scalar_one()
    now = utc_now()
    event = Event(str(uuid.uuid5(NAMESPACE, f"dispatch/{case['case_id']}")), case["case_id"], DISPATCH_DEVICE,
                  int(device_seq), DISPATCH_ACTOR, "case.dispatched", payload, now)
    try:
        apply(state, event, strict=True)
    except CaseError:
        return
    insert_rows(conn, [{"seq": first, "kind": "event", "event_id": event.event_id, "case_id": event.case_id,
                        "device_id": event.device_id, "device_seq": event.device_seq, "actor": event.actor,
                        "type": event.type, "payload": event.payload, "device_time": event.device_time,
                        "schema_version": event.schema_version, "content_hash": event.content_hash(),
                        "hall": case["hall"], "agent": case["agent"], "received_at": now}])


def after_push(engine: Engine, raw_events: list[Any], outcomes: list[Any]) -> int:
    """Dispatch the cases whose acceptance this push stored (or resent)."""
    case_ids = {raw["case_id"] for raw, outcome in zip(raw_events, outcomes)
                if outcome.status in ("stored", "duplicate") and isinstance(raw, dict)
                and raw.get("type") in TRIGGERS}
    return sum(dispatch_case(engine, case_id) for case_id in sorted(case_ids))


def sweep(engine: Engine) -> int:
    """Dispatch every accepted case still without packages (at start-up, or by hand)."""
    with engine.connect() as conn:
        accepted = set(conn.execute(select(feed.c.case_id).where(feed.c.type.in_(TRIGGERS))).scalars())
        done = set(conn.execute(select(packages.c.case_id)).scalars())
    return sum(dispatch_case(engine, case_id) for case_id in sorted(accepted - done))
