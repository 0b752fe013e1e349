"""Step 2 · flow chart (办事流程图): items, departments, promised limits and the
materials likely needed, before anything is asked."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from hall_app.domain.bundle import FORM_LABELS
from screens.intake.base import StepPane
from screens.strings import Flow as T


def flow_in_thread(ctx, case_id: str):
    state = ctx.cases.get(case_id)
    return ctx.cases.plan(state)


def when_text(bundle, entry, rules) -> str:
    """When an item or material applies, in words: the author's reason, else the
    condition read out (never the raw "false" of an entry only a rule adds)."""
    from hall_app.domain.planner import describe

    if entry.when and entry.when != "false":
        return entry.reason or describe(entry.when_node, bundle)
    if entry.when == "false" or rules:
        reasons = [r.reason or describe(r.when_node, bundle) for r in rules]
        return "；".join(dict.fromkeys(reasons)) if reasons else T.rarely
    return ""


def chart(plan) -> Text:
    bundle = plan.bundle
    planned = {p.item.code for p in plan.items}
    text = Text()
    text.append(f"{bundle.name}（{bundle.kind} · {bundle.life_stage}）\n", style="bold")
    text.append(T.lead.format(lead=bundle.lead_department))
    if bundle.cooperating_departments:
        text.append("　" + T.cooperating.format(names="、".join(bundle.cooperating_departments)))
    text.append("\n")
    if bundle.summary:
        text.append(bundle.summary + "\n", style="italic")
    text.append("\n")
    text.append("┌─ ", style="cyan")
    text.append(T.intake + "\n", style="bold")
    for n, item in enumerate(bundle.items, start=1):
        text.append("├─", style="cyan")
        text.append(f"{n:>2} ", style="bold")
        text.append(T.item.format(name=item.name, department=item.department, promised=item.promised_days,
                                  statutory=item.statutory_days))
        text.append("\n")
        reason = when_text(bundle, item, [r for r in bundle.rules if item.code in r.add_items])
        if reason:
            text.append("│    ", style="cyan")
            text.append(T.when.format(reason=reason) + "\n", style="yellow" if item.code in planned else "dim")
        text.append("│    ", style="cyan")
        text.append(T.output.format(output=item.output) + "\n", style="dim")
    text.append("└─ ", style="cyan")
    text.append(T.output.format(output=T.delivery) + "\n\n", style="bold")
    text.append(T.materials + "\n", style="bold")
    for material in bundle.materials:
        rules = [r for r in bundle.rules if material.code in r.add_materials]
        if material.when == "false" and not rules:
            continue
        text.append("  · " + T.material.format(name=material.name, form=FORM_LABELS[material.form]))
        if material.elicence:
            text.append("　" + T.elicence.format(name=material.elicence), style="green")
        reason = when_text(bundle, material, rules)
        if reason:
            text.append("　" + T.when.format(reason=reason), style="dim")
        text.append("\n")
    return text


class FlowStep(StepPane):
    STEP = "flow"
    BINDINGS = [Binding("enter", "go_on", T.go, id="flow.next")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="flow-scroll"):
            yield Static("", id="flow-chart")

    def focus_first(self) -> None:
        self.query_one("#flow-scroll").focus()

    def load(self):
        return flow_in_thread(self.ctx, self.case_id)

    def show(self, plan) -> None:
        self.query_one("#flow-chart", Static).update(chart(plan))

    def action_go_on(self) -> None:
        self.advance()
