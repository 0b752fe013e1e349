"""After the counter (数据分发 / 数据回流): packages per department, the item-by-item
life after acceptance, the clerk's follow-up flags. Pure: no database, no server.

An item after acceptance moves through

    待受理/已分发 → 部门已接收 → 办理中 ⇄ 需补正 → 已补正 → 办理中 … → 已批准 → 已办结
                                                                        ↘ 不予批准

``需补正`` (needs_material) is the department sending the item back for a
supplement (补正): the window records what the applicant brought (``已补正``,
case.supplemented) and the item goes back to the department, its deadline moved by
the working days the department waited. A step backwards (已批准 → 部门已接收) or
out of a final status is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from hall_app.domain.calendar import CHINA
from hall_app.domain.case_state import ITEM_FINAL, ITEM_STATUS_LABELS, CaseError, CaseState

if TYPE_CHECKING:
    from hall_app.domain.bundle import Bundle
    from hall_app.domain.deferral import DeferralStage

# How far along an item is; a department's report may not go back (same rank is fine:
# 办理中 → 需补正 → 已补正 → 办理中 are one stage, "being handled").
RANK = {"pending": 0, "dispatched": 0, "received": 1, "in_progress": 2, "needs_material": 2, "supplemented": 2,
        "approved": 3, "rejected": 4, "completed": 4}
# What a department may report from a status waiting for the applicant's supplement.
FROM_NEEDS_MATERIAL = ("rejected", "needs_material")
ACCEPTANCE_STATUSES = ("accepted", "accepted_deferred")
WAITING_STATUSES = ("accepted", "accepted_deferred", "dispatched")  # the departments still work


def _label(status: str) -> str:
    return ITEM_STATUS_LABELS.get(status, status)


def check_item_step(item: str, current: str, target: str) -> None:
    """A department's report ``target`` for an item now at ``current``."""
    if current in ITEM_FINAL:
        raise CaseError(f"事项 {item} 已有最终结果，不能改写")
    if current == "needs_material" and target not in FROM_NEEDS_MATERIAL:
        raise CaseError(f"事项 {item} 正等待申请人补正材料；窗口登记补正后才能继续办理")
    if RANK.get(target, 0) < RANK.get(current, 0):
        raise CaseError(f"事项 {item} 已是“{_label(current)}”，不能退回“{_label(target)}”")


def check_supplement(state: CaseState, item: Any, materials: Any) -> None:
    """The window records the supplement a department asked for: the item must be waiting."""
    if item not in state.items:
        raise CaseError(f"本办件没有事项 {item}")
    if state.items[item]["status"] != "needs_material":
        raise CaseError(f"事项 {item} 当前为“{_label(state.items[item]['status'])}”，没有待补正的材料")
    if not isinstance(materials, list) or not materials:
        raise CaseError("请写明申请人补交了哪些材料")


# -- packages (数据分发): one per department, holding only what its items need ----------------
def departments(bundle: Bundle, items: list[str]) -> dict[str, list[str]]:
    """Department → its items among ``items`` (the case's), in bundle order."""
    out: dict[str, list[str]] = {}
    for item in bundle.items:
        if item.code in items:
            out.setdefault(item.department, []).append(item.code)
    return out


def package(bundle: Bundle, state: CaseState, department: str) -> dict[str, Any]:
    """What ``department`` receives of the case: its items, the form fields whose bundle
    entry names one of them, the materials they need (handed in, deferred, e-licence),
    and who applied (the applicant's identity is needed by every department). Nothing
    that only another department's items use (data minimisation, per field)."""
    own = [i for i in bundle.items if i.department == department and i.code in state.items]
    codes = {i.code for i in own}
    fields = {f.key: state.fields[f.key] for f in bundle.fields
              if codes.intersection(f.items) and state.fields.get(f.key) not in (None, "")}
    materials = []
    for m in bundle.materials:
        if not codes.intersection(m.items):
            continue
        mark = state.marks.get(m.code, "")
        if m.code in state.deferred:
            mark = "deferred"
        materials.append({"code": m.code, "name": m.name, "status": mark or ("elicence" if m.elicence else ""),
                          "elicence": m.elicence or ""})
    items = [{"code": i.code, "name": i.name, "status": state.items[i.code]["status"],
              "due": state.items[i.code].get("due", ""), "note": state.items[i.code].get("note", ""),
              "commitment": bool(state.items[i.code].get("commitment"))} for i in own]
    return {"department": department, "tracking_code": state.tracking_code, "bundle_code": state.bundle_code,
            "case_id": state.case_id, "hall": state.hall, "status": package_status(state, codes),
            "applicant": {k: v for k, v in state.applicant.items() if k in ("name", "id_number", "uscc",
                                                                          "firm_name")},
            "items": items, "fields": fields, "materials": materials}


def package_status(state: CaseState, codes: set[str]) -> str:
    """One word for a department's share of the case, for the clerk and the inbox."""
    statuses = [state.items[c]["status"] for c in codes if c in state.items]
    if not statuses:
        return "none"
    if "needs_material" in statuses:
        return "needs_material"
    if "rejected" in statuses:
        return "rejected"
    if all(s in ITEM_FINAL for s in statuses):
        return "done"
    if all(s in ("pending", "dispatched") for s in statuses):
        return "sent"
    if any(s in ("in_progress", "supplemented", "approved") for s in statuses):
        return "in_progress"
    return "received"


PACKAGE_LABELS = {"sent": "已分发", "received": "部门已接收", "in_progress": "办理中", "done": "已办结",
                  "rejected": "不予批准", "needs_material": "需补正", "none": "—"}


def department_rows(bundle: Bundle, state: CaseState) -> list[dict[str, Any]]:
    """Per department: its state, its items, the latest report, days taken (for the clerk
    and, without notes' personal data, the tracking page)."""
    rows = []
    for dept, codes in departments(bundle, list(state.items)).items():
        status = package_status(state, set(codes))
        stamps = [hall_time(state.items[c].get("at")) for c in codes if state.items[c].get("at")]
        sent = [hall_time(state.items[c].get("sent")) for c in codes if state.items[c].get("sent")]
        rows.append({"department": dept, "status": status, "label": PACKAGE_LABELS[status], "items": codes,
                     "updated": max(stamps, default=""), "sent": min(sent, default=""),
                     "due": max((str(state.items[c].get("due", "")) for c in codes), default="")})
    return rows


def hall_time(stamp: Any) -> str:
    """A device's or the server's timestamp in the hall's time (UTC+8), so times written
    by the server (UTC) and by devices compare and read alike; unreadable: as given."""
    try:
        moment = dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp or "")
    if moment.tzinfo is None:
        return moment.isoformat(timespec="seconds")
    return moment.astimezone(CHINA).isoformat(timespec="seconds")


# -- the clerk's follow-up flags ------------------------------------------------------------
def parse_day(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def follow_up_flags(state: CaseState, today: dt.date, names: dict[str, str] | None = None,
                    deferral: DeferralStage | None = None) -> list[str]:
    """What the clerk must act on for this case, one Chinese line each. ``names``: the
    bundle's item and material names by code (the clerk's screen); without, the codes.
    ``deferral``: the deferral's stage under the bundle's policy (domain/deferral.py);
    without, only the deadline is compared."""
    flags: list[str] = []
    names = names or {}

    def n(code: str) -> str:
        return names.get(code, code)

    if state.status in ("terminated", "voided", "refused"):
        return flags
    for code, item in state.items.items() if state.status in WAITING_STATUSES else ():
        if item["status"] == "needs_material":
            flags.append(f"事项 {n(code)} 需补正：{item.get('note', '')}")
        elif item["status"] == "rejected":
            flags.append(f"事项 {n(code)} 不予批准：{item.get('note', '')}")
        elif item["status"] not in ITEM_FINAL and (due := parse_day(item.get("due"))) and due < today:
            flags.append(f"事项 {n(code)} 已超过承诺期限（{due.isoformat()}）")
    if state.deferred and deferral is not None:
        from hall_app.domain.deferral import flag

        # first when the window has a step to take on it (the list shows the first flag)
        flags.insert(0 if deferral.action else len(flags), flag(deferral, "、".join(map(n, state.deferred))))
    elif state.deferred:
        deadline = parse_day(state.deferred_deadline)
        if deadline and deadline < today:
            flags.append(f"容缺材料逾期未补交（期限 {deadline.isoformat()}）：{'、'.join(map(n, state.deferred))}")
        elif deadline:
            flags.append(f"容缺材料待补交（期限 {deadline.isoformat()}）：{'、'.join(map(n, state.deferred))}")
    if state.status == "notice_issued" and state.notices:
        deadline = parse_day(state.notices[-1].get("deadline"))
        if deadline and deadline < today:
            flags.append(f"一次性告知期限已过（{deadline.isoformat()}），申请人未补齐材料")
        elif deadline:
            flags.append(f"一次性告知待补齐（期限 {deadline.isoformat()}）："
                         f"{'、'.join(map(n, state.notices[-1].get('missing', [])))}")
    for code, check in state.checks.items():
        if check.get("result") == "failed" and state.status != "terminated":
            flags.append(f"事项 {n(code)} 告知承诺核查不实：{check.get('note', '')}")
    if state.status == "completed":
        flags.append("办理结果已全部返回，待送达")
    return flags


def notice_return_codes(state: CaseState, missing_now: list[str]) -> list[str]:
    """What a citizen back after a one-time notice is checked for: the last notice's
    materials, then any missing now that it did not name (a further notice naming one
    of those needs the reason why: case_rules.check_notice). [] unless notice_issued."""
    if state.status != "notice_issued" or not state.notices:
        return []
    last = [code for code in state.notices[-1].get("missing", []) if isinstance(code, str)]
    return last + [code for code in missing_now if code not in last]


def deferral_overdue(state: CaseState, today: dt.date) -> bool:
    deadline = parse_day(state.deferred_deadline)
    return bool(state.deferred) and deadline is not None and deadline < today


# -- hand-over (送达) -----------------------------------------------------------------------
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def check_waybill(raw: Any) -> str:
    """An EMS waybill number as typed: UPU S10 (EA123456785CN, with its check digit) or
    the 13-digit domestic form; returns it normalised (upper case, no blanks)."""
    from hall_app.domain.text import compact

    text = compact(raw if isinstance(raw, str) else "").upper().replace(" ", "")
    if len(text) == 13 and text.isdigit() and text.isascii():
        return text
    if len(text) == 13 and text[:2].isalpha() and text[11:].isalpha() and text[2:11].isdigit() and text.isascii():
        digits = [int(c) for c in text[2:10]]
        check = 11 - sum(d * w for d, w in zip(digits, S10_WEIGHTS)) % 11
        check = 5 if check == 11 else 0 if check == 10 else check
        if check == int(text[10]):
            return text
        raise CaseError(f"邮件号 {text} 的校验位不对，请核对面单")
    raise CaseError("邮件号格式应为 13 位：如 EA123456785CN（两字母、九位数字、两字母）或 13 位数字")


def check_terminate(kind: Any, reason: Any) -> None:
    if kind not in TERMINATION_KINDS:
        raise CaseError("终止方式应为 terminate（终止办理）或 revoke（撤销）")
    if not isinstance(reason, str) or not reason.strip():
        raise CaseError("终止或撤销必须写明理由")


TERMINATION_KINDS = {"terminate": "终止办理", "revoke": "撤销"}
CHECK_RESULTS = {"passed": "核查通过", "failed": "核查不实"}
