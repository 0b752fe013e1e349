"""The citizen's tracking page, ``GET /t/{code}`` (the URL in the receipt's QR code).

No login: so it shows only what a stranger holding the receipt may see. The bundle,
each item's department, status and dates and the department's note (scrubbed of
names, numbers and addresses, scrub.py), the expected completion, and the applicant's
name masked (张*丰). Never the ID number, phone or address. A code that is malformed
or unknown gets the same plain not-found page. ``/t/{code}.json`` (or ``Accept:
application/json``) gives the same view as JSON for other systems. Requests are
rate-limited per client address, in the database (ratelimit.py).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from hall_app.domain.case import HAND_OVER_METHODS, ITEM_STATUS_LABELS, STATUS_LABELS
from hall_app.domain.dispatch import hall_time
from hall_app.domain.tracking import format_tracking_code, parse_tracking_code
from hall_app.server.catalog import bundle_names
from hall_app.server.results import bundle_of, case_state, find_case
from hall_app.server.scrub import scrub


def mask_name(name: str) -> str:
    """张三丰 → 张*丰, 张三 → 张*, 欧阳娜娜 → 欧**娜; firm names keep their ends."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    if len(name) > 6:  # a firm: 重庆江津渝味火锅餐饮有限公司 → 重庆****公司
        return name[:2] + "*" * 4 + name[-2:]
    return name[0] + "*" * (len(name) - 2) + name[-1]


@dataclass(frozen=True)
class Page:
    status: int
    body: str


STYLE = """body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f4f6f8;color:#222}
main{max-width:30rem;margin:0 auto;padding:1rem}h1{font-size:1.2rem;margin:.2rem 0 1rem}
.card{background:#fff;border-radius:.5rem;padding:.8rem 1rem;margin:.6rem 0;box-shadow:0 1px 2px #0001}
.k{color:#666;font-size:.85rem}.s{font-weight:600}.done{color:#1a7f37}.bad{color:#b42318}
footer{color:#888;font-size:.75rem;margin-top:1.5rem}"""


def _page(title: str, body: str, status: int = 200) -> Page:
    return Page(status, f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>{html.escape(title)}</title><style>{STYLE}</style></head><body><main>{body}
<footer>政务服务中心 · 办件进度查询</footer></main></body></html>""")


def not_found() -> Page:
    return _page("未找到办件", "<h1>未找到办件</h1><div class='card'>没有查到这个跟踪码对应的办件。"
                 "请核对回执上的跟踪码，或咨询政务服务中心窗口。</div>", 404)


def too_many() -> Page:
    return _page("请稍后再试", "<h1>请稍后再试</h1><div class='card'>查询过于频繁，请一分钟后再试。</div>", 429)


def find_view(engine: Engine, raw_code: str) -> dict[str, Any] | None:
    """What a stranger holding the receipt may see of the case (None: no such case)."""
    code = parse_tracking_code(raw_code)
    if code is None:
        return None
    with engine.connect() as conn:
        case = find_case(conn, tracking_code=code)
        state = case_state(conn, case["case_id"]) if case else None
        exact = bundle_of(conn, state.bundle_code, state.bundle_hash) if state else None
    if case is None or state is None:
        return None
    if exact is not None:
        name = exact.get("name", state.bundle_code)
        items = {i["code"]: (i.get("name", i["code"]), i.get("department", "")) for i in exact.get("items", [])}
        materials = {m["code"]: m.get("name", m["code"]) for m in exact.get("materials", [])}
    else:
        name, names = bundle_names(engine, state.bundle_code, state.bundle_hash)
        items, materials = {c: (n, "") for c, n in names.items()}, {}
    return public_view(state, name, items, materials)


def public_view(state, bundle_name: str, items: dict[str, tuple[str, str]],
                materials: dict[str, str] | None = None) -> dict[str, Any]:
    """The case as the page and its JSON variant show it: statuses, dates, masked name,
    each department's note scrubbed of personal data (scrub.py)."""
    rows = []
    for item_code, item in state.items.items():
        status = item.get("status", "pending")
        name, department = items.get(item_code, (item_code, ""))
        rows.append({"code": item_code, "name": name, "department": department, "status": status,
                     "status_label": ITEM_STATUS_LABELS.get(status, status), "due": str(item.get("due", "")),
                     # the server writes its reports in UTC: the hall's day (UTC+8), as the clerk reads it
                     "updated": hall_time(item["at"])[:10] if item.get("at") else "",
                     "note": scrub(str(item.get("note") or ""), state)})
    applicant = state.applicant.get("firm_name") or state.applicant.get("name", "")
    return {"tracking_code": format_tracking_code(state.tracking_code), "bundle": bundle_name,
            "applicant": mask_name(applicant), "status": state.status,
            "status_label": STATUS_LABELS.get(state.status, state.status),
            "accepted_on": (state.decided_at[:10] or state.created_at[:10]),
            "expected": max((r["due"] for r in rows), default=""),
            "items": rows} | after_counter(state, rows, materials)


def after_counter(state, rows: list[dict[str, Any]], materials: dict[str, str] | None = None) -> dict[str, Any]:
    """Each department's block, the delivery (method and EMS number, never who
    collected) and what the citizen must still bring (material names only)."""
    from hall_app.domain.dispatch import PACKAGE_LABELS, package_status

    by_dept: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["department"]:
            by_dept.setdefault(row["department"], []).append(row)
    departments = []
    for dept, own in by_dept.items():
        status = package_status(state, {r["code"] for r in own})
        departments.append({"department": dept, "status": status, "status_label": PACKAGE_LABELS[status],
                            "items": [r["name"] for r in own], "due": max((r["due"] for r in own), default=""),
                            "updated": max((r["updated"] for r in own), default="")})
    delivery = {}
    if state.handed_over:
        method = state.handed_over.get("method", "")
        delivery = {"method": method, "method_label": HAND_OVER_METHODS.get(method, method),
                    "waybill": str(state.handed_over.get("waybill", "")),
                    "on": str(state.handed_over.get("at", ""))[:10]}
    names = materials or {}
    bring = [names.get(code, code) for code in state.deferred]
    if state.status == "notice_issued" and state.notices:  # the notice's materials not yet handed in
        bring += [names.get(code, code) for code in state.notices[-1].get("missing", [])
                  if state.marks.get(code) != "handed_in"]
    bring += [f"{r['name']}：{r['note']}" for r in rows if r["status"] == "needs_material"]
    by = state.deferred_deadline if state.deferred else ""  # 请于…前补交: the dates, never who
    if not by and state.status == "notice_issued" and state.notices:
        by = str(state.notices[-1].get("deadline", ""))
    if state.status in ("terminated", "voided", "refused"):  # ended: nothing more to bring
        bring, by = [], ""
    return {"departments": departments, "delivery": delivery, "to_bring": bring, "bring_by": by[:10]}


def tracking_page(engine: Engine, raw_code: str) -> Page:
    view = find_view(engine, raw_code)
    return render_view(view) if view is not None else not_found()


def render_case(state, name: str, items: dict[str, tuple[str, str]]) -> Page:
    return render_view(public_view(state, name, items))


def _after_counter_html(view: dict[str, Any]) -> str:
    e = html.escape
    parts = []
    delivery = view.get("delivery") or {}
    if delivery:
        waybill = f"　EMS 邮件号：{e(delivery['waybill'])}" if delivery.get("waybill") else ""
        parts.append(f"<div class='card'><div class='k'>送达</div><div class='s done'>{e(delivery['method_label'])}"
                     f"</div><div class='k'>{e(delivery['on'])}{waybill}</div></div>")
    if view.get("to_bring"):
        listed = "".join(f"<li>{e(x)}</li>" for x in view["to_bring"])
        by = f"<div class='s bad'>请于 {e(view['bring_by'])} 前补交</div>" if view.get("bring_by") else ""
        parts.append(f"<div class='card'><div class='k'>还需您补交</div>{by}<ul>{listed}</ul></div>")
    for dept in view.get("departments") or []:
        css = "done" if dept["status"] == "done" else "bad" if dept["status"] in ("rejected", "needs_material") else ""
        parts.append(f"<div class='card'><div class='k'>办理部门</div><div>{e(dept['department'])}</div>"
                     f"<div class='s {css}'>{e(dept['status_label'])}</div>"
                     f"<div class='k'>{e('、'.join(dept['items']))}　承诺办结：{e(dept['due'])}</div></div>")
    return "".join(parts)


def render_view(view: dict[str, Any]) -> Page:
    """The page for one case: only what a stranger holding the receipt may see."""
    e = html.escape
    rows = []
    for item in view["items"]:
        status = item["status"]
        css = "done" if status == "completed" else "bad" if status == "rejected" else ""
        dates = f"承诺办结：{e(item['due'])}" if item["due"] else ""
        if item["updated"]:
            dates += f"　更新：{e(item['updated'])}"
        dept = f"<div class='k'>{e(item['department'])}</div>" if item["department"] else ""
        note = f"<div class='k'>部门说明：{e(item['note'])}</div>" if item["note"] else ""
        rows.append(f"<div class='card'><div>{e(item['name'])}</div>{dept}"
                    f"<div class='s {css}'>{e(item['status_label'])}</div>"
                    f"<div class='k'>{dates}</div>{note}</div>")
    summary = (f"<div class='card'><div class='k'>跟踪码</div><div>{e(view['tracking_code'])}</div>"
               f"<div class='k'>申请人</div><div>{e(view['applicant'])}</div>"
               f"<div class='k'>办理状态</div><div class='s'>{e(view['status_label'])}</div>"
               f"<div class='k'>受理日期</div><div>{e(view['accepted_on'])}</div>"
               + (f"<div class='k'>预计办结</div><div>{e(view['expected'])}</div>" if view["expected"] else "")
               + "</div>")
    body = f"<h1>{e(view['bundle'])}</h1>{summary}" + _after_counter_html(view) + (
        "".join(rows) if rows else "<div class='card'>尚未受理，暂无事项进度。</div>")
    from hall_app.server.public_rating import rating_form  # supervise (issue 11): 好差评 on the page

    body += rating_form(view)
    return _page(f"{view['bundle']} · 办件进度", body)
