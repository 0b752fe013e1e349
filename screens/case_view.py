"""Case view (办件详情): the event timeline (who, when, what), item statuses,
documents with reprint, and the sync conflict flag (needs_review, anomalies)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from hall_app.domain.case import EDITABLE, ITEM_STATUS_LABELS, review_lines
from hall_app.domain.case_describe import describe_event, event_label
from hall_app.domain.documents import documents_for
from hall_app.domain.labels import DOCUMENT_KINDS
from hall_app.domain.tracking import format_tracking_code
from screens.after_strings import CaseAfter as TA
from screens.after_strings import Terminate as TerminateText
from screens.agent_strings import CaseScan as TS
from screens.case_actions import AFTER_ACTIONS, CaseAfterActions
from screens.case_departments import DepartmentsPane, after_in_thread
from screens.print_worker import print_in_thread
from screens.roles import can
from screens.strings import CaseView as T
from screens.supervise_strings import RatePad as RatePadText
from screens.widgets.bars import MessageLine, StatusBar, TitleBar
from screens.widgets.cjk import clip
from screens.widgets.keybar import KeyBar
from screens.widgets.tables import add_fixed_columns

if TYPE_CHECKING:
    from screens.app import HallApp


def mark_reviewed_in_thread(ctx, case_id: str, user: str, note: str):
    return ctx.cases.mark_reviewed(case_id, user, note)


def load_in_thread(ctx, case_id: str) -> dict[str, Any]:
    state = ctx.cases.get(case_id)
    bundle = ctx.catalog_service.bundle_for(state.bundle_code, state.bundle_hash)
    return {"state": state, "bundle": bundle, "timeline": ctx.cases.timeline(case_id),
            "after": after_in_thread(ctx, state), "hand_over_problem": ctx.handover.problem(state),
            "termination": termination_in(ctx, state), "deferral": ctx.dispatch.deferral_stage(state),
            "overdue_reason": ctx.dispatch.overdue_reason(state) if state.deferred else ""}


def scan_in_thread(ctx, auth_id: str, user: str, thumbprint: str):
    return ctx.scans.show(auth_id, user, thumbprint)


def hall_minute(stamp: str) -> str:
    """A stamp to the minute in the hall's time: the server writes its events (dispatch,
    department reports) in UTC, devices in +08:00."""
    from hall_app.domain.calendar import in_china

    return in_china(stamp)[:16].replace("T", " ")


def termination_in(ctx, state) -> str | None:
    """What 终止/撤销 the window may record now: ``overdue`` (a deferral reminded and past
    its grace days, as the bundle's 承诺书 says: domain/deferral.py), ``revoke`` (a 告知承诺
    item the post-check found untrue), or None."""
    if state.status in ("terminated", "voided", "refused"):
        return None
    st = ctx.dispatch.deferral_stage(state)
    if st is not None and st.stage == "consequence":
        return "overdue"
    if any(check.get("result") == "failed" for check in state.checks.values()):
        return "revoke"
    return None


class CaseViewScreen(CaseAfterActions, Screen):
    CSS_PATH = "case_view.tcss"
    BINDINGS = [
        Binding("escape", "back", T.back, id="case.back"),
        Binding("r", "reprint", T.reprint, id="case.reprint"),
        Binding("e", "resume", T.resume, id="case.resume"),
        Binding("k", "mark_reviewed", T.mark_reviewed, id="case.reviewed"),
        Binding("v", "rate_pad", RatePadText.open_key, id="case.rate_pad"),  # supervise (issue 11)
        Binding("s", "supply", TA.supply, id="case.supply"),  # after the counter (issue 12)
        Binding("b", "supplement", TA.supplement, id="case.supplement"),
        Binding("h", "hand_over", TA.hand_over, id="case.hand_over"),
        Binding("t", "terminate", TerminateText.key, id="case.terminate"),
        Binding("a", "scan", TS.key, id="case.scan"),  # agents (issue 13): the signed authorisation's scan
    ]

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.data: dict[str, Any] | None = None
        self._after_note = ""  # what the last 补交 / 送达 said, kept above its print lines
        # Keys typed right after the case was asked for (a scanned code, Enter, then "h")
        # wait for it: held from now, as the workbench lets go of them before this mounts.
        self._holding = False
        try:
            self.hall_app.hold_keys()
            self._holding = True
        except Exception:  # made outside a running app (nothing to hold)
            pass

    @property
    def hall_app(self) -> "HallApp":
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield TitleBar(T.title, id="case-title")
        yield Static("", id="case-summary", markup=False)
        yield Static("", id="case-review", classes="warning", markup=False)
        with Horizontal(id="case-top"):
            with Vertical(id="case-items-pane"):
                yield Static(T.items, classes="heading")
                yield DataTable(id="case-items", cursor_type="row")
            with Vertical(id="case-docs-pane"):
                yield Static(T.docs, classes="heading")
                yield DataTable(id="case-docs", cursor_type="row")
        yield DepartmentsPane(id="case-depts-pane")
        yield Static(T.timeline, classes="heading")
        yield DataTable(id="case-timeline", cursor_type="row", zebra_stripes=True)
        yield MessageLine(id="message")
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        add_fixed_columns(self.query_one("#case-items", DataTable), T.item_cols, (16, 12, 10, 5))
        add_fixed_columns(self.query_one("#case-docs", DataTable), T.doc_cols, (14, 5, 5, 20))
        add_fixed_columns(self.query_one("#case-timeline", DataTable), T.timeline_cols, (11, 10, 10, 60))
        self.query_one("#case-timeline", DataTable).focus()
        self.reload()

    def on_resize(self) -> None:
        self.set_class(self.size.height < 36, "-short")  # 80x24: room for the departments and the timeline

    def reload(self) -> None:
        """Load the case; keys typed meanwhile (``h`` right after the case opened) wait for it."""
        if not self._holding:
            self.hall_app.hold_keys()
            self._holding = True
        self.hall_app.db.submit(load_in_thread, self.hall_app.ctx, self.case_id, done=self._loaded,
                                error=self._load_failed, name="case-view")

    def _let_go(self) -> None:
        if self._holding:
            self._holding = False
            self.hall_app.release_keys()

    def _loaded(self, data: dict[str, Any]) -> None:
        try:
            self.show(data)
        finally:
            self._let_go()

    def _choices_failed(self, message: str) -> None:
        self.hall_app.release_keys()
        if self.is_attached:
            self.query_one("#message", MessageLine).say(message, "error")

    def _load_failed(self, message: str) -> None:
        self._let_go()
        if self.is_attached:
            self.query_one("#message", MessageLine).say(message, "error")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "mark_reviewed":
            role = self.hall_app.user.role if self.hall_app.user else None
            return bool(self.data and self.data["state"].needs_review and can(role, "review"))
        if action == "rate_pad":  # supervise (issue 11): handed over or refused, not yet rated
            from hall_app.services.ratings import RATEABLE

            return bool(self.data and self.data["state"].status in RATEABLE)
        if action == "scan":  # a proxy case whose signed paper came back with a scan
            return bool(self.data and (self.data["state"].authorisation or {}).get("thumbprint"))
        if action in AFTER_ACTIONS:  # after the counter (screens/case_actions.py)
            return self.after_allowed(action)
        if action == "resume":
            role = self.hall_app.user.role if self.hall_app.user else None
            return bool(self.data and self.data["state"].status in EDITABLE and can(role, "intake"))
        return True

    def show(self, data: dict[str, Any]) -> None:
        if not self.is_attached:
            return
        self.data = data
        state, bundle = data["state"], data["bundle"]
        self.query_one("#case-title", TitleBar).update(f"{T.title} · {format_tracking_code(state.tracking_code)}")
        decided = hall_minute(state.decided_at) if state.decided_at else "—"
        self.query_one("#case-summary", Static).update(
            T.summary.format(bundle=bundle.name, status=state.status_label, name=state.applicant_name or "—",
                             window=state.window, clerk=state.claimed_by or state.created_by) + "\n"
            + T.created.format(created=hall_minute(state.created_at), updated=hall_minute(state.updated_at),
                               decided=decided))
        review = self.query_one("#case-review", Static)
        lines = []
        if state.needs_review:
            lines.append(T.review)
            lines += review_lines(state)
        for done in state.reviews:
            lines.append(T.reviewed.format(note=done["note"], by=done["by"], at=done["at"][:16].replace("T", " ")))
        review.update("\n".join(lines))
        review.display = bool(lines)
        items = self.query_one("#case-items", DataTable)
        items.clear()
        names = {i.code: (i.name, i.department) for i in bundle.items}
        for code, item in state.items.items():
            name, dept = names.get(code, (code, ""))
            items.add_row(clip(name, 16), clip(dept, 12), ITEM_STATUS_LABELS.get(item["status"], item["status"]),
                          item.get("due", "")[5:])
        docs = self.query_one("#case-docs", DataTable)
        docs.clear()
        for n, doc in enumerate(state.documents):
            result = Text(f"✗ {clip(doc['error'], 24)}", style="red") if doc.get("error") else Text(
                "✓ " + (doc.get("printer") or "PDF"), style="green")
            docs.add_row(DOCUMENT_KINDS.get(doc["kind"], doc["kind"]), doc.get("at", "")[11:16],
                         doc.get("paper", ""), result, key=f"{n}:{doc['kind']}")
        timeline = self.query_one("#case-timeline", DataTable)
        timeline.clear()
        for event in data["timeline"]:
            timeline.add_row(event["time"][5:16].replace("T", " "), clip(event["actor"], 10),
                             event_label(event["type"]),
                             clip(describe_event(event["type"], event["payload"], bundle), 60))
        self.query_one(DepartmentsPane).show(state, data["after"])
        self.refresh_bindings()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reprint(self) -> None:
        if self.data is None:
            return
        state = self.data["state"]
        docs = self.query_one("#case-docs", DataTable)
        kinds: list[str]
        if self.focused is docs and docs.row_count:
            key = docs.coordinate_to_cell_key(docs.cursor_coordinate).row_key.value or ""
            kinds = [key.split(":", 1)[1]]
        else:
            kinds = documents_for(state)
        if not kinds:
            self.query_one("#message", MessageLine).say(T.no_print, "warning")
            return
        user = self.hall_app.user.username if self.hall_app.user else ""
        self.query_one("#message", MessageLine).say("正在打印…")
        self.hall_app.db.background(print_in_thread, self.hall_app.ctx, self.case_id, user, kinds,
                                    done=self._printed, name="reprint")

    def _printed(self, printed) -> None:
        if not self.is_attached:
            return
        failed = [p for p in printed if p.error]
        self.query_one("#message", MessageLine).say(
            "\n".join(p.line() for p in printed), "error" if failed else "success")
        self.reload()

    def action_scan(self) -> None:
        """Show where the scan of the signed 授权委托书 is, fetching it from the server
        once when this device does not hold it (the agent's other laptop, the hall)."""
        copy = (self.data["state"].authorisation or {}) if self.data else {}
        if not copy.get("thumbprint"):
            return
        user = self.hall_app.user.username if self.hall_app.user else ""
        self.query_one("#message", MessageLine).say(TS.fetching)
        self.hall_app.db.background(scan_in_thread, self.hall_app.ctx, copy.get("auth_id", ""), user,
                                    copy["thumbprint"], done=self._scan_shown, error=self._load_failed,
                                    name="case-scan")

    def _scan_shown(self, shown) -> None:
        if not self.is_attached:
            return
        copy, where = shown
        self.query_one("#message", MessageLine).say(
            TS.shown.format(what=copy.describe(), where=where) + (TS.fetched if copy.fetched else ""), "success")

    def action_mark_reviewed(self) -> None:
        from screens.dialogs import ReasonDialog

        def answered(result: tuple[str, str] | None) -> None:
            if result and result[0].strip():
                user = self.hall_app.user.username if self.hall_app.user else ""
                self.hall_app.db.submit(mark_reviewed_in_thread, self.hall_app.ctx, self.case_id, user, result[0],
                                        done=self._reviewed, name="reviewed")

        self.app.push_screen(ReasonDialog(T.review_title, T.review_note, None), answered)

    def _reviewed(self, _state) -> None:
        if self.is_attached:
            self.query_one("#message", MessageLine).say(T.review_done, "success")
            self.reload()

    def action_rate_pad(self) -> None:  # supervise (issue 11)
        from screens.rate_pad import RatePadScreen

        if self.data is None:
            return

        def done(result: dict[str, Any] | None) -> None:
            message = self.query_one("#message", MessageLine)
            if result is None:
                message.say(RatePadText.unrated, "warning")
                return
            text = RatePadText.thanks.format(label=result["label"])
            if result["follow_up_due"]:
                text += "；" + RatePadText.follow_up.format(due=result["follow_up_due"])
            message.say(text, "success")
            self.reload()

        self.app.push_screen(RatePadScreen(self.case_id, self.data["state"].tracking_code), done)

    def action_resume(self) -> None:
        self.app.pop_screen()
        self.hall_app.resume_case(self.case_id)
