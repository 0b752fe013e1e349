"""The ticket kiosk (hall-app kiosk) on the real embedded queue and the real printing:
number keys, arrows and Enter; priority; appointment / ID check-in; no paper → no number."""

from __future__ import annotations

import io

import pytest

from screens.kiosk import KioskApp, KioskScreen
from tests.ui.helpers import screen_text
from tests.ui.queue_helpers import ensure_demo_queue, keys, open_test_queue, settle_app, type_fast, wait_until

escpos_printer = pytest.importorskip("escpos.printer")


class PaperPrinter(escpos_printer.Dummy):
    """python-escpos' in-memory printer with a paper sensor that says ``status``."""

    def __init__(self, status: int = 2) -> None:
        super().__init__()
        self.status = status

    def paper_status(self) -> int:
        return self.status


@pytest.fixture
def kiosk_queue(hall):
    """The hall's own view of the queue (sets it up, books, looks at what waits)."""
    queue = open_test_queue(hall)
    ensure_demo_queue(queue)
    yield queue
    queue.close()


@pytest.fixture
def kiosk_app(hall, kiosk_queue):
    """The kiosk program on the same embedded queue, as a kiosk (it may only issue tickets)."""
    opened = []

    def make(printer=None) -> KioskApp:
        queue = open_test_queue(hall, kind="kiosk")
        opened.append(queue)
        return KioskApp(hall, queue, return_seconds=0, refresh_seconds=0, printer=printer, cursor_blink=False)

    yield make
    for queue in opened:
        queue.close()


def pdf_text(path: str) -> str:
    from pypdf import PdfReader

    with open(path, "rb") as f:
        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(f.read())).pages).replace(" ", "")


def waiting_labels(queue) -> list[str]:
    return [t.label for t in queue.waiting()]


async def test_number_key_then_enter_twice_takes_an_ordinary_ticket_and_prints_it(kiosk_app, kiosk_queue):
    app = kiosk_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await settle_app(pilot)
        text = screen_text(app)
        assert "1  综合窗口·个人" in text and "0  预约签到" in text
        await keys(pilot, "1", "enter")  # 综合窗口·个人
        assert isinstance(app.screen, KioskScreen) and app.screen.mode == "priority"
        await keys(pilot, "enter")  # 普通取号 is highlighted
        screen = app.screen
        assert screen.mode == "issued"
        ticket = screen.last.ticket
        assert ticket.label == "A001" and ticket.priority == ""
        assert waiting_labels(kiosk_queue) == ["A001"]
        printed = pdf_text(screen.last.pdf_path)
        assert "排队取号单" in printed and "A001" in printed and "综合窗口·个人" in printed
        assert "请取走取号单" in screen_text(app)
        await keys(pilot, "x")  # any key: back to the start for the next citizen
        assert screen.mode == "lines"


async def test_arrows_choose_the_line_and_priority_is_marked(kiosk_app, kiosk_queue):
    app = kiosk_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await settle_app(pilot)
        await keys(pilot, "down", "enter")  # the second line: 综合窗口·企业
        await keys(pilot, "3", "enter")  # 2 老年人, 3 残疾人
        ticket = app.screen.last.ticket
        assert (ticket.label, ticket.line, ticket.priority) == ("B001", "B", "残疾人")
        assert "优先办理：残疾人" in screen_text(app)
        await keys(pilot, "enter")
        await keys(pilot, "１", "enter", "escape")  # full-width 1 chooses too; Esc goes back
        assert app.screen.mode == "lines" and waiting_labels(kiosk_queue) == ["B001"]


async def test_people_ahead_are_shown(kiosk_app, kiosk_queue):
    kiosk_queue.issue_ticket("A")
    kiosk_queue.issue_ticket("A")
    app = kiosk_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await settle_app(pilot)
        assert "等候 2 人" in screen_text(app)
        await keys(pilot, "1", "enter", "enter")
        assert app.screen.last.ticket.label == "A003"
        assert "前面还有 2 人等候" in screen_text(app)


async def test_no_paper_takes_no_number(kiosk_app, kiosk_queue):
    printer = PaperPrinter(status=0)
    app = kiosk_app(printer=printer)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle_app(pilot)
        await keys(pilot, "1", "enter", "enter")
        text = screen_text(app)
        assert "本次未取号" in text and "缺纸" in text
        assert app.screen.mode == "lines"
        assert waiting_labels(kiosk_queue) == []  # the queue never saw a request
        printer.status = 2  # paper loaded
        await keys(pilot, "1", "enter", "enter")
        assert app.screen.last.ticket.label == "A001"
        assert b"\x1dv0" in printer.output  # the slip went to the thermal printer as a raster image


async def test_check_in_by_appointment_code_and_a_wrong_code_keeps_the_text(kiosk_app, kiosk_queue):
    appointment = kiosk_queue.book_appointment("A", "2026-11-21", "09:30", name="刘洋", id_number="")
    app = kiosk_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await settle_app(pilot)
        await keys(pilot, "0", "enter")
        assert app.screen.mode == "checkin"
        await type_fast(pilot, "ＺＺ９９")  # full-width and wrong
        await keys(pilot, "enter")
        screen = app.screen
        assert screen.mode == "checkin" and screen.last.error
        assert screen.query_one("#kiosk-code").value == "ＺＺ９９"  # what was typed stays
        assert waiting_labels(kiosk_queue) == []
        screen.query_one("#kiosk-code").value = ""
        await type_fast(pilot, appointment.code)
        await keys(pilot, "enter")
        assert screen.mode == "issued"
        assert screen.last.ticket.appointment == appointment.appointment


async def test_nul_control_characters_and_emoji_are_a_message_not_a_crash(kiosk_app, kiosk_queue):
    app = kiosk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_app(pilot)
        await keys(pilot, "0", "enter")
        await type_fast(pilot, "𠮷😀\x00\x07")
        await keys(pilot, "enter")
        assert app.screen.mode == "checkin" and app.screen.last.error
        assert waiting_labels(kiosk_queue) == []


async def test_server_away_numbers_come_from_the_reserved_block_and_reach_the_server_later(hall, tmp_path):
    """A kiosk enrolled with a real server: it reserves a block while online; with the
    server gone it issues from that block (said on screen and on paper); back online,
    the ticket is uploaded and no number is given twice."""
    from hall_app.server import auth
    from hall_app.services.queue import LocalQueue
    from hall_app.services.queue_http import HttpQueue
    from hall_app.services.queue_kiosk import KioskQueue
    from tests.ui.queue_helpers import serve_queue

    db_path = tmp_path / "server-queue.db"
    setup = LocalQueue(db_path)  # the server's database, set up in place (real clock, as the server)
    ensure_demo_queue(setup)
    server, engine = serve_queue(db_path)
    server.__enter__()
    try:
        token = auth.enroll(engine, auth.make_enrollment_code(engine, "kiosk:JJ01/K1"), "kiosk-test")[1]
        # a stopped server refuses at once; the timeout only has to outlast a loaded machine
        queue = KioskQueue(HttpQueue(server.url, token, hall="JJ01", timeout=10), tmp_path / "kiosk.json")
        app = KioskApp(hall, queue, return_seconds=0, refresh_seconds=0, cursor_blink=False, retry_seconds=0.2)
        async with app.run_test(size=(100, 32)) as pilot:
            # reserved at the start page: the server may go away only once that is done
            await wait_until(pilot, lambda: queue.ready([x.line for x in app.screen.lines]) and app.screen.lines)
            assert queue.numbers_left("A") > 0
            await keys(pilot, "1", "enter", "enter")
            online = app.screen.last.ticket.label
            assert online == "A001"
            await keys(pilot, "x")
            port = server.port
            server.__exit__(None, None, None)  # the server goes away
            await keys(pilot, "1", "enter", "enter")
            screen = app.screen
            offline = screen.last.ticket
            assert screen.last.offline and offline.label != online and offline.line_name == "综合窗口·个人"
            assert "网络中断" in screen_text(app)
            assert "网络中断时发放" in pdf_text(screen.last.pdf_path)
            assert queue.pending() == 1
            server, engine = serve_queue(db_path, port=port)
            server.__enter__()
            await keys(pilot, "x")  # back at the start page: the offline ticket is uploaded
            await wait_until(pilot, lambda: queue.pending() == 0 and not screen.offline)
            labels = [t.label for t in setup.waiting()]
            assert sorted(labels) == sorted([online, offline.label]) and len(set(labels)) == 2
        queue.close()
    finally:
        server.__exit__(None, None, None)
        setup.close()


async def test_a_kiosk_started_while_the_server_is_away_reserves_its_block_when_the_server_answers(hall, tmp_path):
    """No citizen key and no refresh timer needed: the start page tries the reservation
    again until every line has its offline numbers (the race a kiosk can lose for real:
    started during a server restart, then the server goes away again)."""
    from hall_app.server import auth
    from hall_app.services.queue import LocalQueue
    from hall_app.services.queue_http import HttpQueue
    from hall_app.services.queue_kiosk import KioskQueue
    from tests.ui.queue_helpers import serve_queue

    db_path = tmp_path / "server-queue.db"
    setup = LocalQueue(db_path)
    ensure_demo_queue(setup)
    server, engine = serve_queue(db_path)
    with server:
        token = auth.enroll(engine, auth.make_enrollment_code(engine, "kiosk:JJ01/K1"), "kiosk-test")[1]
    port = server.port  # stopped: nothing listens there now
    queue = KioskQueue(HttpQueue(server.url, token, hall="JJ01", timeout=10), tmp_path / "kiosk.json")
    app = KioskApp(hall, queue, return_seconds=0, refresh_seconds=0, cursor_blink=False, retry_seconds=0.2)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await settle_app(pilot)
            assert app.screen.offline and queue.numbers_left("A") == 0
            server, engine = serve_queue(db_path, port=port)
            with server:
                await wait_until(pilot, lambda: queue.numbers_left("A") > 0 and not app.screen.offline)
                assert queue.ready(["A", "B", "K"]) and [x.line for x in app.screen.lines] == ["A", "B", "K"]
    finally:
        queue.close()
        setup.close()


def test_two_start_pages_at_once_reserve_one_block_per_line(tmp_path):
    """The start page's worker and a retry can overlap: one block per line, one file writer."""
    import threading
    import time

    from hall_app.domain.queue_views import Block
    from hall_app.services.queue_kiosk import KioskQueue

    class SlowQueue:
        def __init__(self) -> None:
            self.reserved: list[str] = []

        def reserve_block(self, line: str, day: str, size: int = 0) -> Block:
            time.sleep(0.05)  # a server's round trip: the other thread runs meanwhile
            self.reserved.append(line)
            start = 950 - 50 * self.reserved.count(line) + 50
            return Block(line=line, prefix=line, day=day, start=start, end=start + 49)

    server = SlowQueue()
    kiosk = KioskQueue(server, tmp_path / "kiosk.json")  # type: ignore[arg-type]
    errors: list[BaseException] = []

    def start_page() -> None:
        try:
            kiosk.prepare(["A", "B"])
        except BaseException as exc:  # the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=start_page) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(server.reserved) == ["A", "B"]
    assert KioskQueue(server, tmp_path / "kiosk.json").numbers_left("A") == 50  # type: ignore[arg-type]


async def test_keys_typed_fast_each_land_in_the_step_they_were_meant_for(kiosk_app, kiosk_queue):
    from tests.ui.helpers import key_event

    app = kiosk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_app(pilot)
        for name in ("2", "enter", "enter"):  # all queued before the first is handled
            app._driver.send_message(key_event(app, name))
        await settle_app(pilot)
        assert app.screen.mode == "issued" and app.screen.last.ticket.label == "B001"
        for name in ("x", "0", "enter", "Z", "Z", "9", "enter"):  # back, check-in, a code and Enter at once
            app._driver.send_message(key_event(app, name))
        await settle_app(pilot)
        screen = app.screen
        assert screen.mode == "checkin" and screen.query_one("#kiosk-code").value == "ZZ9" and screen.last.error


async def test_a_check_in_page_left_alone_goes_back_to_the_start_and_clears_what_was_typed(hall, kiosk_queue):
    """A citizen types an ID number, gets "没有找到预约" and walks away: before, the page with
    that number stayed until the next person pressed Esc (only the issued number went back
    by itself). Now every page away from the start goes back after ``return_seconds``
    without a key; typing in the field counts as a key."""
    queue = open_test_queue(hall, kind="kiosk")
    app = KioskApp(hall, queue, return_seconds=0.6, refresh_seconds=0, cursor_blink=False)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await settle_app(pilot)
            await keys(pilot, "0", "enter")
            screen = app.screen
            await type_fast(pilot, "500101199001011234")
            await keys(pilot, "enter")
            await settle_app(pilot)
            assert screen.mode == "checkin" and screen.last.error
            for _ in range(3):  # typing more keeps the page
                await pilot.pause(0.3)
                await type_fast(pilot, "9")
            assert screen.mode == "checkin"
            await pilot.pause(1.2)
            await settle_app(pilot)
            assert screen.mode == "lines"
            assert screen.query_one("#kiosk-code").value == ""
            await keys(pilot, "1", "enter")  # the priority page is left alone too
            assert screen.mode == "priority"
            await pilot.pause(1.2)
            await settle_app(pilot)
            assert screen.mode == "lines" and waiting_labels(kiosk_queue) == []
    finally:
        queue.close()
