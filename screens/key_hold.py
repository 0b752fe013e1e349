"""Keys typed while the app is busy are kept, in order, and applied where the clerk meant them.

:class:`KeyHold` is mixed into the app (screens/app.py). Two kinds of hold:

* explicit: a screen calls ``hold_keys()`` while a step loads or the server answers and
  ``release_keys()`` when it is ready; keys typed meanwhile wait in ``held``;
* after a key that may move the focus or change the case (Enter, an answer, an arrow on a
  list, F8 …): the keys typed right after it wait until the key's path has handled it.

"Handled" is decided with barriers, not by polling queue sizes. A callback is queued
(``call_later``) on the widget the key went to; when it runs, every message queued there
before it has been handled, and the key (bubbling up) has been posted to the parent, so
the next barrier goes to the parent, and so on up to the screen and the app, where the
bindings run. The messages a binding posts (a table's ``RowHighlighted``) are caught by a
second pass over the path of whatever has the focus then. A pass costs a few turns of the
event loop whatever else the widgets are doing. Polling ``message_queue_size`` instead
never saw the path quiet while something kept posting to it (the test pilot's pause does,
on every widget): each arrow on the 待跟进 list was held up to the 500-poll cap (~1 s).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual import events
from textual.message_pump import MessagePump

if TYPE_CHECKING:
    from textual.app import App

    _Base = App[int]
else:
    _Base = object

PASSES = 3  # the key's path, the focused path, once more if that one still had messages queued
WATCH_SECONDS = 0.1  # how often a pass checks that the widget it waits on was not removed meanwhile


def _path(node: Any) -> list[MessagePump]:
    """The node, its ancestors, bottom-up, up to and including the app."""
    return list(node.ancestors_with_self) if node is not None else []


class _Drain:
    """One hold after a key, released when the passes over the key's path are done."""

    def __init__(self, app: "KeyHold") -> None:
        self.app = app
        self.passes = 0
        self.quiet = True  # no node of the current pass had anything queued before its barrier
        self.waiting: MessagePump | None = None
        self.done = False
        self.watch = app.set_interval(WATCH_SECONDS, self._watch, name="key-hold-watch")
        start = app._key_target if app._key_target is not None else _screen(app)
        self._start_pass(_path(start))

    def _start_pass(self, nodes: list[MessagePump]) -> None:
        self.passes += 1
        self.quiet = True
        self.nodes = nodes
        self._next()

    def _next(self) -> None:
        while self.nodes:
            node = self.nodes.pop(0)
            queued = node.message_queue_size
            if node.call_later(self._reached, node):  # False: the node is not running (removed)
                self.quiet = self.quiet and not queued
                self.waiting = node
                return
        self.waiting = None
        if self.passes == 1 or (self.passes < PASSES and not self.quiet):
            focused = self.app.focused
            self._start_pass(_path(focused if focused is not None else _screen(self.app)))
            return
        self._finish()

    def _reached(self, node: MessagePump) -> None:
        if self.done or node is not self.waiting:
            return
        self._next()

    def _watch(self) -> None:
        node = self.waiting
        if node is not None and (node._closing or node._closed or not node.is_running):
            self._next()  # removed with the barrier still queued: it will never run

    def _finish(self) -> None:
        if self.done:
            return
        self.done = True
        self.watch.stop()
        self.app.release_keys()


def _screen(app: Any) -> Any:
    try:
        return app.screen
    except Exception:  # no screen yet (or any more)
        return None


class KeyHold(_Base):
    """Mixed into :class:`~screens.app.HallApp` (an ``App``): keeps key presses and pastes
    while held, and dispatches them in order when released."""

    def _init_key_hold(self) -> None:
        self._hold, self._hold_until = 0, 0.0
        self.tab_after_choice = False  # set by a choice that moved the focus on itself (ChoiceInput.moves_on)
        self.held: list[events.Event] = []
        self._key_target: Any = None  # the widget that had the focus when the last key came
        self.last_input = time.monotonic()  # agents' idle lock (check_idle_lock)

    def hold_keys(self, seconds: float = 5.0) -> None:
        """Keep key presses (and pastes) until :meth:`release_keys`: a clerk who types ahead
        while the next step loads has every key applied to that step, in order. ``seconds``
        bounds a hold nobody releases (a bug): then the keys go where the focus is. Holds
        chain (F8 holds for the server's answer, then the intake for its first step): the
        bound is the latest hold's, not the first's, or a slow answer would let the keys
        typed meanwhile fall into the screen the clerk is leaving."""
        until = time.monotonic() + seconds
        self._hold_until = max(self._hold_until, until) if self._hold else until
        self._hold += 1
        self.set_timer(seconds + 0.05, self._release_stuck)

    def release_keys(self) -> None:
        self._hold = max(0, self._hold - 1)
        if not self._hold and self.held:
            self.call_later(self._flush_held)

    def _release_stuck(self) -> None:
        if self._hold and time.monotonic() >= self._hold_until:
            self._hold = 0
            self.call_later(self._flush_held)

    async def _flush_held(self) -> None:
        while self.held and not self._hold:
            await self._dispatch_input(self.held.pop(0))

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            if (self._hold or self.held) and not (isinstance(event, events.Key) and event.key in ("ctrl+q", "ctrl+c")):
                self.held.append(event)
                return
            await self._dispatch_input(event)
            return
        await super().on_event(event)

    async def _dispatch_input(self, event: events.Event) -> None:
        taken, self.tab_after_choice = self.tab_after_choice, False  # a Tab right after that choice: already moved
        locked = self.check_idle_lock()  # type: ignore[attr-defined]  # the app's idle lock (screens/app.py)
        if locked or (taken and isinstance(event, events.Key) and event.key == "tab"):
            return  # and the key that wakes an idle agent's laptop (issue 13) unlocks nothing
        self.last_input = time.monotonic()
        self._key_target = self.focused
        await super().on_event(event)
        if isinstance(event, events.Key) and self._must_wait(event):
            # A key that moves the focus or changes the case (Enter in a field, an answer,
            # a tick): keys typed right after it wait until the screen has handled it, so
            # they land where the clerk meant them, in order.
            self.hold_keys()
            _Drain(self)

    def _must_wait(self, event: events.Key) -> bool:
        from textual.widgets import Input

        focused = self.focused
        if focused is None:
            # Nothing focused: a screen binding runs after the key travelled; later keys wait ("↓ 4", rate pad)
            return True
        if isinstance(focused, Input):
            # Typing into a field never waits. Any other key may run a binding of the step or
            # the screen (F8, F7, Esc, Enter …), which the key reaches only after bubbling up
            # from the field: the keys typed after it wait, or they would land in the field
            # before the step changes (F8 then "1" put the 1 into the ID number).
            return not event.is_printable
        return True
