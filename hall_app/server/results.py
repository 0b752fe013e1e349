"""Cases on the server: look-up, their state (replayed in feed order), department
results (数据回流) and the department simulator used in demos and tests."""

from __future__ import annotations

import functools
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from hall_app.domain.case import ITEM_FINAL, CaseError, CaseState, apply
from hall_app.domain.case_rules import check_result_fields
from hall_app.domain.events import Event
from hall_app.server.auth import AuthError, DeviceInfo, service_device, utc_now
from hall_app.server.feed import events_of
from hall_app.server.models import bundle_versions, cases, devices, feed
from hall_app.server.writes import insert_rows, reserve

NAMESPACE = uuid.UUID("6f1c3a52-8d2e-4c47-9a51-3b0f2e7d9c10")


class ResultError(Exception):
    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


def find_case(conn: Connection, tracking_code: str = "", case_id: str = "") -> dict[str, Any] | None:
    column, value = (cases.c.case_id, case_id) if case_id else (cases.c.tracking_code, tracking_code)
    row = conn.execute(select(cases).where(column == value)).mappings().first()
    return dict(row) if row else None


def case_state(conn: Connection, case_id: str) -> CaseState | None:
    from hall_app.domain.event_types import replay_checked  # never crashes (docs/sync.md)

    return replay_checked([e for _, e in events_of(conn, case_id)])


def bundle_of(conn: Connection, code: str, content_hash: str) -> dict[str, Any] | None:
    """The exact bundle version a case started with: published, or shipped with the
    server (same content hash). None when the server does not know that version."""
    row = conn.execute(select(bundle_versions.c.data).where(
        bundle_versions.c.code == code, bundle_versions.c.content_hash == content_hash)).first()
    if row is not None:
        return dict(row.data)
    catalog = _shipped_catalog()
    entry = catalog.entry(code) if catalog is not None else None
    if entry is None or entry.content_hash != content_hash:
        return None
    return entry.bundle.model_dump(mode="json")


@functools.lru_cache(maxsize=1)
def _shipped_catalog():
    try:
        from bundles.loader import load_catalog

        return load_catalog()
    except Exception:  # a broken shipped catalog must not break results or the tracking page
        return None


def item_departments(conn: Connection, case: dict[str, Any]) -> dict[str, str] | None:
    """item → owning department in the case's bundle version (None: version unknown)."""
    bundle = bundle_of(conn, case["bundle_code"], case["bundle_hash"])
    if bundle is None:
        return None
    return {i.get("code", ""): i.get("department", "") for i in bundle.get("items", [])}


def check_ownership(conn: Connection, dept: DeviceInfo, case: dict[str, Any], item: str) -> None:
    """A department posts results only for its own items, in the halls it serves
    (``dept:NAME`` serves every hall, ``dept:NAME@HALL`` one)."""
    if dept.hall and case["hall"] != dept.hall:
        raise ResultError(f"部门系统（范围 {dept.scope}）不服务该办件所在的大厅", 403)
    owners = item_departments(conn, case)
    if owners is None:
        raise ResultError("服务器没有该办件所用的套餐版本，无法确认事项由哪个部门办理", 409)
    if item not in owners:
        raise ResultError(f"本办件的套餐没有事项 {item}", 409)
    if owners[item] != dept.dept:
        raise ResultError(f"事项 {item} 由{owners[item]}办理，{dept.dept}不能登记其结果", 403)


@dataclass
class ResultIn:
    item: str
    status: str
    note: str = ""
    document: str = ""
    result_id: str = ""  # the department's own id for this result: makes retries harmless
    tracking_code: str = ""
    case_id: str = ""

    def payload(self) -> dict[str, str]:
        return {"item": self.item, "status": self.status, "note": self.note, "document": self.document}


def post_result(engine: Engine, dept: DeviceInfo, result: ResultIn) -> dict[str, Any]:
    """Record a department's result for one item as an event in the feed.

    Checked against the case as the server has it (strictly); a device still offline
    may later push a change that no longer fits, which replay then flags for review.
    """
    if dept.kind != "dept":
        raise ResultError("只有部门系统可以登记办理结果", 403)
    try:  # the domain's rule for what a result may say (the projection checks it again)
        check_result_fields(result.status, result.note)
    except CaseError as exc:
        raise ResultError(str(exc), 422) from None
    return post_department_event(engine, dept, "case.item_result", result.payload(), result.item, result.result_id,
                                 result.tracking_code, result.case_id)


def post_department_event(engine: Engine, dept: DeviceInfo, kind: str, payload: dict[str, Any], item: str,
                          key: str = "", tracking_code: str = "", case_id: str = "") -> dict[str, Any]:
    """Write one department event (a result, a post-check) about ``item`` of a case.

    ``key``: the department's own id for it; the same key again is a harmless retry
    (same content) or refused (other content). Ownership and the case's rules are
    checked inside the transaction that writes it."""
    event_id = str(uuid.uuid5(NAMESPACE, f"{dept.device_id}/{key}")) if key else str(uuid.uuid4())
    with engine.begin() as conn:
        first = reserve(conn, 1)  # serialises with pushes: the state read below is current
        existing = conn.execute(select(feed.c.seq, feed.c.payload).where(feed.c.event_id == event_id)).first()
        if existing is not None:
            if dict(existing.payload) == payload:
                return {"event_id": event_id, "seq": existing.seq, "status": "duplicate"}
            raise ResultError("该结果编号已登记过不同的内容")
        case = find_case(conn, tracking_code, case_id)
        if case is None:
            raise ResultError("没有该办件", 404)
        check_ownership(conn, dept, case, item)
        state = case_state(conn, case["case_id"])
        seq = conn.execute(update(devices).where(devices.c.device_id == dept.device_id)
                           .values(last_seq=devices.c.last_seq + 1).returning(devices.c.last_seq)).scalar_one()
        event = Event(event_id, case["case_id"], dept.device_id, int(seq), f"dept:{dept.dept}"[:64],
                      kind, payload, utc_now())
        try:
            apply(state, event, strict=True)
        except CaseError as exc:
            raise ResultError(str(exc)) from None
        insert_rows(conn, [{"seq": first, "kind": "event", "event_id": event.event_id, "case_id": event.case_id,
                            "device_id": event.device_id, "device_seq": event.device_seq, "actor": event.actor,
                            "type": event.type, "payload": event.payload, "device_time": event.device_time,
                            "schema_version": event.schema_version, "content_hash": event.content_hash(),
                            "hall": case["hall"], "agent": case["agent"], "received_at": event.device_time}])
    return {"event_id": event_id, "seq": first, "status": "stored"}


NEXT_STATUS = {"dispatched": "received", "received": "approved", "approved": "completed"}


@dataclass
class DepartmentSimulator:
    """Moves dispatched items along: 已分发 → 部门已接收 → 已批准 → 已办结, one step per
    ``delay`` seconds of each item, as the department systems would report them."""

    engine: Engine
    delay: float = 5.0
    clock: Any = time.monotonic
    _since: dict[tuple[str, str, str], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._depts: dict[str, DeviceInfo] = {}

    def department(self, name: str) -> DeviceInfo:
        """The simulator acts as the item's own department (ownership is checked for it too)."""
        if name not in self._depts:
            self._depts[name] = service_device(self.engine, f"dept:sim:{name}"[:64], f"dept:{name}")
        return self._depts[name]

    def open_cases(self) -> list[str]:
        with self.engine.connect() as conn:
            dispatched = set(conn.execute(select(feed.c.case_id).where(feed.c.type == "case.dispatched")).scalars())
            return sorted(dispatched)

    def step(self) -> int:
        """One pass over the dispatched cases; returns how many results were posted."""
        posted, now = 0, self.clock()
        for case_id in self.open_cases():
            with self.engine.connect() as conn:
                state = case_state(conn, case_id)
                case = find_case(conn, case_id=case_id)
                owners = item_departments(conn, case) if case else None
            if state is None or state.status != "dispatched" or not owners:
                continue
            for code, item in state.items.items():
                status = item["status"]
                if status in ITEM_FINAL or status not in NEXT_STATUS:
                    continue
                key = (case_id, code, status)
                first_seen = self._since.setdefault(key, now)
                if now - first_seen < self.delay:
                    continue
                target = NEXT_STATUS[status]
                note = "模拟部门：已办结" if target == "completed" else ""
                document = f"SIM-{state.tracking_code}-{code}" if target == "completed" else ""
                if not owners.get(code):
                    continue
                try:
                    post_result(self.engine, self.department(owners[code]), ResultIn(code, target, note, document,
                                                                 f"{case_id}/{code}/{target}", case_id=case_id))
                    self._since[(case_id, code, target)] = now  # the next step waits a full delay
                    posted += 1
                except (ResultError, AuthError):
                    continue  # the case moved on meanwhile (voided…), or an unusable department name
        return posted

    def run(self, interval: float = 1.0, rounds: int | None = None) -> int:
        total, n = 0, 0
        while rounds is None or n < rounds:
            total += self.step()
            n += 1
            if rounds is None or n < rounds:
                time.sleep(interval)
        return total
