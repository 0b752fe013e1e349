"""Database work off the UI thread, in the order the clerk did it.

Every service call from a screen goes through :class:`DbQueue`. Each job is a
Textual worker (so ``app.workers.wait_for_complete()`` sees it) that waits its turn
on a FIFO ``asyncio.Lock`` and then runs the blocking call in a thread. The lock
keeps writes in key order (a field's third keystroke never lands before its
second); keystroke saves of the same field that are still waiting are coalesced
into the newest one.

Printing does not go through the queue: it is slow and must never hold up the
next citizen's intake (see :meth:`DbQueue.background`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

log = logging.getLogger("hall_app.screens")


def user_message(exc: BaseException) -> str | None:
    """The clerk-facing message of a known error, or None for a bug."""
    from hall_app.services.intake import IntakeError

    if isinstance(exc, IntakeError):
        return str(exc)
    try:
        from hall_app.services.users import AuthError

        if isinstance(exc, AuthError):
            return str(exc)
    except ImportError:  # pragma: no cover
        pass
    from bundles.reviews import ReviewsError  # bundle review (screens/bundle_detail.py)
    from hall_app.services.bundle_review import ReviewRefused

    if isinstance(exc, (ReviewRefused, ReviewsError)):
        return str(exc)
    from hall_app.services.scan_copies import ScanError  # a signed authorisation's scan (case view)

    if isinstance(exc, ScanError):
        return str(exc)
    return None


class DbQueue:
    def __init__(self, app: "App") -> None:
        self.app = app
        self._lock: asyncio.Lock | None = None
        self._ticket = 0
        self._latest: dict[Hashable, int] = {}
        self.pending = 0  # jobs submitted and not finished (tests and the bench wait on it)

    def submit(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], Any] | None = None,
               error: Callable[[str], Any] | None = None, coalesce: Hashable | None = None,
               name: str = "db") -> None:
        """Run ``fn(*args)`` in a thread after every job submitted before it.

        ``done(result)`` runs on the UI thread. A known error (IntakeError, AuthError)
        goes to ``error(message)`` or, without one, to a notification; anything else
        is logged and shown as an internal error, and the app keeps running.
        """
        self._ticket += 1
        ticket = self._ticket
        if coalesce is not None:
            self._latest[coalesce] = ticket
        self.pending += 1

        async def job() -> None:
            try:
                if self._lock is None:
                    self._lock = asyncio.Lock()
                async with self._lock:
                    if coalesce is not None and self._latest.get(coalesce) != ticket:
                        return  # a newer value of the same thing is queued: skip this one
                    try:
                        result = await asyncio.to_thread(fn, *args)
                    except Exception as exc:  # reported to the clerk below
                        self._report(exc, error)
                        return
                if done is not None:
                    try:
                        outcome = done(result)
                        if asyncio.iscoroutine(outcome):
                            await outcome
                    except Exception as exc:
                        self._report(exc, error)
            finally:
                if coalesce is not None and self._latest.get(coalesce) == ticket:
                    del self._latest[coalesce]
                self.pending -= 1

        self.app.run_worker(job(), name=name, group="db", exit_on_error=False)

    def background(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], Any] | None = None,
                   error: Callable[[str], Any] | None = None, name: str = "background") -> None:
        """Run ``fn`` in its own thread now, outside the queue (printing, catalog load)."""
        self.pending += 1

        async def job() -> None:
            try:
                try:
                    result = await asyncio.to_thread(fn, *args)
                except Exception as exc:
                    self._report(exc, error)
                    return
                if done is not None:
                    outcome = done(result)
                    if asyncio.iscoroutine(outcome):
                        await outcome
            finally:
                self.pending -= 1

        self.app.run_worker(job(), name=name, group="background", exit_on_error=False)

    def _report(self, exc: BaseException, error: Callable[[str], Any] | None) -> None:
        message = user_message(exc)
        if message is None:
            from screens.strings import App as T

            log.exception("unexpected error in a database job", exc_info=exc)
            message = T.internal_error + f"{type(exc).__name__}: {exc}"
            if error is None:
                self.app.notify(message, severity="error", timeout=8)
                return
        if error is not None:
            try:
                error(message)
                return
            except Exception:  # the screen went away: fall back to a toast
                pass
        self.app.notify(message, severity="error", timeout=6)

    async def idle(self) -> None:
        """Wait until every submitted job has finished (tests, bench)."""
        while self.pending:
            await asyncio.sleep(0.005)
