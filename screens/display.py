"""The hall display (叫号大屏): the latest calls in large characters with their windows,
the last few calls, and how many wait per service line.

The screen owns its poll: one request at a time (the next starts ``poll_seconds``
after the last one finished, never on top of it), stopped when the screen goes away.
The queue answers an unchanged board cheaply (``after=seq``). When the server cannot
be reached the screen keeps what it showed, says so, and resumes by itself. Each new
call is spoken through espeak-ng when voice is on and espeak-ng is installed
(screens/voice.py); otherwise it is silent, without an error.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from screens.queue_strings import Display as T
from screens.widgets.bars import MessageLine, TitleBar
from screens.widgets.ticket_digits import TicketDigits

if TYPE_CHECKING:
    from hall_app.services.context import HallContext
    from screens.queue_adapter import BoardPoll

BIG_CALLS = 3  # calls shown large
RECENT = 8  # calls listed under them


class CallCard(Vertical):
    """One call: the number large, the window under it."""

    def compose(self) -> ComposeResult:
        yield TicketDigits("", classes="call-number")
        yield Static("", classes="call-window")

    def show(self, call: Any | None) -> None:
        self.query_one(TicketDigits).update(call.label if call else "")
        self.query_one(".call-window", Static).update(
            T.call_to.format(window=call.window_name or call.window) if call else "")
        self.set_class(call is None, "-empty")


class DisplayScreen(Screen):
    CSS_PATH = "display.tcss"

    def __init__(self, hall_name: str = "", *, poll_seconds: float = 0.5, voice: Any = None) -> None:
        super().__init__()
        self.hall_name = hall_name
        self.poll_seconds = poll_seconds  # 0: no timer (tests call poll_once)
        self.voice = voice  # screens.voice.Voice or None
        self.seq = 0  # the last queue event shown (ask with after=seq)
        self.spoken_seq = -1  # calls up to this seq were announced (-1: nothing yet; the first board is not read out)
        self.board: Any = None
        self.offline = False
        self.polls = 0
        self._timer: Timer | None = None
        self._stopped = False

    @property
    def ctx(self) -> "HallContext":
        return self.app.ctx  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield TitleBar(T.title_plain, id="display-title")
        yield Static(T.now_calling, id="display-lead")
        with Horizontal(id="display-calls"):
            for n in range(BIG_CALLS):
                yield CallCard(id=f"call-{n}", classes="call-card")
        with Horizontal(id="display-lower"):
            with Vertical(id="display-recent"):
                yield Static(T.recent, classes="display-heading")
                yield Static("", id="recent-list")
            with Vertical(id="display-waiting"):
                yield Static(T.waiting, classes="display-heading")
                yield Static("", id="waiting-list")
        yield MessageLine(id="display-message")

    def on_mount(self) -> None:
        self.query_one("#display-title", TitleBar).update(
            T.title.format(hall=self.hall_name) if self.hall_name else T.title_plain)
        for n in range(BIG_CALLS):
            self.query_one(f"#call-{n}", CallCard).show(None)
        self.query_one("#recent-list", Static).update(T.no_calls)
        if self.poll_seconds > 0:
            self.call_after_refresh(self._tick)  # the first poll right after the first frame

    def on_unmount(self) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _schedule(self, delay: float) -> None:
        if self._stopped or self.poll_seconds <= 0:
            return
        self._timer = self.set_timer(delay, self._tick, name="display-poll")

    def _tick(self) -> None:
        self._timer = None
        self.run_worker(self._poll_then_schedule(), group="display-poll", exclusive=True)

    async def _poll_then_schedule(self) -> None:
        try:
            await self.poll_once()
        finally:
            self._schedule(self.poll_seconds)  # the next poll starts only after this one finished

    async def poll_once(self) -> None:
        """One request to the queue and the screen updated from its answer."""
        from screens.queue_adapter import display_poll

        result = await asyncio.to_thread(display_poll, self.app.queue, self.seq)  # type: ignore[attr-defined]
        self.polls += 1
        if self.is_attached:
            self.show(result)

    # -- showing --------------------------------------------------------------------------
    def show(self, result: "BoardPoll") -> None:
        board = result.board
        if board is None:
            self._set_offline(True)
            return
        self._set_offline(False)
        if not board.changed and self.board is not None:
            return
        self.board = board
        self.seq = board.seq
        calls = list(board.calls)
        big, rest = split_calls(calls)
        for n in range(BIG_CALLS):
            self.query_one(f"#call-{n}", CallCard).show(big[n] if n < len(big) else None)
        self.query_one("#recent-list", Static).update(self._recent(rest[:RECENT]))
        self.query_one("#waiting-list", Static).update(self._waiting(board.lines))
        self.query_one("#display-message", MessageLine).say(T.updated.format(at=_hm(board.at)))
        self._announce(calls)

    def _recent(self, calls: list[Any]) -> Text:
        if not calls:
            return Text("")
        return Text("\n".join(T.recent_row.format(number=c.label, window=c.window_name or c.window, at=_hm(c.at)[:5])
                               for c in calls))

    def _waiting(self, lines: list[Any]) -> Text:
        shown = [x for x in lines if getattr(x, "open", True)]
        if not shown:
            return Text(T.waiting_none)
        text = Text()
        for n, line in enumerate(shown):
            if n:
                text.append("\n")
            text.append(f"{line.prefix} ", style="bold")
            text.append(T.waiting_row.format(name=line.name, waiting=line.waiting))
        return text

    def _set_offline(self, offline: bool) -> None:
        if offline == self.offline and (offline or self.board is not None):
            return
        self.offline = offline
        self.query_one("#display-title", TitleBar).set_class(offline, "-offline")
        message = self.query_one("#display-message", MessageLine)
        if offline:
            at = _hm(self.board.at) if self.board is not None else ""
            message.say(T.offline.format(at=at) if at else T.offline_never, "warning")

    def _announce(self, calls: list[Any]) -> None:
        """Speak calls newer than the last one spoken (oldest first); none on the first board."""
        newest = max((c.seq for c in calls), default=0)
        if self.spoken_seq < 0:
            self.spoken_seq = newest
            return
        fresh = sorted((c for c in calls if c.seq > self.spoken_seq), key=lambda c: c.seq)
        self.spoken_seq = max(self.spoken_seq, newest)
        if self.voice is not None:
            for call in fresh:
                self.voice.say(T.voice.format(number=call.label, window=call.window_name or call.window))


def split_calls(calls: list[Any]) -> tuple[list[Any], list[Any]]:
    """The calls shown large: the latest call of each window (newest first, at most
    BIG_CALLS); the rest, newest first, go to the list under them."""
    big: list[Any] = []
    windows: set[str] = set()
    rest: list[Any] = []
    for call in calls:
        if call.window not in windows and len(big) < BIG_CALLS:
            windows.add(call.window)
            big.append(call)
        else:
            rest.append(call)
    return big, rest


def _hm(iso: str) -> str:
    return iso[11:19] if len(iso) >= 19 else iso


class DisplayApp(App[int]):
    """``hall-app display``: the call board alone, no sign-in, no keys but quit."""

    TITLE = T.title_plain
    CSS_PATH = ["app.tcss", "widgets/widgets.tcss"]
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, ctx: "HallContext", queue: Any, hall_name: str = "", *, poll_seconds: float = 0.5,
                 voice: Any = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.queue = queue  # hall_app.services.queue.HallQueue, opened as a display (reads only)
        self._screen_args = dict(poll_seconds=poll_seconds, voice=voice)
        self.hall_name = hall_name

    def on_mount(self) -> None:
        self.push_screen(DisplayScreen(self.hall_name, **self._screen_args))
