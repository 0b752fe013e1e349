"""Step 4 · situation questions: choices only (number keys), only those that apply.
Changing an earlier answer recomputes the plan and says what changed."""

from __future__ import annotations

from rich.text import Text
from textual import _time, events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from screens.intake.base import StepPane
from screens.strings import Intake as TI
from screens.strings import Questions as T
from screens.widgets.paint import repaint


def load_in_thread(ctx, case_id: str):
    state = ctx.cases.get(case_id)
    return state, ctx.cases.plan(state)


def answer_in_thread(ctx, case_id: str, username: str, question: str, value: str | None):
    change = ctx.cases.answer(case_id, username, question, value)
    state = ctx.cases.get(case_id)
    return change, state, ctx.cases.plan(state)


class QuestionList(Vertical, can_focus=True):
    """Holds the focus for the step; the step's bindings do the work. It notes when each
    key was pressed, so an answer key never lands on a question that appeared after it."""

    key_time: float | None = None

    def on_key(self, event: events.Key) -> None:
        self.key_time = event.time


class QuestionRow(Static):
    """One question: repainted only when what it shows changed, laid out only when its
    height changed."""

    def __init__(self) -> None:
        super().__init__("", classes="question")
        self.shown: tuple | None = None

    def put(self, signature: tuple, text: Text, cursor: bool) -> None:
        if signature == self.shown:
            return
        self.shown = signature
        self.set_class(cursor, "-cursor")
        repaint(self, text)


class QuestionsStep(StepPane):
    STEP = "questions"
    BINDINGS = [
        Binding("1", "answer(1)", T.choose, id="questions.choose", key_display="1-9"),
        Binding("up", "move(-1)", id="questions.up", show=False),
        Binding("down", "move(1)", id="questions.down", show=False),
        Binding("left", "cycle(-1)", "上一选项", id="questions.prev_option", show=False),
        Binding("right", "cycle(1)", "下一选项", id="questions.next_option", show=False),
        Binding("0,delete,backspace", "clear", T.clear, id="questions.clear", key_display="0"),
        Binding("enter", "go_on", T.go, id="questions.next"),
    ] + [Binding(str(n), f"answer({n})", id=f"questions.answer_{n}", show=False) for n in range(2, 10)]

    def __init__(self, intake) -> None:
        super().__init__(intake)
        self.questions: list = []
        self.answers: dict[str, str] = {}
        self.pending: set[str] = set()
        self.prefilled: dict[str, str] = {}  # answered by the file, with why
        self.fresh: dict[str, float] = {}  # inserted by an answer: question id -> when it was first shown
        self.cursor: str | None = None
        self._help_shown: str | None = None
        self._scrolled_to: str | None = None
        self._warned = False

    def compose(self) -> ComposeResult:
        yield Static(T.heading.format(up=self.key("questions.up"), down=self.key("questions.down")),
                     classes="heading")
        yield QuestionList(id="question-list")
        yield Static("", id="question-help", classes="muted")

    def focus_first(self) -> None:
        self.query_one("#question-list").focus()

    def shown_again(self) -> None:
        self.cursor = None  # back on this step: start from the first open (or the first) question
        super().shown_again()

    def load(self):
        return load_in_thread(self.ctx, self.case_id)

    def show(self, data) -> None:
        state, plan = data
        self.intake.update_state(state)
        before = {q.id for q in self.questions}
        self.questions = list(plan.questions)
        self.answers = dict(plan.answers)
        self.pending = {q.id for q in plan.pending}
        self.prefilled = dict(plan.prefilled)
        ids = [q.id for q in self.questions]
        if before:  # a question the plan has just added is marked new until it is answered
            now = _time.get_time()
            for qid in ids:
                if qid not in before and qid in self.pending:
                    self.fresh.setdefault(qid, now)
        self.fresh = {qid: t for qid, t in self.fresh.items() if qid in self.pending}
        if self.cursor not in ids:
            self.cursor = next((q.id for q in self.questions if q.id in self.pending), ids[0] if ids else None)
        self._draw_rows()
        if not self.questions:
            self.say(T.no_questions.format(key=self.key("questions.next")))

    def _draw_rows(self) -> None:
        box = self.query_one("#question-list", QuestionList)
        rows = list(box.query(QuestionRow))
        if len(rows) != len(self.questions):
            if len(rows) > len(self.questions):
                for row in rows[len(self.questions):]:
                    row.remove()
                rows = rows[:len(self.questions)]
            else:
                extra = [QuestionRow() for _ in range(len(self.questions) - len(rows))]
                box.mount_all(extra)
                rows += extra
        for n, (question, row) in enumerate(zip(self.questions, rows), start=1):
            signature = self._signature(n, question)
            if signature != row.shown:
                row.put(signature, self._line(n, question), question.id == self.cursor)
        self._show_help()
        if self.cursor != self._scrolled_to:
            self._scrolled_to = self.cursor
            self.call_after_refresh(self._scroll_to_cursor)

    def _signature(self, n: int, question) -> tuple:
        """Everything a row shows: equal signatures, nothing to repaint."""
        return (n, question.id, question.text, tuple(question.options), question.id == self.cursor,
                self.answers.get(question.id), question.id in self.pending, self.prefilled.get(question.id),
                question.id in self.fresh)

    def _line(self, n: int, question) -> Text:
        text = Text(no_wrap=False)
        mark = "▶ " if question.id == self.cursor else "  "
        text.append(f"{mark}{n:>2}. ", style="bold")
        if question.id in self.fresh:
            text.append(f"{T.fresh} ", style="bold reverse yellow")
        text.append(question.text)
        text.append("\n      ")
        chosen = self.answers.get(question.id)
        for k, option in enumerate(question.options, start=1):
            label = f" {k} {option} "
            text.append(label, style="reverse bold" if option == chosen else "")
            text.append(" ")
        if question.id in self.pending:
            text.append(f" {T.pending}", style="bold yellow")
        elif question.id in self.prefilled:
            text.append(f" {self.prefilled[question.id]}", style="italic")
        return text

    def _show_help(self) -> None:
        question = self._current()
        left = len(self.pending)
        hint = T.all_answered.format(key=self.key("questions.next")) if not left else T.left.format(n=left)
        helptext = question.help if question is not None and question.help else ""
        line = f"{helptext}　{hint}" if helptext else hint
        if line != self._help_shown:
            self._help_shown = line
            repaint(self.query_one("#question-help", Static), line)

    def _scroll_to_cursor(self) -> None:
        """Runs after the next refresh: by then the intake may have been taken down (another
        window took the case over and the screen left), its list gone with it."""
        hosts = self.query("#question-list")
        if not self.is_attached or not hosts:
            return
        rows = list(hosts.first().query(QuestionRow))
        ids = [q.id for q in self.questions]
        if self.cursor in ids and len(rows) == len(ids):
            rows[ids.index(self.cursor)].scroll_visible(animate=False)

    def _current(self):
        return next((q for q in self.questions if q.id == self.cursor), None)

    # -- keys ------------------------------------------------------------------------------------
    def _next_open(self, after: str | None) -> str | None:
        """The open question after ``after`` (wrapping) that was on screen before: a question
        an answer has just added is never the target of the keys already typed."""
        ids = [q.id for q in self.questions]
        start = ids.index(after) + 1 if after in ids else 0
        order = [i for i in ids[start:] + ids[:start] if i in self.pending and i != after]
        return next((i for i in order if i not in self.fresh), order[0] if order else None)

    def action_move(self, delta: int) -> None:
        ids = [q.id for q in self.questions]
        if not ids:
            return
        index = ids.index(self.cursor) if self.cursor in ids else 0
        self.cursor = ids[max(0, min(len(ids) - 1, index + delta))]
        self._draw_rows()

    def _pressed_before_shown(self, question) -> bool:
        """The key that asks for this answer was pressed before the question appeared."""
        shown = self.fresh.get(question.id)
        pressed = self.query_one("#question-list", QuestionList).key_time
        return shown is not None and pressed is not None and pressed < shown

    def action_answer(self, n: int, move: bool = True) -> None:
        question = self._current()
        if question is None or n > len(question.options) or not self.case_id:
            return
        if self._pressed_before_shown(question):
            self.say(T.fresh_unseen.format(text=question.text), "warning")
            self._warned = True
            return
        if self._warned:  # answered now, seen: the warning has done its job
            self._warned = False
            self.say("")
        value = question.options[n - 1]
        self.answers[question.id] = value  # show it at once; the plan follows from the worker
        self.pending.discard(question.id)
        self.prefilled.pop(question.id, None)  # the clerk's answer now, not the file's
        self.fresh.pop(question.id, None)
        if move:  # on to the next open question on screen now, before the plan comes back
            self.cursor = self._next_open(question.id) or question.id
        self._draw_rows()
        self.hall_app.hold_keys()  # the next key waits for the new plan (a question may go away)
        self.submit(answer_in_thread, self.ctx, self.case_id, self.username, question.id, value,
                    done=lambda r: self._answered(question.id, r, move=move), error=self._failed)

    def action_cycle(self, step: int) -> None:
        """←/→ choose the previous/next option of the current question."""
        question = self._current()
        if question is None:
            return
        options = question.options
        chosen = self.answers.get(question.id)
        index = options.index(chosen) + step if chosen in options else (0 if step > 0 else len(options) - 1)
        self.action_answer(index % len(options) + 1, move=False)

    def action_clear(self) -> None:
        question = self._current()
        if question is None or not self.case_id or question.id not in self.answers:
            return
        self.answers.pop(question.id, None)
        self.pending.add(question.id)
        self._draw_rows()
        self.say(T.cleared.format(text=question.text))
        self.hall_app.hold_keys()
        self.submit(answer_in_thread, self.ctx, self.case_id, self.username, question.id, None,
                    done=lambda r: self._answered(question.id, r, move=False), error=self._failed)

    def _answered(self, question_id: str, result, move: bool = True) -> None:
        self.hall_app.release_keys()
        change, state, plan = result
        cursor = self.cursor
        self.show((state, plan))  # keeps the cursor where the key put it, if that question stays
        if not change.empty:
            self.say(TI.change.format(text=change.describe()), "change")
        if move and cursor not in self.pending:
            # the question the cursor went to was removed by this answer (or answered meanwhile)
            self.cursor = self._next_open(question_id) or self.cursor
            self._draw_rows()

    def _failed(self, message: str) -> None:
        self.hall_app.release_keys()
        self.fail(message)
        self.reload()

    def action_go_on(self) -> None:
        if self.pending:
            ids = [q.id for q in self.questions]
            self.cursor = next(i for i in ids if i in self.pending)
            self._draw_rows()
            self.say(T.left.format(n=len(self.pending)), "warning")
            return
        self.advance()
