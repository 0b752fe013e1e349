"""The case view's after-the-counter part: each department's state (已分发, 部门已接收,
办理中, 已办结, 不予批准, 需补正) with the time it took, the delivery, what a one-time
notice still waits for, and the follow-up flags. Read in the case view's load
(``after_in_thread``); shown by :class:`DepartmentsPane`."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from screens.after_strings import Departments as T
from screens.after_strings import NoticeReturn as TN
from screens.widgets.cjk import clip
from screens.widgets.tables import add_fixed_columns, fit_widths

STATUS_STYLE = {"done": "green", "rejected": "red", "needs_material": "yellow"}
COLUMNS = ((12, 10, None, 11, 14), ((12, 60),))  # the items' names stretch
LATE = "已超过承诺期限"  # domain/dispatch.py follow_up_flags: an item past its promised date


def after_in_thread(ctx, state) -> dict[str, Any]:
    """What the case view shows after the counter (in the database worker)."""
    if not state.items and not state.notices:
        return {"departments": [], "flags": [], "notice": [], "names": {}}
    dispatch = ctx.dispatch
    flags = dispatch.follow_ups_of(state, named=True)
    # what the window can act on first (补交, 补正, 送达, 核查不实); items merely late after them
    flags.sort(key=lambda flag: LATE in flag)
    return {"departments": dispatch.department_rows(state), "flags": flags,
            "notice": dispatch.notice_return(state), "names": dispatch.names(state)}


def _stamp(iso: str) -> str:
    return f"{iso[5:10]} {iso[11:16]}" if len(iso) >= 16 else iso


def took_text(row: dict[str, Any]) -> str:
    took = row.get("took", "")
    if took == "":
        return "—"
    if row["status"] == "done":
        return T.took_same_day if took == 0 else T.took_done.format(n=took)
    return T.took_running.format(n=took)


def notice_history(state, names: dict[str, str]) -> list[str]:
    """One line per one-time notice: when, its deadline, and for a further one the
    reason the clerk recorded and the materials it added (一次告知)."""
    out = []
    for n, notice in enumerate(state.notices, start=1):
        reason = TN.reason.format(text=notice["reason"]) if notice.get("reason") else ""
        added = notice.get("added") or []
        if added:
            reason += TN.added.format(names="、".join(names.get(code, code) for code in added))
        if reason or n == len(state.notices):  # the last, and any earlier one with a reason to show
            out.append(TN.notice.format(n=n, date=_stamp(str(notice.get("at", ""))),
                                        deadline=notice.get("deadline", ""), reason=reason))
    return out


class DepartmentsPane(Vertical):
    def compose(self) -> ComposeResult:
        yield Static(T.heading, classes="heading")
        yield DataTable(id="case-depts", cursor_type="row")
        yield Static("", id="case-after", markup=False)

    def show(self, state, after: dict[str, Any]) -> None:
        rows = after["departments"]
        table = self.query_one("#case-depts", DataTable)
        widths = fit_widths(max(self.size.width, 60), *COLUMNS)
        table.clear(columns=True)
        add_fixed_columns(table, T.cols, tuple(widths))
        names = after["names"]
        for row in rows:
            items = "、".join(names.get(code, code) for code in row["items"])
            label = T.not_sent if row["status"] == "sent" and not row["sent"] else row["label"]
            table.add_row(clip(row["department"], widths[0]), Text(label, style=STATUS_STYLE.get(row["status"], "")),
                          clip(items, widths[2]), _stamp(row["updated"]) or "—", took_text(row))
        table.styles.height = len(rows) + 1
        table.display = bool(rows)
        self.query_one(".heading", Static).display = bool(rows)
        lines = Text()
        if state.handed_over:
            from hall_app.domain.labels import HAND_OVER_METHODS

            h = state.handed_over
            waybill = T.waybill.format(number=h["waybill"]) if h.get("waybill") else ""
            lines.append(T.delivered.format(how=HAND_OVER_METHODS.get(h.get("method", ""), ""), waybill=waybill,
                                            at=_stamp(str(h.get("at", "")))) + "\n", style="green")
        for line in notice_history(state, names):
            lines.append(line + "\n")
        waiting = [name for _code, name, ready in after["notice"] if not ready]
        ready = [name for _code, name, ready in after["notice"] if ready]
        if after["notice"]:
            lines.append(TN.waiting.format(names="、".join(waiting) or TN.nothing), style="bold yellow")
            lines.append((TN.ready.format(names="、".join(ready)) if ready else "") + "\n")
            from screens.keymap import prose_by_id

            lines.append(TN.resume_hint.format(key=prose_by_id("case.resume", "e")) + "\n", style="bold")
        for flag in after["flags"]:
            if after["notice"] and flag.startswith(TN.pending_flag):
                continue  # the line above says it, by name

            lines.append(T.flag.format(text=flag) + "\n", style="bold yellow")
        lines.rstrip()
        after_line = self.query_one("#case-after", Static)
        after_line.update(lines)
        after_line.display = bool(lines.plain)
        self.display = bool(rows) or bool(lines.plain)
