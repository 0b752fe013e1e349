"""Shared helpers for the UI tests: a demo hall on a fixed clock, a pilot that
waits for the database queue, and typing helpers."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import shutil
from pathlib import Path

from bundles.loader import CATALOG_DIR, load_catalog
from hall_app.config import Settings
from hall_app.domain.tracking import new_tracking_code
from hall_app.services.context import CHINA, HallContext

FIXED_NOW = dt.datetime(2026, 11, 21, 9, 30, tzinfo=CHINA)
NEWBORN = CATALOG_DIR / "newborn.toml"


def fixed_clock() -> dt.datetime:
    return FIXED_NOW


def open_ctx(db: Path, pdf_dir: Path | None = None, clock=fixed_clock, **settings) -> HallContext:
    """A context on ``db`` with the flagship catalog only (stable while others add bundles).
    The QR address is configured, so the first-start notice about it stays out of the way."""
    settings.setdefault("tracking_base_url", "http://127.0.0.1:8700")
    ctx = HallContext(Settings(db=str(db), pdf_dir=str(pdf_dir or db.parent / "documents"), **settings),
                      clock=clock)
    catalog = load_catalog([NEWBORN])
    ctx.catalog_service._catalog = catalog
    ctx.__dict__["catalog"] = catalog
    return ctx


def seed_template(path: Path) -> Path:
    from hall_app.services.demo import DemoSeeder

    ctx = open_ctx(path)
    DemoSeeder(ctx).seed()
    ctx.close()
    return path


def copy_db(template: Path, target_dir: Path) -> Path:
    target = target_dir / "hall.db"
    shutil.copy(template, target)
    for suffix in ("-wal", "-shm"):
        extra = Path(str(template) + suffix)
        if extra.exists():
            shutil.copy(extra, Path(str(target) + suffix))
    return target


def deterministic_codes(monkeypatch, seed: int = 7) -> None:
    rng = random.Random(seed)
    import hall_app.services.cases as cases

    monkeypatch.setattr(cases, "new_tracking_code", lambda choice=None: new_tracking_code(rng.choice))


async def settle(pilot, rounds: int = 2) -> None:
    """Wait until every queued database job and worker has finished and every message
    the screen got has been handled (checked ``rounds`` times in a row)."""
    app = pilot.app
    stable = 0
    for _ in range(2000):
        await app.db.idle()
        for worker in [w for w in app.workers if not w.is_finished]:
            try:
                await worker.wait()
            except Exception:  # cancelled or failed: finished either way
                pass
        await pilot.pause(0)
        if (not app.db.pending and not app.held and not any(not w.is_finished for w in app.workers)
                and not _queued(app) and not _premount_due(app)):
            stable += 1
            if stable >= rounds:
                await asyncio.sleep(0.01)  # idle callbacks (a DataTable sizing its new rows)
                await pilot.pause(0)
                if not app.db.pending and not _queued(app):
                    return
                stable = 0
        else:
            stable = 0
        await asyncio.sleep(0.002)


def _premount_due(app) -> bool:
    """An intake's next step still to be built (its timer not yet fired): its mounting
    would land on whatever the test does next."""
    return any(getattr(screen, "premount_due", False) for screen in app.screen_stack)


def _queued(app) -> bool:
    """Any message still waiting in the app's or a widget's queue (a bubbling event…)."""
    nodes = [app]
    for screen in app.screen_stack:
        nodes += list(screen.walk_children(with_self=True))
    return any(node._message_queue.qsize() for node in nodes)


def key_event(app, key: str):
    """The Key event Textual's pilot would send for ``key`` (a name or one character)."""
    import unicodedata

    from textual import events
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

    if len(key) == 1:  # a character, as the terminal driver makes it (any punctuation: ，；（）)
        event = events.Key(_character_to_key(key) if not key.isalnum() else key, key)
        event.set_sender(app)
        return event
    original = REPLACED_KEYS.get(key, key)
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    return event


KEYS_SIZE = (100, 32)  # the key-order tests' terminal


def typed_ahead(app, *keys: str) -> None:
    """Keys as a fast clerk (or a terminal read) delivers them: all queued at once, nothing
    waited for (tests/ui/test_keys_in_order.py, test_key_gaps.py)."""
    for key in keys:
        app._driver.send_message(key_event(app, key))


async def press(pilot, *keys: str, counter: list[int] | None = None) -> None:
    """Press keys one at a time, letting the app and the database catch up after each."""
    for key in keys:
        pilot.app._driver.send_message(key_event(pilot.app, key))
        if counter is not None:
            counter[0] += 1
        await settle(pilot)


async def type_text(pilot, text: str, counter: list[int] | None = None) -> None:
    """Type ``text`` as fast as a scanner: one key event per character (CJK included),
    all queued at once, then wait for the app and the database to catch up."""
    typed_ahead(pilot.app, *text)
    if counter is not None:
        counter[0] += len(text)
    await settle(pilot)


async def paste(pilot, text: str) -> None:
    from textual import events

    focused = pilot.app.screen.focused
    assert focused is not None
    focused.post_message(events.Paste(text))
    await settle(pilot)


async def login(pilot, username: str = "zhangli", password: str = "demo123") -> None:
    await settle(pilot)
    await type_text(pilot, username)
    await press(pilot, "enter")
    await type_text(pilot, password)
    await press(pilot, "enter")
    await settle(pilot)


def screen_text(app) -> str:
    """Everything on the screen as plain text, line by line (from the SVG screenshot)."""
    import html
    import re

    svg = app.export_screenshot()
    lines: dict[float, list[tuple[float, str]]] = {}
    for x, y, body in re.findall(r'<text[^>]*?x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg, re.S):
        lines.setdefault(float(y), []).append((float(x), html.unescape(re.sub(r"<[^>]+>", "", body))))
    return "\n".join("".join(t for _, t in sorted(parts)).replace("\xa0", " ")
                     for _, parts in sorted(lines.items()))


# -- scripted intakes (shared by the flow tests, the key-count test and bench/bench_keys.py) --

NEWBORN_ALL_YES = [1, 1, 1, 1, 1, 1, 1, 1]  # 8 questions apply when both parents are local


async def start_newborn(pilot, counter=None, words: str = "生孩子") -> None:
    await press(pilot, "f2", counter=counter)
    await type_text(pilot, words, counter=counter)
    await press(pilot, "enter", counter=counter)  # top suggestion → case started → flow chart


async def applicant(pilot, id_number: str, counter=None) -> None:
    await type_text(pilot, id_number, counter=counter)
    await press(pilot, "enter", counter=counter)


async def answer(pilot, choices: list[int], counter=None, go_on: bool = True) -> None:
    for n in choices:
        await press(pilot, str(n), counter=counter)
    if go_on:
        await press(pilot, "enter", counter=counter)


async def fill_newborn_form(pilot, counter=None, baby: str = "刘思远", date: str = "20261115",
                            hospital: str = "江津区妇幼保健院", delivery: int = 2, grade: int = 1,
                            spouse: tuple[str, str] | None = None) -> None:
    """Type what no file knows; prefilled fields are skipped by Enter."""
    await type_text(pilot, baby, counter=counter)
    await press(pilot, "enter", counter=counter)
    await press(pilot, "1", counter=counter)  # sex: 男
    await type_text(pilot, date, counter=counter)
    await press(pilot, "enter", counter=counter)
    await type_text(pilot, hospital, counter=counter)
    await press(pilot, "enter", counter=counter)
    if spouse:  # no 结婚证 e-licence on file: the spouse is typed
        for value in spouse:
            await type_text(pilot, value, counter=counter)
            await press(pilot, "enter", counter=counter)
    await press(pilot, str(delivery), counter=counter)
    await press(pilot, str(grade), counter=counter)  # the last required field
    await press(pilot, "enter", counter=counter)  # the optional 代扣银行卡号 left empty: on to the review


async def newborn_receipt_path(pilot, id_number: str, counter=None) -> None:
    """新生儿出生 from "new intake" to the printed receipt, keyboard only."""
    await start_newborn(pilot, counter)
    await press(pilot, "enter", counter=counter)  # flow chart → applicant
    await applicant(pilot, id_number, counter)
    await answer(pilot, NEWBORN_ALL_YES, counter)
    await press(pilot, "a", counter=counter)  # every material not on file: handed in
    await press(pilot, "enter", counter=counter)
    await fill_newborn_form(pilot, counter)
    await press(pilot, "enter", counter=counter)  # review → decision
    await press(pilot, "enter", counter=counter)  # the suggested decision: accept → receipt
    await settle(pilot)


def current_case(app):
    screen = app.screen
    case_id = getattr(screen, "case_id", None)
    assert case_id, f"not on an intake screen: {screen!r}"
    return app.ctx.cases.get(case_id)
