"""The ticket kiosk (自助取号): a full-screen screen a citizen works with the number
keys, the arrow keys and Enter.

1. Choose the service line (1–9), or 0 to check in by appointment code or ID number.
2. Ordinary ticket, or priority (老年人/残疾人/孕妇/军人及优抚对象 …).
3. The printer is asked first — no paper, no number — then the number is taken and
   the 排队取号单 printed; the number is shown large until a key is pressed or
   ``return_seconds`` have passed.

When the queue's server is away the service issues numbers from the kiosk's reserved
block and the screen says so. ``KioskApp`` runs the screen alone (``hall-app kiosk``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from screens.queue_strings import Kiosk as T
from screens.widgets.bars import MessageLine, TitleBar
from screens.widgets.inputs import HallInput
from screens.widgets.ticket_digits import TicketDigits

if TYPE_CHECKING:
    from hall_app.services.context import HallContext
    from screens.queue_adapter import KioskResult, KioskStart

CHECKIN = "checkin"
NUMBER_KEYS = "0123456789"
FULL_WIDTH = str.maketrans("０１２３４５６７８９", NUMBER_KEYS)  # a kiosk keyboard in full-width mode
MAX_CODE = 40  # an appointment code or an ID number; a scanner's URL is cut to this


def priority_kinds() -> tuple[str, ...]:
    from hall_app.domain.queue import PRIORITY_KINDS

    return tuple(PRIORITY_KINDS)


class KioskScreen(Screen):
    CSS_PATH = "kiosk.tcss"
    AUTO_FOCUS = ""  # nothing has the focus but the check-in field, and only while it is shown

    def __init__(self, *, return_seconds: float = 20.0, refresh_seconds: float = 30.0, printer: Any = None,
                 retry_seconds: float = 5.0) -> None:
        super().__init__()
        self.return_seconds = return_seconds  # the issued number stays this long (0: until a key)
        self.refresh_seconds = refresh_seconds  # waiting counts on the start page (0: only after a ticket)
        # a start page that could not reserve the offline numbers (or upload) tries again this soon
        self.retry_seconds = retry_seconds
        self.printer = printer  # an open python-escpos printer instead of the configured one
        self.mode = "lines"
        self.lines: list[Any] = []
        self.hall = ""
        self.chosen_line: Any = None
        self.offline = False
        self.busy = False
        self.last: KioskResult | None = None
        self._return_timer: Timer | None = None
        self._refresh_timer: Timer | None = None
        self._retry_timer: Timer | None = None
        self._loading = False  # one start-page load at a time; a load asked meanwhile runs after it
        self._load_again = False

    @property
    def ctx(self) -> "HallContext":
        return self.app.ctx  # type: ignore[attr-defined]

    @property
    def queue(self) -> Any:
        return self.app.queue  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield TitleBar(T.title_plain, id="kiosk-title")
        yield Static(T.loading, id="kiosk-lead")
        with Vertical(id="kiosk-body"):
            yield OptionList(id="kiosk-lines")
            yield OptionList(id="kiosk-priority")
            with Vertical(id="kiosk-checkin"):
                yield HallInput(placeholder=T.checkin_placeholder, id="kiosk-code", max_length=MAX_CODE)
            with Vertical(id="kiosk-issued"):
                yield Static(T.your_number, id="issued-label")
                yield TicketDigits("", id="issued-number")
                yield Static("", id="issued-details")
        yield MessageLine(id="kiosk-message")
        yield Static("", id="kiosk-keys")

    def on_mount(self) -> None:
        for options in self.query(OptionList):
            options.can_focus = False  # keys are the screen's (on_key): see there
        self._show_mode("lines")
        self.load()
        if self.refresh_seconds > 0:
            self._refresh_timer = self.set_interval(self.refresh_seconds, self._refresh_tick, name="kiosk-refresh")

    def on_unmount(self) -> None:
        for timer in (self._refresh_timer, self._return_timer, self._retry_timer):
            if timer is not None:
                timer.stop()

    def _refresh_tick(self) -> None:
        if self.mode == "lines" and not self.busy:
            self.load()

    # -- loading the lines --------------------------------------------------------------------
    def load(self) -> None:
        if self._loading:  # the one under way may have missed a ticket issued meanwhile: once more after it
            self._load_again = True
            return
        self._loading = True
        self.run_worker(self._load(), group="kiosk", exclusive=False)

    async def _load(self) -> None:
        from screens.queue_adapter import kiosk_start

        try:
            start = await asyncio.to_thread(kiosk_start, self.ctx, self.queue)
        finally:
            self._loading = False
        self.show_start(start)
        if self._load_again:
            self._load_again = False
            self.load()
        elif not start.reserved and self.retry_seconds > 0 and self._retry_timer is None:
            self._retry_timer = self.set_timer(self.retry_seconds, self._retry, name="kiosk-retry")

    def _retry(self) -> None:
        """The offline numbers are not reserved yet (or offline tickets wait): try again,
        without waiting for a citizen's key or the next refresh."""
        self._retry_timer = None
        if self.mode == "lines" and not self.busy:
            self.load()
        elif self.retry_seconds > 0:
            self._retry_timer = self.set_timer(self.retry_seconds, self._retry, name="kiosk-retry")

    def show_start(self, start: "KioskStart") -> None:
        self.hall = start.hall
        self.query_one("#kiosk-title", TitleBar).update(T.title.format(hall=start.hall))
        self.set_offline(start.offline)
        if start.offline and self.lines:
            return  # the server is away: keep offering the lines last seen (numbers come from the reserved block)
        self.lines = start.lines
        lines = self.query_one("#kiosk-lines", OptionList)
        highlighted = lines.highlighted
        lines.clear_options()
        options = [Option(self._line_prompt(n, line), id=line.line) for n, line in enumerate(self.lines[:9], 1)]
        options.append(Option(Text(T.checkin_row), id=CHECKIN))
        lines.add_options(options)
        lines.highlighted = highlighted if highlighted is not None and highlighted < len(options) else 0
        if self.mode == "lines":
            self.query_one("#kiosk-lead", Static).update(T.lead if self.lines else T.no_lines)
        if start.error and not start.offline:
            self.say(start.error, "error")

    def _line_prompt(self, n: int, line: Any) -> Text:
        text = Text(T.line_row.format(n=n, name=line.name), style="bold")
        extra = T.line_waiting.format(waiting=line.waiting)
        if line.estimate_minutes is not None and line.waiting:
            extra += " · " + T.line_wait.format(minutes=max(1, round(line.estimate_minutes)))
        text.append("    " + extra, style="")
        return text

    def set_offline(self, offline: bool) -> None:
        self.offline = offline
        self.query_one("#kiosk-title", TitleBar).set_class(offline, "-offline")
        if offline and self.mode == "lines":
            self.say(T.offline_status, "warning")

    # -- modes ----------------------------------------------------------------------------
    def _show_mode(self, mode: str) -> None:
        self.mode = mode
        self._arm_return()
        for pane, name in (("#kiosk-lines", "lines"), ("#kiosk-priority", "priority"),
                           ("#kiosk-checkin", "checkin"), ("#kiosk-issued", "issued")):
            self.query_one(pane).display = name == mode
        lead = {"lines": T.lead if self.lines or not self.hall else T.no_lines, "priority": T.priority_lead,
                "checkin": T.checkin_lead, "issued": ""}[mode]
        self.query_one("#kiosk-lead", Static).update(lead)
        keys = {"lines": T.keys_lines, "priority": T.keys_priority, "checkin": T.keys_checkin,
                "issued": T.keys_done}[mode]
        self.query_one("#kiosk-keys", Static).update(keys)
        if mode == "priority":
            self._fill_priority()
        if mode == "checkin":
            code = self.query_one("#kiosk-code", HallInput)
            code.set_quietly("")
            code.focus()
        else:
            self.set_focus(None)

    def _fill_priority(self) -> None:
        options = self.query_one("#kiosk-priority", OptionList)
        options.clear_options()
        options.add_options([Option(Text(T.priority_row.format(n=1, kind=T.priority_none), style="bold"), id="")]
                            + [Option(Text(T.priority_row.format(n=n, kind=kind)), id=kind)
                               for n, kind in enumerate(priority_kinds(), 2)])
        options.highlighted = 0

    def _arm_return(self) -> None:
        """Away from the start page, ``return_seconds`` without a key go back to it: the
        issued number, and also a check-in page left with someone's ID number or code on it
        (or the priority page), which stayed for the next citizen to read."""
        if self._return_timer is not None:
            self._return_timer.stop()
            self._return_timer = None
        if self.return_seconds > 0 and self.mode != "lines":
            self._return_timer = self.set_timer(self.return_seconds, self._return_idle, name="kiosk-return")

    def _return_idle(self) -> None:
        self._return_timer = None
        if self.busy:  # a request on its way: its answer arms the timer again
            return
        self.back_to_start()

    def back_to_start(self) -> None:
        if self._return_timer is not None:
            self._return_timer.stop()
            self._return_timer = None
        self.chosen_line = None
        self.query_one("#kiosk-code", HallInput).set_quietly("")  # nobody's ID number kept for the next
        self.say("")
        self._show_mode("lines")
        self.load()

    def say(self, text: str, kind: str = "info") -> None:
        self.query_one("#kiosk-message", MessageLine).say(text, kind)

    # -- keys -----------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        """Every key is handled here, in order, against the mode it arrives in: the lists
        take no focus, so keys typed fast (1, Enter, Enter) never reach a list that has
        just been left."""
        self._arm_return()  # a key on any page restarts the wait before going back to the start
        if self.busy:
            self._stop(event)
            return
        if self.mode == "issued":
            self._stop(event)
            self.back_to_start()
            return
        if self.mode == "checkin":
            self._checkin_key(event)
            return
        options = self._options()
        digit = (event.character or "").translate(FULL_WIDTH)
        if len(digit) == 1 and digit in NUMBER_KEYS:
            self._stop(event)
            self._number(int(digit))
        elif event.key in ("up", "down"):
            self._stop(event)
            if options.option_count:
                current = options.highlighted if options.highlighted is not None else -1
                step = 1 if event.key == "down" else -1
                options.highlighted = (current + step) % options.option_count
        elif event.key == "enter":
            self._stop(event)
            if options.highlighted is not None and options.option_count:
                self._confirm(options.get_option_at_index(options.highlighted).id or "")
        elif event.key in ("escape", "backspace") and self.mode == "priority":
            self._stop(event)
            self.back_to_start()

    @staticmethod
    def _stop(event: events.Key) -> None:
        event.stop()
        event.prevent_default()

    def _options(self) -> OptionList:
        return self.query_one("#kiosk-lines" if self.mode == "lines" else "#kiosk-priority", OptionList)

    def _checkin_key(self, event: events.Key) -> None:
        code = self.query_one("#kiosk-code", HallInput)
        if event.key == "escape":
            self._stop(event)
            self.back_to_start()
        elif self.focused is not code:  # typed before the field took the focus: it goes there all the same
            self._stop(event)
            if event.key == "enter":
                code.post_message(HallInput.Submitted(code, code.value))
            elif event.is_printable and event.character:
                code.insert_text_at_cursor(event.character)

    def _number(self, n: int) -> None:
        """A number key highlights its row (Enter confirms)."""
        options = self._options()
        index = (options.option_count - 1 if n == 0 else n - 1) if self.mode == "lines" else n - 1
        if 0 <= index < options.option_count:
            options.highlighted = index

    def _confirm(self, option_id: str) -> None:
        if self.mode == "lines":
            if option_id == CHECKIN:
                self._show_mode("checkin")
                return
            self.chosen_line = next((x for x in self.lines if x.line == option_id), None)
            if self.chosen_line is not None:
                self.say(T.line_of.format(line=self.chosen_line.name))
                self._show_mode("priority")
        elif self.mode == "priority" and self.chosen_line is not None:
            self.issue(self.chosen_line.line, option_id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A click (a touch screen) on a row: as its number and Enter."""
        event.stop()
        if not self.busy and self.mode in ("lines", "priority") and event.option_list is self._options():
            self._confirm(event.option.id or "")

    def on_input_changed(self, _event: HallInput.Changed) -> None:
        self._arm_return()  # typing in the check-in field (its keys stop there) is not idle

    def on_input_submitted(self, event: HallInput.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.say(T.checkin_empty, "warning")
            return
        self.checkin(text)

    # -- taking a number ----------------------------------------------------------------------
    def issue(self, line: str, priority: str = "") -> None:
        from screens.queue_adapter import kiosk_issue

        names = {x.line: x.name for x in self.lines}
        self._start_work(kiosk_issue, self.ctx, self.queue, line, priority, self.printer, names)

    def checkin(self, text: str) -> None:
        from screens.queue_adapter import kiosk_checkin

        self._start_work(kiosk_checkin, self.ctx, self.queue, text, self.printer)

    def _start_work(self, fn, *args) -> None:
        self.busy = True
        self.say(T.issuing)
        self.run_worker(self._work(fn, *args), group="kiosk")

    async def _work(self, fn, *args) -> None:
        try:
            result = await asyncio.to_thread(fn, *args)
        except Exception as exc:  # a bug must not leave the kiosk stuck
            self.busy = False
            self.say(T.failed.format(message=exc), "error")
            return
        self.busy = False
        self.show_result(result)

    def show_result(self, result: "KioskResult") -> None:
        self.last = result
        if result.no_paper:
            self.say(T.no_paper.format(detail=result.no_paper.split("。")[0]), "error")
            self.back_to_start_keep_message()
            return
        if result.error:
            if result.offline:
                self.set_offline(True)
            self.say(result.error, "error")  # what was typed stays for a correction
            self._arm_return()
            return
        ticket = result.ticket
        self.set_offline(result.offline)
        self._show_mode("issued")
        self.query_one("#issued-number", TicketDigits).update(ticket.label)
        self.query_one("#issued-details", Static).update(self._details(ticket, result))
        if result.print_error:
            self.say(T.print_failed.format(detail=result.print_error.split("。")[0], number=ticket.label), "error")
        elif result.offline:
            self.say(T.offline, "warning")
        else:
            self.say(T.take_slip, "success")

    def back_to_start_keep_message(self) -> None:
        message = self.query_one("#kiosk-message", MessageLine)._said
        self.back_to_start()
        self.say(*message)

    def _details(self, ticket: Any, result: "KioskResult") -> Text:
        lines = [T.line_of.format(line=ticket.line_name)]
        if ticket.priority:
            lines.append(T.priority_of.format(kind=ticket.priority))
        if result.offline:
            lines.append(T.ahead_unknown)
            return Text("\n".join(lines), justify="center")
        lines.append(T.ahead.format(n=ticket.ahead) if ticket.ahead else T.ahead_none)
        estimate = ticket.estimate_minutes
        if estimate is None:
            lines.append(T.wait_unknown)
        elif estimate <= 1 or not ticket.ahead:
            lines.append(T.wait_short)
        else:
            lines.append(T.wait.format(minutes=round(estimate)))
        return Text("\n".join(lines), justify="center")


class KioskApp(App[int]):
    """``hall-app kiosk``: the kiosk screen alone, no sign-in."""

    TITLE = T.title_plain
    CSS_PATH = ["app.tcss", "widgets/widgets.tcss"]
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, ctx: "HallContext", queue: Any, *, return_seconds: float = 20.0,
                 refresh_seconds: float = 30.0, printer: Any = None, cursor_blink: bool = True,
                 retry_seconds: float = 5.0) -> None:
        super().__init__()
        self.ctx = ctx
        self.queue = queue  # hall_app.services.queue.HallQueue, opened as a kiosk
        self.cursor_blink_enabled = cursor_blink
        self._screen_args = dict(return_seconds=return_seconds, refresh_seconds=refresh_seconds, printer=printer,
                                 retry_seconds=retry_seconds)

    def on_mount(self) -> None:
        self.push_screen(KioskScreen(**self._screen_args))
