"""The window's queue in the clerk's workbench, on the real embedded queue: call next,
a double press, call a given or held ticket, recall, hold, transfer, no-show, start
serving (intake with the ticket on the case, the applicant prefilled), finish with the
case, pause and close; and a queue that cannot be reached."""

from __future__ import annotations

import pytest

from hall_app.services.demo import LIU_YANG
from screens.app import HallApp
from screens.window_queue import WindowQueuePanel
from tests.ui.helpers import (
    copy_db,
    deterministic_codes,
    key_event,
    login,
    open_ctx,
    press,
    screen_text,
    settle,
    type_text,
)
from tests.ui.queue_helpers import ensure_demo_queue, open_test_queue


@pytest.fixture
def counter(demo_template, tmp_path, monkeypatch):
    """The demo hall with its queue; the panel has no refresh timer (the test drives it)."""
    deterministic_codes(monkeypatch)
    ctx = open_ctx(copy_db(demo_template, tmp_path), tmp_path / "documents", window_queue_poll_seconds=0)
    queue = open_test_queue(ctx)
    ensure_demo_queue(queue)
    yield ctx, queue
    queue.close()
    ctx.close()


def panel(app) -> WindowQueuePanel:
    return app.screen.query_one(WindowQueuePanel)


async def refreshed(pilot) -> WindowQueuePanel:
    p = panel(pilot.app)
    p.refresh_now()
    await settle(pilot)
    return p


async def test_open_call_serve_with_the_ticket_on_the_case_and_finish(counter):
    ctx, queue = counter
    ticket = queue.issue_ticket("A", id_number=LIU_YANG)  # taken by ID number at the kiosk
    app = HallApp(ctx, cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        p = await refreshed(pilot)
        assert p.display and p.view.state == "closed"
        assert "本窗口排队（关闭）" in screen_text(app)
        await press(pilot, "f12")  # closed → open
        assert "本窗口已开放" in screen_text(app)
        await press(pilot, "f6")
        assert p.view.current.label == "A001" and p.view.current.state == "called"
        assert "已叫 A001（综合窗口·个人）" in screen_text(app)
        await press(pilot, "f8")  # start serving: the intake opens on the ticket
        title = app.screen.query_one("#intake-title").render()
        assert "号 A001" in str(title)
        await type_text(pilot, "新生儿")
        await press(pilot, "enter")
        await settle(pilot)
        case = ctx.cases.get(app.screen.case_id)
        assert (case.ticket, case.ticket_label) == (ticket.ticket, "A001")  # the case records its ticket
        assert case.applicant.get("id_number") == LIU_YANG  # the ID the ticket was taken with
        await settle(pilot)
        links = [e.payload for e in queue.events() if e.type == "queue.case_linked"]
        assert [(p["ticket"], p["case"]) for p in links] == [(ticket.ticket, case.case_id)]  # the queue's record
        await press(pilot, "escape")  # back to the workbench: the draft is kept
        await press(pilot, "f10")  # finish the visit: its case is still a draft, so the clerk is asked
        from hall_app.domain.tracking import format_tracking_code

        text = screen_text(app)
        assert "A001 号还有未办完的办件" in text and f"跟踪码 {format_tracking_code(case.tracking_code)}" in text
        assert queue.ticket(ticket.ticket).state == "serving"
        await press(pilot, "2")  # finish all the same: the draft stays a draft
        assert queue.ticket(ticket.ticket).state == "finished"
        assert ctx.cases.get(case.case_id).status == "draft"
        finished = [e for e in queue.events() if e.type == "queue.ticket_finished"]
        assert finished and finished[-1].payload.get("cases") == [case.case_id]
        assert p.view.current is None


async def test_double_press_calls_once_and_nothing_waiting_is_a_message(counter):
    ctx, queue = counter
    queue.open_window("W03")
    queue.issue_ticket("A")
    queue.issue_ticket("A")
    app = HallApp(ctx, cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await refreshed(pilot)
        for _ in range(2):  # both presses queued before either is handled
            app._driver.send_message(key_event(app, "f6"))
        await settle(pilot)
        assert [t.label for t in queue.waiting()] == ["A002"]  # one call, not two
        assert queue.ticket("A001").state == "called"
        await press(pilot, "ctrl+b")  # no-show
        assert queue.ticket("A001").state == "no_show"
        await press(pilot, "f6", "f7")  # A002, then recall it
        assert queue.ticket("A002").calls == 2
        await press(pilot, "ctrl+b", "f6")  # nothing waits any more: said, nothing changes
        text = screen_text(app)
        assert "没有" in text or "无人" in text or "暂无" in text
        assert panel(app).view.current is None


async def test_hold_then_call_it_back_by_number_and_a_bad_number_keeps_the_text(counter):
    ctx, queue = counter
    queue.open_window("W03")
    queue.issue_ticket("A")
    queue.issue_ticket("B")
    app = HallApp(ctx, cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await refreshed(pilot)
        await press(pilot, "f6", "ctrl+g")  # call A001, hold it
        p = panel(app)
        assert queue.ticket("A001").state == "held" and [t.label for t in p.view.held] == ["A001"]
        await press(pilot, "ctrl+o")
        await type_text(pilot, "Ａ0１😀")
        await press(pilot, "enter")
        dialog = app.screen
        assert "不是号码" in screen_text(app)
        assert dialog.query_one("#entry").value == "Ａ0１😀"  # kept for a correction
        dialog.query_one("#entry").value = ""
        await type_text(pilot, "ａ００１")  # full-width is fine
        await press(pilot, "enter")
        assert queue.ticket("A001").state == "called" and queue.ticket("A001").window == "W03"


async def test_transfer_to_another_line_keeps_the_place_and_a_closed_window_says_so(counter):
    ctx, queue = counter
    queue.open_window("W03")
    first = queue.issue_ticket("A")
    queue.issue_ticket("B")
    app = HallApp(ctx, cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await refreshed(pilot)
        await press(pilot, "f6", "ctrl+y")
        await type_text(pilot, "K")
        await press(pilot, "enter")
        moved = queue.ticket(first.ticket)
        assert (moved.state, moved.line, moved.issued_at) == ("waiting", "K", first.issued_at)
        assert "A001 已转至" in screen_text(app)
        await press(pilot, "ctrl+r")  # pause
        assert queue.window_view("W03").state == "paused"
        await press(pilot, "f6")  # a paused window does not call
        assert queue.ticket("B001").state == "waiting"
        await press(pilot, "ctrl+r", "f12")  # resume, then close
        assert queue.window_view("W03").state == "closed"


async def test_an_unreachable_queue_is_said_in_the_status_bar_and_intake_goes_on(counter):
    ctx, _queue = counter
    from hall_app.services.queue_http import HttpQueue

    app = HallApp(ctx, cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        p = panel(app)
        p.queue = HttpQueue("http://127.0.0.1:9", "hat_none", hall="JJ01", window="W03", timeout=1)  # nobody there
        await refreshed(pilot)
        assert p.offline and app.queue_label == "排队离线"
        text = screen_text(app)
        assert "排队离线" in text and "可继续现场受理" in text
        await press(pilot, "f6")
        assert "无法连接排队服务器" in screen_text(app)
        await press(pilot, "f2")  # a walk-in intake still opens
        assert app.screen.__class__.__name__ == "IntakeScreen"
        p.queue.close()
        p.queue = None


async def test_a_hall_without_a_queue_shows_no_panel_and_no_queue_keys(app):
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        p = panel(app)
        assert not p.display and p.absent and p._timer is None
        assert "叫下一号" not in screen_text(app)



async def test_keys_typed_right_after_f8_land_in_the_intake_not_the_search_box(counter):
    """F8, then the clerk types the need at once: every key waits for the intake that
    opens (the key-hold rule, screens/app.py), none lands in the workbench's search box."""
    ctx, queue = counter
    queue.open_window("W03")
    queue.issue_ticket("A")
    app = HallApp(ctx, cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await refreshed(pilot)
        await press(pilot, "f6")
        workbench = app.screen
        search = workbench.query_one("#search")
        for name in ("f8", *"xinsheng"):  # all queued before F8 is handled
            app._driver.send_message(key_event(app, name))
        await settle(pilot)
        assert app.screen is not workbench and "号 A001" in str(app.screen.query_one("#intake-title").render())
        assert search.value == ""
        assert app.focused is not None and getattr(app.focused, "value", None) == "xinsheng"


async def test_keys_typed_after_f8_wait_for_a_slow_server_then_land_in_the_intake(counter, monkeypatch):
    """The serve answer takes longer than a local step's key hold (a loaded server): the
    keys typed meanwhile still wait for the intake instead of falling into the search box."""
    import time

    ctx, queue = counter
    queue.open_window("W03")
    queue.issue_ticket("A")
    monkeypatch.setattr("screens.window_queue.SERVE_HOLD_SECONDS", 5.0)
    original = WindowQueuePanel._act_in_thread

    def slow(self, action, ticket, extra):
        if action == "serve":
            time.sleep(1.0)  # the answer comes after the intake's own hold has begun counting
        return original(self, action, ticket, extra)

    monkeypatch.setattr(WindowQueuePanel, "_act_in_thread", slow)
    app = HallApp(ctx, cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await refreshed(pilot)
        await press(pilot, "f6")
        workbench = app.screen
        search = workbench.query_one("#search")
        app._driver.send_message(key_event(app, "f8"))
        await pilot.pause(0.1)
        app.hold_keys(0.5)  # another short hold meanwhile (a step loading) must not cut F8's
        app.release_keys()
        for ch in "xinsheng":
            app._driver.send_message(key_event(app, ch))
        await pilot.pause(0.8)  # past the short hold's bound, before the server answers
        assert search.value == ""
        await settle(pilot)
        while app.screen is workbench:
            await pilot.pause(0.05)
        await settle(pilot)
        assert search.value == "" and getattr(app.focused, "value", None) == "xinsheng"


async def test_f10_on_a_draft_after_a_restart_asks_and_can_go_back_to_the_draft(counter):
    """The window program restarts mid-visit: it no longer remembers the case in memory,
    but F10 still finds the draft started on the serving ticket, says so, and lets the
    clerk go back to it (1), cancel (Esc), or finish with the draft kept (2)."""
    ctx, queue = counter
    queue.open_window("W03")
    ticket = queue.issue_ticket("A")
    queue.call_next("W03")
    queue.start_serving(window="W03")
    case = ctx.cases.start("newborn", "zhangli", window="W03", ticket=ticket.ticket, ticket_label="A001")
    app = HallApp(ctx, cursor_blink=False)  # a new program: ticket_cases is empty
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await refreshed(pilot)
        assert app.ticket_cases == {}
        await press(pilot, "f10")
        assert "A001 号还有未办完的办件" in screen_text(app) and "草稿" in screen_text(app)
        await press(pilot, "escape")  # cancel: nothing changes
        assert queue.ticket("A001").state == "serving" and panel(app).view.current.label == "A001"
        await press(pilot, "f10", "1")  # back to the draft
        await settle(pilot)
        assert getattr(app.screen, "case_id", None) == case.case_id
        await press(pilot, "escape")
        await press(pilot, "f10", "2")
        assert queue.ticket("A001").state == "finished"
        finished = [e.payload for e in queue.events() if e.type == "queue.ticket_finished"]
        assert finished[-1]["cases"] == [case.case_id] and ctx.cases.get(case.case_id).status == "draft"


async def test_f10_without_a_draft_finishes_at_once_with_the_cases_the_queue_holds(counter):
    """A decided case on the ticket, linked at the queue but unknown to this program: F10
    asks nothing and the finish records it."""
    ctx, queue = counter
    queue.open_window("W03")
    ticket = queue.issue_ticket("A")
    queue.call_next("W03")
    queue.start_serving(window="W03")
    elsewhere = "0190a3c4-0000-7000-8000-00000000abcd"  # started on another device of this window
    queue.link_case(elsewhere, window="W03")
    app = HallApp(ctx, cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await refreshed(pilot)
        await press(pilot, "f10")
        assert queue.ticket(ticket.ticket).state == "finished"
        finished = [e.payload for e in queue.events() if e.type == "queue.ticket_finished"]
        assert finished[-1]["cases"] == [elsewhere]


async def test_a_second_window_on_the_same_machine_calls_for_its_own_window(counter):
    """README's four terminals: chenjing signs in at W01 on the machine whose setting says
    W03. Her F6 calls for W01 (her window) on the embedded queue, and F8/F10 act there —
    not "本窗口设备（W03）只能为自己的窗口叫号" as before."""
    ctx, queue = counter
    queue.open_window("W01")
    queue.issue_ticket("A")
    app = HallApp(ctx, cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot, "chenjing")
        await refreshed(pilot)
        await press(pilot, "f6")
        assert "只能为自己的窗口" not in screen_text(app)
        called = queue.ticket("A001")
        assert (called.state, called.window) == ("called", "W01")
        await press(pilot, "ctrl+b")  # no-show, acted for W01 too
        assert queue.ticket("A001").state == "no_show"


async def test_transfer_by_a_line_code_word_or_its_prefix_and_a_refusal_stays_on_screen(counter):
    """The demo hall's lines have word codes (``estate``, prefix C): Ctrl+Y with ``c`` or
    ``estate`` moves the ticket there (before, both were upper-cased and sent as a window,
    "没有窗口"). A refused transfer is still on screen once the workbench has reloaded
    behind the dialog (chenjing has no case today: "今日尚无办件" replaced it)."""
    ctx, queue = counter
    queue.set_line("estate", "不动产", "C")
    queue.open_window("W01")
    first = queue.issue_ticket("A")
    app = HallApp(ctx, cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot, "chenjing")
        await refreshed(pilot)
        await press(pilot, "f6", "ctrl+y")
        await type_text(pilot, "W99")
        await press(pilot, "enter")
        await settle(pilot)
        await pilot.pause(0.2)
        await settle(pilot)
        assert "没有窗口" in screen_text(app)
        app.screen.reload()  # the workbench's lists, as when it is shown again, arrive after the refusal
        await settle(pilot)
        assert "没有窗口" in screen_text(app)
        assert queue.ticket(first.ticket).state == "called"
        await press(pilot, "ctrl+y")
        await type_text(pilot, "c")
        await press(pilot, "enter")
        moved = queue.ticket(first.ticket)
        assert (moved.state, moved.line, moved.issued_at) == ("waiting", "estate", first.issued_at)
        assert "A001 已转至" in screen_text(app)
        await press(pilot, "f6")  # W01 does not serve estate: nothing for it
        second = queue.issue_ticket("A")
        await press(pilot, "f6", "ctrl+y")
        await type_text(pilot, "Estate")
        await press(pilot, "enter")
        assert queue.ticket(second.ticket).line == "estate"


async def test_a_supervisors_key_bar_at_80_columns_keeps_finish_and_help(counter):
    # chenjing's workbench with the queue has eleven keys of its own: at 80 columns the line ran
    # out at "f8 开始办理", losing f10 办结, ^f and f1 帮助 (seen in tmux). The keys stay; the
    # minor ones (KEYBAR_MINOR) lose their words first.
    from rich.cells import cell_len

    ctx, _queue = counter
    app = HallApp(ctx, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "chenjing")
        bar = str(app.screen.query_one("#key-bar").render())
        assert cell_len(bar) <= 80, bar
        for key in ("f2", "f5", "f3", "^s", "^l", "f6", "f8", "f10", "^f", "f1"):
            assert f" {key} " in bar, (key, bar)
        assert "f6 叫下一号" in bar and "f10 办结" in bar and "f1 帮助" in bar, bar
        assert "套餐审核" not in bar and "…" not in bar, bar
