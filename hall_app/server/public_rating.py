"""好差评 from the citizen's tracking page (issue 11): ``POST /t/{code}/rate``.

Public (the code on the receipt is the key, as for the page itself) and rate-limited
per client address (ratelimit.py, bucket ``rate``). One rating per case: the server
checks the case as it holds it, in the same transaction that stores the event, so two
submissions cannot both land. The event is an ordinary ``case.rated`` with channel
``tracking``, checked against its payload schema (event_types.py) and the case's rules
before it is stored; devices get it through the feed like a department's result.

A bad rating carries its follow-up due date, counted in working days by the hall's rule
(server/due_rule.py: the server's ``[calendar]`` and ``[deadlines]
bad_rating_followup_days``, as the devices count it).
"""

from __future__ import annotations

import datetime as dt
import html
import uuid
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from hall_app.domain.calendar import CHINA, WorkCalendar
from hall_app.domain.case import CaseError, apply
from hall_app.domain.case_state import RATING_LEVELS, TRANSITIONS
from hall_app.domain.event_types import EventInvalid, validate_event
from hall_app.domain.events import Event
from hall_app.domain.rating import DIMENSIONS, REASONS, RatingError, make_rating
from hall_app.domain.text import clean
from hall_app.domain.tracking import parse_tracking_code
from hall_app.server.auth import service_device, utc_now
from hall_app.server.due_rule import hall_due_rule
from hall_app.server.results import case_state, find_case
from hall_app.server.scopes import access
from hall_app.server.writes import insert_rows, reserve

RATEABLE = frozenset(status for status, after in TRANSITIONS.items() if "rated" in after)
ACTOR = "tracking-page"
MAX_FORM = 8192

router = APIRouter()


class RatingRefused(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def follow_up_due(day: dt.date, calendar: WorkCalendar | None = None) -> dt.date:
    """A bad rating given on ``day`` is followed up within the hall's working days, by the
    hall's calendar (server/due_rule.py) unless the caller gives one."""
    hall_calendar, days = hall_due_rule()
    return (calendar or hall_calendar).add_working_days(day, days).date


def rate_by_code(engine: Engine, raw_code: str, level: Any, reasons: list[str], comment: str,
                 calendar: WorkCalendar | None = None, now: dt.datetime | None = None,
                 dimensions: dict[str, Any] | None = None) -> dict[str, Any]:
    """Record the citizen's rating of the case with this tracking code; RatingRefused
    (nothing stored) when the code is unknown, the case may not be rated, or the rating
    is not one of the five levels with that level's reasons."""
    code = parse_tracking_code(raw_code)
    if code is None:
        raise RatingRefused("没有查到这个跟踪码对应的办件", 404)
    try:
        given = make_rating(level, dimensions, reasons, clean(comment))
    except RatingError as exc:
        raise RatingRefused(str(exc), 422) from None
    if given.level is None:
        raise RatingRefused("请选择满意程度", 422)
    now = now or dt.datetime.now(CHINA)
    payload: dict[str, Any] = {"level": given.level, "comment": given.comment, "channel": "tracking"}
    if given.reasons:
        payload["reasons"] = list(given.reasons)
    if given.dimensions:
        payload["dimensions"] = dict(given.dimensions)
    if given.bad:
        payload["follow_up_due"] = follow_up_due(now.date(), calendar).isoformat()
    try:
        validate_event("case.rated", payload)  # the same schema a device's push is checked against
    except EventInvalid as exc:
        what = "留言" if "comment" in str(exc) else "评价内容"
        raise RatingRefused(f"{what}含有不能保存的字符，请修改后再提交（{exc}）", 422) from None
    with engine.connect() as conn:
        case = find_case(conn, tracking_code=code)
    if case is None:
        raise RatingRefused("没有查到这个跟踪码对应的办件", 404)
    device = service_device(engine, f"server:rating:{case['hall']}"[:64], f"hall:{case['hall']}")
    with engine.begin() as conn:
        first = reserve(conn, 1)  # serialises with pushes and other ratings: the state below is current
        state = case_state(conn, case["case_id"])
        if state is None or state.status == "rated":
            raise RatingRefused("该办件已评价过，每个办件只评价一次", 409)
        if state.status not in RATEABLE:
            raise RatingRefused("办件送达（或不予受理）后才能评价", 409)
        seq = conn.execute(_next_seq(device.device_id)).scalar_one()
        event = Event(str(uuid.uuid4()), case["case_id"], device.device_id, int(seq), ACTOR, "case.rated", payload,
                      now.isoformat(timespec="seconds"))
        try:
            apply(state, event, strict=True)
        except CaseError as exc:
            raise RatingRefused(str(exc), 409) from None
        insert_rows(conn, [{"seq": first, "kind": "event", "event_id": event.event_id, "case_id": event.case_id,
                            "device_id": event.device_id, "device_seq": event.device_seq, "actor": event.actor,
                            "type": event.type, "payload": event.payload, "device_time": event.device_time,
                            "schema_version": event.schema_version, "content_hash": event.content_hash(),
                            "hall": case["hall"], "agent": case["agent"], "received_at": utc_now()}])
    return {"event_id": event.event_id, "level": given.level, "label": RATING_LEVELS[given.level],
            "follow_up_due": payload.get("follow_up_due", "")}


def _next_seq(device_id: str):
    from sqlalchemy import update

    from hall_app.server.models import devices

    return (update(devices).where(devices.c.device_id == device_id)
            .values(last_seq=devices.c.last_seq + 1).returning(devices.c.last_seq))


# -- the form on the tracking page, and its answer -----------------------------------------------
def rating_form(view: dict[str, Any]) -> str:
    """The rating form shown on the tracking page of a case that may be rated ("" otherwise)."""
    if view.get("status") not in RATEABLE:
        return ""
    e = html.escape
    levels = "".join(f"<label><input type='radio' name='level' value='{n}' required> {e(RATING_LEVELS[n])}</label><br>"
                     for n in sorted(RATING_LEVELS, reverse=True))
    bad = sorted(set(REASONS[1]) | set(REASONS[2]), key=lambda r: (REASONS[1] + REASONS[2]).index(r))
    reasons = "".join(f"<label><input type='checkbox' name='reasons' value='{e(r)}'> {e(r)}</label> " for r in bad)
    code = e(view["tracking_code"])
    dims = "".join(
        f"<div>{e(name)}：" + "".join(f"<label><input type='radio' name='dim_{e(name)}' value='{n}'> {n}星</label> "
                                     for n in sorted(RATING_LEVELS, reverse=True)) + "</div>"
        for name in DIMENSIONS)
    return (f"<form class='card' method='post' action='/t/{code}/rate'><div class='s'>评价本次服务</div>{levels}"
            f"<div class='k'>分项评价（选填）</div>{dims}"
            f"<div class='k'>不满意的原因（可多选）</div>{reasons}"
            "<div class='k'>留言（选填）</div><textarea name='comment' maxlength='500' rows='3' style='width:100%'>"
            "</textarea><button type='submit'>提交评价</button></form>")


def _answer(title: str, message: str, status: int) -> HTMLResponse:
    from hall_app.server.tracking import _page

    page = _page(title, f"<h1>{html.escape(title)}</h1><div class='card'>{html.escape(message)}</div>", status)
    return HTMLResponse(page.body, status_code=page.status, headers={"Cache-Control": "no-store"})


def parse_form(body: bytes) -> tuple[Any, list[str], str, dict[str, Any]]:
    """level, reasons, comment and the dimensions chosen (``dim_服务态度=4`` …) from an
    urlencoded form; a level or score that is not a number stays as given (and is refused)."""
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=40)

    def number(raw: str) -> Any:
        raw = raw.strip()
        return int(raw) if raw.isascii() and raw.isdigit() else (raw or None)

    level = number((fields.get("level") or [""])[0])
    dims = {key[4:]: number(values[0]) for key, values in fields.items()
            if key.startswith("dim_") and values and values[0].strip()}
    return level, fields.get("reasons", []), (fields.get("comment") or [""])[0], dims


@router.post("/t/{code}/rate", response_class=HTMLResponse, dependencies=[access("rate")])
async def rate(code: str, request: Request) -> HTMLResponse:
    """The citizen's rating from the tracking page (a form post; JSON callers may post the same fields)."""
    engine = request.app.state.engine
    if not await run_in_threadpool(request.app.state.limiter.allow_request, engine, "rate", request):
        return _answer("请稍后再试", "提交过于频繁，请一分钟后再试。", 429)
    body = await request.body()
    if len(body) > MAX_FORM:
        return _answer("无法评价", "提交的内容过长", 413)
    level, reasons, comment, dims = parse_form(body)
    if any(value is not None and not isinstance(value, int) for value in (level, *dims.values())):
        return _answer("无法评价", "评价等级应为五级之一：非常满意、满意、基本满意、不满意、非常不满意", 422)
    try:
        done = await run_in_threadpool(rate_by_code, engine, code, level, reasons, comment, None, None, dims)
    except RatingRefused as exc:
        return _answer("无法评价", str(exc), exc.status)
    message = f"您的评价（{done['label']}）已记录。"
    if done["follow_up_due"]:
        message += f"我们将于 {done['follow_up_due']} 前核实整改并回访您。"
    return _answer("感谢您的评价", message, 200)
