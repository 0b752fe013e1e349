"""What every intake step shares: access to the case, jobs in the DB queue, messages."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual.containers import Vertical

if TYPE_CHECKING:
    from hall_app.services.context import HallContext
    from screens.app import HallApp
    from screens.intake.screen import IntakeScreen


class StepPane(Vertical):
    """One step of the intake. ``load`` runs in a worker thread (services only, no
    widgets); ``show`` runs on the UI thread with what ``load`` returned."""

    STEP: ClassVar[str] = ""

    def __init__(self, intake: "IntakeScreen") -> None:
        super().__init__(id=f"step-{self.STEP}", classes="step")
        self.intake = intake
        self._ready_once = False
        self.built = asyncio.Event()  # set once composed and mounted (its widgets exist)

    # -- shortcuts ---------------------------------------------------------------------
    @property
    def hall_app(self) -> "HallApp":
        return self.intake.hall_app

    @property
    def ctx(self) -> "HallContext":
        ctx = self.hall_app.ctx
        assert ctx is not None
        return ctx

    @property
    def username(self) -> str:
        user = self.hall_app.user
        return user.username if user else ""

    @property
    def case_id(self) -> str | None:
        return self.intake.case_id

    @property
    def editable(self) -> bool:
        return not self.intake.decided

    # -- jobs ----------------------------------------------------------------------------
    def submit(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], Any] | None = None,
               coalesce: Any = None, error: Callable[[str], Any] | None = None) -> None:
        def guarded(result: Any) -> Any:
            if done is not None and self.is_attached:
                return done(result)
            return None

        def failed(message: str) -> Any:
            if self.is_attached:
                return (error or self.fail)(message)
            return self.hall_app.notify(message, severity="error")

        self.hall_app.db.submit(fn, *args, done=guarded, error=failed, coalesce=coalesce,
                                name=f"intake-{self.STEP}")

    def go(self, step: str) -> None:
        """Move to ``step`` (run by the screen: this pane is removed on the way)."""
        self.intake.run_worker(self.intake.goto(step), group="nav")

    def advance(self) -> None:
        self.intake.run_worker(self.intake.advance(), group="nav")

    def key(self, binding_id: str) -> str:
        """How hints name the key in force for one of this step's bindings or the intake
        screen's (``questions.next`` -> ``回车``, or the ``[keymap]`` key): a hint never
        names a key the clerk has moved."""
        from screens.keymap import prose

        for cls in (type(self), type(self.intake)):
            bindings = [b for b in getattr(cls, "BINDINGS", []) if getattr(b, "id", None) == binding_id]
            if bindings:
                return prose(self.app, bindings[0])
        raise KeyError(binding_id)

    def fail(self, message: str) -> None:
        self.intake.say(message, "error")

    def say(self, message: str, kind: str = "info") -> None:
        self.intake.say(message, kind)

    # -- lifecycle ---------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.built.set()  # Mount comes after Compose: every child widget exists now
        self.reload()

    def reload(self) -> None:
        if self.case_id:
            self.submit(self.load, done=self.shown, error=self.load_failed)
        else:
            self.ready()

    async def shown(self, data: Any) -> None:
        result = self.show(data)
        if result is not None:
            await result
        self.ready()

    def load_failed(self, message: str) -> None:
        self.fail(message)
        self.ready()

    def ready(self) -> None:
        """The step has its data: let the keys typed meanwhile through (once)."""
        if not self._ready_once:
            self._ready_once = True
            self.intake.pane_ready(self)

    def shown_again(self) -> None:
        """The step is shown again (it was kept, hidden): fetch what changed meanwhile."""
        self._ready_once = False
        self.reload()

    def load(self) -> Any:  # worker thread
        return None

    def show(self, data: Any) -> None:  # UI thread
        pass

    def commit(self) -> None:
        """Send anything typed but not yet recorded (before the step is left)."""

    def focus_first(self) -> None:
        pass

    def leave_problem(self) -> str | None:
        """Why the clerk cannot go on to a later step yet (None: they can)."""
        return None
