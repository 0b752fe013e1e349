"""监督看板: the supervisor's view of the hall (issue 11).

Today's cases by status, ratings today and the bad ratings awaiting follow-up, the
reform's figures for the month, the deadline board and per window/clerk figures — all
from hall_app/services/dashboard.py, computed from the cases' events in a database job —
and the live hall of the queue (screens/dashboard_queue.py, polled on its own).

The refresh belongs to this screen alone: the next one starts ``[deadlines]
dashboard_refresh`` seconds (or the ``refresh_seconds`` given) after the last one ended,
never on top of it; armed when the screen is shown and stopped when it is hidden. Tests
call :meth:`refresh_now` directly. A failed refresh keeps the last figures on screen and
says so.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Static

from hall_app.domain.dashboard import DEADLINE_KINDS, URGENCY, FollowUpLine
from hall_app.domain.tracking import format_tracking_code
from screens.dashboard_queue import QueuePanel
from screens.keymap import prose
from screens.strings import WEEKDAYS
from screens.supervise_strings import Dashboard as T
from screens.supervise_strings import QueueLive as Q
from screens.supervise_strings import ReportExport as X
from screens.widgets.bars import MessageLine, OneLine, StatusBar, TitleBar
from screens.widgets.keybar import KeyBar
from screens.widgets.tables import add_fixed_columns

if TYPE_CHECKING:
    from hall_app.services.dashboard import Dashboard
    from screens.app import HallApp


def snapshot_in_thread(ctx) -> "Dashboard":
    from hall_app.services.dashboard import DashboardService

    return DashboardService(ctx).snapshot()


NARROW = 110  # below this width the four summary boxes go two by two


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def packed(parts: list[str], width: int = 22) -> list[str]:
    """Parts joined by " · " into lines of at most ``width`` cells (a box four to a row at
    120 columns holds 24; never left to wrapping, which would split a label from its count)."""
    from rich.cells import cell_len

    lines: list[str] = []
    for part in parts:
        if lines and cell_len(lines[-1]) + 3 + cell_len(part) <= width:
            lines[-1] += f" · {part}"
        else:
            lines.append(part)
    return lines


def _md(day: dt.date) -> str:
    return f"{day.month:02d}-{day.day:02d}"


class DashboardScreen(Screen):
    CSS_PATH = "dashboard.tcss"
    BINDINGS = [
        Binding("f5", "refresh", T.refresh, id="dashboard.refresh"),
        Binding("enter", "open_case", T.open_case, id="dashboard.open", show=False),
        Binding("f6", "follow_up", T.follow_up_step, id="dashboard.follow_up"),
        Binding("f7", "export", X.open_key, id="dashboard.export"),
        Binding("f9", "switch", Q.switch, id="dashboard.switch"),
        Binding("escape", "back", T.back, id="dashboard.back"),
    ]

    def __init__(self, refresh_seconds: float | None = None, queue_seconds: float | None = None) -> None:
        super().__init__()
        self.refresh_seconds = refresh_seconds
        self.queue_seconds = queue_seconds
        self.data: Dashboard | None = None
        self.follow_lines: list[FollowUpLine] = []  # the 差评整改 table's rows, in order
        self.refreshes = 0  # finished refreshes (tests read it)
        self._timer: Timer | None = None
        self._shown = False  # the screen is the one on view (its refreshes run)
        self._busy = False
        self._said_failure = False

    @property
    def hall_app(self) -> "HallApp":
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield TitleBar("", id="dashboard-title")
        yield OneLine(T.loading, id="updated")
        with VerticalScroll(id="dashboard-body"):
            with Horizontal(id="summary"):
                yield Static("", id="today-box", classes="box")
                yield Static("", id="ratings-box", classes="box")
                yield Static("", id="reform-box", classes="box")
                yield Static(f"[b]{T.queue}[/b]", id="queue-box", classes="box")
            yield QueuePanel(self._queue_period())
            yield Static("", id="deadlines-title", classes="heading")
            yield DataTable(id="deadlines", cursor_type="row", zebra_stripes=True)
            yield Static(T.follow_ups, id="follow-ups-title", classes="heading")
            yield DataTable(id="follow-ups", cursor_type="row", zebra_stripes=True)
            yield Static(T.enquiries, id="enquiries-title", classes="heading")
            yield DataTable(id="enquiries", cursor_type="row", zebra_stripes=True)
            yield Static(T.rating_groups, id="rating-groups-title", classes="heading")
            yield DataTable(id="rating-groups", cursor_type="row", zebra_stripes=True)
            yield Static(T.windows, id="windows-title", classes="heading")
            yield DataTable(id="windows", cursor_type="row", zebra_stripes=True)
        yield MessageLine(id="message")
        yield StatusBar()
        yield KeyBar()

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "-narrow")

    def on_mount(self) -> None:
        add_fixed_columns(self.query_one("#deadlines", DataTable), T.deadline_cols[:-1],
                          (8, 5, 10, 8, 14, 16, 4, 8))
        add_fixed_columns(self.query_one("#follow-ups", DataTable), T.follow_up_cols, (6, 8, 14, 10, 16, 4, 10))
        add_fixed_columns(self.query_one("#windows", DataTable), T.window_cols, (10, 4, 8, 4, 4, 4, 4))
        add_fixed_columns(self.query_one("#enquiries", DataTable), T.enquiry_cols, (10, 4, 8, 4, 6, 10))
        add_fixed_columns(self.query_one("#rating-groups", DataTable), T.rating_group_cols,
                          (14, 4, 6, 6, 4, 8, 4, 6, 4))
        today = self.hall_app.ctx.today() if self.hall_app.ctx else dt.date.today()
        self.query_one("#dashboard-title", TitleBar).update(
            T.title.format(day=today.isoformat(), weekday=WEEKDAYS[today.weekday()]))
        self.query_one("#deadlines", DataTable).focus()
        self.refresh_now()

    def _queue_period(self) -> float:
        if self.queue_seconds is not None:
            return self.queue_seconds
        ctx = self.hall_app.ctx
        return ctx.settings.deadlines.queue_refresh if ctx is not None else 5.0

    # -- the screen's own refresh timer ------------------------------------------------------
    @property
    def period(self) -> float:
        if self.refresh_seconds is not None:
            return self.refresh_seconds
        ctx = self.hall_app.ctx
        return ctx.settings.deadlines.dashboard_refresh if ctx is not None else 30.0

    def on_screen_resume(self) -> None:
        self.query_one(QueuePanel).start()
        self._stop_timer()
        self._shown = True
        if self.data is not None:
            self.refresh_now()
        elif not self._busy:
            self._arm()

    def on_screen_suspend(self) -> None:
        self.query_one(QueuePanel).stop()
        self._shown = False
        self._stop_timer()

    def on_unmount(self) -> None:
        self._shown = False
        self._stop_timer()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _arm(self) -> None:
        """The next refresh, ``period`` seconds after the last one ended (never on top of it)."""
        self._stop_timer()
        if self._shown:
            self._timer = self.set_timer(self.period, self.refresh_now, name="dashboard-refresh")

    @property
    def timer_running(self) -> bool:
        """Refreshing while shown: a refresh under way or the next one armed."""
        return self._shown and (self._timer is not None or self._busy)

    def refresh_now(self) -> None:
        """Compute the figures again in a database job (one at a time); the screen keeps
        showing the last ones until the new ones are there."""
        if self._busy or self.hall_app.ctx is None:
            return
        self._stop_timer()
        self._busy = True
        self.hall_app.db.submit(snapshot_in_thread, self.hall_app.ctx, done=self._show, error=self._failed,
                                name="dashboard")

    def _failed(self, message: str) -> None:
        self._busy = False
        self._arm()
        self._said_failure = True
        self.query_one("#message", MessageLine).say(T.failed.format(error=message), "error")

    # -- showing the figures ---------------------------------------------------------------
    def _show(self, data: "Dashboard") -> None:
        self._busy = False
        self._arm()
        self.data = data
        self.refreshes += 1
        if self._said_failure:  # the figures are fresh again: the failure no longer holds
            self._said_failure = False
            self.query_one("#message", MessageLine).say("")
        day = data.day
        self.query_one("#updated", OneLine).update(
            T.updated.format(time=data.computed_at[11:19], period=data.period.label, cases=data.cases_read))
        self.query_one("#today-box", Static).update(self._today_text(data))
        self.query_one("#ratings-box", Static).update(self._ratings_text(data))
        self.query_one("#reform-box", Static).update(self._reform_text(data))
        self.query_one(QueuePanel).users_known()
        ctx = self.hall_app.ctx
        days = ctx.settings.deadlines.at_risk_days if ctx is not None else 3
        self._fill("deadlines", T.deadlines.format(days=days), [
            (x.case_id, (URGENCY[x.urgency], _md(x.due), T.days_left.format(n=x.days_left) if x.days_left else "—",
                         DEADLINE_KINDS[x.kind], format_tracking_code(x.tracking_code), data.bundle(x.bundle),
                         x.window, data.user(x.clerk)))
            for x in day.deadlines], T.no_deadlines)
        self.follow_lines = list(day.follow_ups)
        self._fill("follow-ups", T.follow_ups, [
            (f.case_id, (T.overdue if f.overdue else T.on_track, f.follow_up.due.isoformat()[5:], self._ref(f),
                         f.level_label, data.bundle(f.bundle), f.window, f.follow_up.state_label))
            for f in day.follow_ups], T.no_follow_ups)
        enquiries = [("", (f.kind_label, *f.values())) for f in data.enquiries.values()]
        self._fill("enquiries", T.enquiries.format(period=data.period.label, days=ctx.settings.deadlines.enquiry_days
                                                   if ctx is not None else 5),
                   enquiries if any(f.opened or f.closed or f.still_open for f in data.enquiries.values()) else [],
                   T.no_enquiries)
        self._fill("rating-groups", T.rating_groups.format(period=data.period.label), [
            ("", (name, r.total, r.total - r.rated, pct(r.good_share), r.bad, r.follow_ups_closed, r.follow_ups_on_time,
                  r.follow_ups_open, r.follow_ups_overdue))
            for by, groups in data.rating_groups.items() for key, r in groups.items()
            for name in [data.bundle(key) if by == "bundle" else data.user(key) if by == "clerk" else key]],
                   T.no_rating_groups)
        rows: list[tuple[str, tuple[Any, ...]]] = []
        for name, figures in [*day.windows.items(), *((data.user(k), v) for k, v in day.clerks.items())]:
            rows.append(("", (name, figures.taken, figures.decided, figures.accepted, figures.rated, figures.good,
                              figures.bad)))
        self._fill("windows", T.windows, rows, T.nothing)

    def _fill(self, name: str, heading: str, rows: list[tuple[str, tuple[Any, ...]]], empty: str) -> None:
        """Fill a table; an empty one is hidden and its heading says so."""
        table = self.query_one(f"#{name}", DataTable)
        self.query_one(f"#{name}-title", Static).update(heading if rows else f"{heading}：{empty}")
        table.display = bool(rows)
        cursor = table.cursor_row
        table.clear()
        seen: set[str] = set()
        for n, (key, cells) in enumerate(rows):
            # a case on the deadline board twice (an item and its deferral both due): one key each
            unique = key if key not in seen else f"{key}#{n}"
            seen.add(unique)
            table.add_row(*(str(c) for c in cells), key=unique or f"-{n}")
        if 0 <= cursor < table.row_count:
            table.move_cursor(row=cursor)

    @staticmethod
    def _ref(f: FollowUpLine) -> str:
        return T.visit_ref.format(label=f.visit_label) if f.visit_label else format_tracking_code(f.tracking_code)

    @staticmethod
    def _today_text(data: "Dashboard") -> str:
        day = data.day
        lines = [f"[b]{T.today}[/b]  {T.today_total.format(n=day.taken_today)}"]
        pairs = [f"{label} {n}" for label, n in day.by_status.items()]
        # two a line, never left to wrapping (a grid row sizes itself before the text wraps)
        lines += [" · ".join(pairs[i:i + 2]) for i in range(0, len(pairs), 2)] or [T.nothing]
        return "\n".join(lines)

    @staticmethod
    def _ratings_text(data: "Dashboard") -> str:
        day = data.day
        overdue = sum(f.overdue for f in day.follow_ups)
        lines = [f"[b]{T.ratings}[/b]  {T.rated.format(n=day.rated_today)}",
                 T.good_share.format(share=pct(day.good_share_today)),
                 *(packed([f"{label} {n}" for label, n in day.ratings_today.items() if n]) or [T.nothing])]
        lines.append(T.follow_ups_open.format(n=len(day.follow_ups)))
        if overdue:
            lines.append(f"[b $error]{T.follow_ups_overdue.format(n=overdue)}[/]")
        return "\n".join(lines)

    @staticmethod
    def _reform_text(data: "Dashboard") -> str:
        f = data.reform
        trips = "—" if f.trips_per_case is None else f"{f.trips_per_case:.2f}"
        return "\n".join([f"[b]{T.reform}[/b]  {T.reform_period.format(period=data.period.label)}",
                          f"{T.reform_cases.format(n=f.cases)} · {T.trips.format(v=trips)}",
                          f"{T.less_materials.format(v=pct(f.less_materials))} · "
                          f"{T.less_filling.format(v=pct(f.less_filling))}",
                          f"{T.less_time.format(v=pct(f.less_time_promised))} · "
                          f"{T.less_trips.format(v=pct(f.less_trips))}"])

    # -- actions ----------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.refresh_now()

    async def action_switch(self) -> None:
        """Accept the tidal switch the queue suggests (under the cursor, or the first)."""
        said, kind = await self.query_one(QueuePanel).accept_switch()
        self.query_one("#message", MessageLine).say(said, kind)

    def action_follow_up(self) -> None:
        """Record the next step of the follow-up under the 差评整改 cursor (a case's or a
        visit's, screens/follow_up_dialog.py)."""
        from screens.follow_up_dialog import FollowUpDialog

        table = self.query_one("#follow-ups", DataTable)
        if not table.row_count or table.cursor_row >= len(self.follow_lines):
            self.query_one("#message", MessageLine).say(T.no_follow_ups if self.data else T.loading, "warning")
            return
        if self.focused is not table:  # first F6: to the list (shown), then F6 on the row chosen
            table.focus()
            table.scroll_visible()
            key = prose(self.app, self.BINDINGS, "dashboard.follow_up")
            self.query_one("#message", MessageLine).say(T.pick_follow_up.format(key=key), "info")
            return
        line = self.follow_lines[table.cursor_row]

        def done(answer: tuple[str, str] | None) -> None:
            if answer:
                step, state = answer
                self.query_one("#message", MessageLine).say(
                    T.follow_up_done.format(step=step, ref=self._ref(line), state=state), "success")
                self.refresh_now()

        self.app.push_screen(FollowUpDialog(line, self._ref(line)), done)

    def action_export(self) -> None:
        """Export the period's report as CSV, XLSX or PDF (screens/report_export.py); the
        message says where the file went."""
        from hall_app.services.dashboard import this_month
        from hall_app.services.reports import DEFAULT_EXPORT_DIR
        from screens.report_export import ReportExportDialog

        ctx = self.hall_app.ctx
        span = self.data.period if self.data else this_month(ctx.today() if ctx else dt.date.today())

        def done(said: str | None) -> None:
            if said:
                self.query_one("#message", MessageLine).say(said, "success")

        self.app.push_screen(ReportExportDialog(span, DEFAULT_EXPORT_DIR), done)

    def action_open_case(self) -> None:
        focused = self.focused
        if not isinstance(focused, DataTable) or focused.id not in ("deadlines", "follow-ups"):
            return
        if not focused.row_count:
            return
        key = focused.coordinate_to_cell_key(focused.cursor_coordinate).row_key.value
        if key and not key.startswith("-"):
            self.hall_app.open_case(key.split("#", 1)[0])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_case()

    def action_back(self) -> None:
        self.app.pop_screen()
