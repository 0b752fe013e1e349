"""The intake screen: title, stepper, the current step, a message line, keys.

Moving between steps records the step on the case (``set_step``), so a restart
reopens the intake where the clerk was. Leaving never loses anything: every
answer, tick and keystroke has already been queued for the database.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.css.query import NoMatches
from textual.screen import Screen

from hall_app.services.intake import STEPS
from screens.strings import App as TA
from screens.strings import Intake as T
from screens.widgets.bars import MessageLine, StatusBar, Stepper, TitleBar
from screens.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from hall_app.domain.case import CaseState
    from screens.app import HallApp
    from screens.intake.base import StepPane

RETURN_ROUTE = ("materials", "decision")  # a return after a one-time notice (screens/resume.py)
PREMOUNT_AFTER = 0.3  # seconds after a step is ready before the next one is built, hidden

PANES = {
    "need": "NeedStep", "flow": "FlowStep", "applicant": "ApplicantStep", "questions": "QuestionsStep",
    "materials": "MaterialsStep", "form": "FormStep", "review": "ReviewStep", "decision": "DecisionStep",
}


def pane_class(step: str) -> type["StepPane"]:
    return getattr(importlib.import_module(f"screens.intake.{step}"), PANES[step])


def step_in_thread(ctx, case_id: str, username: str, step: str) -> tuple[str, "CaseState"]:
    from hall_app.domain.case import EDITABLE
    from hall_app.domain.case_rules import claimed_by_other

    state = ctx.cases.get(case_id)
    if claimed_by_other(state, username):
        return "taken", state
    if state.status in EDITABLE:
        state = ctx.cases.set_step(case_id, username, step)
    return "ok", state


def state_in_thread(ctx, case_id: str) -> tuple["CaseState", str]:
    state = ctx.cases.get(case_id)
    return state, ctx.catalog_service.bundle_for(state.bundle_code, state.bundle_hash).name


class IntakeScreen(Screen):
    CSS_PATH = "intake.tcss"
    BINDINGS = [
        Binding("f7", "prev_step", T.prev, id="intake.prev"),
        Binding("f8", "next_step", T.next, id="intake.next"),
        Binding("escape", "leave", T.leave, id="intake.leave"),
    ]

    def __init__(self, case_id: str | None, step: str | None = None, ticket: Any = None,
                 returning: bool = False, keys_held: bool = False) -> None:
        super().__init__()
        self._keys_held = keys_held  # the opener holds the keys until this screen holds its own
        self.case_id = case_id
        # A citizen back after a one-time notice: the materials the notice named, then the
        # decision; what was answered (applicant, situation, form) is not asked again.
        self.returning = returning
        self.route: tuple[str, ...] = RETURN_ROUTE if returning else STEPS
        self.ticket = ticket  # the queue ticket being served (issue 10): the new case records it
        self.step = step if step in STEPS else ("flow" if case_id else "need")
        self.state: CaseState | None = None
        self.pane: StepPane | None = None
        self._taken_away = False  # another window took the case over: told once, left once
        self.panes: dict[str, StepPane] = {}
        self._awaiting: StepPane | None = None  # the step whose data the held keys wait for
        self.premount_due = False  # the next step is to be built, hidden, when a timer fires
        self.decided = False
        self.bundle_name = ""
        self._switching = False

    @property
    def hall_app(self) -> "HallApp":
        return self.app  # type: ignore[return-value]

    @property
    def today(self):
        """The hall's date (its clock), for checks such as "a birth date is not in the future"."""
        ctx = self.hall_app.ctx
        return ctx.today() if ctx is not None else None

    def compose(self) -> ComposeResult:
        yield TitleBar(T.title, id="intake-title")
        yield Stepper(STEPS, id="stepper")
        yield Container(id="step-host")
        yield MessageLine(id="message")
        yield StatusBar()
        yield KeyBar()

    async def on_mount(self) -> None:
        if self.ticket is not None and not self.case_id:
            self.query_one("#intake-title", TitleBar).update(f"{T.title} · {T.ticket.format(number=self.ticket.label)}")
        if self.case_id:
            self.hall_app.db.submit(state_in_thread, self.hall_app.ctx, self.case_id,
                                    done=lambda r: self.update_state(*r), name="intake-state")
        try:
            await self.show_step(self.step, record=False)  # holds the keys until the step has its data
        finally:
            if self._keys_held:
                self._keys_held = False
                self.hall_app.release_keys()

    # -- the case as the title shows it -----------------------------------------------------
    def update_state(self, state: "CaseState", bundle_name: str | None = None) -> None:
        from hall_app.domain.case import EDITABLE
        from hall_app.domain.tracking import format_tracking_code

        self.state = state
        if bundle_name:
            self.bundle_name = bundle_name
        self.decided = state.status not in EDITABLE
        parts = [T.title]  # what matters first: a narrow title bar cuts the end
        ticket = state.ticket_label or (self.ticket.label if self.ticket is not None else "")
        if ticket:
            parts.append(T.ticket.format(number=ticket))
        if self.bundle_name:
            parts.append(self.bundle_name)
        parts.append(state.status_label)
        if self.returning and state.status == "notice_issued":
            from screens.after_strings import NoticeReturn

            parts.append(NoticeReturn.tag)
        if state.applicant_name:
            parts.append(f"申请人 {state.applicant_name}")
        parts.append(f"跟踪码 {format_tracking_code(state.tracking_code)}")
        try:
            self.query_one("#intake-title", TitleBar).update(" · ".join(parts))
            self.query_one("#stepper", Stepper).show(self.step, self.decided)
        except NoMatches:  # not composed yet: shown when it is
            pass

    def say(self, message: str, kind: str = "info") -> None:
        try:
            self.query_one("#message", MessageLine).say(message, kind)
        except NoMatches:
            pass

    # -- moving between steps ----------------------------------------------------------------
    async def show_step(self, step: str, record: bool = True) -> None:
        if self._switching:
            return
        self._switching = True
        self.hall_app.hold_keys()  # released when the new step has its data (pane_ready)
        try:
            if self.pane is not None:
                self.pane.commit()
                self.pane.display = False  # kept: going back and forth costs no re-mounting
            self.step = step
            self.query_one("#stepper", Stepper).show(step, self.decided)
            self.say(T.decided.format(status=self.state.status_label) if self.decided and self.state else "")
            pane = self.panes.get(step)
            if pane is None:
                pane = self.panes[step] = pane_class(step)(self)
                self.pane = self._awaiting = pane
                await self.query_one("#step-host", Container).mount(pane)  # loads on mount
            else:
                self.pane = self._awaiting = pane
                pane.display = True
                if not pane.built.is_set():  # built ahead and still composing: its widgets come first
                    await pane.built.wait()
                pane.shown_again()
            pane.focus_first()
            if record and self.case_id:
                self.hall_app.db.submit(step_in_thread, self.hall_app.ctx, self.case_id, self._username(), step,
                                        done=self._step_recorded, name="set-step")
        finally:
            self._switching = False

    def pane_ready(self, pane: "StepPane") -> None:
        if pane is self._awaiting:
            self._awaiting = None
            self.hall_app.release_keys()
            self.premount_due = True
            self.set_timer(PREMOUNT_AFTER, self._premount_next)

    def _premount_next(self) -> None:
        """Build the next step while the clerk works on this one (the form has 50-odd
        widgets: mounting it when Enter is pressed would be the slowest step change)."""
        self.premount_due = False
        following = self.neighbour(1)
        if self.case_id and following and following not in self.panes and self.is_current:
            self.run_worker(self._premount(following), group="premount")

    async def _premount(self, step: str) -> None:
        if step in self.panes or self._switching:
            return
        pane = self.panes[step] = pane_class(step)(self)
        pane.display = False
        await self.query_one("#step-host", Container).mount(pane)

    def _username(self) -> str:
        return self.hall_app.user.username if self.hall_app.user else ""

    def _step_recorded(self, result: tuple[str, "CaseState"]) -> None:
        kind, state = result
        if kind == "taken":
            from screens.dialogs import MessageDialog

            if self._taken_away:
                return  # another step write in flight was refused too
            self._taken_away = True
            if self.is_current:
                self.app.pop_screen()
            self.app.push_screen(MessageDialog(TA.claimed_away.format(user=state.claimed_by)))
            return
        self.update_state(state)

    async def goto(self, step: str) -> None:
        if step == self.step:
            return
        if self.case_id is None and step != "need":
            self.say(T.need_bundle_first, "warning")
            return
        if self.pane is not None and STEPS.index(step) > STEPS.index(self.step):
            problem = self.pane.leave_problem()
            if problem:
                self.pane.commit()  # what was typed is recorded (as typed) all the same
                self.say(problem, "error")
                return
        await self.show_step(step)

    def neighbour(self, delta: int) -> str | None:
        """The step before (-1) or after (+1) this one: along the return route while on
        it (materials → decision), else in the full order (F7 from a return's materials
        still reaches the situation when the clerk chooses to change it)."""
        for route in (self.route, STEPS):
            if self.step in route:
                index = route.index(self.step) + delta
                if 0 <= index < len(route):
                    return route[index]
        return None

    async def advance(self) -> None:
        following = self.neighbour(1)
        if following:
            await self.goto(following)

    async def action_next_step(self) -> None:
        if self.neighbour(1) is None:
            self.say(T.last_step)
            return
        await self.advance()

    async def action_prev_step(self) -> None:
        previous = self.neighbour(-1)
        if previous is None:
            self.say(T.first_step)
            return
        await self.goto(previous)

    def action_leave(self) -> None:
        from hall_app.domain.tracking import format_tracking_code

        if self.pane is not None:
            self.pane.commit()
        if self.case_id is not None and not self.decided:
            code = format_tracking_code(self.state.tracking_code) if self.state is not None else ""
            if self.state is not None and self.state.status == "notice_issued":  # not a draft: a notice is out
                from screens.after_strings import NoticeReturn

                self.app.notify(NoticeReturn.left.format(code=code), timeout=6)
            else:
                self.app.notify(T.draft_kept.format(code=code).replace("（跟踪码 ）", ""), timeout=6)
        elif self.case_id is None:
            self.app.notify(T.nothing_started, timeout=4)
        self.app.pop_screen()

    def case_started(self, state: "CaseState", bundle_name: str) -> None:
        self.case_id = state.case_id
        self.update_state(state, bundle_name)
