"""Step 6 · one form (一表申报): each merged field once, prefilled values marked,
checks inline with the reason. Every keystroke is saved as a scratch draft; Enter,
leaving the field or leaving the step records the value (normalised: full-width
digits, stray spaces)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Static

from hall_app.domain.form import check_field
from screens.intake.base import StepPane
from screens.strings import Form as T
from screens.widgets.choice import ChoiceInput
from screens.widgets.inputs import HallInput
from screens.widgets.paint import repaint


def load_in_thread(ctx, case_id: str):
    state = ctx.cases.get(case_id)
    plan = ctx.cases.plan(state)
    return state, ctx.cases.form(state), plan.fields_asked, plan.fields_without_merge


def set_in_thread(ctx, case_id: str, username: str, key: str, value: str):
    return ctx.cases.set_field(case_id, username, key, value)


class FieldRow(Horizontal):
    """Label · editor · note (预填 / 未提交 / ✓ / ✗ and the reason, wrapped beside the field)."""

    def __init__(self, row) -> None:
        super().__init__(classes="form-row", id=f"row-{row.field.key}")
        self.spec = row.field
        self.initial = row.value
        self._note_shown: tuple[str, str] = ("", "")
        self.take(row)

    def take(self, row) -> None:
        """Adopt what the database says about this field."""
        self.source = row.source
        self.committed = row.value if row.source in ("typed", "prefill") else None
        self.touched = row.source in ("typed", "draft")
        self.initial = row.value

    def compose(self) -> ComposeResult:
        spec = self.spec
        label = spec.label + (f" {T.required}" if spec.required else "")
        yield Label(label, classes="field-label")
        if spec.type == "choice":
            yield ChoiceInput(spec.choices, self.initial, id=f"f-{spec.key}", classes="editor")
        else:
            yield HallInput(self.initial, id=f"f-{spec.key}", classes="editor")
        yield Static("", classes="note", markup=False)

    @property
    def editor(self):
        return self.query_one(f"#f-{self.spec.key}")

    @property
    def value(self) -> str:
        return self.editor.value

    def on_mount(self) -> None:
        self.refresh_marks()

    def refresh_marks(self) -> None:
        check = check_field(self.spec, self.value)
        shown = self.touched or bool(self.value)
        prefilled = self.source == "prefill" and self.value == self.initial
        if not check.ok and shown:
            text, kind = f"✗ {check.error}", "-wrong"
        elif prefilled:
            text, kind = T.prefilled, "-prefill"  # the file's own value: its warnings are not the clerk's business
        elif self.committed is None or self.value != self.committed:
            text, kind = (T.draft if self.value else ""), "-draft"
        else:
            text = "✓" + ("　" + "　".join(check.warnings) if check.warnings else "") if self.value else ""
            kind = "-warn" if check.warnings else "-ok"
        self._show_note(text, kind)
        self.editor.set_class(not check.ok and shown, "-invalid")

    def _show_note(self, text: str, kind: str) -> None:
        """Touch the note only when it changes: a keystroke that leaves it as it was costs
        no repaint, and one that changes it costs no layout unless its height changes."""
        if (text, kind) == self._note_shown:
            return
        note = self.query_one(".note", Static)
        if kind != self._note_shown[1]:
            note.set_classes(f"note {kind}")
        self._note_shown = (text, kind)
        repaint(note, text)

    def is_done(self) -> bool:
        return check_field(self.spec, self.value).ok and (bool(self.value) or not self.spec.required)


class FormStep(StepPane):
    STEP = "form"
    BINDINGS = [
        Binding("up", "move(-1)", T.up, id="form.up", key_display="↑"),
        Binding("down", "move(1)", T.down, id="form.down", key_display="↓"),
    ]

    def __init__(self, intake) -> None:
        super().__init__(intake)
        self.rows: dict[str, FieldRow] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="form-heading", classes="heading")
        yield VerticalScroll(id="form-scroll")

    def focus_first(self) -> None:
        pass  # the first field to fill gets the focus once the form is loaded

    def load(self):
        return load_in_thread(self.ctx, self.case_id)

    async def show(self, data) -> None:
        state, rows, asked, without = data
        self.intake.update_state(state)
        self.query_one("#form-heading", Static).update(T.heading.format(asked=asked, without=without))
        keys = [r.field.key for r in rows]
        if keys != list(self.rows):
            scroll = self.query_one("#form-scroll", VerticalScroll)
            await scroll.remove_children()
            self.rows = {r.field.key: FieldRow(r) for r in rows}
            await scroll.mount_all(list(self.rows.values()))
            if self.display:
                self._focus_next(None)
            return
        focused = self.screen.focused
        for r in rows:  # the same form shown again: take what was recorded meanwhile
            row = self.rows[r.field.key]
            if (row.editor is focused and row.source == "draft") or (r.value == row.value and r.source == row.source):
                continue  # being typed, or unchanged: leave it alone
            row.take(r)
            row.editor.set_quietly(r.value)
            row.refresh_marks()
        if self.display and (focused is None or self._row_of(focused) is None):
            self._focus_next(None)

    # -- typing and recording ------------------------------------------------------------------
    def _row_of(self, widget) -> FieldRow | None:
        key = (widget.id or "").removeprefix("f-")
        return self.rows.get(key)

    def on_input_changed(self, event: HallInput.Changed) -> None:
        event.stop()
        row = self._row_of(event.input)
        if row is None or not self.case_id:
            return
        row.source = "draft"
        row.refresh_marks()
        self.submit(self.ctx.cases.type_field, self.case_id, row.spec.key, event.value,
                    coalesce=("scratch", self.case_id, row.spec.key))

    def on_input_submitted(self, event: HallInput.Submitted) -> None:
        event.stop()
        row = self._row_of(event.input)
        if row is not None:
            self._commit(row)
            self._focus_next(row.spec.key, finish=True)

    def on_input_blurred(self, event: HallInput.Blurred) -> None:
        row = self._row_of(event.input)
        if row is not None:
            self._commit(row)

    def on_choice_input_changed(self, event: ChoiceInput.Changed) -> None:
        event.stop()
        row = self._row_of(event.choice)
        if row is not None:
            row.source = "typed"
            self._commit(row)
            self._focus_next(row.spec.key, finish=True)

    def on_choice_input_submitted(self, event: ChoiceInput.Submitted) -> None:
        event.stop()
        row = self._row_of(event.choice)
        if row is not None:
            self._commit(row)
            self._focus_next(row.spec.key, finish=True)

    def _commit(self, row: FieldRow) -> None:
        if not self.case_id or not self.editable:
            return
        value = row.value
        row.touched = True
        check = check_field(row.spec, value)
        if check.ok and check.value != value and isinstance(row.editor, HallInput):
            row.editor.set_quietly(check.value)  # what was recorded: normalised
            value = check.value
        if row.committed == value and row.source != "draft":
            row.refresh_marks()
            return
        row.committed = value
        row.source = "typed"
        row.refresh_marks()
        self.submit(set_in_thread, self.ctx, self.case_id, self.username, row.spec.key, value)

    def commit(self) -> None:
        for row in self.rows.values():
            if row.source == "draft" or (row.committed is not None and row.value != row.committed):
                self._commit(row)

    # -- moving ---------------------------------------------------------------------------------
    def _focus_next(self, after: str | None, finish: bool = False) -> None:
        keys = list(self.rows)
        if not keys:
            return
        start = keys.index(after) + 1 if after in keys else 0
        for key in keys[start:] + keys[:start]:
            if not self.rows[key].is_done():
                self.rows[key].editor.focus()
                return
        if finish:
            self.say(T.all_done, "success")
            self.advance()
        elif after is None:
            self.rows[keys[0]].editor.focus()

    def action_move(self, delta: int) -> None:
        keys = list(self.rows)
        focused = self.screen.focused
        row = self._row_of(focused) if focused is not None else None
        index = keys.index(row.spec.key) if row is not None else -1
        target = keys[max(0, min(len(keys) - 1, index + delta))]
        self.rows[target].editor.focus()
