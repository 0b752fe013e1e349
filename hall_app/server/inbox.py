"""The department inbox (部门收件箱): packages dispatched to a department, fetched,
acknowledged and answered through the server, scoped by the department's token.

- ``GET /v1/departments/{dept}/inbox``: the department's packages in dispatch order,
  paged by a cursor; each holds only what its items need (domain/dispatch.py).
- ``GET /v1/departments/{dept}/packages/{case_id}``: one package, as it is now.
- ``POST /v1/departments/{dept}/packages/{case_id}/ack``: received (部门已接收);
  idempotent: the items still waiting get ``received`` once, a second ack changes nothing.
- ``POST /v1/departments/{dept}/checks``: the post-check (事后核查) of a 告知承诺 item.

Results (办理中, 需补正, 已批准, 不予批准, 已办结) go through ``POST /v1/results``
(results.py), which checks the item is the department's own.

A department device (``dept:NAME`` or ``dept:NAME@HALL``) sees only its own
department's packages, and only in the halls it serves; any other department's inbox
or package is refused (403), an unknown package is 404.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, select, update

from hall_app.domain.dispatch import package
from hall_app.domain.event_types import Text
from hall_app.domain.tracking import parse_tracking_code
from hall_app.server.auth import DeviceInfo, utc_now
from hall_app.server.dispatcher import bundle_model, package_id
from hall_app.server.models import packages
from hall_app.server.results import ResultError, ResultIn, case_state, find_case, post_department_event, post_result
from hall_app.server.scopes import access

MAX_PAGE = 200
router = APIRouter()


class CheckPost(BaseModel):
    model_config = ConfigDict(strict=True)

    case_id: Text(36)
    item: Text(64)
    result: Literal["passed", "failed"] = Field(description="passed（核查通过）/ failed（核查不实）")
    note: Text(2000, multiline=True) = ""
    check_id: Text(64) = Field("", description="部门系统自己的核查编号：重发不会重复登记")


def _own(device: DeviceInfo, dept: str) -> None:
    if device.dept != dept:
        raise HTTPException(403, f"部门系统（范围 {device.scope}）只能查看本部门（{device.dept}）的收件箱")


def _row(engine: Engine, device: DeviceInfo, dept: str, case_id: str) -> dict[str, Any]:
    """The package row of ``case_id`` (or the case's tracking code) for ``dept``."""
    _own(device, dept)
    with engine.connect() as conn:
        code = parse_tracking_code(case_id)
        if code:
            case = find_case(conn, tracking_code=code)
            case_id = case["case_id"] if case else case_id
        row = conn.execute(select(packages).where(packages.c.package_id == package_id(case_id, dept))
                           ).mappings().first()
    if row is None:
        raise HTTPException(404, "没有该分发件")
    if device.hall and row["hall"] != device.hall:
        raise HTTPException(403, f"部门系统（范围 {device.scope}）不服务该办件所在的大厅")
    return dict(row)


def _contents(engine: Engine, row: dict[str, Any]) -> dict[str, Any]:
    with engine.connect() as conn:
        case = find_case(conn, case_id=row["case_id"])
        state = case_state(conn, row["case_id"])
        bundle = bundle_model(conn, case) if case else None
    if state is None or bundle is None:
        raise HTTPException(409, "服务器没有该办件所用的套餐版本")
    return package(bundle, state, row["department"]) | {"package_id": row["package_id"], "seq": row["seq"],
                                                        "dispatched_at": row["created_at"],
                                                        "acked_at": row["acked_at"],
                                                        "case_status": state.status}


def inbox_page(engine: Engine, device: DeviceInfo, dept: str, after: int, limit: int, pending: bool
               ) -> dict[str, Any]:
    _own(device, dept)
    query = select(packages).where(packages.c.department == dept, packages.c.seq > after)
    if device.hall:
        query = query.where(packages.c.hall == device.hall)
    if pending:
        query = query.where(packages.c.acked_at == "")
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query.order_by(packages.c.seq).limit(limit + 1)).mappings()]
    more = len(rows) > limit
    rows = rows[:limit]
    return {"packages": [_contents(engine, r) for r in rows], "next": rows[-1]["seq"] if rows else after,
            "more": more}


def acknowledge(engine: Engine, device: DeviceInfo, dept: str, case_id: str) -> dict[str, Any]:
    row = _row(engine, device, dept, case_id)
    contents, case_id = _contents(engine, row), row["case_id"]
    stored = 0
    for item in contents["items"]:
        if item["status"] in ("pending", "dispatched"):
            outcome = post_result(engine, device, ResultIn(item["code"], "received", result_id=f"ack/{case_id}/"
                                                           f"{item['code']}", case_id=case_id))
            stored += outcome["status"] == "stored"
    if not row["acked_at"]:
        with engine.begin() as conn:
            conn.execute(update(packages).where(packages.c.package_id == row["package_id"], packages.c.acked_at == "")
                         .values(acked_at=utc_now()))
    return {"package_id": row["package_id"], "received": stored, "status": "acknowledged"}


@router.get("/v1/departments/{dept}/inbox")
def inbox(request: Request, dept: str, after: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=MAX_PAGE),
          pending: bool = Query(False, description="只返回尚未确认接收的分发件"),
          device: DeviceInfo = access("inbox")) -> dict[str, Any]:
    return inbox_page(request.app.state.engine, device, dept, after, limit, pending)


@router.get("/v1/departments/{dept}/packages/{case_id}")
def one_package(request: Request, dept: str, case_id: str, device: DeviceInfo = access("package")) -> dict[str, Any]:
    engine = request.app.state.engine
    return _contents(engine, _row(engine, device, dept, case_id))


@router.post("/v1/departments/{dept}/packages/{case_id}/ack")
def ack(request: Request, dept: str, case_id: str, device: DeviceInfo = access("ack")) -> dict[str, Any]:
    try:
        return acknowledge(request.app.state.engine, device, dept, case_id)
    except ResultError as exc:
        raise HTTPException(exc.status, str(exc)) from None


@router.post("/v1/departments/{dept}/checks")
def check(request: Request, dept: str, body: CheckPost, device: DeviceInfo = access("check")) -> dict[str, Any]:
    from hall_app.domain.event_types import EventInvalid, validate_event

    engine = request.app.state.engine
    row = _row(engine, device, dept, body.case_id)
    payload = {"item": body.item, "result": body.result, "note": body.note}
    try:
        validate_event("case.check_recorded", payload)
        return post_department_event(engine, device, "case.check_recorded", payload, body.item,
                                     f"check/{body.check_id}" if body.check_id else "", case_id=row["case_id"])
    except EventInvalid as exc:
        raise HTTPException(422, str(exc)) from None
    except ResultError as exc:
        raise HTTPException(exc.status, str(exc)) from None
