"""hall-app rate-pad --window W03 in the pilot, on the embedded queue beside the clerk's:
idle until the window finishes a visit, then the pad; a timeout records 未评价 (a
``queue.visit_rated`` event with level null); keys typed in one burst are all kept;
a rating the queue could not take is kept and sent once it answers again."""

from __future__ import annotations

import pytest

from hall_app.domain.queue import QueueError, QueueOffline
from screens.rate_pad_program import RatePadApp, VisitPadScreen
from tests.ui.helpers import screen_text
from tests.ui.queue_helpers import ensure_demo_queue, open_test_queue, settle_app


@pytest.fixture
def clerk(hall):
    queue = open_test_queue(hall, window="W03")
    ensure_demo_queue(queue)
    try:
        queue.open_window("W03")
    except QueueError:
        pass  # the demo morning left it open
    yield queue
    queue.close()


@pytest.fixture
def pad_queue(hall):
    queue = open_test_queue(hall, kind="pad", window="W03")
    yield queue
    queue.close()


def finish_a_visit(clerk) -> str:
    clerk.issue_ticket("A")
    ticket = clerk.call_next("W03")
    clerk.start_serving(window="W03")
    clerk.finish(window="W03")
    return ticket.ticket


def ratings(queue, ticket: str) -> list[dict]:
    return [e.payload for e in queue.events() if e.type == "queue.visit_rated" and e.payload["ticket"] == ticket]


async def test_window_finishes_pad_shows_timeout_records_unrated(hall, clerk, pad_queue):
    app = RatePadApp(pad_queue, "W03", poll_seconds=0, clock=hall.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_app(pilot)
        text = screen_text(app)
        assert "欢迎您" in text and "请对本次服务作出评价" in text
        ticket = finish_a_visit(clerk)  # the clerk presses F10 at W03
        await app.poll_once()
        await settle_app(pilot)
        pad = app.screen
        assert isinstance(pad, VisitPadScreen) and pad.visit.ticket == ticket
        assert "W03 窗口" in screen_text(app) and "60 秒无操作将记为未评价" in screen_text(app)
        pad.expire()  # 60 s without a key
        await settle_app(pilot)
        assert app.screen is app.idle and "本次服务记为未评价" in screen_text(app)
        assert [(r["level"], r["how"]) for r in ratings(clerk, ticket)] == [(None, "timeout")]
        await app.poll_once()  # the same visit is not offered again
        await settle_app(pilot)
        assert app.screen is app.idle and len(ratings(clerk, ticket)) == 1


async def test_keys_in_one_burst_and_escape_and_offline(hall, clerk, pad_queue):
    app = RatePadApp(pad_queue, "W03", poll_seconds=0, clock=hall.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_app(pilot)
        ticket = finish_a_visit(clerk)
        await app.poll_once()
        await settle_app(pilot)
        await pilot.press("4", "a", "down", "5", "enter")  # 满意, 一次办成, 服务态度 5 — one burst
        await settle_app(pilot)
        assert app.screen is app.idle and "感谢您的评价！（满意）" in screen_text(app)
        [rated] = ratings(clerk, ticket)
        assert (rated["level"], rated["reasons"], rated["dimensions"]) == (4, ["一次办成"], {"服务态度": 5})

        second = finish_a_visit(clerk)
        await app.poll_once()
        await settle_app(pilot)
        await pilot.press("5", "escape")  # a level touched, then Escape: 未评价, not 非常满意
        await settle_app(pilot)
        assert [(r["level"], r["how"]) for r in ratings(clerk, second)] == [(None, "declined")]

        third = finish_a_visit(clerk)
        await app.poll_once()
        await settle_app(pilot)
        real = pad_queue.rate_visit

        def away(*args, **kwargs):
            raise QueueOffline("连接排队服务器超时")

        pad_queue.rate_visit = away  # the queue goes away while the citizen rates
        await pilot.press("1", "enter")
        await settle_app(pilot)
        assert "评价尚未送达" in screen_text(app) and ratings(clerk, third) == [] and len(app.pending) == 1
        pad_queue.rate_visit = real
        await app.poll_once()  # back: the kept answer is sent first
        await settle_app(pilot)
        assert [r["level"] for r in ratings(clerk, third)] == [1] and app.pending == []


def test_snapshot_the_pad_for_a_visit_at_80x24(snap_compare):
    """The idle screen behind, the pad for W03's A012 in front, 不满意 with a reason ticked."""
    from hall_app.domain.visit_rating import FinishedVisit

    class NoQueue:  # the pad is opened by hand: no poll, nothing recorded
        pass

    app = RatePadApp(NoQueue(), "W03", poll_seconds=0)

    async def run_before(pilot) -> None:
        await settle_app(pilot)
        app.open_pad(FinishedVisit("T1", "A012", "W03", "2026-12-01T10:00:00+08:00"))
        await settle_app(pilot)
        await pilot.press("2", "a")
        await settle_app(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
