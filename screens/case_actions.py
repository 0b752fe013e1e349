"""The case view's actions after the counter (issue 12, docs/dispatch.md): 补交容缺材料
(``s``), 补正 (``b``), 送达 (``h``) and 终止 / 撤销 (``t``), each in its dialog; what they
print goes through the usual print path. Mixed into CaseViewScreen (screens/case_view.py),
whose ``data``, ``case_id``, ``reload`` and message line they use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hall_app.domain.tracking import format_tracking_code
from screens.after_strings import CaseAfter as TA
from screens.print_worker import print_in_thread
from screens.roles import can
from screens.widgets.bars import MessageLine

if TYPE_CHECKING:
    from screens.app import HallApp

AFTER_ACTIONS = ("supply", "supplement", "hand_over", "terminate")


class CaseAfterActions:
    case_id: str
    data: dict[str, Any] | None
    _after_note: str

    if TYPE_CHECKING:
        hall_app: HallApp
        app: Any
        is_attached: bool

        def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...
        def reload(self) -> None: ...

    def after_allowed(self, action: str) -> bool:
        """Whether the window may take ``action`` on the case now (the key is offered)."""
        from hall_app.domain.dispatch import ACCEPTANCE_STATUSES

        role = self.hall_app.user.role if self.hall_app.user else None
        state = self.data["state"] if self.data else None
        if state is None or not can(role, "intake"):
            return False
        if action == "terminate":  # an overdue deferral, or a commitment found untrue (even once handed over)
            return bool(self.data and self.data.get("termination"))
        if state.status not in ACCEPTANCE_STATUSES + ("dispatched", "completed"):
            return False
        if action == "supplement":  # 补正: only while a department waits for material
            return any(item["status"] == "needs_material" for item in state.items.values())
        return bool(state.deferred) if action == "supply" else True  # 补交: only while something is due

    def action_supply(self) -> None:
        from screens.supply_dialog import SupplyDialog

        if self.data is None:
            return
        state = self.data["state"]

        def loaded(choices) -> None:
            if self.is_attached:
                self.app.push_screen(SupplyDialog(self.case_id, format_tracking_code(state.tracking_code), choices,
                                                  state.deferred_deadline), self._supplied)
            self.hall_app.release_keys()  # keys typed meanwhile go to the dialog

        self.hall_app.hold_keys()
        self.hall_app.db.submit(lambda ctx, case_id: ctx.dispatch.supply_choices(case_id), self.hall_app.ctx,
                                self.case_id, done=loaded, error=self._choices_failed, name="supply-choices")

    def _supplied(self, state) -> None:
        if state is None or not self.is_attached:
            return
        names = self.data["after"]["names"] if self.data else {}
        supplied = [c for c in (self.data["state"].deferred if self.data else []) if c not in state.deferred]
        fetched = {c for c in supplied if state.supplied.get(c, {}).get("via") == "elicence"}
        names = {c: names.get(c, c) + (TA.fetched if c in fetched else "") for c in supplied} | {
            c: names.get(c, c) for c in state.deferred}
        rest = TA.still_due.format(names="、".join(names.get(c, c) for c in state.deferred)) if state.deferred \
            else TA.all_supplied
        self._after_note = TA.supplied.format(name="、".join(names.get(c, c) for c in supplied), rest=rest)
        self.query_one("#message", MessageLine).say(self._after_note, "success")
        self._print_after(["supply"])

    def action_supplement(self) -> None:
        from screens.supplement_dialog import SupplementDialog

        if self.data is None:
            return
        code = format_tracking_code(self.data["state"].tracking_code)

        def loaded(choices) -> None:
            if self.is_attached and choices:
                self.app.push_screen(SupplementDialog(self.case_id, code, choices), self._supplemented)
            self.hall_app.release_keys()  # keys typed meanwhile go to the dialog

        self.hall_app.hold_keys()
        self.hall_app.db.submit(lambda ctx, case_id: ctx.dispatch.supplement_choices(case_id), self.hall_app.ctx,
                                self.case_id, done=loaded, error=self._choices_failed, name="supplement-choices")

    def _supplemented(self, result) -> None:
        from screens.after_strings import Supplement as TS

        if result is None or not self.is_attached or self.data is None:
            return
        item, state = result
        bundle = self.data["bundle"]
        name, dept = next(((i.name, i.department) for i in bundle.items if i.code == item), (item, ""))
        self.query_one("#message", MessageLine).say(
            TS.done.format(item=name, department=dept, due=state.items[item].get("due", "")), "success")
        self.hall_app.poke_sync()
        self.reload()

    def action_hand_over(self) -> None:
        from screens.hand_over import HandOverDialog

        if self.data is None:
            return
        if self.data["hand_over_problem"]:
            self.query_one("#message", MessageLine).say(self.data["hand_over_problem"], "error")
            return
        state = self.data["state"]
        proxy = str((state.proxy or {}).get("name", ""))
        self.app.push_screen(HandOverDialog(self.case_id, format_tracking_code(state.tracking_code), proxy),
                             self._handed_over)

    def _handed_over(self, state) -> None:
        from hall_app.domain.labels import HAND_OVER_METHODS

        if state is None or not self.is_attached:
            return
        method = state.handed_over.get("method", "")
        self._after_note = TA.handed_over.format(how=HAND_OVER_METHODS.get(method, ""))
        self.query_one("#message", MessageLine).say(self._after_note, "success")
        self.hall_app.poke_sync()
        if method == "window":
            self._print_after(["delivery"])  # 送达回证, signed by the collector
        else:
            self.reload()

    def _print_after(self, kinds: list[str]) -> None:
        user = self.hall_app.user.username if self.hall_app.user else ""
        self.reload()
        self.hall_app.db.background(print_in_thread, self.hall_app.ctx, self.case_id, user, kinds,
                                    done=self._printed_after, name="print-after")

    def _printed_after(self, printed) -> None:
        if not self.is_attached:
            return
        message = self.query_one("#message", MessageLine)
        failed = [p for p in printed if p.error]
        lines = "\n".join(p.line() for p in printed)
        message.say(f"{self._after_note}\n{lines}".strip(), "error" if failed else "success")
        self.reload()


    def action_terminate(self) -> None:
        """终止 an overdue deferral (as the signed 容缺受理承诺书 says), or 撤销 a case whose
        告知承诺 the post-check found untrue (a reason asked); the notice is printed."""
        from screens.after_strings import Terminate as TT
        from screens.dialogs import ReasonDialog

        if self.data is None or not self.data.get("termination"):
            return
        user = self.hall_app.user.username if self.hall_app.user else ""

        def write(kind: str, reason: str = "") -> None:
            def done(state) -> None:
                from hall_app.domain.dispatch import TERMINATION_KINDS

                self._after_note = TT.done_overdue.format(kind=TERMINATION_KINDS[kind]) if overdue else TT.done_revoke
                self.query_one("#message", MessageLine).say(self._after_note, "success")
                self.hall_app.poke_sync()
                self._print_after(["termination"])

            overdue = self.data is not None and self.data["termination"] == "overdue"
            call = (lambda ctx, cid: ctx.dispatch.terminate_overdue(cid, user, reason)) if overdue else (
                lambda ctx, cid: ctx.dispatch.revoke(cid, user, reason))
            self.hall_app.db.submit(call, self.hall_app.ctx, self.case_id, done=done,
                                    error=lambda m: self.query_one("#message", MessageLine).say(m, "error"),
                                    name="terminate")

        if self.data["termination"] == "overdue":  # as the bundle's 承诺书 says; the reason prefilled from it
            from hall_app.domain.dispatch import TERMINATION_KINDS

            kind = self.data["deferral"].on_overdue
            self.app.push_screen(ReasonDialog(TT.title_overdue.format(kind=TERMINATION_KINDS[kind]),
                                              TT.reason_overdue, value=self.data["overdue_reason"]),
                                 lambda answer: write(kind, answer[0]) if answer else None)
        else:
            self.app.push_screen(ReasonDialog(TT.title_revoke, TT.reason),
                                 lambda answer: write("revoke", answer[0]) if answer else None)
