"""Step 5 · materials checklist: each material with its status (e-licence ✓ /
handed in / missing / deferred), originals and copies; keys tick them."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.widgets import DataTable, Static

from hall_app.domain.bundle import FORM_LABELS, REQUIREMENT_LABELS
from screens.after_strings import NoticeReturn as TN
from screens.intake.base import StepPane
from screens.strings import Materials as T
from screens.widgets.cjk import clip, wrap_cjk
from screens.widgets.paint import repaint
from screens.widgets.tables import add_fixed_columns

STYLES = {"exempt": "green", "handed_in": "green", "missing": "bold red", "deferred": "yellow"}


def load_in_thread(ctx, case_id: str, returning: bool = False):
    """The case, its plan and, for a return after a one-time notice, the only materials
    to check (None: all of them)."""
    from hall_app.domain.dispatch import notice_return_codes

    state = ctx.cases.get(case_id)
    plan = ctx.cases.plan(state)
    only = notice_return_codes(state, [m.material.code for m in plan.missing]) if returning else []
    return state, plan, only or None


def mark_in_thread(ctx, case_id: str, username: str, marks: list[tuple[str, str]], returning: bool = False):
    for code, status in marks:
        ctx.cases.mark_material(case_id, username, code, status)
    return load_in_thread(ctx, case_id, returning)


def notice_return_unlisted(state, only: list[str] | None) -> list[str]:
    """Of the materials a return checks, those no notice named yet."""
    if not only:
        return []
    from hall_app.domain.case_rules import notice_named

    named = set(notice_named(state))
    return [code for code in only if code not in named]


def next_status(planned) -> str:
    if planned.status == "missing":
        return "handed_in"
    if planned.status == "handed_in" and planned.material.requirement == "deferrable":
        return "deferred"
    return "missing"


class MaterialsStep(StepPane):
    STEP = "materials"
    BINDINGS = [
        Binding("space", "cycle", T.toggle, id="materials.toggle"),
        Binding("1", "mark('handed_in')", T.handed, id="materials.handed_in"),
        Binding("2", "mark('missing')", T.missing, id="materials.missing"),
        Binding("3", "mark('deferred')", T.deferred, id="materials.deferred"),
        Binding("a", "all_in", T.all_in, id="materials.all_in"),
        Binding("enter", "go_on", T.go, id="materials.next"),
    ]

    def __init__(self, intake) -> None:
        super().__init__(intake)
        self.planned: dict = {}
        self._data = None
        self._col_widths: tuple[int, ...] = ()
        self._cells: dict[str, tuple] = {}  # each row's cells and height, as shown
        self._head = self._note = ""  # the summary and the note, as shown

    def compose(self) -> ComposeResult:
        yield Static(T.heading, id="materials-summary", classes="heading")
        table: DataTable = DataTable(id="materials", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="material-note", classes="muted")

    def on_mount(self) -> None:
        try:
            table = self.query_one("#materials", DataTable)
        except NoMatches:  # removed while it was composing (Esc or quit during a premount)
            return
        self._col_widths = self._column_widths(100)
        add_fixed_columns(table, T.cols, self._col_widths)
        super().on_mount()

    def _column_widths(self, total: int) -> tuple[int, int, int, int, int]:
        """Form, requirement and status fixed; the name as wide as the longest (up to
        half of what is left), the explanation the rest: no name cut while space is free."""
        planned = list(self.planned.values())
        forms = max((cell_len(self._form(p.material)) for p in planned), default=4)
        statuses = max((cell_len(T.status[p.status]) + (8 if p.material.requirement == "optional" else 0)
                        for p in planned), default=10)
        fixed = (max(4, forms), 6, max(10, statuses))
        room = max(30, total - 2 - 2 * 5 - 2 - sum(fixed))  # padding, cell padding, scrollbar
        longest = max((cell_len(p.material.name) for p in planned), default=24)
        name = max(16, min(longest, room // 2))
        return (name, *fixed, max(12, room - name))

    @staticmethod
    def _form(material) -> str:
        return FORM_LABELS[material.form] + (T.copies.format(n=material.copies) if material.copies > 1 else "")

    def on_resize(self) -> None:
        widths = self._column_widths(self.size.width)
        if self.size.width and widths != self._col_widths and self._data is not None:
            self._col_widths = widths
            table = self.query_one("#materials", DataTable)
            table.clear(columns=True)
            add_fixed_columns(table, T.cols, widths)
            self._cells = {}
            self.show(self._data)

    def focus_first(self) -> None:
        self.query_one("#materials", DataTable).focus()

    def load(self):
        return load_in_thread(self.ctx, self.case_id, self.intake.returning)

    def show(self, data) -> None:
        state, plan, only = data
        self._data = data
        self.intake.update_state(state)
        table = self.query_one("#materials", DataTable)
        current = self._selected()
        by_code = {p.material.code: p for p in plan.materials}
        materials = [by_code[c] for c in only if c in by_code] if only is not None else list(plan.materials)
        self.planned = {p.material.code: p for p in materials}
        widths = self._column_widths(self.size.width) if self.size.width else self._col_widths
        if widths != self._col_widths:
            self._col_widths = widths
            table.clear(columns=True)
            add_fixed_columns(table, T.cols, widths)
            self._cells = {}
        name_w, note_w = widths[0], widths[4]
        counts = {"exempt": 0, "handed_in": 0, "missing": 0, "deferred": 0}
        unlisted = set(notice_return_unlisted(state, only))
        rows: dict[str, tuple] = {}
        for p in materials:
            m = p.material
            counts[p.status] += 1
            form = self._form(m)
            status = Text(T.status[p.status], style=STYLES[p.status])
            if p.status == "missing" and m.requirement == "optional":
                status = Text(T.status["missing"] + "（选交）", style="dim")
            name = wrap_cjk(m.name, name_w)
            note = wrap_cjk((TN.unlisted_note if m.code in unlisted else "") + (p.note or p.reason), note_w)
            height = max(len(name), min(len(note), 2))
            note_text = "\n".join(note[:height - 1] + [clip("".join(note[height - 1:]), note_w)])
            rows[m.code] = ("\n".join(name), form, REQUIREMENT_LABELS[m.requirement], status, note_text, height)
        self._fill(table, rows)
        if only is not None:
            last = state.notices[-1]
            head = TN.heading.format(count=len(materials) - len(unlisted), n=len(state.notices),
                                     date=str(last.get("at", ""))[5:10], deadline=last.get("deadline", ""))
            head += ("\n" + TN.unlisted.format(count=len(unlisted)) if unlisted else "") + "\n" + TN.summary.format(
                handed=counts["handed_in"], exempt=counts["exempt"], missing=counts["missing"],
                deferred=counts["deferred"]) + "\n" + TN.hint.format(
                h=self.key("materials.handed_in"), m=self.key("materials.missing"), d=self.key("materials.deferred"),
                key=self.key("materials.next"))
        else:
            head = f"{T.heading}　" + T.summary.format(total=len(plan.materials), exempt=counts["exempt"],
                                                       handed=counts["handed_in"], missing=counts["missing"],
                                                       deferred=counts["deferred"])
        if head != self._head:  # a tick changes a count: repainted in place, no layout
            self._head = head
            repaint(self.query_one("#materials-summary", Static), head)
        if current in self.planned:
            table.move_cursor(row=table.get_row_index(current), animate=False)
        self._show_note()

    def _fill(self, table: DataTable, rows: dict[str, tuple]) -> None:
        """The same materials in the same order, each as high as before (a tick): only the
        cells that changed are set, the table neither cleared nor laid out again."""
        if list(rows) == list(self._cells) and all(rows[c][-1] == self._cells[c][-1] for c in rows):
            for code, cells in rows.items():
                for column, (old, new) in enumerate(zip(self._cells[code][:-1], cells[:-1])):
                    if old != new:
                        table.update_cell(code, table.ordered_columns[column].key, new)
        else:
            table.clear()
            for code, cells in rows.items():
                table.add_row(*cells[:-1], key=code, height=cells[-1])
        self._cells = rows

    def _selected(self) -> str | None:
        table = self.query_one("#materials", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _show_note(self) -> None:
        planned = self.planned.get(self._selected() or "")
        note = self.query_one("#material-note", Static)
        m = planned.material if planned is not None else None
        text = f"{m.name}：{m.spec}　（{planned.reason}）" if m is not None and planned is not None else ""
        if text != self._note:
            self._note = text
            repaint(note, text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_note()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.advance()

    # -- keys ------------------------------------------------------------------------------------
    def _mark(self, marks: list[tuple[str, str]]) -> None:
        if marks and self.case_id:
            self.submit(mark_in_thread, self.ctx, self.case_id, self.username, marks, self.intake.returning,
                        done=self.show, error=self._failed)

    def _failed(self, message: str) -> None:
        self.fail(message)
        self.reload()

    def action_cycle(self) -> None:
        planned = self.planned.get(self._selected() or "")
        if planned is not None:
            self._mark([(planned.material.code, next_status(planned))] if planned.status != "exempt" else [])
            if planned.status == "exempt":
                self.say(planned.note or "", "info")

    def action_mark(self, status: str) -> None:
        code = self._selected()
        if code:
            self._mark([(code, status)])

    def action_all_in(self) -> None:
        marks = [(code, "handed_in") for code, p in self.planned.items() if p.status in ("missing", "deferred")]
        if marks:
            self.say(T.all_marked.format(n=len(marks)), "success")
        self._mark(marks)

    def action_go_on(self) -> None:
        self.advance()
