"""The window's queue in the clerk's workbench: the window's state, the ticket called or
being served here, and how many wait per line the window serves; and the keys that
work the queue (call next, call a given ticket, recall, start serving, hold, transfer,
finish, no-show, pause/resume, close/open).

The panel owns its refresh: one request at a time, the next ``poll_seconds`` after the
last answer, only while its screen is the one shown (``wake()`` starts it again when the
workbench comes back); ``poll_seconds = 0`` means no timer at all, only a refresh after
each of its keys (what the UI tests use: they call :meth:`refresh_now`). Queue calls run
in their own threads, never in the database queue: a slow or absent server never holds
up an intake. When the server cannot be reached the status bar says so and intake goes
on as a walk-in.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Static

from screens.queue_strings import WindowQueue as T

if TYPE_CHECKING:
    from screens.app import HallApp
    from screens.queue_adapter import WindowActed, WindowPoll

# The workbench adds these to its own keys (its search box has the focus, so the panel's
# keys must live on the screen); each calls WindowQueuePanel.act(name).
SCREEN_BINDINGS = [
    Binding("f6", "queue('next')", T.call_next, id="queue.call_next"),
    Binding("ctrl+o", "queue('given')", T.call_given, id="queue.call_given", show=False),
    Binding("f7", "queue('recall')", T.recall, id="queue.recall", show=False),
    Binding("f8", "queue('serve')", T.serve, id="queue.serve"),
    Binding("ctrl+g", "queue('hold')", T.hold, id="queue.hold", show=False),
    Binding("ctrl+y", "queue('transfer')", T.transfer, id="queue.transfer", show=False),
    Binding("f10", "queue('finish')", T.finish, id="queue.finish"),
    Binding("ctrl+b", "queue('no_show')", T.no_show, id="queue.no_show", show=False),
    Binding("ctrl+r", "queue('pause')", T.pause, id="queue.pause", show=False),
    Binding("f12", "queue('close')", T.close, id="queue.close", show=False),
]
# F8 holds the keys typed after it until the intake is open: as long as a serve request
# can take on a slow server (its HTTP timeout is 5 s), not the 5 s of a local step
SERVE_HOLD_SECONDS = 20.0
log = logging.getLogger("hall_app.screens")
ON_CURRENT = ("recall", "serve", "hold", "transfer", "finish", "no_show")


class WindowQueuePanel(Vertical):
    def __init__(self, poll_seconds: float = 2.0, *, id: str | None = "window-queue") -> None:
        super().__init__(id=id)
        self.poll_seconds = poll_seconds
        self.view: Any = None  # WindowView
        self.line_names: dict[str, str] = {}
        self.offline = False
        self.busy = False  # a key's request is on its way: a second press waits for it
        self.polls = 0
        self._timer: Timer | None = None
        self._polling = False
        self.queue: Any = None  # HallQueue, opened in the first request's thread
        self.absent = False  # the hall runs no queue (checked again when the workbench is shown again)

    def _queue(self) -> Any:
        """This window's queue (in a worker thread): the embedded one or the server's."""
        if self.queue is None:
            from hall_app.services.queue import open_queue

            user = self.hall_app.user
            self.queue = open_queue(self.hall_app.ctx, kind="window", user=user.username if user else "",
                                    window=self.window)
        return self.queue

    def _poll_in_thread(self) -> "WindowPoll":
        from hall_app.domain.queue import QueueError
        from screens.queue_adapter import WindowPoll, window_poll

        if self.queue is None:
            from screens.queue_adapter import queue_configured

            if not queue_configured(self.hall_app.ctx):
                return WindowPoll(absent=True)
        try:
            queue = self._queue()
        except QueueError as exc:
            return WindowPoll(None, None, offline=True, error=str(exc))
        return window_poll(queue, self.window, self.line_names)

    def _act_in_thread(self, action: str, ticket: str, extra: dict[str, Any]) -> "WindowActed":
        from hall_app.domain.queue import QueueError
        from screens.queue_adapter import WindowActed, window_act

        try:
            queue = self._queue()
        except QueueError as exc:
            return WindowActed(error=str(exc), offline=True)
        return window_act(queue, self.window, action, ticket, **extra)

    @property
    def hall_app(self) -> "HallApp":
        return self.app  # type: ignore[return-value]

    @property
    def window(self) -> str:
        user = self.hall_app.user
        return user.window if user else ""

    def compose(self) -> ComposeResult:
        yield Static(T.heading, id="wq-head", markup=False)
        yield Static("", id="wq-waiting", markup=False)

    def on_mount(self) -> None:
        self.display = False  # shown once the queue answers: a hall without a queue never sees it
        self.refresh_now()

    def on_unmount(self) -> None:
        self.stop()
        if self.queue is not None:
            self.queue.close()
            self.queue = None

    # -- the refresh loop -----------------------------------------------------------------
    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def wake(self) -> None:
        """The workbench is shown again: refresh now and go on polling."""
        self.refresh_now()

    def _schedule(self) -> None:
        self.stop()
        if self.poll_seconds > 0 and not self.absent and self.is_attached and self.screen.is_current:
            self._timer = self.set_timer(self.poll_seconds, self.refresh_now, name="window-queue-poll")

    def refresh_now(self) -> None:
        """Ask the queue for this window's view (unless a request is already on its way)."""
        if self._polling or self.hall_app.ctx is None or not self.window:
            return
        self._polling = True
        self.run_worker(self._poll(), group="window-queue")

    async def _poll(self) -> None:
        try:
            result = await asyncio.to_thread(self._poll_in_thread)
            self.polls += 1
            if self.is_attached:
                self.show(result)
        finally:
            self._polling = False
            self._schedule()

    # -- showing ---------------------------------------------------------------------------
    def show(self, result: "WindowPoll") -> None:
        self.absent = result.absent
        if self.display == result.absent:
            self.display = not result.absent
            self.screen.refresh_bindings()  # the queue keys come and go with the panel
        if result.absent:
            return
        if result.window is None:
            self._set_offline(result.offline, result.error)
            return
        self._set_offline(False)
        self.view = result.window
        self.line_names = result.lines or self.line_names
        self._paint()

    def _paint(self) -> None:
        view = self.view
        head = Text(T.heading_state.format(state=view.state_label), style="bold")
        head.append("  ")
        current = view.current
        if current is not None:
            head.append(T.current.format(number=current.label, line=current.line_name, state=current.state_label),
                        style="bold reverse" if current.state == "called" else "bold")
        else:
            head.append(T.current_none, style="dim")
        if view.held:
            head.append("  " + T.held_list.format(numbers="、".join(t.label for t in view.held)), style="dim")
        self.query_one("#wq-head", Static).update(head)
        waiting = [T.waiting_row.format(name=self.line_names.get(line, line), waiting=n)
                   for line, n in view.waiting.items()]
        line = T.waiting_lead + "　".join(waiting) if waiting else T.waiting_none
        self.query_one("#wq-waiting", Static).update(Text(line))

    def _set_offline(self, offline: bool, error: str = "") -> None:
        self.offline = offline
        self.set_class(offline, "-offline")
        label = T.offline_short if offline else ""
        if getattr(self.hall_app, "queue_label", "") != label:
            self.hall_app.queue_label = label
            self.hall_app.refresh_status_line()
        if offline:
            self.query_one("#wq-head", Static).update(Text(T.heading, style="bold"))
            self.query_one("#wq-waiting", Static).update(Text(T.offline, style="bold"))
        elif error:
            self.query_one("#wq-waiting", Static).update(Text(error))

    # -- keys --------------------------------------------------------------------------------
    def say(self, text: str, kind: str = "info") -> None:
        from screens.widgets.bars import MessageLine

        try:
            self.screen.query_one("#message", MessageLine).say(text, kind)
        except Exception:  # a screen without a message line
            self.app.notify(text)

    def act(self, name: str) -> None:
        if self.busy:
            return  # a double press of "call next" calls once
        current = self.view.current if self.view is not None else None
        if name in ON_CURRENT and current is None:
            self.say(T.nothing_current, "warning")
            return
        if name == "given":
            self._ask_ticket()
        elif name == "transfer":
            self._ask_transfer(current)
        elif name == "pause":
            self._run("open" if self.view is not None and self.view.state == "paused" else "pause")
        elif name == "close":
            self._run("open" if self.view is not None and self.view.state == "closed" else "close")
        elif name == "next":
            self._run("next")
        elif name == "finish":
            self._finish(current)
        else:
            self._run(name, current.ticket)

    # -- F10: the visit's cases, and never a draft closed silently -------------------------------
    def _finish(self, current: Any) -> None:
        self.busy = True  # a second F10 meanwhile does nothing
        self.run_worker(self._finish_visit(current), group="window-queue-act")

    async def _finish_visit(self, current: Any) -> None:
        from hall_app.services.visit_cases import visit_of

        remembered = list(self.hall_app.ticket_cases.get(current.ticket, []))
        try:
            visit = await asyncio.to_thread(visit_of, self.hall_app.ctx, current, remembered, self.window)
        except Exception:  # the device database must not stop the finish: the cases known in memory
            log.exception("cases of the visit")
            visit = None
        self.busy = False
        if visit is None:
            self._run("finish", current.ticket, cases=remembered)
        elif visit.drafts:
            self._ask_about_drafts(visit)
        else:
            self._run("finish", current.ticket, cases=visit.cases)

    def _ask_about_drafts(self, visit: Any) -> None:
        from screens.queue_dialogs import ChoiceDialog

        first = visit.drafts[0]
        cases = "\n".join(T.draft_case.format(bundle=c.bundle_name, status=c.status_label, code=c.tracking_code)
                          for c in visit.drafts)

        def chosen(choice: str | None) -> None:
            if choice == "resume":
                self.hall_app.resume_case(first.case_id)
            elif choice == "finish":
                self._run("finish", visit.ticket, cases=visit.cases)

        self.app.push_screen(ChoiceDialog(
            T.draft_title.format(number=visit.label), T.draft_message.format(cases=cases),
            [("resume", T.draft_resume.format(bundle=first.bundle_name)), ("finish", T.draft_finish),
             ("cancel", T.draft_cancel)]), chosen)

    def link_case(self, ticket: str, case: str, replaces: str = "") -> None:
        """Record at the queue that ``case`` was started on ``ticket`` (in the background;
        a failure is said, and the finish names the case all the same)."""
        self.run_worker(self._link(ticket, case, replaces), group="window-queue-link")

    async def _link(self, ticket: str, case: str, replaces: str) -> None:
        error = await asyncio.to_thread(self._link_in_thread, ticket, case, replaces)
        if error:
            self.say(T.link_failed.format(error=error), "warning")

    def _link_in_thread(self, ticket: str, case: str, replaces: str) -> str:
        from hall_app.domain.queue import QueueError
        from screens.queue_adapter import link_case

        try:
            queue = self._queue()
        except QueueError as exc:
            return str(exc)
        return link_case(queue, self.window, ticket, case, replaces)

    def _ask_ticket(self) -> None:
        from screens.queue_dialogs import EntryDialog

        def chosen(label: str | None) -> None:
            if label:
                self._run("call", label)

        self.app.push_screen(EntryDialog(T.given_title, T.given_label, _check_label), chosen)

    def _ask_transfer(self, current: Any) -> None:
        from screens.queue_dialogs import EntryDialog

        def chosen(target: str | None) -> None:
            if not target:
                return
            line, window = transfer_target(target, self.line_names)
            self._run("transfer", current.ticket, to_line=line, to_window=window)

        hint = "　".join(f"{code} {name}" for code, name in self.line_names.items())
        self.app.push_screen(EntryDialog(T.transfer_title.format(number=current.label), T.transfer_label,
                                         hint=hint), chosen)

    def _run(self, action: str, ticket: str = "", **extra: Any) -> None:
        self.busy = True
        if action == "serve":  # what the clerk types next belongs to the intake that opens
            self.hall_app.hold_keys(SERVE_HOLD_SECONDS)  # released in _act, whatever the answer
        self.run_worker(self._act(action, ticket, extra), group="window-queue-act")

    async def _act(self, action: str, ticket: str, extra: dict[str, Any]) -> None:
        try:
            result = await asyncio.to_thread(self._act_in_thread, action, ticket, extra)
        finally:
            self.busy = False
        try:
            opened = self.acted(action, result) if self.is_attached else None
            if opened is not None:
                await opened  # the intake is mounted and holds the keys itself until its step is ready
        finally:
            if action == "serve":
                self.hall_app.release_keys()

    def acted(self, action: str, result: "WindowActed") -> Any:
        """Show what the action did; for "serve", open the intake (returns the push's awaitable)."""
        if result.error:
            if result.offline:
                self._set_offline(True)
            self.say(result.error, "error")
            return None
        ticket = result.ticket
        message = _message(action, ticket)
        if message:
            self.say(message, "success")
        self.refresh_now()
        if action == "serve" and ticket is not None:
            return self.hall_app.new_intake(ticket=ticket)
        return None


def transfer_target(typed: str, line_codes: Iterable[str]) -> tuple[str, str]:
    """What the clerk typed in the transfer dialog → (line, window). A line by its code in
    any case (``estate``) or by its ticket prefix (``C``, ``ｃ``; the queue resolves it);
    anything with a digit is a window (``W05``). The demo hall's line codes are words, so
    upper-casing everything (as before) matched neither a code nor, as a window, anything."""
    from hall_app.domain.text import to_halfwidth

    key = to_halfwidth(typed).strip()
    codes = {code.lower(): code for code in line_codes}
    if key.lower() in codes:
        return codes[key.lower()], ""
    if key.isascii() and key.isalpha():
        return key.upper(), ""
    return "", key.upper()


def link_started_case(app: Any, ticket: str, case: str, replaces: str = "") -> None:
    """A case was started on ``ticket``: the window's panel (under the intake) records it
    at the queue. A hall without a queue has no panel: nothing to do."""
    for screen in app.screen_stack:
        for panel in screen.query(WindowQueuePanel):
            panel.link_case(ticket, case, replaces)
            return


def _check_label(text: str) -> str | None:
    from hall_app.domain.queue import parse_label

    return None if parse_label(text) else T.bad_label.format(text=text[:12])


def _message(action: str, ticket: Any) -> str:
    if action in ("pause", "open", "close"):
        return {"pause": T.paused, "open": T.opened, "close": T.closed}[action]
    if ticket is None:
        return ""
    number, line = ticket.label, ticket.line_name
    if action in ("next", "call"):
        return T.called.format(number=number, line=line)
    if action == "recall":
        return T.recalled_out.format(number=number) if ticket.state == "no_show" else \
            T.recalled.format(number=number, calls=ticket.calls)
    if action == "transfer":
        return T.transferred.format(number=number, to=ticket.target_window or ticket.line_name)
    return {"serve": T.serving, "hold": T.held, "finish": T.finished, "no_show": T.no_showed}[action].format(
        number=number)
