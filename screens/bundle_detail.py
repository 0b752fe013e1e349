"""One bundle under review: everything its reviewer reads, in words (items, situation
questions, rules, materials, the one form, the planner's dry run, what ``bundles
check`` finds, what changed since the last release), its status, and the two steps
that move it on: 审核通过 (with a comment, for a checked bundle) and 发布 (for a
reviewed one). Both are recorded by the service (hall_app/services/bundle_review.py)
with who and when; the keys of a step that is not open now are shown dimmed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from screens.strings import BundleReview as T
from screens.widgets.bars import MessageLine, StatusBar, TitleBar
from screens.widgets.cjk import clip, wrap_cjk
from screens.widgets.keybar import KeyBar
from screens.widgets.paint import repaint

if TYPE_CHECKING:
    from hall_app.services.bundle_review import FileStatus
    from screens.app import HallApp


SHOWN_PROBLEMS = 3  # under the state line; all of them in section 七
NUMBERED = re.compile(r"\d+\.\s")


def fold(lines: list[str], width: int) -> list[str]:
    """The reviewer's lines fitted to ``width`` cells by the Chinese line-breaking rules,
    each continuation indented under the text of its numbered entry (not at the margin)."""
    out: list[str] = []
    for line in lines:
        body = line.lstrip(" ")
        numbered = NUMBERED.match(body)
        hang = min(len(line) - len(body) + (numbered.end() if numbered else 2), width // 2)
        first = wrap_cjk(line, width)[0]
        out.append(first)
        rest = line[len(first):].lstrip(" ")
        if rest:
            out += [" " * hang + piece for piece in wrap_cjk(rest, width - hang)]
    return out


def detail_in_thread(code: str, paths, reviews):
    from hall_app.services.bundle_review import detail

    return detail(code, paths, reviews)


def review_in_thread(code: str, by: str, note: str, paths, reviews):
    from hall_app.services.bundle_review import detail, review

    record = review(code, by, note, paths, reviews)
    return record, detail(code, paths, reviews)


def release_in_thread(ctx, code: str, by: str, paths, reviews):
    """Record the release, then let this hall offer it at once (bundle_offer = published)."""
    from hall_app.services.bundle_review import detail, release

    record = release(code, by, "", paths, reviews)
    if ctx is not None:
        ctx.catalog_service.reload()
    return record, detail(code, paths, reviews)


class BundleDetailScreen(Screen):
    CSS_PATH = "bundle_detail.tcss"
    AUTO_FOCUS = "#bundle-text"
    BINDINGS = [
        Binding("f2", "approve", T.approve, id="bundle_detail.approve"),
        Binding("f3", "publish", T.publish, id="bundle_detail.publish"),
        Binding("f5", "refresh", T.refresh, id="bundle_detail.refresh"),
        Binding("escape", "back", T.back, id="bundle_detail.back"),
    ]

    def __init__(self, code: str, paths=None, reviews=None) -> None:
        super().__init__()
        self.code, self.paths, self.reviews = code, paths, reviews
        self.shown: FileStatus | None = None
        self.lines: list[str] = []
        self.loads = 0  # loads and steps finished (tests wait on it)

    @property
    def hall_app(self) -> "HallApp":
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield TitleBar(T.title, id="bundle-title")
        yield Static(T.loading, id="bundle-state", classes="heading", markup=False)
        with VerticalScroll(id="bundle-text"):
            yield Static("", id="bundle-body", markup=False)
        yield MessageLine(id="message")
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.hall_app.db.background(detail_in_thread, self.code, self.paths, self.reviews,
                                    done=self._show, error=self._failed, name="bundle-detail")

    def _failed(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#message", MessageLine).say(message, "error")
            self.loads += 1

    def _show(self, result: tuple["FileStatus", list[str]]) -> None:
        from hall_app.domain.review import STATE_LABELS

        if not self.is_attached:
            return
        fs, lines = result
        self.shown, self.lines = fs, lines
        b, s = fs.entry.bundle, fs.status
        self.query_one("#bundle-title", TitleBar).update(T.detail_title.format(name=b.name, code=b.code,
                                                                                version=b.version))
        state = T.state.format(state=STATE_LABELS[s.state], why=s.why)
        if fs.problems:  # what holds a draft back, on top: the whole list is in section 七
            state += T.problems.format(n=len(fs.problems))
            width = max(20, self.app.size.width - 6)
            state += "".join(f"\n  - {clip(p.reason, width)}" for p in fs.problems[:SHOWN_PROBLEMS])
        repaint(self.query_one("#bundle-state", Static), state)
        self._fill()
        self.refresh_bindings()
        self.loads += 1

    def _fill(self) -> None:
        body = self.query_one("#bundle-body", Static)
        width = body.content_size.width or self.app.size.width - 4  # padding and scrollbar gutter
        if self.lines:
            body.update("\n".join(fold(self.lines, max(20, width))))

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill)

    # -- the two steps -----------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state = self.shown.status.state if self.shown is not None else None
        if action == "approve":
            return True if state == "checked" else None
        if action == "publish":
            return True if state == "reviewed" else None
        return True

    def _reviewer(self) -> str:
        user = self.hall_app.user
        return T.reviewer.format(name=user.display_name, username=user.username) if user else ""

    def action_approve(self) -> None:
        from screens.dialogs import ReasonDialog

        if self.shown is None:
            return
        fs = self.shown
        title = T.approve_title.format(name=fs.entry.bundle.name, hash=fs.entry.content_hash)

        def commented(answer: tuple[str, str] | None) -> None:
            if answer:
                self._step(review_in_thread, self.code, self._reviewer(), answer[0], self.paths, self.reviews,
                           said=T.reviewed)

        self.app.push_screen(ReasonDialog(title, T.approve_note), commented)

    def action_publish(self) -> None:
        from screens.dialogs import ConfirmDialog

        if self.shown is None:
            return
        fs, by = self.shown, self._reviewer()
        question = T.publish_confirm.format(name=fs.entry.bundle.name, hash=fs.entry.content_hash, by=by)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._step(release_in_thread, self.hall_app.ctx, self.code, by, self.paths, self.reviews,
                           said=T.published)

        self.app.push_screen(ConfirmDialog(question, T.publish_title), confirmed)

    def _step(self, fn, *args, said: str) -> None:
        """Record the step (the database queue keeps it in order with every other write),
        then show the bundle as it now stands and say what was recorded."""
        message = self.query_one("#message", MessageLine)

        def done(result) -> None:
            if not self.is_attached:
                return
            record, shown = result
            self._show(shown)
            message.say(said.format(by=record.by, name=shown[0].entry.bundle.name), "success")

        self.hall_app.db.submit(fn, *args, done=done, error=self._failed, name="bundle-review")

    # -- actions -----------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
