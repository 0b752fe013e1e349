"""The clerk's counter: the full-screen Textual app.

``HallApp(ctx)`` takes a :class:`~hall_app.services.context.HallContext`, or a
zero-argument callable that opens one. With a callable (what ``hall-app`` does) the
login screen is drawn first and the database is opened in a worker behind it, so
start-up costs about what a bare Textual app costs. Screens are imported when they
are first shown, and the catalog loads in the background after the first frame.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive

from screens.jobs import DbQueue
from screens.key_hold import KeyHold
from screens.strings import WEEKDAYS
from screens.strings import App as T

if TYPE_CHECKING:
    from hall_app.services.context import HallContext
    from hall_app.services.users import SignedIn

log = logging.getLogger("hall_app.screens")
STATUS_SECONDS = 15.0


def _commands():
    from screens.commands import ScreenCommands

    return ScreenCommands


class HallApp(KeyHold, App[int]):
    TITLE = T.title
    # login.tcss is loaded with the app: a screen with its own CSS_PATH makes Textual
    # re-parse the whole stylesheet, which before the first frame costs ~80 ms here.
    CSS_PATH = ["app.tcss", "widgets/widgets.tcss", "login.tcss"]
    COMMANDS = {_commands}  # ours only: Textual's system commands are English (退出/明暗主题 are bindings here)
    BINDINGS = [
        Binding("f1", "help", T.help, id="app.help"),
        Binding("ctrl+q", "quit", T.quit, id="app.quit", priority=True, show=False),
        Binding("ctrl+t", "toggle_theme", T.theme, id="app.theme", show=False),
        Binding("ctrl+p", "command_palette", T.palette, id="app.palette", show=False, priority=True),
    ]
    ENABLE_COMMAND_PALETTE = True

    status_line: reactive[str] = reactive("")
    window_name: reactive[str] = reactive("")

    def __init__(self, ctx: "HallContext | Callable[[], HallContext]", *, cursor_blink: bool = True,
                 status_seconds: float = STATUS_SECONDS, keymap: dict[str, str] | None = None,
                 unlock: "Callable[[str, str], HallContext] | None" = None) -> None:
        super().__init__()
        self.start_on_dashboard = False  # hall-app dashboard: a supervisor signs in to the dashboard
        # an encrypted laptop database (issue 13): opened with the key the sign-in unwraps
        self._unlock = unlock
        if hasattr(ctx, "cases"):
            self.ctx: HallContext | None = ctx  # type: ignore[assignment]
            self._opener: Callable[[], HallContext] | None = None
        else:
            self.ctx, self._opener = None, ctx  # type: ignore[assignment]
        # the [keymap] settings section (binding id -> keys); see screens/keymap.py
        if keymap is None and self.ctx is not None:
            keymap = getattr(self.ctx.settings, "keymap", None)
        if keymap:
            self.set_keymap(keymap)
        self.cursor_blink_enabled = cursor_blink
        self.status_seconds = status_seconds
        self.user: SignedIn | None = None
        self.sync_label = ""
        self.clock_label = ""
        self.db = DbQueue(self)
        self._when_ready: list[Callable[[], Any]] = []
        self._sync_handle: Any = None
        self._opening = False
        self._init_key_hold()  # keys typed while a step loads are kept, in order (screens/key_hold.py)
        # the window's queue (screens/window_queue.py): "排队离线" in the status bar while its
        # server cannot be reached; ticket id -> the cases started while serving it
        self.queue_label = ""
        self.ticket_cases: dict[str, list[str]] = {}

    # -- start-up -------------------------------------------------------------------------
    def on_mount(self) -> None:
        from screens.login import LoginScreen

        self.push_screen(LoginScreen())
        self._refresh_status_line()

    @property
    def needs_unlock(self) -> bool:
        return self.ctx is None and self._unlock is not None

    def unlock_database(self, username: str, password: str, error: Callable[[str], Any]) -> None:
        """Open the encrypted database with the key this user's password unwraps."""
        if self._unlock is not None and not self._opening:
            self._opening = True

            def failed(message: str) -> None:
                self._opening = False
                error(message)

            self.db.submit(self._unlock, username, password, done=self._opened, error=failed, name="unlock")

    def start_opening(self) -> None:
        """Called by the login screen after its first frame: open the database behind it."""
        if self.ctx is not None:
            self._opened(self.ctx)
        elif self._unlock is not None:
            return  # encrypted: opened at sign-in (unlock_database)
        elif not self._opening:
            self._opening = True
            self.db.submit(self._open_in_thread, done=self._opened_or_failed, name="open")

    def _open_in_thread(self) -> "HallContext | str":
        try:
            assert self._opener is not None
            return self._opener()
        except Exception as exc:  # the message goes to the terminal on exit
            log.exception("cannot open the database")
            return f"{T.db_error}：{exc}"

    def _opened_or_failed(self, result: "HallContext | str") -> None:
        if isinstance(result, str):
            self.exit(2, return_code=2, message=result)
        else:
            self._opened(result)

    def _opened(self, ctx: "HallContext") -> None:
        self.ctx = ctx
        callbacks, self._when_ready = self._when_ready, []
        for callback in callbacks:
            callback()
        self.db.background(_catalog_and_need_tables, ctx, name="catalog", error=lambda m: None)
        self.db.background(_tracking_notice, ctx, done=self._say_once, error=lambda m: None, name="tracking-notice")
        self.db.background(_start_sync, ctx, done=self._sync_started, error=lambda m: log.warning(m),
                           name="sync")
        self.refresh_status()
        self.set_interval(self.status_seconds, self.refresh_status, name="status")

    def _say_once(self, notice: str | None) -> None:
        if notice:  # where the receipts' QR codes point: first start, or when it changed
            self.notify(notice, timeout=12)

    def when_ready(self, callback: Callable[[], Any]) -> None:
        """Run ``callback`` once the database is open (now, if it already is)."""
        if self.ctx is not None:
            callback()
        else:
            self._when_ready.append(callback)

    def _sync_started(self, handle: Any) -> None:
        self._sync_handle = handle

    def poke_sync(self) -> None:
        """A decision was made: push it now rather than at the next tick."""
        poke = getattr(self._sync_handle, "poke", None)
        if poke is not None:
            poke()
        self.refresh_status()

    def on_unmount(self) -> None:
        handle, self._sync_handle = self._sync_handle, None
        if handle is not None:
            try:
                handle.stop(timeout=2.0)
            except Exception:  # never block quitting
                log.exception("stopping background sync")

    # -- status bar ---------------------------------------------------------------------
    def refresh_status(self) -> None:
        if self.ctx is None:
            return
        agent = self.user is not None and self.user.role == "agent"
        self.db.submit(_status_in_thread, self.ctx, agent, done=self._status_done, coalesce="status",
                       error=lambda m: None, name="status")

    def _status_done(self, result: tuple[str, str]) -> None:
        self.sync_label, self.clock_label = result
        self._refresh_status_line()

    def _refresh_status_line(self) -> None:
        parts = []
        if self.user is None:
            parts.append(T.not_signed_in)
        else:
            parts.append(f"{self.user.display_name}（{self.user.role_label}）")
            parts.append(self.window_name or self.user.window)
        if self.sync_label:
            parts.append(self.sync_label)
        if self.queue_label:
            parts.append(self.queue_label)
        line = " · ".join(parts)
        if self.clock_label:
            line = f"{line}    {self.clock_label}"
        self.status_line = line

    def refresh_status_line(self) -> None:
        self._refresh_status_line()

    # -- who is signed in ------------------------------------------------------------------
    def signed_in(self, user: "SignedIn", keys_held: bool = False) -> None:
        from screens.workbench import WorkbenchScreen

        self.user = user
        self.window_name = user.window
        self._refresh_status_line()
        assert self.ctx is not None
        from hall_app.services.counter import window_name

        self.db.submit(window_name, self.ctx, user.window, done=self._window_named, name="window")
        if user.role == "agent":  # a township agent has a home of their own (issue 13)
            from screens.agent_home import AgentHomeScreen

            shown = self.switch_screen(AgentHomeScreen())
        else:
            shown = self.switch_screen(WorkbenchScreen())
            from screens.roles import can

            if self.start_on_dashboard and can(user.role, "dashboard"):  # hall-app dashboard
                from screens.dashboard import DashboardScreen

                shown = self.push_screen(DashboardScreen())
        if keys_held:  # the keys typed since the login's Enter: through once the next screen has its focus
            self.call_later(_after, shown, self.release_keys)
        self.refresh_status()

    def _window_named(self, name: str) -> None:
        self.window_name = name
        self._refresh_status_line()

    def sign_out(self) -> None:
        from screens.login import LoginScreen

        self.user = None
        self._refresh_status_line()
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(LoginScreen())

    # -- agents' idle lock (issue 13): event-driven, no app-wide timer ------------------------
    def check_idle_lock(self, now: float | None = None) -> bool:
        """Lock an agent's screen after ``idle_lock_minutes`` without a key (0: never);
        called at each key and by the agent home's own timer. True while locked."""
        if self.user is None or self.user.role != "agent" or self.ctx is None:
            return False  # a counter in the hall is not locked (cheap: every key passes here)
        from screens.lock import LockScreen

        if isinstance(self.screen, LockScreen):
            return False  # the lock screen's own keys (the password) go through
        minutes = int(getattr(self.ctx.settings, "idle_lock_minutes", 0))
        if minutes <= 0:
            return False
        now = time.monotonic() if now is None else now
        if now - self.last_input < minutes * 60:
            return False

        def unlocked(_ok: bool | None) -> None:
            self.last_input = time.monotonic()

        self.last_input = now
        self.push_screen(LockScreen(self.user.display_name, minutes), unlocked)
        return True

    # -- navigation used by several screens --------------------------------------------------
    def new_intake(self, ticket: Any = None) -> Any:
        """A new intake; ``ticket`` (a queue TicketView being served): the case records it,
        and a ticket taken by ID or appointment prefills the applicant. Returns the
        push's awaitable (await it to know the intake is mounted)."""
        from screens.intake.screen import IntakeScreen

        return self.push_screen(IntakeScreen(None, ticket=ticket))

    def resume_case(self, case_id: str) -> None:
        """Continue a draft: take it (asking first if someone else holds it), open its step."""
        from screens.resume import resume

        resume(self, case_id)

    def open_case(self, case_id: str) -> None:
        from screens.case_view import CaseViewScreen

        self.push_screen(CaseViewScreen(case_id))

    # -- actions -------------------------------------------------------------------------
    async def action_quit(self) -> None:
        """Record what is being typed, let the queued writes finish, then leave."""
        pane = getattr(self.screen, "pane", None)
        if pane is not None:
            pane.commit()
        try:
            await asyncio.wait_for(self.db.idle(), timeout=5)
        except TimeoutError:
            log.warning("quitting with database jobs still queued")
        self.exit()

    def action_command_palette(self) -> None:
        """The palette in Chinese, with pinyin search (screens/commands.py)."""
        from textual.command import CommandPalette

        from screens.commands import HallCommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(HallCommandPalette(id="--command-palette"))

    def get_system_commands(self, screen):  # Textual's hook
        """None: Textual's are English; the app's own bindings cover quit, theme and help."""
        return iter(())

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"


async def _after(awaitable: Any, callback: Callable[[], Any]) -> None:
    try:
        await awaitable
    finally:
        callback()


def _status_in_thread(ctx: "HallContext", agent: bool = False) -> tuple[str, str]:
    from hall_app.sync.status import sync_status

    label = sync_status(ctx).label()
    if agent:  # an agent's laptop: the last sync and how old its data is, on every screen (issue 13)
        extra = ctx.agent_day.status_line()
        state, _, rest = label.partition(" · ")  # right after online/offline: still seen at 80 columns
        label = " · ".join(p for p in (state, extra, rest) if p)
    now = ctx.now()
    return label, f"{now:%Y-%m-%d} 周{WEEKDAYS[now.weekday()]} {now:%H:%M}"


def _catalog_and_need_tables(ctx: "HallContext") -> None:
    """Load the catalog, then prepare the need search's pinyin tables on their own thread
    (~0.5 s of CPU): ready long before the clerk types at the first intake's 智能导办."""
    ctx.catalog.need_index.prepare_in_background()


def _tracking_notice(ctx: "HallContext") -> str | None:
    from hall_app.services.documents import tracking_notice

    return tracking_notice(ctx)


def _start_sync(ctx: "HallContext") -> Any:
    """Start background sync when a server is configured and the sync runner exists."""
    if importlib.util.find_spec("hall_app.sync.runner") is None:
        return None
    from hall_app.sync.status import sync_status

    if not (ctx.settings.server_url or sync_status(ctx).configured):
        return None
    from hall_app.sync.runner import start_background_sync

    return start_background_sync(ctx)
