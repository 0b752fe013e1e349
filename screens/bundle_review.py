"""Bundle review (套餐审核, 上线前审核): every bundle file with where it stands
(草稿 → 已校验 → 已审核 → 已发布); Enter opens one (screens/bundle_detail.py) to read
it, see what ``bundles check`` finds, approve it with a comment or publish it.

The list comes in two passes, both in a thread off the database queue (the bundles are
files): the file checks first (about a second for the 80 bundles), then the planner's
dry run of every bundle, which takes seconds the first time (the service keeps the
result by content, so coming back after a review costs only the file checks). Until
the second pass a bundle that passed the file checks shows 校验中, not 已校验.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from screens.strings import BundleReview as T
from screens.widgets.bars import MessageLine, StatusBar, TitleBar
from screens.widgets.keybar import KeyBar
from screens.widgets.paint import repaint
from screens.widgets.tables import CaseTable

if TYPE_CHECKING:
    from hall_app.services.bundle_review import FileStatus
    from screens.app import HallApp

# state, name, code, why: the state fixed, the others stretch (minimum, maximum)
COLUMNS = ((8, None, None, None), ((12, 34), (8, 24), (12, 60)))


def statuses_in_thread(paths, reviews, audited: bool | str):
    from hall_app.services.bundle_review import statuses

    return statuses(paths, reviews, audited=audited)


def row_cells(fs: "FileStatus") -> tuple[str, str, str, str]:
    from hall_app.domain.review import STATE_LABELS

    b, s = fs.entry.bundle, fs.status
    if not fs.audited and s.state != "draft":
        return T.checking, b.name, b.code, ""
    return STATE_LABELS[s.state], b.name, b.code, s.why


def ordered(found: list["FileStatus"]) -> list["FileStatus"]:
    """Drafts first, then what waits for a review, then the reviewed, then the published
    (the order of ``hall-app bundles status``); by code within a state."""
    from hall_app.domain.review import STATES

    return sorted(found, key=lambda f: (STATES.index(f.status.state), f.entry.bundle.code))


class BundleReviewScreen(Screen):
    CSS_PATH = "bundle_review.tcss"
    AUTO_FOCUS = "#bundles"
    BINDINGS = [
        Binding("f5", "refresh", T.refresh, id="bundle_review.refresh"),
        Binding("escape", "back", T.back, id="bundle_review.back"),
    ]

    def __init__(self, paths=None, reviews=None) -> None:
        """``paths``/``reviews``: the bundle files and the review records (None: the shipped
        catalog and bundles/reviews.toml or HALL_BUNDLE_REVIEWS), as on the command line."""
        super().__init__()
        self.paths, self.reviews = paths, reviews
        self.found: list[FileStatus] = []
        self.loads = 0  # loads finished (tests wait on it)
        self._generation = 0  # a reload drops what an earlier one still brings

    @property
    def hall_app(self) -> "HallApp":
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield TitleBar(T.title)
        yield Static(T.loading, id="bundles-summary", classes="heading", markup=False)
        yield Static(self._offer_line(), id="bundles-offer", classes="muted", markup=False)
        yield CaseTable(T.cols, *COLUMNS, id="bundles")
        yield MessageLine(id="message")
        yield StatusBar()
        yield KeyBar()

    def _offer_line(self) -> str:
        ctx = self.hall_app.ctx
        offer = ctx.settings.device.bundle_offer if ctx is not None else "complete"
        return T.offer_published if offer == "published" else T.offer_complete

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """The file checks, with the audit of what was audited before (fast), then the audit
        of the rest if any is left; each fills the list when done."""
        self._generation += 1
        self._submit("known", self._generation)

    def _submit(self, audited: bool | str, generation: int) -> None:
        self.hall_app.db.background(statuses_in_thread, self.paths, self.reviews, audited,
                                    done=lambda result: self._loaded(result, generation),
                                    error=lambda m: self.query_one("#message", MessageLine).say(m, "error"),
                                    name="bundle-statuses")

    def _loaded(self, result, generation: int) -> None:
        from hall_app.domain.review import STATE_LABELS, STATES

        if not self.is_attached or generation != self._generation:
            return
        found, unreadable = result
        self.found = ordered(found)
        table = self.query_one("#bundles", CaseTable)
        table.show_rows([(fs.entry.bundle.code, row_cells(fs)) for fs in self.found])
        message = self.query_one("#message", MessageLine)
        summary = self.query_one("#bundles-summary", Static)
        if all(fs.audited for fs in found):
            counts = "，".join(f"{STATE_LABELS[s]} {sum(1 for f in found if f.status.state == s)}" for s in STATES)
            repaint(summary, T.summary.format(n=len(found), counts=counts))
            if unreadable:
                message.say(T.unreadable.format(n=len(unreadable), first=unreadable[0]), "error")
            else:
                message.say(T.list_keys)
        else:
            repaint(summary, T.loading)
            message.say(T.auditing.format(n=len(found)))
            self._submit(True, generation)
        self.loads += 1

    # -- opening one -------------------------------------------------------------------------
    def _open(self, code: str | None) -> None:
        from screens.bundle_detail import BundleDetailScreen

        if code:
            self.app.push_screen(BundleDetailScreen(code, self.paths, self.reviews))

    def on_data_table_row_selected(self, event: CaseTable.RowSelected) -> None:
        event.stop()
        table = self.query_one("#bundles", CaseTable)
        self._open(table.case_at(event.cursor_row))

    def on_case_table_view_request(self, event: CaseTable.ViewRequest) -> None:
        event.stop()
        self._open(event.case_id)

    # -- actions -----------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
