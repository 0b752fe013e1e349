"""The need step (智能导办) over a catalog with bundles not yet complete: they are
listed and marked, choosing one says so and starts nothing, and look-alikes show a
one-line difference."""

from __future__ import annotations

from textual.widgets import OptionList

from bundles.loader import CATALOG_DIR, load_catalog
from hall_app.domain.catalog import Catalog, CatalogEntry
from screens.app import HallApp
from screens.strings import Need as T
from tests.ui.helpers import login, press, settle, type_text

CODES = ("newborn", "company_setup", "public_rental_housing", "simple_deregistration", "general_deregistration")


def with_catalog(hall, drafts: tuple[str, ...] = ()):
    """The app over the CODES bundles; those in ``drafts`` as if not yet complete."""
    shipped = load_catalog([CATALOG_DIR / f"{code}.toml" for code in CODES])
    catalog = Catalog(CatalogEntry(e.bundle.model_copy(update={"complete": False}), e.content_hash, e.source_file)
                      if e.bundle.code in drafts else e
                      for e in (shipped.entry(b.code) for b in shipped))
    hall.catalog_service._catalog = catalog
    hall.__dict__["catalog"] = catalog
    return HallApp(hall, cursor_blink=False)


def options(app) -> list[str]:
    found = app.screen.query_one("#suggestions", OptionList)
    return [str(found.get_option_at_index(i).prompt) for i in range(found.option_count)]


async def open_need(pilot, words: str) -> None:
    await login(pilot)
    await press(pilot, "f2")
    await type_text(pilot, words)
    await settle(pilot)


async def test_an_incomplete_bundle_is_listed_as_not_offered_and_not_started(hall):
    app = with_catalog(hall, drafts=("public_rental_housing",))
    async with app.run_test(size=(100, 32)) as pilot:
        await open_need(pilot, "申请公租房")
        shown = options(app)
        assert shown[0].startswith("1 公租房申请") and T.not_offered in shown[0]
        drafts_before = len(hall.cases.drafts())
        await press(pilot, "enter")
        await settle(pilot)
        message = str(app.screen.query_one("#message").render())
        assert "公租房申请" in message and "暂未开通" in message
        assert len(hall.cases.drafts()) == drafts_before
        assert app.screen.query_one("#need-words").value == "申请公租房"  # what was typed stays


async def test_look_alikes_show_their_difference_under_the_name(hall):
    app = with_catalog(hall)
    async with app.run_test(size=(100, 32)) as pilot:
        await open_need(pilot, "公司注销")
        shown = options(app)
        assert shown[0].startswith("1 企业普通注销") and "\n" in shown[0] and "清算" in shown[0]
        assert shown[1].startswith("2 企业简易注销") and "未开业" in shown[1]


async def test_pinyin_initials_find_the_bundle_as_the_clerk_types(hall):
    app = with_catalog(hall)
    async with app.run_test(size=(100, 32)) as pilot:
        await open_need(pilot, "xsecs")
        assert options(app)[0].startswith("1 新生儿出生")
        assert T.not_offered not in options(app)[0]


async def test_the_search_runs_off_the_ui_thread_and_enter_waits_for_the_newest_words(hall, monkeypatch):
    """Typing never waits for the search (the first query loading the pinyin tables took
    seconds on the UI thread, issue 8); Enter typed in the same burst still chooses from
    the results for every word typed, never from an older list."""
    import threading

    from hall_app.domain.need_search import NeedIndex
    from screens.intake.screen import IntakeScreen
    from tests.ui.helpers import key_event

    threads: list[bool] = []
    search = NeedIndex._search  # search and search_now (what the screen calls) both come here

    def recording(self, *args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return search(self, *args, **kwargs)

    monkeypatch.setattr(NeedIndex, "_search", recording)
    app = with_catalog(hall)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await press(pilot, "f2")
        for key in (*"企业开办", *["backspace"] * 4, *"公租房", "enter"):  # the words changed, then Enter
            app._driver.send_message(key_event(app, key))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IntakeScreen) and screen.step == "flow"
        assert hall.cases.get(screen.case_id).bundle_code == "public_rental_housing"
    assert threads and not any(threads), threads


async def test_words_typed_before_the_pinyin_tables_are_ready_get_suggestions_at_once(hall, monkeypatch):
    """生孩 typed while the pinyin tables are still loading (seconds on a busy machine):
    the suggestions for 生孩 come from its characters at once, the list is refined once
    the tables are ready, and what was typed stays as typed."""
    import asyncio
    import threading

    from hall_app.domain.need_search import NeedIndex
    from tests.ui.helpers import typed_ahead

    gate = threading.Event()
    build = NeedIndex._build_sounds

    def slow_sounds(self):  # the tables still loading
        gate.wait(timeout=30)
        return build(self)

    monkeypatch.setattr(NeedIndex, "_build_sounds", slow_sounds)
    searched: list[str] = []
    search = NeedIndex._search  # search and search_now both come here

    def recording(self, words, *args, **kwargs):
        searched.append(words)
        return search(self, words, *args, **kwargs)

    monkeypatch.setattr(NeedIndex, "_search", recording)
    app = with_catalog(hall)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await login(pilot)
            await press(pilot, "f2")
            typed_ahead(app, *"生孩")
            for _ in range(300):  # up to ~3 s or more; the answer needs no table
                await pilot.pause(0.01)
                if getattr(app.screen.pane, "_shown_for", None) == "生孩":
                    break
            assert app.screen.pane._shown_for == "生孩"  # the list shows the results for every word typed
            assert options(app)[0].startswith("1 新生儿出生"), options(app)
            assert not hall.catalog.need_index.ready  # still loading: answered without the tables
            assert app.screen.query_one("#need-words").value == "生孩"
            gate.set()
            await asyncio.to_thread(hall.catalog.need_index.wait_ready, 30)
            await settle(pilot)
            assert options(app)[0].startswith("1 新生儿出生")
            assert searched.count("生孩") == 2  # at once, then again with the tables
            assert app.screen.query_one("#need-words").value == "生孩"
    finally:
        gate.set()
