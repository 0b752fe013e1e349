"""Step 8 · decision: accept → receipt; anything required missing → the one-time
notice; only deferrable materials missing → accept with deferral and commitment;
out of scope → refusal with reason. Each decision prints in a worker and shows what
was printed; reprint is one key; a printer failure never blocks the decision."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from hall_app.domain.case import EDITABLE
from hall_app.domain.decisions import needs_reason
from hall_app.domain.documents import documents_for
from hall_app.domain.tracking import format_tracking_code
from screens.after_strings import Pledge as TP
from screens.intake.base import StepPane
from screens.print_worker import print_in_thread
from screens.strings import Decision as T
from screens.widgets.paint import repaint

ORDER = ("accept", "defer", "notice", "refuse")
PLEDGE = "pledge"  # 告知承诺受理: offered when the plan has items the bundle marks eligible


def load_in_thread(ctx, case_id: str):
    return ctx.cases.review(case_id)


def decide_in_thread(ctx, case_id: str, username: str, kind: str, reason: str = "", basis: str = "",
                     commitments: tuple[str, ...] = ()):
    cases = ctx.cases
    if kind == "accept":
        cases.accept(case_id, username)
    elif kind == PLEDGE:
        cases.accept(case_id, username, commitments=commitments)
    elif kind == "defer":
        cases.defer(case_id, username)
    elif kind == "notice":
        cases.issue_notice(case_id, username, reason)
    else:
        cases.refuse(case_id, username, reason, basis)
    return cases.review(case_id)


def unavailable(review) -> dict[str, str | None]:
    """Why each decision cannot be taken now (None: it can): the domain's headline. The
    告知承诺 path is an acceptance: it can be taken when 受理 can."""
    out = {kind: (None if option.available else option.headline or "；".join(option.reasons[:1]))
           for kind, option in review.options.items()}
    return out | ({PLEDGE: out.get("accept")} if pledgeable(review) else {})


def pledgeable(review) -> list:
    """The plan's items the bundle marks eligible for 告知承诺 (``commitment = true``)."""
    return [p.item for p in review.plan.items if getattr(p.item, "commitment", False)] if review else []


class OptionBox(Vertical, can_focus=True):
    """Holds the focus; the step's bindings choose."""


class DecisionStep(StepPane):
    STEP = "decision"
    BINDINGS = [
        Binding("1", "pick(1)", T.options["accept"][0], id="decision.accept"),
        Binding("2", "pick(2)", T.options["defer"][0], id="decision.defer"),
        Binding("3", "pick(3)", T.options["notice"][0], id="decision.notice"),
        Binding("4", "pick(4)", T.options["refuse"][0], id="decision.refuse"),
        Binding("5", "pick(5)", TP.key, id="decision.pledge"),
        Binding("up", "move(-1)", id="decision.up", show=False),
        Binding("down", "move(1)", id="decision.down", show=False),
        Binding("enter", "execute", T.execute, id="decision.execute"),
        Binding("enter", "finish", T.finish, id="decision.finish"),
        Binding("r", "reprint", T.reprint, id="decision.reprint"),
        Binding("v", "view", T.view, id="decision.view"),
    ]

    def __init__(self, intake) -> None:
        super().__init__(intake)
        self.review = None
        self.cursor = "accept"
        self.blocked: dict[str, str | None] = {}
        self.busy = False
        self.printed: list = []
        self.printing = False
        self._shown: dict[str, object] = {}  # what each text shows (see _put)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="decision-scroll"):
            yield Static("", id="decision-head", classes="heading")
            with OptionBox(id="decision-options"):
                for kind in (*ORDER, PLEDGE):
                    yield Static("", id=f"opt-{kind}", classes="decision-option")
            yield Static("", id="decision-result")
            yield Static("", id="print-lines", markup=False)

    def focus_first(self) -> None:
        self.query_one("#decision-options").focus()

    def on_descendant_blur(self) -> None:
        if self.decided:
            self.call_after_refresh(self._keep_focus)

    def _keep_focus(self) -> None:
        if self.is_attached and self.screen.focused is None:
            self.query_one("#decision-scroll").focus()

    @property
    def decided(self) -> bool:
        return self.review is not None and self.review.state.status not in EDITABLE

    @property
    def order(self) -> tuple[str, ...]:
        return (*ORDER, PLEDGE) if pledgeable(self.review) else ORDER

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick" and parameters and parameters[0] == 5:
            return not self.decided and bool(pledgeable(self.review))
        if action in ("pick", "move", "execute"):
            return not self.decided
        if action == "finish":
            return self.decided
        if action == "reprint":
            return self.review is not None and bool(documents_for(self.review.state))
        if action == "view":
            return self.case_id is not None
        return True

    def load(self):
        return load_in_thread(self.ctx, self.case_id)

    def show(self, review) -> None:
        self.review = review
        self.intake.update_state(review.state)
        self.blocked = unavailable(review)
        if self.decided and self.display and self.screen.focused is None:
            self.query_one("#decision-scroll").focus()
        if not self.busy and review.state.status in EDITABLE:
            self.cursor = review.suggested if review.suggested in ORDER else "accept"
        self._draw()
        self.refresh_bindings()

    def _draw(self) -> None:
        review = self.review
        if review is None:
            return
        state = review.state
        options = self.query_one("#decision-options")
        options.display = not self.decided
        if self.decided:
            self._put("#decision-head", T.done.format(status=state.status_label,
                                                      code=format_tracking_code(state.tracking_code)))
        else:
            from screens.intake.review import suggestion

            extra = f"　（已出具一次性告知书 {len(state.notices)} 次）" if state.notices else ""
            blocked = self.blocked.get(review.suggested)
            self._put("#decision-head", (suggestion(review, self.key("intake.prev")) if blocked else T.suggested.format(
                label=T.options.get(review.suggested, ("", ""))[0], key=self.key("decision.execute"))) + extra)
            self.query_one(f"#opt-{PLEDGE}").display = PLEDGE in self.order
            for n, kind in enumerate(self.order, start=1):
                name, what = T.options[kind] if kind != PLEDGE else (
                    TP.option[0], TP.option[1].format(items="、".join(i.name for i in pledgeable(review))))
                text = Text()
                cursor = kind == self.cursor
                text.append("▶ " if cursor else "  ", style="bold")
                text.append(f"{n} {name}", style="bold reverse" if cursor else "bold")
                text.append(f"　{what}")
                why = self.blocked.get(kind)
                if why:
                    text.append("\n      " + T.unavailable.format(why=why), style="dim")
                self._put(f"#opt-{kind}", text)
                self.query_one(f"#opt-{kind}").set_class(bool(why), "-blocked")
        self._put("#decision-result", self._result_text())
        self._draw_prints()

    def _put(self, selector: str, content) -> None:
        """Show ``content`` in one of the step's texts: nothing if it shows it already, no
        layout if its height stays (a move repaints two options, not the screen)."""
        if self._shown.get(selector) != content:
            self._shown[selector] = content
            repaint(self.query_one(selector, Static), content)

    def _result_text(self) -> Text:
        text = Text()
        if not self.decided or self.review is None:
            return text
        state = self.review.state
        dues = [item.get("due", "") for item in state.items.values() if item.get("due")]
        if dues:
            text.append(T.expected.format(date=max(dues)) + "\n")
        if state.deferred_deadline:
            text.append(T.deadline.format(date=state.deferred_deadline) + "\n")
        checks = [str(item["commitment"]) for item in state.items.values() if item.get("commitment")]
        if checks:
            text.append(TP.check_due.format(date=max(checks)) + "\n")
        if state.notices and state.status == "notice_issued":
            text.append(T.deadline.format(date=state.notices[-1].get("deadline", "")) + "\n")
        for warning in state.decision.get("warnings", []):
            text.append(f"⚠ {warning}\n", style="yellow")
        return text

    def _draw_prints(self) -> None:
        lines = [p.line() for p in self.printed]
        if self.printing:
            lines.append(T.printing.format(doc="…"))
        elif not lines and self.review is not None:
            lines = [p_line for p_line in self._history()]
        widget = self.query_one("#print-lines", Static)
        self._put("#print-lines", "\n".join(lines))
        widget.set_class(any(p.error for p in self.printed), "-failed")

    def _history(self) -> list[str]:
        from screens.print_worker import Printed

        docs = self.review.state.documents if self.review else []
        return [Printed(d.get("kind", ""), d.get("path", ""), d.get("printer", ""), d.get("error") or None).line()
                for d in docs[-4:]]

    # -- keys --------------------------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        order = self.order
        index = order.index(self.cursor) if self.cursor in order else 0
        self.cursor = order[max(0, min(len(order) - 1, index + delta))]
        self._draw()

    def action_pick(self, n: int) -> None:
        if n > len(self.order):
            return
        self.cursor = self.order[n - 1]
        self._draw()
        self.action_execute()

    def action_execute(self) -> None:
        if self.review is None or self.busy or not self.case_id:
            return
        kind = self.cursor
        state = self.review.state
        if kind == "refuse":
            self._ask_reason(kind, T.refuse_title, T.refuse_reason, T.refuse_basis)
        elif kind == "notice" and needs_reason(kind, state, [m.material.code for m in self.review.plan.missing]):
            self._ask_notice_reason()
        elif kind == PLEDGE:
            self._decide(kind, commitments=tuple(item.code for item in pledgeable(self.review)))
        else:
            self._decide(kind)

    def _ask_reason(self, kind: str, title: str, reason: str, basis: str | None) -> None:
        from screens.dialogs import ReasonDialog

        def answered(result: tuple[str, str] | None) -> None:
            if result:
                self._decide(kind, *result)

        self.app.push_screen(ReasonDialog(title, reason, basis), answered)

    def _ask_notice_reason(self, value: str = "", error: str = "") -> None:
        """一次告知: a further notice naming materials no earlier one named asks why; a
        refusal reopens the dialog with what was typed and the reason it was refused."""
        from hall_app.domain.case_rules import notice_named
        from screens.after_strings import NoticeReturn as TN
        from screens.dialogs import ReasonDialog

        if self.review is None:
            return
        named = set(notice_named(self.review.state))
        added = "、".join(m.material.name for m in self.review.plan.missing if m.material.code not in named)

        def answered(result: tuple[str, str] | None) -> None:
            if result:
                self._decide("notice", result[0], on_error=lambda message: self._ask_notice_reason(result[0], message))

        self.app.push_screen(ReasonDialog(TN.again_title.format(names=added), TN.again_reason, None, value=value,
                                          error=error), answered)

    def _decide(self, kind: str, reason: str = "", basis: str = "", commitments: tuple[str, ...] = (),
                on_error=None) -> None:
        self.busy = True
        self.hall_app.hold_keys()  # keys pressed meanwhile apply to the decided case
        self.say(T.working)

        def failed(message: str) -> None:
            self._failed(message)
            if on_error is not None:
                on_error(message)

        self.submit(decide_in_thread, self.ctx, self.case_id, self.username, kind, reason, basis, commitments,
                    done=self._decided, error=failed)

    def _failed(self, message: str) -> None:
        self.busy = False
        self.hall_app.release_keys()
        self.fail(message)

    def _decided(self, review) -> None:
        self.busy = False
        self.hall_app.release_keys()
        self.intake.decided = True
        self.say("")
        self.show(review)
        self.query_one("#decision-scroll").focus()
        self._print(documents_for(review.state))
        self.hall_app.poke_sync()

    def _print(self, kinds: list[str]) -> None:
        if not kinds or not self.case_id:
            return
        self.printing = True
        self.printed = []
        self._draw_prints()
        self.hall_app.db.background(print_in_thread, self.ctx, self.case_id, self.username, kinds,
                                    done=self._printed, name="print")

    def _printed(self, printed) -> None:
        self.printing = False
        self.printed = printed
        for p in printed:
            if p.error:
                self.app.notify(p.line(), severity="error", timeout=10)
        if self.is_attached:
            self._draw_prints()
            failed = [p for p in printed if p.error]
            self.say(failed[0].line() if failed else T.printed_short.format(docs="、".join(p.name for p in printed)),
                     "error" if failed else "success")
            self.refresh_bindings()

    def action_finish(self) -> None:
        self.app.pop_screen()  # done: back to the workbench for the next citizen

    def action_reprint(self) -> None:
        if self.review is not None and not self.printing:
            self._print(documents_for(self.review.state))

    def action_view(self) -> None:
        if self.case_id:
            self.hall_app.open_case(self.case_id)
