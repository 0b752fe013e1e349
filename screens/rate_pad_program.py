"""``hall-app rate-pad --window W03``: the window's rate pad (评价器) as its own
full-screen program, for a small display or tablet facing the citizen (issue 11).

A calm idle screen (欢迎 / 请对本次服务作出评价) polls the queue — the embedded one on
this machine, or the server's for an enrolled device — for the window's last finished
visit; the next poll starts ``poll_seconds`` after the last one ended, and when the
queue cannot be reached the screen says 离线 and resumes by itself. A visit finished
within the last minutes and not yet rated opens the pad (screens/rate_pad.py) for it:
Enter records the chosen level; Escape or 60 s without a key records **未评价**
(a ``queue.visit_rated`` event with level null, never a good level); then back to idle.
A rating that could not be sent is kept and sent when the queue answers again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from hall_app.domain.queue import QueueError, QueueOffline
from hall_app.domain.queue_schedule import CHINA
from hall_app.domain.rating import REASONS, UNRATED
from hall_app.domain.visit_rating import FinishedVisit
from screens.rate_pad import TIMEOUT, RatePadScreen
from screens.supervise_strings import RatePad as TP
from screens.supervise_strings import RatePadProgram as T
from screens.widgets.bars import MessageLine

THANKS_SECONDS = 8.0  # the thanks (or 未评价) line stays this long on the idle screen


class VisitPadScreen(RatePadScreen):
    """The pad for one finished visit: it only collects the answer; the program records it."""

    def __init__(self, visit: FinishedVisit, timeout: float = TIMEOUT) -> None:
        super().__init__("", "", timeout, subtitle=T.visit.format(window=visit.window, label=visit.label))
        self.visit = visit
        self._answered = False

    def _answer(self, answer: dict[str, Any]) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(answer)

    def action_submit(self) -> None:
        if self.level is None:
            self.query_one("#pad-message", MessageLine).say(TP.choose_level, "warning")
            return
        reasons = [r for r in REASONS[self.level] if r in self.reasons]  # in the order offered
        self._answer({"level": self.level, "reasons": reasons, "dimensions": dict(self.dimensions), "how": "chosen"})

    def expire(self) -> None:
        """No key in time: 未评价, never a good level."""
        self._answer({"level": None, "how": "timeout"})

    def action_skip(self) -> None:
        self._answer({"level": None, "how": "declined"})


class IdleScreen(Screen):
    CSS_PATH = "rate_pad_program.tcss"

    def __init__(self, window: str) -> None:
        super().__init__()
        self.window = window

    def compose(self) -> ComposeResult:
        with Vertical(id="idle"):
            yield Static(T.title.format(window=self.window), id="idle-title", markup=False)
            yield Static(T.welcome, id="idle-welcome")
            yield Static(T.idle, id="idle-prompt")
            yield Static(T.idle_hint, id="idle-hint")
            yield MessageLine(id="idle-message")

    def say(self, text: str, kind: str = "info") -> None:
        self.query_one("#idle-message", MessageLine).say(text, kind)


class RatePadApp(App[int]):
    """The rate pad of one window: no sign-in; Ctrl+Q quits (for the staff)."""

    TITLE = "评价器"
    CSS_PATH = ["app.tcss", "widgets/widgets.tcss"]
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, queue: Any, window: str, *, poll_seconds: float = 2.0, timeout: float = TIMEOUT,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        super().__init__()
        self.queue = queue  # hall_app.services.queue.HallQueue acting for ``window``
        self.window = window
        self.poll_seconds = poll_seconds  # 0: no timer (tests call poll_once)
        self.timeout = timeout
        self.clock = clock or (lambda: dt.datetime.now(CHINA))
        self.shown: set[str] = set()  # visits the pad was opened for (each once)
        self.pending: list[tuple[FinishedVisit, dict[str, Any]]] = []  # answers not yet recorded
        self.pad: VisitPadScreen | None = None
        self.offline = ""
        self._sending = False
        self._timer: Timer | None = None
        self._quiet: Timer | None = None

    @property
    def idle(self) -> IdleScreen:
        return self.get_screen("idle")  # type: ignore[return-value]

    def on_mount(self) -> None:
        self.install_screen(IdleScreen(self.window), "idle")
        self.push_screen("idle")
        if self.poll_seconds > 0:
            self.call_after_refresh(self._tick)

    def _tick(self) -> None:
        self._timer = None
        self.run_worker(self._poll_then_schedule(), group="pad-poll", exclusive=True)

    async def _poll_then_schedule(self) -> None:
        try:
            await self.poll_once()
        finally:
            if self.poll_seconds > 0:  # the next poll starts only after this one ended
                self._timer = self.set_timer(self.poll_seconds, self._tick, name="pad-poll")

    async def poll_once(self) -> None:
        """Send what is pending, then ask the queue for the window's last finished visit."""
        await self.send_pending()
        try:
            visit = await asyncio.to_thread(self.queue.last_visit, self.window)
        except QueueOffline as exc:
            self._set_offline(str(exc))
            return
        except QueueError as exc:
            self._say(T.refused.format(error=exc), "error")
            return
        self._set_offline("")
        if visit is None or self.pad is not None or visit.ticket in self.shown:
            return
        if visit.waiting_for_rating(self.clock()):
            self.open_pad(visit)

    def open_pad(self, visit: FinishedVisit) -> None:
        self.shown.add(visit.ticket)
        self.pad = VisitPadScreen(visit, self.timeout)
        self.push_screen(self.pad, callback=lambda answer: self._answered(visit, answer))

    def _answered(self, visit: FinishedVisit, answer: dict[str, Any] | None) -> None:
        self.pad = None
        self.pending.append((visit, answer or {"level": None, "how": "timeout"}))
        self.run_worker(self.send_pending(), group="pad-send")

    async def send_pending(self) -> None:
        """Record the answers not yet recorded, oldest first (one sender at a time)."""
        if self._sending:
            return
        self._sending = True
        try:
            while self.pending:
                visit, answer = self.pending[0]
                try:
                    done = await asyncio.to_thread(
                        self.queue.rate_visit, visit.ticket, answer.get("level"), answer.get("dimensions") or {},
                        answer.get("reasons") or [], answer.get("how", "chosen"), visit.window)
                except QueueOffline as exc:
                    self._say(T.pending.format(error=exc), "warning")
                    return
                except QueueError as exc:  # refused (rated already at the window): nothing to retry
                    self.pending.pop(0)
                    self._say(T.refused.format(error=exc), "error")
                    continue
                self.pending.pop(0)
                if done.rating == UNRATED:
                    self._say(T.unrated, "info", fade=True)
                else:
                    self._say(T.thanks.format(label=done.rating), "success", fade=True)
        finally:
            self._sending = False

    def _set_offline(self, error: str) -> None:
        was, self.offline = self.offline, error
        if error:
            self._say(T.offline.format(error=error), "warning")
        elif was:
            self._say("", "info")

    def _say(self, text: str, kind: str, fade: bool = False) -> None:
        if self._quiet is not None:
            self._quiet.stop()
            self._quiet = None
        self.idle.say(text, kind)
        if fade:
            self._quiet = self.set_timer(THANKS_SECONDS, lambda: self.idle.say("", "info"), name="pad-thanks")
