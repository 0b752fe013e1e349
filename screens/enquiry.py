"""Enquiries without a case (咨询登记): the clerk's open 首问负责 enquiries, a form to
record a consultation, a referral or a 办不成事 report, and one to close the enquiry
picked in the list. Everything goes through hall_app/services/enquiries.py; a refusal
is said in the message line and every field keeps what was typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from screens.enquiry_strings import Enquiry as T
from screens.widgets.bars import MessageLine, StatusBar, TitleBar
from screens.widgets.choice import ChoiceInput
from screens.widgets.inputs import HallInput
from screens.widgets.keybar import KeyBar
from screens.widgets.tables import add_fixed_columns

if TYPE_CHECKING:
    from hall_app.services.enquiries import EnquiryLine
    from screens.app import HallApp

KINDS = dict(zip(T.kinds, ("consult", "referral", "unresolved")))
TARGETS = dict(zip(T.target_kinds, ("department", "window", "hall", "other")))
# The add form's fields in order, and the kinds each belongs to (all: every kind).
FIELDS = (("e-kind", None), ("e-topic", None), ("e-bundle", None), ("e-answered", {"consult"}),
          ("e-target-kind", {"referral"}), ("e-target", {"referral"}), ("e-reason", {"referral", "unresolved"}),
          ("e-phone", None))
CLOSE_FIELDS = ("c-result", "c-action", "c-handled-by")


def open_in_thread(ctx, owner: str) -> list["EnquiryLine"]:
    return ctx.enquiries.open_for(owner)


def add_in_thread(ctx, owner: str, values: dict):
    kind = values["kind"]
    state = ctx.enquiries.add(owner, kind, values["topic"], bundle=values["bundle"],
                              answered=kind == "consult" and values["answered"],
                              phone=values["phone"],
                              target_kind=values["target_kind"] if kind == "referral" else "",
                              target=values["target"] if kind == "referral" else "",
                              reason=values["reason"] if kind == "referral" else "",
                              why=values["reason"] if kind == "unresolved" else "")
    return state, ctx.enquiries.open_for(owner)


def close_in_thread(ctx, owner: str, enquiry_id: str, result: str, action: str, handled_by: str):
    state = ctx.enquiries.close(enquiry_id, owner, result, action, handled_by)
    return state, ctx.enquiries.open_for(owner)


def _row(label: str, widget, row_id: str) -> Horizontal:
    return Horizontal(Label(label, classes="field-label"), widget, classes="field-row", id=row_id)


class EnquiryScreen(Screen):
    CSS_PATH = "enquiry.tcss"
    BINDINGS = [
        Binding("escape", "back", T.back, id="enquiry.back"),
        Binding("f2", "new", T.new, id="enquiry.new"),
        Binding("f3", "pick", T.pick, id="enquiry.pick"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[EnquiryLine] = []
        self.picked: EnquiryLine | None = None

    @property
    def hall_app(self) -> "HallApp":
        return self.app  # type: ignore[return-value]

    @property
    def owner(self) -> str:
        user = self.hall_app.user
        return user.username if user is not None else ""

    def compose(self) -> ComposeResult:
        yield TitleBar(T.title)
        yield Static(T.mine, id="enquiry-open-title", classes="heading")
        yield DataTable(id="enquiry-open", cursor_type="row", zebra_stripes=True)
        yield Static(T.add, classes="heading")
        with Vertical(id="enquiry-form"):
            yield _row(T.kind, ChoiceInput(list(T.kinds), T.kinds[0], id="e-kind"), "row-e-kind")
            yield _row(T.topic, HallInput(placeholder=T.topic_hint, id="e-topic"), "row-e-topic")
            yield _row(T.bundle, HallInput(placeholder=T.bundle_hint, id="e-bundle"), "row-e-bundle")
            yield _row(T.answered, ChoiceInput(list(T.yes_no), T.yes_no[0], id="e-answered"), "row-e-answered")
            yield _row(T.target_kind, ChoiceInput(list(T.target_kinds), T.target_kinds[0], id="e-target-kind"),
                       "row-e-target-kind")
            yield _row(T.target, HallInput(placeholder=T.target_hint, id="e-target"), "row-e-target")
            yield _row(T.reason, HallInput(id="e-reason"), "row-e-reason")
            yield _row(T.phone, HallInput(placeholder=T.phone_hint, id="e-phone"), "row-e-phone")
        yield Static(T.close_none, id="enquiry-close-title", classes="heading")
        with Vertical(id="enquiry-close"):
            yield _row(T.result, HallInput(placeholder=T.result_hint, id="c-result"), "row-c-result")
            yield _row(T.action, HallInput(id="c-action"), "row-c-action")
            yield _row(T.handled_by, HallInput(id="c-handled-by"), "row-c-handled-by")
        yield MessageLine(id="message")
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        add_fixed_columns(self.query_one("#enquiry-open", DataTable), T.cols, (8, 11, 8, 60))
        self._show_fields()
        self._show_close()
        self.query_one("#e-topic", HallInput).focus()
        self.hall_app.db.submit(open_in_thread, self.hall_app.ctx, self.owner, done=self._fill, name="enquiries")

    # -- the list -----------------------------------------------------------------------------
    def _fill(self, lines: list["EnquiryLine"]) -> None:
        self.lines = lines
        table = self.query_one("#enquiry-open", DataTable)
        table.clear()
        for ln in lines:
            table.add_row(ln.short_id, ln.opened_at[5:16].replace("T", " "), ln.kind_label, ln.topic)
        self.query_one("#enquiry-open-title", Static).update(T.mine_count.format(n=len(lines)) if lines
                                                              else T.none_open)
        if self.picked is not None and all(ln.enquiry_id != self.picked.enquiry_id for ln in lines):
            self.picked = None
            self._show_close()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.lines):
            self.picked = self.lines[event.cursor_row]
            self._show_close()
            self.query_one("#c-result", HallInput).focus()

    def _show_close(self) -> None:
        picked = self.picked
        title = self.query_one("#enquiry-close-title", Static)
        title.update(T.close_which.format(id=picked.short_id, kind=picked.kind_label, topic=picked.topic)
                     if picked else T.close_none)
        self.query_one("#enquiry-close").display = picked is not None
        unresolved = picked is not None and picked.kind == "unresolved"
        for key in ("row-c-action", "row-c-handled-by"):
            self.query_one(f"#{key}").display = unresolved

    # -- the add form ---------------------------------------------------------------------------
    def _kind(self) -> str:
        return KINDS.get(self.query_one("#e-kind", ChoiceInput).value, "consult")

    def _visible(self) -> list[str]:
        kind = self._kind()
        shown = [key for key, kinds in FIELDS if kinds is None or kind in kinds]
        if kind == "consult" and self.query_one("#e-answered", ChoiceInput).value == T.yes_no[0]:
            shown.remove("e-phone")  # answered at once: no phone (personal data minimal)
        return shown

    def _show_fields(self) -> None:
        shown = set(self._visible())
        for key, _ in FIELDS:
            self.query_one(f"#row-{key}").display = key in shown
        label = self.query_one("#row-e-reason Label", Label)
        label.update(T.why if self._kind() == "unresolved" else T.reason)

    def on_choice_input_changed(self, event: ChoiceInput.Changed) -> None:
        event.stop()
        self._show_fields()

    def on_choice_input_submitted(self, event: ChoiceInput.Submitted) -> None:
        event.stop()
        self._next(event.choice.id or "")

    def on_input_submitted(self, event: HallInput.Submitted) -> None:
        event.stop()
        key = event.input.id or ""
        if key in CLOSE_FIELDS:
            shown = [k for k in CLOSE_FIELDS if self.query_one(f"#row-{k}").display]
            if key != shown[-1]:
                self.query_one(f"#{shown[shown.index(key) + 1]}").focus()
            else:
                self._close_picked()
            return
        self._next(key)

    def _next(self, key: str) -> None:
        shown = self._visible()
        if key not in shown:
            return
        if key != shown[-1]:
            self.query_one(f"#{shown[shown.index(key) + 1]}").focus()
            return
        self._add_new()

    def _typed(self, key: str) -> str:
        return self.query_one(f"#{key}", HallInput).value

    def _add_new(self) -> None:
        values = {"kind": self._kind(), "topic": self._typed("e-topic"), "bundle": self._typed("e-bundle"),
                  "answered": self.query_one("#e-answered", ChoiceInput).value == T.yes_no[0],
                  "phone": self._typed("e-phone"),
                  "target_kind": TARGETS.get(self.query_one("#e-target-kind", ChoiceInput).value, "department"),
                  "target": self._typed("e-target"), "reason": self._typed("e-reason")}
        self.hall_app.db.submit(add_in_thread, self.hall_app.ctx, self.owner, values, done=self._after_add,
                                error=self._add_refused, name="enquiry-add")

    def _add_refused(self, message: str) -> None:
        """Say why, and put the cursor back on the first field the kind needs that is still
        empty (the rules are the domain's; this only saves the clerk the keys back)."""
        self._refused(message)
        needed = {"e-topic", "e-target", "e-reason"} & set(self._visible())
        for key in self._visible():
            if key in needed and not self._typed(key).strip():
                self.query_one(f"#{key}").focus()
                return

    def _after_add(self, result) -> None:
        state, lines = result
        self._fill(lines)
        text = T.saved_closed if state.status == "closed" else T.saved
        self.query_one("#message", MessageLine).say(text.format(kind=state.kind_label, id=state.short_id),
                                                    "success")
        for key in ("e-topic", "e-bundle", "e-phone", "e-target", "e-reason"):
            self.query_one(f"#{key}", HallInput).set_quietly("")
        self.query_one("#e-topic", HallInput).focus()

    def _refused(self, message: str) -> None:
        self.query_one("#message", MessageLine).say(message, "error")

    # -- closing --------------------------------------------------------------------------------
    def _close_picked(self) -> None:
        if self.picked is None:
            self._refused(T.close_none)
            return
        self.hall_app.db.submit(close_in_thread, self.hall_app.ctx, self.owner, self.picked.enquiry_id,
                                self._typed("c-result"), self._typed("c-action"), self._typed("c-handled-by"),
                                done=self._after_close, error=self._refused, name="enquiry-close")

    def _after_close(self, result) -> None:
        state, lines = result
        self.picked = None
        for key in CLOSE_FIELDS:
            self.query_one(f"#{key}", HallInput).set_quietly("")
        self._fill(lines)
        self._show_close()
        self.query_one("#message", MessageLine).say(T.closed.format(id=state.short_id), "success")
        self.query_one("#e-topic", HallInput).focus()

    # -- keys -----------------------------------------------------------------------------------
    def action_new(self) -> None:
        self.query_one("#e-kind", ChoiceInput).focus()

    def action_pick(self) -> None:
        self.query_one("#enquiry-open", DataTable).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
