"""The live hall on the supervisor's dashboard (issue 11): alerts, per service line and
per window, from the queue's events (``HallQueue.live``: the embedded queue or the
hall's server, hall_app/server/queue_live.py).

The panel owns its poll: one request at a time in a worker thread, the next one
``[deadlines] queue_refresh`` seconds after the last one finished (never on top of it),
stopped while the dashboard is hidden. When the queue cannot be reached the panel keeps
its last figures and says "离线" with their time. F9 accepts the tidal switch under
the cursor (or the first one) through the queue's own switch.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import DataTable, Static

from hall_app.domain.queue import STATE_LABELS, WINDOW_STATE_LABELS
from screens.supervise_strings import QueueLive as T
from screens.widgets.live_table import LiveTable
from screens.widgets.tables import add_fixed_columns

if TYPE_CHECKING:
    from hall_app.domain.queue_live import Alert, LiveHall

BARS = "▁▂▃▄▅▆▇█"
SPARK_POINTS = 16  # the last four hours at 15 minutes a step


def sparkline(values: list[int], top: int, points: int = SPARK_POINTS) -> str:
    """The last ``points`` values as block characters, scaled to ``top`` (the hall's peak)."""
    shown = values[-points:]
    if top <= 0:
        return BARS[0] * len(shown)
    return "".join(BARS[min(len(BARS) - 1, round(v / top * (len(BARS) - 1)))] for v in shown)


def wait_sparkline(values: list[float | None], top: float, points: int = SPARK_POINTS) -> str:
    """The mean waits as block characters scaled to ``top``; a step with no call is blank."""
    shown = values[-points:]
    if top <= 0:
        return "".join(" " if v is None else BARS[0] for v in shown)
    return "".join(" " if v is None else BARS[min(len(BARS) - 1, round(v / top * (len(BARS) - 1)))] for v in shown)


def minutes(value: float | None) -> str:
    return "—" if value is None else T.minutes.format(m=value)


def say(widget: Static, text: str) -> None:
    """Update a Static; laid out again only when a line's width changed (a new time of the
    same width is a repaint)."""
    from rich.cells import cell_len

    shape = [cell_len(line) for line in text.split("\n")]
    before = getattr(widget, "_said", None)
    if before is not None and before[0] == text:
        return
    widget.update(text, layout=before is None or before[1] != shape)
    widget._said = (text, shape)  # type: ignore[attr-defined]


def cell(value: Any) -> Text:
    """A table cell as plain text: never read as markup (a name with "[" stays as typed), and
    no markup parsed on every repaint."""
    return Text(str(value))


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@dataclass(frozen=True)
class LivePoll:
    hall: Any = None  # LiveHall, or None when the queue did not answer
    offline: bool = False
    absent: bool = False  # this hall runs no queue
    error: str = ""


class QueuePanel(Vertical):
    def __init__(self, poll_seconds: float = 5.0, *, id: str | None = "queue-panel") -> None:
        super().__init__(id=id)
        self.poll_seconds = poll_seconds  # 0: no timer (tests call poll_once)
        self.hall: LiveHall | None = None
        self.offline = False
        self.absent = False
        self.polls = 0
        self.queue: Any = None  # HallQueue, opened in the first poll's thread
        self._timer: Timer | None = None
        self._running = False
        self._shown: dict[str, list[tuple[str, tuple[Any, ...]]]] = {}  # rows on screen, per table

    @property
    def ctx(self) -> Any:
        return self.app.ctx  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Static("", id="queue-title", classes="heading")
        yield Static(T.alerts, id="queue-alerts-title", classes="subheading")
        yield LiveTable(id="queue-alerts", cursor_type="row", zebra_stripes=True)
        yield Static(T.lines, id="queue-lines-title", classes="subheading")
        yield LiveTable(id="queue-lines", cursor_type="row", zebra_stripes=True)
        yield Static(T.windows, id="queue-windows-title", classes="subheading")
        yield LiveTable(id="queue-windows", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        add_fixed_columns(self.query_one("#queue-alerts", DataTable), T.alert_cols, (10, 62))
        add_fixed_columns(self.query_one("#queue-lines", DataTable), T.line_cols,
                          (18, 4, 5, 5, 5, 4, 4, 6, 6, SPARK_POINTS, SPARK_POINTS))
        add_fixed_columns(self.query_one("#queue-windows", DataTable), T.window_cols,
                          (12, 4, 12, 12, 8, 4, 8, 8, 14))
        self.query_one("#queue-title", Static).update(T.loading)
        self.display = False  # shown with the queue's first answer (the summary box says "loading" till then)

    def on_unmount(self) -> None:
        self.stop()
        if self.queue is not None:
            self.queue.close()
            self.queue = None

    # -- the poll ---------------------------------------------------------------------------
    def start(self) -> None:
        """Poll now, and then again after each poll ends."""
        self._running = True
        if self._timer is None:
            self._tick()

    def stop(self) -> None:
        self._running = False
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _tick(self) -> None:
        self._timer = None
        self.run_worker(self._poll_then_schedule(), group="queue-live", exclusive=True)

    async def _poll_then_schedule(self) -> None:
        try:
            await self.poll_once()
        finally:
            if self._running and self.poll_seconds > 0 and not self.absent and self.is_attached:
                self._timer = self.set_timer(self.poll_seconds, self._tick, name="queue-live-poll")

    async def poll_once(self) -> None:
        result = await asyncio.to_thread(self._poll_in_thread)
        self.polls += 1
        if self.is_attached:
            self.show(result)
            self._box()

    def _targets(self) -> Any:
        from hall_app.domain.queue_live import LiveTargets

        d = self.ctx.settings.deadlines
        return LiveTargets(d.queue_wait_target, d.queue_idle_alert, d.queue_paused_alert)

    def _open(self) -> Any:
        if self.queue is None:
            from hall_app.services.queue import open_queue

            user = getattr(self.app, "user", None)
            self.queue = open_queue(self.ctx, user=user.username if user else "")
        return self.queue

    def _poll_in_thread(self) -> LivePoll:
        from hall_app.domain.queue import QueueError, QueueOffline

        if self.queue is None:
            from screens.queue_adapter import queue_configured

            if not queue_configured(self.ctx):
                return LivePoll(absent=True)
        try:
            return LivePoll(self._open().live(self._targets()))
        except QueueOffline as exc:
            return LivePoll(offline=True, error=str(exc))
        except QueueError as exc:
            return LivePoll(error=str(exc))

    # -- showing ----------------------------------------------------------------------------
    def show(self, result: LivePoll) -> None:
        title = self.query_one("#queue-title", Static)
        self.absent = result.absent
        target = self._targets().wait_target
        if result.absent:  # the summary box says so; the panel takes no room
            self.display = False
            return
        self.display = True
        self.offline = result.hall is None
        if result.hall is None:
            when = self.hall.at[11:19] if self.hall is not None else ""
            state = (T.offline.format(time=when) if when else T.offline_never) if result.offline else \
                T.failed.format(error=result.error)
            say(title, f"[b]{T.title.format(target=target)}[/b]  [$warning]{state}[/]")
            self.set_class(True, "-offline")
            return
        self.set_class(False, "-offline")
        self.hall = hall = result.hall
        say(title, f"[b]{T.title.format(target=hall.wait_target)}[/b]  {T.updated.format(time=hall.at[11:19])}")
        self._fill_alerts(hall)
        self._fill_lines(hall)
        self._fill_windows(hall)

    def _box(self) -> None:
        for box in self.screen.query("#queue-box"):
            if isinstance(box, Static):
                say(box, self.summary())

    def names(self) -> tuple[dict[str, str], dict[str, str]]:
        hall = self.hall
        if hall is None:
            return {}, {}
        return {x.line: x.name for x in hall.lines}, {w.window: w.name for w in hall.windows}

    def alert_text(self, alert: "Alert") -> str:
        lines, windows = self.names()
        line, window = lines.get(alert.line, alert.line), windows.get(alert.window, alert.window)
        target = self.hall.wait_target if self.hall is not None else 15.0
        template = getattr(T, alert.kind)
        return template.format(line=line, window=window, minutes=alert.minutes, waiting=alert.waiting, target=target)

    def _fill_alerts(self, hall: "LiveHall") -> None:
        rows = [(f"{n}", (T.alert_kinds.get(a.kind, a.kind), self.alert_text(a))) for n, a in enumerate(hall.alerts)]
        self._fill("alerts", rows, T.alerts, T.no_alerts)

    def _fill_lines(self, hall: "LiveHall") -> None:
        # each chart scaled to the hall's peak over the steps shown, so lines compare at a glance
        top = max((v for x in hall.lines for v in x.series[-SPARK_POINTS:]), default=0)
        top_wait = max((v for x in hall.lines for v in x.wait_series[-SPARK_POINTS:] if v is not None), default=0.0)
        rows = [(x.line, (f"{x.prefix} {x.name}", x.waiting, minutes(x.longest_wait), minutes(x.p50_wait),
                          minutes(x.p90_wait), x.called, x.served, pct(x.sla), pct(x.no_show_rate),
                          sparkline(x.series, top), wait_sparkline(x.wait_series, top_wait))) for x in hall.lines]
        self._fill("lines", rows, T.lines, "")

    def users_known(self) -> None:
        """The dashboard's figures (with the users' names) arrived: name the clerks."""
        if self.hall is not None:
            self._fill_windows(self.hall)

    def _fill_windows(self, hall: "LiveHall") -> None:
        data = getattr(self.screen, "data", None)
        name = data.user if data is not None else str
        prefixes = {x.line: x.prefix or x.line for x in hall.lines}
        rows = []
        for w in hall.windows:
            # the lines by their prefix, first served first (the lines table names each prefix)
            serves = "、".join(prefixes.get(line, line) for line, _rank in sorted(w.lines.items(), key=lambda i: i[1]))
            ticket = f"{w.ticket} {STATE_LABELS.get(w.ticket_state, '')}" if w.ticket else "—"
            rows.append((w.window, (w.name, WINDOW_STATE_LABELS.get(w.state, w.state), serves, ticket,
                                    name(w.clerk) or "—", w.served, minutes(w.mean_service),
                                    minutes(w.idle_minutes if w.idle_minutes is not None else w.state_minutes),
                                    T.idle_flag if w.idle_while_waiting else "")))
        self._fill("windows", rows, T.windows, "")

    def _fill(self, name: str, rows: list[tuple[str, tuple[Any, ...]]], heading: str, empty: str) -> None:
        table = self.query_one(f"#queue-{name}", LiveTable)
        before = self._shown.get(name)
        if before == rows:
            return  # unchanged: nothing rebuilt, nothing laid out again
        self._shown[name] = rows
        if before is not None and [k for k, _ in before] == [k for k, _ in rows]:
            # the same rows with new figures: the changed rows only are repainted, no layout
            table.set_rows({r: [cell(c) for c in new] for r, ((_k, old), (_s, new)) in enumerate(zip(before, rows))
                            if old != new})
            return
        self.query_one(f"#queue-{name}-title", Static).update(heading if rows or not empty else f"{heading}：{empty}")
        table.display = bool(rows)
        cursor = table.cursor_row
        table.clear()
        for key, cells in rows:
            table.add_row(*(cell(c) for c in cells), key=key)
        if 0 <= cursor < table.row_count:
            table.move_cursor(row=cursor)

    # -- the tidal switch -------------------------------------------------------------------
    def chosen_switch(self) -> "Alert | None":
        """The tidal suggestion under the alerts' cursor, else the first one."""
        if self.hall is None:
            return None
        tidal = [a for a in self.hall.alerts if a.kind == "tidal"]
        table = self.query_one("#queue-alerts", DataTable)
        row = table.cursor_row
        if table.has_focus and 0 <= row < len(self.hall.alerts) and self.hall.alerts[row].kind == "tidal":
            return self.hall.alerts[row]
        return tidal[0] if tidal else None

    async def accept_switch(self) -> tuple[str, str]:
        """Switch the chosen window as suggested, then poll again; the message to show and its kind."""
        alert = self.chosen_switch()
        if alert is None:
            return T.switch_none, "warning"
        from hall_app.domain.queue import QueueError

        try:
            await asyncio.to_thread(lambda: self._open().switch_window(alert.skills, window=alert.window))
        except QueueError as exc:
            return T.switch_failed.format(error=exc), "error"
        lines, windows = self.names()
        await self.poll_once()
        return T.switched.format(window=windows.get(alert.window, alert.window),
                                 line=lines.get(alert.line, alert.line)), "info"

    def summary(self) -> str:
        """The summary box: waiting, served, SLA and no-shows of the hall, and the alerts."""
        from screens.supervise_strings import Dashboard as D

        hall = self.hall
        head = f"[b]{D.queue}[/b]"
        if self.absent:
            return f"{head}\n{T.not_set_up}"
        if hall is None:
            return f"{head}\n{T.offline_never if self.offline else T.loading}"
        called = sum(x.called for x in hall.lines)
        base = sum(x.sla_base for x in hall.lines)
        sla = sum(x.within_target for x in hall.lines) / base if base else None
        no_show = sum(x.no_show for x in hall.lines) / called if called else None
        state = T.offline.format(time=hall.at[11:19]) if self.offline else T.updated.format(time=hall.at[11:19])
        alerts = T.box_alerts.format(n=len(hall.alerts)) if hall.alerts else T.box_no_alerts
        return "\n".join([f"{head}  {state}",
                          T.box_waiting.format(n=hall.waiting, served=sum(x.served for x in hall.lines)),
                          T.box_sla.format(target=hall.wait_target, sla=pct(sla), no_show=pct(no_show)),
                          f"[b $warning]{alerts}[/]" if hall.alerts else alerts])
