"""Step 1 · need → bundle: the citizen's words, ranked suggestions, or browse by
kind and life stage. The search covers every bundle; one not yet complete is listed
and marked as not yet offered, and choosing it says so instead of starting a case.
Look-alike suggestions carry a one-line difference."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, OptionList, Static, Tree
from textual.widgets.option_list import Option

from screens.intake.base import StepPane
from screens.roles import channel_for
from screens.strings import Need as T
from screens.widgets.cjk import clip
from screens.widgets.inputs import HallInput


def catalog_in_thread(ctx, window: str, case_id: str | None) -> tuple[Any, list[str], str | None]:
    from hall_app.services.counter import frequent_bundles

    catalog = ctx.catalog
    _ = catalog.need_index  # built here, not on the UI thread at the first key (0.27 s for 80 bundles)
    frequent = [code for code, _ in frequent_bundles(ctx, window)]
    current = None
    if case_id:
        state = ctx.cases.get(case_id)
        current = state.bundle_code
    return catalog, frequent, current


def search_in_thread(catalog, words: str) -> tuple[str, list[tuple[Any, str, str]], bool]:
    """The need search, off the UI thread, and whether its answer is final. It never waits
    for the pinyin tables (seconds on a loaded machine before they are ready): a query in
    characters is answered from them at once, and refined when the tables are ready if it
    needed them (hall_app/domain/need_search.py, NeedIndex.search_now)."""
    hits, final = catalog.need_index.search_now(words, limit=9)
    return words, [(h.bundle, h.why, h.differs) for h in hits], final


def tables_in_thread(catalog) -> bool:
    return catalog.need_index.wait_ready(timeout=60)


def start_in_thread(ctx, code: str, username: str, channel: str, window: str, void_case: str | None,
                    void_reason: str, ticket: Any = None):
    if void_case:
        ctx.cases.void(void_case, username, void_reason)
    if ticket is None:
        state = ctx.cases.start(code, username, channel=channel, window=window)
        return state, ctx.catalog.get(code).name
    # served from the queue: the case records its ticket; a ticket taken by ID number or
    # by appointment brings the applicant (looked up in the person file like a typed ID)
    state = ctx.cases.start(code, username, channel=channel, window=window, ticket=ticket.ticket,
                            ticket_label=ticket.label)
    if ticket.id_number:
        ctx.cases.set_applicant_id(state.case_id, username, ticket.id_number)
        state = ctx.cases.get(state.case_id)
    elif ticket.name:
        state = ctx.cases.set_applicant(state.case_id, username, "name", ticket.name)
    return state, ctx.catalog.get(code).name


class NeedStep(StepPane):
    STEP = "need"
    BINDINGS = [
        Binding("up", "move(-1)", T.up, id="need.up", show=False),
        Binding("down", "move(1)", T.down, id="need.down", show=False),
        Binding("enter", "choose", T.choose, id="need.choose"),
    ]

    def __init__(self, intake) -> None:
        super().__init__(intake)
        self.catalog: Any = None
        self.frequent: list[str] = []
        self.current: str | None = None
        # the search runs off the UI thread, one at a time, the newest words winning:
        self._wanted = ""  # the words in the box
        self._searching = False  # a search is running
        self._shown_for: str | None = None  # the words the list shows the results of
        self._after_search: list[Any] = []  # Enter/arrows pressed before the list caught up
        self._refining = False  # waiting for the pinyin tables to refine an early answer
        self._shown_list: list[tuple[str, str, str]] = []  # what the list shows (code, why, differs)

    def compose(self) -> ComposeResult:
        yield Static("", id="need-chosen", classes="success")
        yield Label(T.prompt, classes="heading")
        yield HallInput(placeholder=T.placeholder, id="need-words")
        with Horizontal(id="need-lists"):
            with Vertical(id="need-left"):
                yield Static(T.suggestions.format(key=self.key("need.choose")), id="need-list-title",
                             classes="heading")
                yield OptionList(id="suggestions")
            with Vertical(id="need-right"):
                yield Static(T.browse, classes="heading")
                tree: Tree[str] = Tree("一件事", id="browse")
                tree.show_root = False
                yield tree

    def focus_first(self) -> None:
        self.query_one("#need-words", HallInput).focus()

    def reload(self) -> None:
        self.say(T.loading)
        user = self.hall_app.user
        self.submit(catalog_in_thread, self.ctx, user.window if user else "", self.case_id, done=self.shown,
                    error=lambda m: self.load_failed(T.catalog_error.format(error=m)))

    def show(self, data) -> None:
        self.catalog, self.frequent, self.current = data
        self.catalog.need_index.prepare_in_background()  # pinyin tables, off the UI thread
        self.say("")
        if self.current:
            bundle = self.catalog.get(self.current)
            name = bundle.name if bundle else self.current
            hint = T.chosen_hint.format(key=self.key("need.choose"))
            self.query_one("#need-chosen", Static).update(f"{T.chosen.format(name=name)}　{hint}")
        self._fill_tree()
        self._suggest(self.query_one("#need-words", HallInput).value)

    # -- suggestions ----------------------------------------------------------------------
    def _fill_tree(self) -> None:
        tree = self.query_one("#browse", Tree)
        tree.clear()
        complete = [b for b in self.catalog if b.complete]
        for kind in ("个人", "企业"):
            bundles = [b for b in complete if b.kind == kind]
            if not bundles:
                continue
            kind_node = tree.root.add(kind, expand=True)
            stages: dict[str, Any] = {}
            for bundle in sorted(bundles, key=lambda b: (b.life_stage, b.name)):
                if bundle.life_stage not in stages:
                    stages[bundle.life_stage] = kind_node.add(bundle.life_stage, expand=True)
                stages[bundle.life_stage].add_leaf(bundle.name, data=bundle.code)

    def _suggest(self, words: str) -> None:
        """Show the suggestions for ``words``: the frequent bundles for an empty box, else
        the search's results, computed off the UI thread so typing never waits for it."""
        self._wanted = words
        if self.catalog is None:
            return
        if not words.strip():
            order = {code: n for n, code in enumerate(self.frequent)}
            complete = sorted((b for b in self.catalog if b.complete),
                              key=lambda b: (order.get(b.code, len(order)), b.name))
            self._show_found(words, [(b, f"{b.kind}·{b.life_stage}", "") for b in complete[:9]])
        elif not self._searching:
            self._searching = True
            self.hall_app.db.background(search_in_thread, self.catalog, words, done=self._found,
                                        error=self._search_failed, name="need-search")

    def _found(self, result: tuple[str, list[tuple[Any, str, str]], bool]) -> None:
        self._searching = False
        words, found, final = result
        if not self.is_attached:
            self._drop_after_search()
            return
        if not final and not self._refining:  # answered before the pinyin tables: ask again once they are
            self._refining = True
            self.hall_app.db.background(tables_in_thread, self.catalog, done=self._tables_ready,
                                        error=lambda m: None, name="need-tables")
        if self._wanted == words:
            self._show_found(words, found, final)
        elif self._wanted.strip():
            self._show_found(words, found, final)  # shown while more was typed meanwhile: the list keeps up
            self._suggest(self._wanted)  # the newest words win
        # (a box emptied meanwhile already shows the frequent bundles)

    def _tables_ready(self, _ready: bool) -> None:
        self._refining = False
        if self.is_attached and self._wanted.strip():
            self._suggest(self._wanted)  # the same words, now with sound and pinyin matches

    def _search_failed(self, message: str) -> None:
        self._searching = False
        if not self.is_attached:
            self._drop_after_search()
            return
        self._shown_for = self._wanted
        self._run_after_search()
        self.say(message, "error")

    def _drop_after_search(self) -> None:
        """The step went away before the results came: nothing to choose, keys go on."""
        if self._after_search:
            self._after_search = []
            self.hall_app.release_keys()

    def _show_found(self, words: str, found: list[tuple[Any, str, str]], final: bool = True) -> None:
        shown = [(bundle.code, why, differs) for bundle, why, differs in found]
        if shown and words == self._shown_for and shown == self._shown_list:  # refined to the same: the
            return  # list (and the highlight the clerk may have moved) stays as it is
        self._shown_list = shown
        options = self.query_one("#suggestions", OptionList)
        options.clear_options()
        title = self.query_one("#need-list-title", Static)
        title.update(T.suggestions.format(key=self.key("need.choose")) if words.strip() else T.frequent)
        width = max(20, (options.size.width or 40) - 4)
        for n, (bundle, why, differs) in enumerate(found, start=1):
            line = f"{n} {bundle.name}" + ("" if bundle.complete else T.not_offered)
            if differs:  # look-alikes: the one-line difference, under the name
                line = f"{clip(line, width)}\n{clip(T.differs.format(text=differs), width)}"
            elif why and not why.endswith(bundle.name):
                line = clip(f"{line}　{why}", width)
            else:
                line = clip(line, width)
            options.add_option(Option(line, id=bundle.code))
        if found:
            options.highlighted = 0
        elif words.strip() and final:  # (not before the pinyin tables: gzf is answered once they are)
            self.say(T.none, "warning")
        self._shown_for = words
        if words == self._wanted:
            self._run_after_search()

    def _caught_up(self, action: Any) -> bool:
        """True when the list shows the results for the words in the box; otherwise
        ``action`` runs once it does (and the keys typed after it wait for it)."""
        if self._shown_for == self._wanted or self.catalog is None:
            return True
        if not self._after_search:
            self.hall_app.hold_keys()
        self._after_search.append(action)
        return False

    def _run_after_search(self) -> None:
        actions, self._after_search = self._after_search, []
        if actions:
            try:
                for action in actions:
                    action()
            finally:
                self.hall_app.release_keys()

    def on_input_changed(self, event: HallInput.Changed) -> None:
        event.stop()
        self.say("")
        self._suggest(event.value)

    def on_input_submitted(self, event: HallInput.Submitted) -> None:
        event.stop()
        self.action_choose()

    def action_move(self, delta: int) -> None:
        if not self._caught_up(lambda: self.action_move(delta)):
            return
        options = self.query_one("#suggestions", OptionList)
        if options.option_count:
            current = options.highlighted if options.highlighted is not None else -1
            options.highlighted = max(0, min(options.option_count - 1, current + delta))

    def action_choose(self) -> None:
        focused = self.screen.focused
        if not isinstance(focused, Tree) and not self._caught_up(self.action_choose):
            return
        if isinstance(focused, Tree):
            node = focused.cursor_node
            if node is not None and node.data:
                self.choose(node.data)
            elif node is not None:
                node.toggle()
            return
        options = self.query_one("#suggestions", OptionList)
        if options.highlighted is None or not options.option_count:
            if self.current:
                self.go("flow")
            else:
                self.say(T.none, "warning")
            return
        code = options.get_option_at_index(options.highlighted).id
        if code:
            self.choose(code)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.choose(event.option.id)

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        if event.node.data:
            self.choose(event.node.data)

    # -- choosing -------------------------------------------------------------------------
    def choose(self, code: str) -> None:
        bundle = self.catalog.get(code)
        if bundle is not None and not bundle.complete:
            self.say(T.not_offered_warning.format(name=bundle.name), "warning")
            return
        if self.current == code:
            self.go("flow")
            return
        if self.current:
            from screens.dialogs import ConfirmDialog

            name = self.catalog.get(code).name

            def answered(ok: bool | None) -> None:
                if ok:
                    self._start(code, void_case=self.case_id, reason=T.void_reason.format(name=name))

            self.app.push_screen(ConfirmDialog(T.change_confirm.format(name=name)), answered)
            return
        self._start(code)

    def _start(self, code: str, void_case: str | None = None, reason: str = "") -> None:
        user = self.hall_app.user
        if user is None:
            return
        self.hall_app.hold_keys()  # what is typed next belongs to the flow chart
        ticket = self.intake.ticket  # a changed bundle voids the case: the new one records the ticket too
        self.submit(start_in_thread, self.ctx, code, user.username, channel_for(user.role), user.window,
                    void_case, reason, ticket, done=self._started, error=self._not_started)

    async def _started(self, result) -> None:
        state, name = result
        if state.ticket:
            from screens.window_queue import link_started_case

            cases = self.hall_app.ticket_cases.setdefault(state.ticket, [])
            replaces = ""
            if self.intake.case_id in cases:  # voided for a changed bundle
                cases.remove(self.intake.case_id)
                replaces = self.intake.case_id
            cases.append(state.case_id)
            link_started_case(self.app, state.ticket, state.case_id, replaces)  # the queue's record of it
        self.intake.case_started(state, name)
        try:
            await self.intake.goto("flow")
        finally:
            self.hall_app.release_keys()

    def _not_started(self, message: str) -> None:
        self.hall_app.release_keys()
        self.fail(message)
