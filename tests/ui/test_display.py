"""The hall display (hall-app display) on the real queue: the embedded one, and a real
server that goes away and comes back; the voice through espeak-ng when it is installed."""

from __future__ import annotations

import shutil

import pytest

from screens.display import DisplayApp, DisplayScreen
from tests.ui.helpers import screen_text
from tests.ui.queue_helpers import ensure_demo_queue, open_test_queue, serve_queue, settle_app

HALL = "重庆市江津区政务服务中心"


@pytest.fixture
def hall_queue(hall):
    queue = open_test_queue(hall)
    ensure_demo_queue(queue)
    queue.open_window("W03")
    queue.open_window("W01")
    yield queue
    queue.close()


@pytest.fixture
def display_queue(hall, hall_queue):
    queue = open_test_queue(hall, kind="display")
    yield queue
    queue.close()


async def test_latest_call_per_window_large_older_ones_listed_waiting_per_line(hall, hall_queue, display_queue):
    for line in "AAKBA":
        hall_queue.issue_ticket(line)
    hall_queue.call_next("W03")  # A001
    hall_queue.start_serving(window="W03")
    hall_queue.finish(window="W03")
    hall_queue.call_next("W03")  # A002
    hall_queue.call_next("W01")  # K001
    app = DisplayApp(hall, display_queue, HALL, poll_seconds=0)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle_app(pilot)
        screen = app.screen
        assert isinstance(screen, DisplayScreen)
        await screen.poll_once()
        await settle_app(pilot)
        big = [card.query_one("TicketDigits").value for card in screen.query(".call-card")]
        assert big == ["K001", "A002", ""]  # newest first, one per window
        text = screen_text(app)
        assert "请到1号综合窗口办理" in text and "请到3号综合窗口办理" in text
        assert "A001　3号综合窗口" in text  # the earlier call, listed
        assert "综合窗口·个人　1 人" in text and "综合窗口·企业　1 人" in text
        polls = screen.polls
        await screen.poll_once()  # nothing changed: the board is not drawn again
        assert screen.polls == polls + 1 and screen.board.seq == hall_queue.board().seq

        hall_queue.no_show(window="W01")
        hall_queue.call_next("W01")  # a new call (W01 serves K first, then A): the next poll shows it
        await screen.poll_once()
        await settle_app(pilot)
        assert screen.query(".call-card").first().query_one("TicketDigits").value == "A003"


async def test_the_board_updates_by_itself_and_stops_with_the_screen(hall, hall_queue, display_queue):
    hall_queue.issue_ticket("A")
    app = DisplayApp(hall, display_queue, HALL, poll_seconds=0.05)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = app.screen
        for _ in range(200):  # the first poll comes by itself
            await pilot.pause(0.01)
            if screen.board is not None:
                break
        hall_queue.call_next("W03")
        for _ in range(500):
            await pilot.pause(0.01)
            if screen.query(".call-card").first().query_one("TicketDigits").value == "A001":
                break
        assert screen.query(".call-card").first().query_one("TicketDigits").value == "A001"
        screen.stop()
        polls = screen.polls
        await pilot.pause(0.2)
        assert screen.polls <= polls + 1  # at most the request already on its way


async def test_server_away_then_back_shows_a_notice_and_resumes(hall, tmp_path, monkeypatch):
    from hall_app.server import auth
    from hall_app.services.queue import LocalQueue
    from hall_app.services.queue_http import HttpQueue

    db_path = tmp_path / "server-queue.db"
    setup = LocalQueue(db_path)  # the server's own database, set up in place (both on the real clock)
    ensure_demo_queue(setup)
    setup.open_window("W03")
    setup.issue_ticket("A")
    setup.issue_ticket("A")
    setup.call_next("W03")
    server, engine = serve_queue(db_path)
    server.__enter__()
    try:
        token = auth.enroll(engine, auth.make_enrollment_code(engine, "display:JJ01/D1"), "display-test")[1]
        display_queue = HttpQueue(server.url, token, hall="JJ01", kind="display", timeout=2)
        app = DisplayApp(hall, display_queue, HALL, poll_seconds=0)
        async with app.run_test(size=(100, 32)) as pilot:
            screen = app.screen
            await screen.poll_once()
            assert screen.query(".call-card").first().query_one("TicketDigits").value == "A001"
            port = server.port
            server.__exit__(None, None, None)  # the server goes away
            await screen.poll_once()
            await settle_app(pilot)
            assert screen.offline
            text = screen_text(app)
            assert "暂时无法连接排队服务器" in text and "恢复后自动更新" in text
            assert screen.query(".call-card").first().query_one("TicketDigits").value == "A001"  # kept
            setup.start_serving(window="W03")
            setup.finish(window="W03")
            setup.call_next("W03")  # A002, called while the display could not see it
            server, engine = serve_queue(db_path, port=port)
            server.__enter__()
            await screen.poll_once()
            await settle_app(pilot)
            assert not screen.offline
            assert screen.query(".call-card").first().query_one("TicketDigits").value == "A002"
            assert "暂时无法连接" not in screen_text(app)
        display_queue.close()
    finally:
        server.__exit__(None, None, None)
        setup.close()


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
async def test_each_new_call_is_spoken_once_not_the_board_found_at_start(hall, hall_queue, display_queue, tmp_path):
    from screens.voice import find_voice

    hall_queue.issue_ticket("A")
    hall_queue.issue_ticket("K")
    hall_queue.call_next("W03")  # already on the board when the display starts: not read out
    voice = find_voice(wav_dir=tmp_path / "voice")
    app = DisplayApp(hall, display_queue, HALL, poll_seconds=0, voice=voice)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await screen.poll_once()
        hall_queue.call_next("W01")
        await screen.poll_once()
        await screen.poll_once()  # unchanged: nothing more is said
        await pilot.pause(0)
    voice.wait(30)
    voice.close()
    assert voice.spoken == ["请 K001 号到 1号综合窗口 办理"]
    assert len(voice.files) == 1 and voice.files[0].stat().st_size > 10_000  # a WAV with speech in it


def test_without_espeak_the_display_is_silent(monkeypatch):
    import screens.voice as voice

    monkeypatch.setattr(voice.shutil, "which", lambda name: None)
    assert voice.find_voice() is None
