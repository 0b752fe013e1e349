"""Step 6 · one form (一表申报): each merged field once, prefilled values marked,
checks inline with the reason. Every keystroke is saved as a scratch draft; Enter,
leaving the field or leaving the step records the value (normalised: full-width
digits, stray spaces)."""

from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Static

from hall_app.domain.form import check_field
from hall_app.services.intake import APPLICANT_PREFILL
from screens.intake.base import StepPane
from screens.strings import Form as T
from screens.widgets.choice import ChoiceInput
from screens.widgets.cjk import wrap_cjk
from screens.widgets.inputs import HallInput
from screens.widgets.paint import repaint


def load_in_thread(ctx, case_id: str):
    state = ctx.cases.get(case_id)
    plan = ctx.cases.plan(state)
    return state, ctx.cases.form(state), plan.fields_asked, plan.fields_without_merge


def set_in_thread(ctx, case_id: str, username: str, key: str, value: str):
    return ctx.cases.set_field(case_id, username, key, value)


class FieldRow(Horizontal):
    """Label · editor, with the note under it (预填 / 未提交 / ✓ / ✗ and the reason)."""

    def __init__(self, row, intake=None) -> None:
        super().__init__(classes="form-row", id=f"row-{row.field.key}")
        self._intake = intake  # the hall's date for the checks, also before this row is mounted
        self._shown: tuple[str, str, str] | None = None
        self.spec = row.field
        self.initial = row.value
        self.take(row)

    def take(self, row) -> None:
        """Adopt what the database says about this field."""
        self.source = row.source
        self.committed = row.value if row.source in ("typed", "prefill") else None
        self.touched = row.source in ("typed", "draft")
        self.initial = row.value
        self.adopt(row)

    def adopt(self, row) -> None:
        """The service's notes on the recorded value (it knows the file: an address-code
        note on a number the file holds is left out)."""
        self.notes = (row.value, row.check.warnings)

    @property
    def today(self):
        return getattr(self._intake, "today", None)

    @property
    def label_text(self) -> str:
        return self.spec.label + (f" {T.required}" if self.spec.required else "")

    def fit_label(self, width: int) -> None:
        """The label column ``width`` cells wide; a longer label breaks by the Chinese
        rules (never "（已自主申报 / ）"). A row not composed yet takes it on mount."""
        self._want_width = width
        labels = self.query(".field-label")
        if getattr(self, "_label_width", None) == width or not labels:
            return
        self._label_width = width
        label = labels.first(Label)
        label.styles.width = width
        if self.spec.required:  # the marker stays with the last line ("名 *" never "*" alone)
            lines = wrap_cjk(self.spec.label, width - 3)
            lines[-1] += f" {T.required}"
        else:
            lines = wrap_cjk(self.spec.label, width - 1)
        label.update("\n".join(lines))

    def compose(self) -> ComposeResult:
        spec = self.spec
        yield Label(self.label_text, classes="field-label", markup=False)
        with Vertical(classes="field-box"):
            with Horizontal(classes="field-line"):
                if spec.type == "choice":
                    yield ChoiceInput(spec.choices, self.initial, id=f"f-{spec.key}", classes="editor", moves_on=True)
                else:
                    yield HallInput(self.initial, id=f"f-{spec.key}", classes="editor",
                                    free_text=spec.type in ("text", "address"))
                yield Static("", classes="mark", markup=False)  # 预填 / 未提交 / ✓ / ✗, beside the field
            note = Static("", classes="note", markup=False)  # the reason or warning, under it: full width
            note.display = False
            yield note

    @property
    def editor(self):
        return self.query_one(f"#f-{self.spec.key}")

    @property
    def value(self) -> str:
        if not self.is_mounted:  # mounted after the first frame (FormStep._build): as it will show
            return self.initial
        return self.editor.value

    def on_mount(self) -> None:
        if getattr(self, "_want_width", None):
            self.fit_label(self._want_width)
        self.refresh_marks()

    def refresh_marks(self) -> None:
        check = check_field(self.spec, self.value, self.today)
        shown = self.touched or bool(self.value)
        prefilled = self.source == "prefill" and self.value == self.initial
        detail = ""
        if not check.ok and shown:
            mark, detail, kind = "✗", check.error or "", "-wrong"
        elif prefilled:
            mark, kind = T.prefilled, "-prefill"  # the file's own value: its warnings are not the clerk's business
        elif self.committed is None or self.value != self.committed:
            mark, kind = (T.draft if self.value else ""), "-draft"
        else:
            warnings = self.notes[1] if self.notes[0] == self.value else ()
            mark, detail = ("✓" if self.value else ""), "　".join(warnings)
            kind = "-warn" if warnings else "-ok"
        if (mark, detail, kind) != self._shown:  # an unchanged note is not set again (no second frame)
            old = self._shown
            self._shown = (mark, detail, kind)
            mark_widget = self.query_one(".mark", Static)
            repaint(mark_widget, mark)
            mark_widget.set_classes(f"mark {kind}")
            if old is None or old[1] != detail:
                note = self.query_one(".note", Static)
                note.display = bool(detail)
                repaint(note, f"{mark} {detail}" if detail else "")
            self.query_one(".note", Static).set_classes(f"note {kind}")
        self.editor.set_class(not check.ok and shown, "-invalid")

    def is_done(self) -> bool:
        return (check_field(self.spec, self.value, self.today).ok
                and (bool(self.value) or not self.spec.required))


class FormStep(StepPane):
    STEP = "form"
    BINDINGS = [
        Binding("up", "move(-1)", T.up, id="form.up", key_display="↑"),
        Binding("down", "move(1)", T.down, id="form.down", key_display="↓"),
    ]

    def __init__(self, intake) -> None:
        super().__init__(intake)
        self.rows: dict[str, FieldRow] = {}
        self._showing = asyncio.Lock()

    def compose(self) -> ComposeResult:
        yield Static("", id="form-heading", classes="heading")
        yield VerticalScroll(id="form-scroll")

    def focus_first(self) -> None:
        pass  # the first field to fill gets the focus once the form is loaded

    def load(self):
        return load_in_thread(self.ctx, self.case_id)

    async def show(self, data) -> None:
        async with self._showing:  # one at a time: a form still mounting its rows is finished first
            await self._show(data)

    async def _show(self, data) -> None:
        state, rows, asked, without = data
        self.intake.update_state(state)
        self.query_one("#form-heading", Static).update(T.heading.format(asked=asked, without=without))
        keys = [r.field.key for r in rows]
        if keys != list(self.rows):
            await self._build(rows)
            return
        focused = self.screen.focused
        for r in rows:  # the same form shown again: take what was recorded meanwhile
            row = self.rows[r.field.key]
            if not row.is_mounted:  # not mounted yet: it will compose with this
                row.take(r)
                continue
            if (row.editor is focused and row.source == "draft") or (r.value == row.value and r.source == row.source):
                continue  # being typed, or unchanged: leave it alone
            row.take(r)
            row.editor.set_quietly(r.value)
            row.refresh_marks()
        if self.display and (focused is None or self._row_of(focused) is None):
            self._focus_next(None)

    async def _build(self, rows) -> None:
        """Mount the form's rows: first those the screen shows (down to the field the focus
        goes to), painted, then the rest. A first frame waited for all fifty-odd rows (some
        300 widgets styled and laid out) though a screen shows ten; the keys typed meanwhile
        stay held until every row exists (the step is ready only then)."""
        scroll = self.query_one("#form-scroll", VerticalScroll)
        await scroll.remove_children()
        self.rows = {r.field.key: FieldRow(r, self.intake) for r in rows}
        built = list(self.rows.values())
        target = next((n for n, row in enumerate(built) if not row.is_done()),
                      next((n for n, row in enumerate(built) if not row.value), 0))
        first = max(target + 1, (self.size.height or self.screen.size.height) // 3 + 1)
        await scroll.mount_all(built[:first])
        self._fit_labels()
        if self.display:
            self._focus_next(None)
        if built[first:]:
            painted = asyncio.Event()
            self.call_after_refresh(painted.set)
            await painted.wait()
            if self.is_attached and list(self.rows.values()) == built:
                await scroll.mount_all(built[first:])

    def on_resize(self) -> None:
        self._fit_labels()

    def _fit_labels(self) -> None:
        """One label column for the whole form: as wide as its longest label, at most a
        third of the width (then labels break by the Chinese rules)."""
        from rich.cells import cell_len

        width = self.size.width - 2
        if width <= 0 or not self.rows:
            return
        longest = max(cell_len(row.label_text) for row in self.rows.values()) + 1
        column = min(longest, max(12, width // 3))
        for row in self.rows.values():
            row.fit_label(column)

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
        self.submit(set_in_thread, self.ctx, self.case_id, self.username, row.spec.key, value,
                    done=lambda recorded: self._recorded(row, recorded))

    def _recorded(self, row: FieldRow, recorded) -> None:
        row.adopt(recorded)
        if row.is_attached:
            row.refresh_marks()
        if row.spec.prefill in APPLICANT_PREFILL:
            self.reload()  # the applicant changed (another ID brings another person): show it all

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
        later = [self.rows[k] for k in keys[start:]]
        # On down the form: the next field still required or wrong; when none is left,
        # the next optional one still empty (代扣银行卡号 after the last choice: the clerk
        # sees it and skips it with Enter); then from the top what is required or wrong.
        target = (next((r for r in later if not r.is_done()), None)
                  or next((r for r in later if not r.value), None)
                  or next((self.rows[k] for k in keys[:start] if not self.rows[k].is_done()), None))
        if target is not None:
            target.editor.focus()
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
