"""送达 (hand-over) from the case view: window pickup (the collector's ID number,
checked against the applicant and the recorded proxy), post (the EMS waybill number,
its format checked) or e-licence delivery (services/handover.py).

What the service refuses is said in the dialog, which stays open with everything
typed. Dismissed with the new case state once handed over."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from screens.after_strings import HandOver as T
from screens.dialogs import RecordingDialog
from screens.keymap import prose
from screens.widgets.choice import ChoiceInput
from screens.widgets.inputs import HallInput

METHODS = ("window", "mail", "elicence")
ENTRY_MAX = 40


def hand_over_in_thread(ctx, case_id: str, username: str, method: str, entry: str):
    service = ctx.handover
    if method == "window":
        return service.at_window(case_id, username, entry)
    if method == "mail":
        return service.by_mail(case_id, username, entry)
    return service.elicence(case_id, username)


class HandOverDialog(RecordingDialog):
    CSS_PATH = "hand_over.tcss"
    BINDINGS = [
        Binding("escape", "cancel", T.cancel, id="handover.cancel"),
    ]

    def __init__(self, case_id: str, code: str, proxy_name: str = "") -> None:
        super().__init__(classes="dialog")
        self.case_id, self.code, self.proxy_name = case_id, code, proxy_name
        self.entries = {"window": "", "mail": ""}  # what was typed for each method, kept across switches

    def compose(self) -> ComposeResult:
        with Vertical(id="handover-box"):
            yield Static(T.title.format(code=self.code), classes="dialog-title", markup=False)
            yield Label(T.method)
            yield ChoiceInput(T.methods, T.methods[0], id="handover-method")
            yield Label(T.collector, id="handover-label")
            yield HallInput(id="handover-entry", max_length=ENTRY_MAX)
            yield Static(T.proxy.format(name=self.proxy_name) if self.proxy_name else "", id="handover-hint",
                         classes="muted", markup=False)
            yield Static("", id="dialog-error", classes="error", markup=False)
            yield Static(T.keys.format(no=prose(self.app, self.BINDINGS, "handover.cancel")), classes="dialog-keys",
                         markup=False)

    def on_mount(self) -> None:
        # The cursor starts in the collector's ID field (窗口领取, the usual case): an ID card
        # scanned right after h lands there. On the method selector its digits chose
        # methods instead — an ID ending in 3 then Enter recorded an e-licence delivery.
        self.query_one("#handover-entry", HallInput).focus()

    @property
    def method(self) -> str:
        value = self.query_one("#handover-method", ChoiceInput).value
        return METHODS[T.methods.index(value)] if value in T.methods else "window"

    def on_choice_input_changed(self, event: ChoiceInput.Changed) -> None:
        event.stop()
        self._show_method()

    def on_choice_input_submitted(self, event: ChoiceInput.Submitted) -> None:
        event.stop()
        if self.method == "elicence":
            self._submit()
        else:
            self.query_one("#handover-entry", HallInput).focus()

    def on_input_changed(self, event: HallInput.Changed) -> None:
        if self.method in self.entries:
            self.entries[self.method] = event.value

    def _show_method(self) -> None:
        method = self.method
        entry = self.query_one("#handover-entry", HallInput)
        label = self.query_one("#handover-label", Label)
        hint = self.query_one("#handover-hint", Static)
        entry.display = method != "elicence"
        label.update({"window": T.collector, "mail": T.waybill, "elicence": T.elicence}[method])
        hint.update(T.proxy.format(name=self.proxy_name) if method == "window" and self.proxy_name else "")
        if method in self.entries:
            entry.set_quietly(self.entries[method])
        self.query_one("#dialog-error", Static).update("")

    def on_input_submitted(self, event: HallInput.Submitted) -> None:
        event.stop()
        self._submit()

    def _submit(self) -> None:
        method = self.method
        self.record(hand_over_in_thread, method, self.entries.get(method, "").strip(), name="hand-over",
                    working=T.working)

