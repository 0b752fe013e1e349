"""Two agents (or two laptops) filing the same need offline (帮办代办, issue 13).

Each laptop refuses a second open case of the same principal and bundle, but two
laptops offline all day cannot see each other's cases. The server can: when a proxy
case's authorisation copy (``case.authorisation_set``) arrives, the case is filed in
``proxy_filings`` under its principal (a keyed digest of the ID number, never the
number itself) and its bundle; another open case of the same principal and bundle
is a duplicate. Neither is refused and neither is lost: the server writes
``case.duplicate_flagged`` into both (as its own device ``server:agents``), naming
the other case and its agent, and each case needs review. Each agent sees the flag
on their workbench after their next sync (the event is in their own case's scope);
the hall's supervisor clears it with ``case.reviewed`` once the two agents agreed
which case goes on (the other is voided).

A window case counts too (a relative took the principal to the hall the same day the
agent filed): any case whose applicant's ID number arrives (``case.applicant_set``,
key ``id_number``) is filed the same way, so a proxy case and a window case of the
same person and bundle flag each other; the window case is named by its window.
Two window cases of the same person and bundle are the hall's own business and are
not flagged (the counter sees the person's open cases).

Both cases count as open unless voided, refused, delivered or rated (the laptop's
rule, services/agent_day.CLOSED). Checks run after the push committed, one at a time
under the feed counter lock, so two laptops syncing at once still see each other.
Idempotent: the flag's event id is derived from the pair.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from hall_app.domain.events import Event
from hall_app.server.auth import service_device, utc_now
from hall_app.server.models import cases, devices, feed, proxy_filings
from hall_app.server.results import NAMESPACE, bundle_of, case_state, find_case
from hall_app.server.writes import among, insert_for, reserve

DUPLICATE_DEVICE = "server:agents"
DUPLICATE_SCOPE = "admin:agents"
DUPLICATE_ACTOR = "重复代办检查"
CLOSED = frozenset({"voided", "refused", "rated", "handed_over"})
TRIGGER = "case.authorisation_set"
APPLICANT = "case.applicant_set"


def principal_key(id_number: str) -> str:
    """The principal's ID number as the index knows it (a digest: the table alone names no one)."""
    return hashlib.sha256(f"hall-app/principal/{id_number.strip().upper()}".encode()).hexdigest()


def after_push(engine: Engine, raw_events: list[Any], outcomes: list[Any]) -> int:
    """File the cases whose principal this push named (a proxy case's authorisation copy,
    any case's applicant ID number), and flag duplicates."""
    principals: dict[str, str] = {}
    for raw, outcome in zip(raw_events, outcomes):
        if outcome.status not in ("stored", "duplicate") or not isinstance(raw, dict):
            continue
        payload = raw.get("payload") or {}
        if raw.get("type") == TRIGGER:
            data = payload.get("authorisation")
            if isinstance(data, dict) and data.get("principal_id"):
                principals[raw["case_id"]] = str(data["principal_id"])
        elif raw.get("type") == APPLICANT and payload.get("key") == "id_number" and payload.get("value"):
            principals[raw["case_id"]] = str(payload["value"])
    return check_cases(engine, principals)


def check_case(engine: Engine, case_id: str, id_number: str) -> int:
    return check_cases(engine, {case_id: id_number})


def check_cases(engine: Engine, principals: dict[str, str]) -> int:
    """File cases under their principal and flag each with every other open case of the
    same principal and bundle (at least one of the two a proxy case); returns the flags
    written. One transaction for the whole push: a hall's push of many window cases
    costs one look-up and one insert, not one locked transaction per case."""
    keys = {case_id: principal_key(id_number) for case_id, id_number in principals.items()}
    if not keys:
        return 0
    with engine.connect() as conn:  # a resend: filed already under the same person, nothing to do
        filed = dict(conn.execute(select(proxy_filings.c.case_id, proxy_filings.c.principal_key).where(
            among(conn, proxy_filings.c.case_id, sorted(keys)))).all())
    todo = {case_id: key for case_id, key in keys.items() if filed.get(case_id) != key}
    if not todo:
        return 0
    service_device(engine, DUPLICATE_DEVICE, DUPLICATE_SCOPE)
    written = 0
    with engine.begin() as conn:
        reserve(conn, 1)  # the feed counter lock: checks and pushes take turns (a spent position is a gap)
        found = {row["case_id"]: dict(row) for row in conn.execute(select(cases).where(
            among(conn, cases.c.case_id, sorted(todo)))).mappings()}
        rows = [{"case_id": case_id, "hall": case["hall"], "agent": case["agent"], "principal_key": todo[case_id],
                 "bundle_code": case["bundle_code"], "filed_at": utc_now()} for case_id, case in found.items()]
        if not rows:
            return 0
        stmt = insert_for(conn)(proxy_filings)
        conn.execute(stmt.on_conflict_do_update(  # a corrected ID number moves the case to its person
            index_elements=[proxy_filings.c.case_id], set_={"principal_key": stmt.excluded.principal_key}), rows)
        peers: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for other_id, agent, key, bundle in conn.execute(select(
                proxy_filings.c.case_id, proxy_filings.c.agent, proxy_filings.c.principal_key,
                proxy_filings.c.bundle_code).where(among(conn, proxy_filings.c.principal_key,
                                                         sorted({r["principal_key"] for r in rows})))
                .order_by(proxy_filings.c.filed_at, proxy_filings.c.case_id)):
            peers.setdefault((key, bundle), []).append((other_id, agent))
        for case_id in sorted(found):
            case = found[case_id]
            others = [other_id for other_id, agent in peers.get((todo[case_id], case["bundle_code"]), [])
                      if other_id != case_id and (case["agent"] or agent)]  # two window cases: the hall's own
            if not others:
                continue
            this = case_state(conn, case_id)
            if this is None or this.status in CLOSED:
                continue
            for other_id in others:
                written += _flag_pair(conn, case, this, other_id)
    return written


def flag_pair(engine: Engine, case_id: str, other_id: str) -> int:
    """Flag two open cases the server holds as one need filed twice (each names the other)."""
    service_device(engine, DUPLICATE_DEVICE, DUPLICATE_SCOPE)
    with engine.begin() as conn:
        reserve(conn, 1)
        case = find_case(conn, case_id=case_id)
        this = case_state(conn, case_id) if case else None
        if case is None or this is None or this.status in CLOSED or case_id == other_id:
            return 0
        return _flag_pair(conn, case, this, other_id)


def _flag_pair(conn: Connection, case: dict[str, Any], this, other_id: str) -> int:
    other = case_state(conn, other_id)
    other_case = find_case(conn, case_id=other_id)
    if other is None or other_case is None or other.status in CLOSED:
        return 0
    return _flag(conn, case, this, other_case, other) + _flag(conn, other_case, other, case, this)


def _flag(conn: Connection, case: dict[str, Any], state, other_case: dict[str, Any], other) -> int:
    """Write ``case.duplicate_flagged`` into ``case`` naming ``other_case`` (once per pair)."""
    from hall_app.domain.event_types import validate_event

    event_id = str(uuid.uuid5(NAMESPACE, f"duplicate/{case['case_id']}/{other_case['case_id']}"))
    if conn.execute(select(feed.c.event_id).where(feed.c.event_id == event_id)).first() is not None:
        return 0
    auth = other.authorisation or {}
    payload = {"other_case_id": other_case["case_id"], "other_tracking_code": other_case["tracking_code"][:16],
               "other_agent": str(auth.get("agent_name") or other_case["agent"])[:100],
               "other_window": "" if other_case["agent"] else str(other.window or "")[:32],
               "principal_name": str(state.applicant.get("name") or (state.authorisation or {}).get(
                   "principal_name", ""))[:100],
               "bundle_name": _bundle_name(conn, case)[:100]}
    validate_event("case.duplicate_flagged", payload)  # the schema every device checks too
    device_seq = conn.execute(update(devices).where(devices.c.device_id == DUPLICATE_DEVICE)
                              .values(last_seq=devices.c.last_seq + 1).returning(devices.c.last_seq)).scalar_one()
    now = utc_now()
    event = Event(event_id, case["case_id"], DUPLICATE_DEVICE, int(device_seq), DUPLICATE_ACTOR,
                  "case.duplicate_flagged", payload, now)
    seq = reserve(conn, 1)
    conn.execute(insert_for(conn)(feed), [{
        "seq": seq, "kind": "event", "event_id": event.event_id, "case_id": event.case_id,
        "device_id": event.device_id, "device_seq": event.device_seq, "actor": event.actor, "type": event.type,
        "payload": event.payload, "device_time": event.device_time, "schema_version": event.schema_version,
        "content_hash": event.content_hash(), "hall": case["hall"], "agent": case["agent"], "received_at": now}])
    return 1


def _bundle_name(conn: Connection, case: dict[str, Any]) -> str:
    data = bundle_of(conn, case["bundle_code"], case["bundle_hash"])
    return str((data or {}).get("name") or case["bundle_code"])
