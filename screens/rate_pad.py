"""评价器: the citizen rates the visit at the window (issue 11, 一键评价).

A full-screen modal for the citizen's side of the counter: five levels on the number
keys (5 非常满意 … 1 非常不满意, the same numbers as ``hall-app rate --level``), then
the reasons the chosen level offers (letter keys tick them) and, optionally, the three
dimensions (服务态度、服务效率、服务水平: ↓/↑ moves the marker to a dimension, the
number keys score it, 0 clears it), Enter submits. Escape,
or no key for ``timeout`` seconds, closes it as 未评价: never a good rating by default,
and nothing is written to the case. The timer belongs to this screen; tests call
:meth:`expire` instead of waiting.

Dismissed with ``{"level": n, "reasons": [...], "dimensions": {...}, "follow_up_due": "..."}`` once the
rating is recorded (through the rating service), or None for 未评价.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Static

from hall_app.domain.case_state import RATING_LEVELS
from hall_app.domain.rating import DIMENSIONS, REASONS
from hall_app.domain.tracking import format_tracking_code
from screens.supervise_strings import RatePad as T
from screens.widgets.bars import MessageLine

if TYPE_CHECKING:
    from screens.app import HallApp

REASON_CELL = 26  # terminal cells per reason when two share a line


def width_extra(text: str) -> int:
    """How many more cells ``text`` takes than characters (a CJK character takes two)."""
    from rich.cells import cell_len

    return cell_len(text) - len(text)


TIMEOUT = 60.0  # seconds without a key before the pad closes as 未评价
LETTERS = "abcdefgh"


def rate_in_thread(ctx, case_id: str, actor: str, level: int, reasons: list[str], dimensions: dict[str, int]):
    return ctx.ratings.rate(case_id, actor, level, reasons, dimensions, channel="window")


class RatePadScreen(ModalScreen[dict[str, Any] | None]):
    CSS_PATH = "rate_pad.tcss"
    BINDINGS = [
        Binding("enter", "submit", T.submit, id="rate_pad.submit"),
        Binding("escape", "skip", T.skip, id="rate_pad.skip"),
        Binding("down", "row(1)", show=False, id="rate_pad.down"),
        Binding("up", "row(-1)", show=False, id="rate_pad.up"),
    ]

    def __init__(self, case_id: str, tracking_code: str, timeout: float = TIMEOUT, subtitle: str = "") -> None:
        super().__init__()
        self.case_id, self.tracking_code, self.timeout = case_id, tracking_code, timeout
        self.subtitle = subtitle or T.subtitle.format(code=format_tracking_code(tracking_code))
        self.level: int | None = None
        self.reasons: list[str] = []
        self.dimensions: dict[str, int] = {}
        self.row = 0  # 0: the overall level; 1..3: a dimension (the number keys score the marked row)
        self._timer: Timer | None = None
        self._sending = False

    @property
    def hall_app(self) -> "HallApp":
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(id="pad"):
            yield Static(T.title, id="pad-title")
            yield Static(self.subtitle, id="pad-subtitle", markup=False)
            yield Static("", id="pad-levels", markup=False)
            yield Static("", id="pad-reasons", markup=False)
            yield Static("", id="pad-dimensions", markup=False)
            yield MessageLine(id="pad-message")
            keys = f"{T.keys_level} · {T.timeout.format(seconds=int(self.timeout))}"
            yield Static(keys, id="pad-keys", markup=False)

    def on_mount(self) -> None:
        self._draw()
        self._restart_timer()

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    def _restart_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.timeout, self.expire, name="rate-pad-timeout")

    def expire(self) -> None:
        """No answer in time: 未评价 (nothing is recorded on the case)."""
        if not self._sending:
            self.dismiss(None)

    def on_key(self, event: events.Key) -> None:
        self._restart_timer()
        char = event.character or ""
        if char and char in "012345":
            event.stop()
            self._score(int(char))
        elif char and char.lower() in LETTERS and self.level is not None:
            event.stop()
            offered = REASONS[self.level]
            n = LETTERS.index(char.lower())
            if n < len(offered):
                reason = offered[n]
                if reason in self.reasons:
                    self.reasons.remove(reason)
                else:
                    self.reasons.append(reason)
                self._draw()

    def _score(self, value: int) -> None:
        """A number key: the level (row 0) or the marked dimension's score (0 clears it)."""
        if self.row == 0:
            if value == 0:
                return
            self.level = value
            self.reasons = []
        elif value == 0:
            self.dimensions.pop(DIMENSIONS[self.row - 1], None)
        else:
            self.dimensions[DIMENSIONS[self.row - 1]] = value
        self._draw()

    def action_row(self, step: int) -> None:
        """Move the marker between the level and the three dimensions (after a level is chosen)."""
        if self.level is None:
            return
        self.row = max(0, min(len(DIMENSIONS), self.row + step))
        self._draw()

    def _draw(self) -> None:
        lines = [("▶ " if self.row == 0 else "  ") + T.levels_hint]
        for level in sorted(RATING_LEVELS, reverse=True):
            mark = "●" if level == self.level else "○"
            lines.append(f"  [{level}] {mark} {RATING_LEVELS[level]}")
        self.query_one("#pad-levels", Static).update("\n".join(lines))
        reasons = self.query_one("#pad-reasons", Static)
        dims = self.query_one("#pad-dimensions", Static)
        if self.level is None:
            reasons.update("")
            dims.update("")
            return
        cells = [f"[{letter.upper()}] {'☑' if reason in self.reasons else '☐'} {reason}"
                 for letter, reason in zip(LETTERS, REASONS[self.level], strict=False)]
        # two to a line, so that the worst level's seven reasons and the dimensions fit 80x24
        pairs = [cells[n:n + 2] for n in range(0, len(cells), 2)]
        shown = [T.reasons_title] + [
            "  " + "  ".join(cell.ljust(REASON_CELL - width_extra(cell)) for cell in pair).rstrip() for pair in pairs]
        reasons.update("\n".join(shown))
        rows = [T.dimensions_title]
        for n, name in enumerate(DIMENSIONS, start=1):
            score = self.dimensions.get(name)
            stars = "★" * score + "☆" * (5 - score) if score else "☆☆☆☆☆"
            label = RATING_LEVELS[score] if score else T.dimension_unset
            rows.append(f"{'▶' if self.row == n else ' '} {name}  {stars}  {label}")
        dims.update("\n".join(rows))

    def action_submit(self) -> None:
        if self.level is None:
            self.query_one("#pad-message", MessageLine).say(T.choose_level, "warning")
            return
        if self._sending:
            return
        self._sending = True
        user = self.hall_app.user.username if self.hall_app.user else ""
        # the citizen's chosen reasons in the order they are offered
        reasons = [r for r in REASONS[self.level] if r in self.reasons]
        self.hall_app.db.submit(rate_in_thread, self.hall_app.ctx, self.case_id, user, self.level, reasons,
                                dict(self.dimensions), done=self._rated, error=self._refused, name="rate")

    def _rated(self, state) -> None:
        self._sending = False
        follow = (state.rating.get("follow_up") or {}).get("due", "")
        self.dismiss({"level": state.rating["level"], "label": state.rating["label"],
                      "reasons": list(state.rating.get("reasons", [])),
                      "dimensions": dict(state.rating.get("dimensions", {})), "follow_up_due": follow})

    def _refused(self, message: str) -> None:
        self._sending = False
        self.query_one("#pad-message", MessageLine).say(message, "error")

    def action_skip(self) -> None:
        self.expire()
