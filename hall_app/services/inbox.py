"""The department's desk (部门收件箱), device side: the packages dispatched to one
department, acknowledged and answered item by item.

Two ways to reach them, one interface:

- ``RemoteInbox``: a department system enrolled with the central server
  (``dept:NAME`` token) uses the server's inbox (hall_app/server/inbox.py); the server
  checks the department owns each item.
- ``LocalInbox``: the embedded default (one machine, no server): the cases of this
  database; accepted cases are dispatched first, as the server would, and the
  department's reports are written here. Ownership is checked the same way.

A report is what ``case.item_result`` allows: received, in_progress, needs_material
(补正, with what to bring), approved, rejected (with the reason), completed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from hall_app.domain import dispatch as rules
from hall_app.domain.case import CaseError
from hall_app.domain.case_rules import check_result_fields
from hall_app.domain.text import clean
from hall_app.services.intake import IntakeError

if TYPE_CHECKING:
    from hall_app.services.context import HallContext
    from hall_app.sync.department import DepartmentClient

REPORTS = ("received", "in_progress", "needs_material", "approved", "rejected", "completed")


class Inbox(Protocol):
    department: str

    def packages(self, pending: bool = False) -> list[dict[str, Any]]: ...
    def package(self, case: str) -> dict[str, Any]: ...
    def acknowledge(self, case: str) -> dict[str, Any]: ...
    def report(self, case: str, item: str, status: str, note: str = "", document: str = "") -> dict[str, Any]: ...
    def check(self, case: str, item: str, result: str, note: str = "") -> dict[str, Any]: ...


def _checked_report(status: str, note: str) -> str:
    note = clean(note)
    try:
        check_result_fields(status, note)
    except CaseError as exc:
        raise IntakeError(str(exc)) from None
    return note


class LocalInbox:
    """The embedded default: this machine's cases (no server)."""

    def __init__(self, ctx: "HallContext", department: str):
        self.ctx, self.department = ctx, clean(department)
        if not self.department:
            raise IntakeError("请指定部门（--dept 部门名称）")

    @property
    def actor(self) -> str:
        return f"dept:{self.department}"[:64]

    def _standalone(self) -> None:
        from hall_app.store.models import Device

        with self.ctx.read() as session:
            device = session.get(Device, self.ctx.device_id)
        if device is not None and device.server_url:
            raise IntakeError("本机已登记到中心服务器：部门请通过服务器收件箱办理（--server 与 --token）")

    def _own(self, case: str):
        state = self.ctx.cases.by_tracking_code(case)
        if state.status in rules.ACCEPTANCE_STATUSES:  # not dispatched yet: as the server would, first
            self._standalone()
            state = self.ctx.dispatch.dispatch(state.case_id)
        bundle = self.ctx.catalog_service.bundle_for(state.bundle_code, state.bundle_hash)
        if self.department not in rules.departments(bundle, list(state.items)):
            raise IntakeError(f"办件 {case} 没有由{self.department}办理的事项")
        return state, bundle

    def _owner_check(self, bundle, item: str) -> None:
        owner = next((i.department for i in bundle.items if i.code == item), None)
        if owner is None:
            raise IntakeError(f"本办件的套餐没有事项 {item}")
        if owner != self.department:
            raise IntakeError(f"事项 {item} 由{owner}办理，{self.department}不能登记其结果")

    def packages(self, pending: bool = False) -> list[dict[str, Any]]:
        self._standalone()
        self.ctx.dispatch.dispatch_accepted()
        out = []
        from sqlalchemy import select

        from hall_app.store.models import CaseRow

        with self.ctx.read() as session:
            codes = list(session.scalars(select(CaseRow.tracking_code).where(CaseRow.status.notin_(
                ("draft", "notice_issued", "refused", "voided"))).order_by(CaseRow.created_at)))
        for code in codes:
            state = self.ctx.cases.by_tracking_code(code)
            bundle = self.ctx.catalog_service.bundle_for(state.bundle_code, state.bundle_hash)
            if self.department in rules.departments(bundle, list(state.items)):
                pkg = rules.package(bundle, state, self.department) | {"case_status": state.status}
                if not pending or pkg["status"] == "sent":
                    out.append(pkg)
        return out

    def package(self, case: str) -> dict[str, Any]:
        state, bundle = self._own(case)
        return rules.package(bundle, state, self.department) | {"case_status": state.status}

    def acknowledge(self, case: str) -> dict[str, Any]:
        self._standalone()
        state, bundle = self._own(case)
        received = 0
        for code in rules.departments(bundle, list(state.items))[self.department]:
            if state.items[code]["status"] in ("pending", "dispatched"):
                self.ctx.cases.record_item_result(state.case_id, self.actor, code, "received")
                received += 1
        return {"received": received, "status": "acknowledged"}

    def report(self, case: str, item: str, status: str, note: str = "", document: str = "") -> dict[str, Any]:
        self._standalone()
        note = _checked_report(status, note)
        state, bundle = self._own(case)
        self._owner_check(bundle, item)
        self.ctx.cases.record_item_result(state.case_id, self.actor, item, status, note, clean(document))
        return {"status": "stored"}

    def check(self, case: str, item: str, result: str, note: str = "") -> dict[str, Any]:
        self._standalone()
        state, bundle = self._own(case)
        self._owner_check(bundle, item)
        with self.ctx.cases.work(state.case_id, self.actor) as w:
            w.record("case.check_recorded", {"item": item, "result": result, "note": clean(note)})
        return {"status": "stored"}


class RemoteInbox:
    """A department system enrolled with the central server."""

    def __init__(self, client: "DepartmentClient"):
        self.client, self.department = client, client.department

    def _call(self, fn, *args, **kwargs) -> Any:
        from hall_app.sync.errors import SyncError

        try:
            return fn(*args, **kwargs)
        except SyncError as exc:
            raise IntakeError(str(exc)) from None

    def packages(self, pending: bool = False) -> list[dict[str, Any]]:
        out, after = [], 0
        while True:
            page = self._call(self.client.inbox, after, 200, pending)
            out += page["packages"]
            if not page["more"]:
                return out
            after = page["next"]

    def package(self, case: str) -> dict[str, Any]:
        return self._call(self.client.package, case)

    def acknowledge(self, case: str) -> dict[str, Any]:
        return self._call(self.client.ack, case)

    def report(self, case: str, item: str, status: str, note: str = "", document: str = "") -> dict[str, Any]:
        note = _checked_report(status, note)
        case_id = self.package(case)["case_id"]
        return self._call(self.client.result, case_id, item, status, note, clean(document))

    def check(self, case: str, item: str, result: str, note: str = "") -> dict[str, Any]:
        return self._call(self.client.check, case, item, result, clean(note))
