"""Step 7 · review: the summary, deadlines with any calendar warning, and what the
citizen was spared (免交 N 项材料，填写 M 项而非 K 项)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from screens.intake.base import StepPane
from screens.strings import Decision as TD
from screens.strings import Review as T


def load_in_thread(ctx, case_id: str):
    return ctx.cases.review(case_id)


def summary(review, prev: str) -> Text:
    """What the clerk checks before deciding; ``prev``: the key in force back to a step."""
    state, plan = review.state, review.plan
    text = Text()
    text.append(T.bundle.format(name=plan.bundle.name) + "\n", style="bold")
    ident = state.applicant.get("id_number") or state.applicant.get("uscc") or "—"
    text.append(T.applicant.format(name=state.applicant.get("name", "—"), id=ident) + "\n")
    if state.proxy:
        text.append(T.proxy.format(name=state.proxy.get("name", ""), relation=state.proxy.get("relation", "")) + "\n")
    text.append("\n" + T.items + "\n", style="bold")
    for due in review.dues:
        text.append("  · " + T.due.format(name=due.name, department=due.department, days=due.promised_days,
                                          due=due.due) + "\n")
    handed = [m for m in plan.materials if m.status == "handed_in"]
    text.append("\n" + T.materials.format(exempt=len(plan.exempt), handed=len(handed), missing=len(plan.missing),
                                          deferred=len(plan.deferred)) + "\n", style="bold")
    if plan.missing:
        text.append("  " + T.missing_list.format(names="、".join(m.material.name for m in plan.missing)) + "\n",
                    style="red")
    if plan.deferred:
        text.append("  " + T.deferred_list.format(names="、".join(m.material.name for m in plan.deferred)) + "\n",
                    style="yellow")
    text.append(T.form.format(count=len(review.form)) + "\n")
    text.append("\n")
    text.append(T.spared.format(text=review.spared_text) + "\n", style="bold green")
    if review.warnings:
        text.append("\n" + T.warnings + "\n", style="bold yellow")
        for warning in review.warnings:
            text.append(f"  ⚠ {warning}\n", style="yellow")
    if review.dishonest:
        text.append(f"⚠ {T.dishonest}\n", style="yellow")
    if review.blockers:
        text.append("\n" + T.blockers + "\n", style="bold red")
        for blocker in review.blockers:
            text.append(f"  ✗ {blocker}\n", style="red")
    if review.accept_blockers:
        text.append("\n" + T.accept_blockers + "\n", style="bold red")
        for blocker in review.accept_blockers:
            text.append(f"  ✗ {blocker}\n", style="red")
    text.append("\n" + suggestion(review, prev), style="bold")
    return text


def suggestion(review, prev: str) -> str:
    """The suggested decision, never contradicting the problems listed above it (``prev``:
    the key in force back to the step to fix)."""
    label = TD.options.get(review.suggested, ("", ""))[0]
    if review.blockers:
        return T.complete_first.format(prev=prev)
    if review.accept_blockers and review.suggested in ("accept", "defer"):
        return T.fix_first.format(decision=label, prev=prev)
    return T.suggested.format(decision=label)


class ReviewStep(StepPane):
    STEP = "review"
    BINDINGS = [Binding("enter", "go_on", T.go, id="review.next")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="review-scroll"):
            yield Static("", id="review-text")

    def focus_first(self) -> None:
        self.query_one("#review-scroll").focus()

    def load(self):
        return load_in_thread(self.ctx, self.case_id)

    def show(self, review) -> None:
        self.intake.update_state(review.state)
        self.query_one("#review-text", Static).update(summary(review, self.key("intake.prev")))

    def action_go_on(self) -> None:
        self.advance()
