"""The key hold (screens/key_hold.py) releases the keys typed after an arrow as soon as the
arrow's path has handled it, even while something keeps posting messages to that path
(a panel refreshing itself, the test pilot's pause). It used to poll the path's queue
sizes every 2 ms until one poll found them all empty: with a message always queued each
key was held for the 500-poll cap (each arrow on the 待跟进 list took ~1 s, issue 8).

Counted in turns of the event loop (runs of the panel's own callback), not in seconds."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Input

from screens.key_hold import KeyHold
from tests.ui.helpers import key_event

ROWS = 20
ARROWS = 7


class Busy(Vertical):
    """Gets a message on every turn of the event loop, as a panel that something outside
    keeps calling would: seen from outside, its queue is hardly ever empty."""

    turns = 0

    def on_mount(self) -> None:
        self._poking = True
        loop = asyncio.get_running_loop()

        def poke() -> None:
            if self._poking and self.is_running:
                self.call_later(self.turn)
                loop.call_soon(poke)

        loop.call_soon(poke)

    def on_unmount(self) -> None:
        self._poking = False

    def turn(self) -> None:
        self.turns += 1


class HoldApp(KeyHold, App[None]):
    def __init__(self) -> None:
        super().__init__()
        self._init_key_hold()

    def check_idle_lock(self, now: float | None = None) -> bool:
        return False

    def compose(self) -> ComposeResult:
        with Busy():
            yield DataTable(id="list")
        yield Input(id="next")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("n")
        table.add_rows([(str(n),) for n in range(ROWS)])
        table.focus()


async def _until(app: HoldApp, condition, turns: int = 200_000) -> None:
    for _ in range(turns):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("never happened")


async def test_arrows_typed_at_once_are_not_held_while_the_path_stays_busy():
    app = HoldApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        busy, table = app.query_one(Busy), app.query_one(DataTable)
        before = busy.turns
        for _ in range(ARROWS):
            app._driver.send_message(key_event(app, "down"))
        await _until(app, lambda: table.cursor_row == ARROWS and not app.held and not app._hold)
        turns = busy.turns - before
        # a pass over the path (table, panel, screen, app) takes a few turns, three passes
        # at most per key; polling until the panel's queue was empty took thousands
        assert turns < ARROWS * 100, turns


async def test_keys_after_a_binding_that_moves_the_focus_land_in_the_new_place_in_order():
    app = HoldApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        table = app.query_one(DataTable)
        for key in ("down", "down", "tab", "4", "2"):  # Tab: the app's binding moves the focus
            app._driver.send_message(key_event(app, key))
        await _until(app, lambda: app.query_one(Input).value == "42" and not app.held and not app._hold)
        assert table.cursor_row == 2
