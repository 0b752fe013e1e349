"""The queue's decisions on the embedded default (the server's queue code on an SQLite
file, as hall_app/services/queue.py runs it): flows, refusals that change nothing,
appointments, tidal windows, kiosk blocks, the day's close, and replay = live."""

from __future__ import annotations

import pytest
from queue_fixtures import at_window

from hall_app.domain import queue as q
from hall_app.domain.queue import QueueError
from hall_app.domain.queue_replay import line_figures, replay
from hall_app.services.demo import LIU_YANG


def snapshot(queue) -> tuple:
    """Everything a refusal must leave as it was: the event log and every ticket and window."""
    events = queue.events()
    return (len(events), [(t.label, t.state, t.window, t.line) for t in queue.waiting()],
            [(w.window, w.state, w.current.label if w.current else "", tuple(w.skills)) for w in queue.windows()])


def refused(queue, call, match: str, code: str | None = None) -> QueueError:
    before = snapshot(queue)
    with pytest.raises(QueueError, match=match) as exc:
        call()
    assert snapshot(queue) == before, "a refused action changed the queue"
    if code:
        assert exc.value.code == code
    return exc.value


def live_state(queue) -> dict:
    from sqlalchemy import select

    from hall_app.server.queue_models import queue_tickets, queue_windows
    from hall_app.server.queue_store import ticket_from_row, window_from_row

    with queue.engine.connect() as conn:
        tickets = {r.ticket: ticket_from_row(r) for r in conn.execute(select(queue_tickets))}
        windows = {r.window: window_from_row(r) for r in conn.execute(select(queue_windows))}
    return {"tickets": {k: _comparable(t) for k, t in tickets.items()},
            "windows": {k: (w.state, w.current, w.streak, w.manual) for k, w in windows.items()}}


def _comparable(t):
    return (t.state, t.line, t.window, t.target_window, t.sort_at, t.issued_at, t.called_at, t.serving_at, t.ended_at,
            t.calls, t.number, t.prefix, t.priority)


def replayed_state(queue) -> dict:
    state = replay(queue.events())
    return {"tickets": {k: _comparable(t) for k, t in state.tickets.items()},
            "windows": {k: (w.state, w.current, w.streak, w.manual) for k, w in state.windows.items()}}


def test_a_visit_from_ticket_to_finish(hall, clock):
    hall.open_window()
    a = hall.issue_ticket("A")
    assert (a.label, a.state, a.ahead, a.estimate_minutes) == ("A001", "waiting", 0, 0.0)
    b = hall.issue_ticket("personal")
    assert b.label == "A002" and b.ahead == 1 and b.estimate_minutes == 8.0  # 1 ahead / 1 window × 8 min default
    called = hall.call_next()
    assert called.label == "A001" and called.state == "called" and called.window == "W01"
    clock.advance(1)
    assert hall.start_serving().state == "serving"
    clock.advance(6)
    done = hall.finish(cases=["case-1"])
    assert done.state == "finished" and done.ended_at.startswith("2026-12-01T09:07")
    finished = [e for e in hall.events() if e.type == "queue.ticket_finished"]
    assert finished[0].payload["cases"] == ["case-1"]
    assert hall.lines()[0].median_service == 6.0  # from the visit's events, not a counter
    assert hall.position(b.ticket).ahead == 0
    assert live_state(hall) == replayed_state(hall)


def test_calling_with_nobody_waiting_and_the_double_press(hall):
    hall.open_window()
    refused(hall, hall.call_next, "没有等候的号", "empty")
    hall.issue_ticket("A")
    hall.issue_ticket("A")
    hall.call_next()
    refused(hall, hall.call_next, "本窗口正在呼叫 A001")  # a double press calls nobody else


def test_a_ticket_another_window_called(hall):
    w2 = at_window(hall, "W02")
    for w in (hall, w2):
        w.open_window()
    hall.issue_ticket("A")
    hall.call_next()
    refused(w2, lambda: w2.call_ticket("A001"), "已由 W01 窗口叫号")
    refused(w2, lambda: w2.finish("A001"), "W01")
    refused(w2, lambda: w2.call_next("W01"), "只能为自己的窗口")  # a window device acts for its own window
    w2.close()


def test_window_not_open_and_bad_references(hall):
    hall.issue_ticket("A")
    refused(hall, hall.call_next, "关闭中，请先开放窗口")
    hall.open_window()
    refused(hall, lambda: hall.call_ticket("A999"), "今天没有“A999”号", "not_found")
    refused(hall, lambda: hall.call_ticket("𠮷\x00"), "今天没有", "not_found")
    refused(hall, lambda: hall.issue_ticket("Z"), "没有业务类别", "not_found")
    refused(hall, lambda: hall.issue_ticket("A", priority="VIP"), "优先类别")
    refused(hall, lambda: hall.issue_ticket("A", id_number="123"), "身份证")
    refused(hall, lambda: hall.issue_ticket("A", name="a\x00b"), "姓名")
    refused(hall, lambda: hall.call_next("W09"), "没有窗口")
    refused(hall, hall.open_window, "已经开放")


def test_full_width_number_calls_the_ticket(hall):
    hall.open_window()
    hall.issue_ticket("A")
    assert hall.call_ticket("ａ００１").label == "A001"


def test_transfer_keeps_the_place_and_refuses_closed_targets(hall, clock):
    w2 = at_window(hall, "W02")
    hall.open_window()
    w2.open_window()
    first = hall.issue_ticket("A")
    clock.advance(5)
    later = hall.issue_ticket("B")
    hall.call_next()
    hall.set_line("estate", "不动产", "C", open=False)
    refused(hall, lambda: hall.transfer(to_line="estate"), "不动产 已停止办理")
    refused(hall, lambda: hall.transfer(to_window="W03"), "已关闭，不能转入")
    refused(hall, lambda: hall.transfer(to_line="personal"), "请指定")
    moved = hall.transfer(to_line="firm")
    assert moved.state == "waiting" and moved.line == "firm" and moved.window == ""
    assert hall.window_view().current is None
    # W02 serves firm second; it calls the transferred ticket first: it kept its 09:00 place
    assert hall.ticket(first.ticket).ahead == 0 and hall.ticket(later.ticket).ahead == 1
    assert w2.call_next().label == "A001"
    w2.close()


def test_recall_limit_makes_a_no_show(hall):
    hall.open_window()
    hall.issue_ticket("A")
    hall.call_next()
    for _ in range(hall.store.policy.max_recalls):
        assert hall.recall().state == "called"
    last = hall.recall()
    assert last.state == "no_show" and "过号" in last.message
    assert hall.window_view().current is None
    refused(hall, lambda: hall.recall("A001"), "已过号")
    auto = [e for e in hall.events() if e.type == "queue.ticket_no_show"]
    assert auto[0].payload["auto"] is True
    assert live_state(hall) == replayed_state(hall)


def test_hold_and_call_back(hall):
    hall.open_window()
    hall.issue_ticket("A")
    hall.issue_ticket("A")
    hall.call_next()
    hall.start_serving()
    assert hall.hold().state == "held"
    view = hall.window_view()
    assert view.current is None and [t.label for t in view.held] == ["A001"]
    assert hall.call_next().label == "A002"
    refused(hall, lambda: hall.call_ticket("A001"), "本窗口正在呼叫 A002")
    hall.no_show()
    back = hall.call_ticket("A001")
    assert back.state == "called" and back.calls == 2


def test_priority_ratio_through_the_store(hall):
    hall.open_window()
    for i in range(6):
        hall.issue_ticket("A", priority="老年人" if i % 2 == 0 else "")
    order = []
    for _ in range(6):
        t = hall.call_next()
        order.append("P" if t.priority else "N")
        hall.start_serving()
        hall.finish()
    assert "".join(order) == "PPNPNN"  # 2:1 while both wait, then what is left


def test_tidal_schedule_and_switch_decide_what_a_window_calls(hall, clock):
    w3 = at_window(hall, "W03")
    w3.open_window()
    hall.issue_ticket("A")
    refused(w3, w3.call_next, "没有等候的号")  # W03 serves firm only before 12:00
    clock.now = clock.now.replace(hour=12, minute=5)
    assert w3.call_next().label == "A001"  # the schedule: personal 12:00–13:00
    w3.no_show()
    hall.issue_ticket("A")
    switched = w3.switch_window({"estate": 1})
    assert switched.skills == {"estate": 1} and switched.manual == {"estate": 1}
    refused(w3, w3.call_next, "没有等候的号")
    assert w3.switch_window(None).skills == {"personal": 1}
    assert w3.call_next().label == "A002"
    refused(w3, lambda: w3.switch_window({"nope": 1}), "没有业务类别")
    w3.close()


def test_suggestions_point_an_idle_window_at_a_long_line(hall):
    w3 = at_window(hall, "W03")
    hall.open_window()  # W01 serves personal
    w3.open_window()  # W03 serves firm, nothing waits there
    for _ in range(4):
        hall.issue_ticket("A")  # 4 waiting / 1 window × 8 min = 32 min > 20
    found = hall.suggestions()
    assert [(s.line, s.window) for s in found] == [("personal", "W03")]
    assert found[0].skills == {"personal": 1, "firm": 2} and "建议切换" in found[0].message
    w3.switch_window(found[0].skills)
    assert hall.suggestions() == []
    w3.close()


def test_appointment_grace_and_refusals(hall, clock):
    hall.open_window()
    booked = hall.book_appointment("A", "2026-12-01", "10:00", name="刘洋", id_number=LIU_YANG)
    tomorrow = hall.book_appointment("A", "2026-12-02", "09:00", name="陈敏")
    refused(hall, lambda: hall.check_in(booked.code), "请于 09:45 后")  # 09:00: too early
    refused(hall, lambda: hall.check_in(tomorrow.code), "不是今天")
    refused(hall, lambda: hall.check_in("00000000"), "没有找到预约", "not_found")
    refused(hall, lambda: hall.check_in("𠮷"), "没有找到预约")
    refused(hall, lambda: hall.book_appointment("A", "2026-11-30", "10:00"), "已经过去")
    refused(hall, lambda: hall.book_appointment("A", "2026-12-01", "25:00"), "格式不对")
    refused(hall, lambda: hall.book_appointment("A", "2026/13/01", "10:00"), "格式不对")
    hall.book_appointment("B", "2026-12-01", "10:00")
    hall.book_appointment("B", "2026-12-01", "10:00")
    refused(hall, lambda: hall.book_appointment("B", "2026-12-01", "10:00"), "已约满")
    clock.now = clock.now.replace(hour=9, minute=50)
    walk_in = hall.issue_ticket("A")
    ticket = hall.check_in(LIU_YANG)  # by ID number
    assert "按预约时段排队" in ticket.message and ticket.appointment == booked.appointment
    assert ticket.id_number == LIU_YANG and ticket.name == "刘洋"  # the window prefills the applicant
    assert hall.ticket(walk_in.ticket).ahead == 0 and ticket.ahead == 1  # the slot is 10:00, the walk-in 09:50
    refused(hall, lambda: hall.check_in(booked.code), "已签到")
    clock.now = clock.now.replace(hour=10, minute=20)
    late = hall.book_appointment("C", "2026-12-01", "11:00")
    clock.now = clock.now.replace(hour=11, minute=16)
    assert "按普通号排队" in hall.check_in(late.code).message
    cancelled = hall.cancel_appointment(tomorrow.code)
    assert cancelled.state == "cancelled"
    refused(hall, lambda: hall.check_in(tomorrow.code), "已取消")
    refused(hall, lambda: hall.cancel_appointment(tomorrow.code), "已取消")


def test_csv_import_all_or_nothing_and_once(hall, tmp_path):
    good = ("\ufeff日期,时段,业务,姓名,身份证号,预约编号\n"
            "2026-12-01,10:00,A,刘洋,,WEB-1\n2026-12-01,10:30,B,陈敏,,WEB-2\n")
    bad = good + "2026-12-01,10:30,Z,王𠮷,,WEB-3\n2026-12-01,99:00,A,李娜,,WEB-4\n"
    result = refused_import(hall, bad)
    assert len(result.problems) == 2 and result.problems[0].startswith("第 4 行") and "第 5 行" in result.problems[1]
    assert hall.import_appointments(good).imported == 2
    again = hall.import_appointments(good)
    assert (again.imported, again.skipped) == (0, 2)
    assert [a.external_id for a in hall.appointments("2026-12-01")] == ["WEB-1", "WEB-2"]
    assert hall.import_appointments("日期,姓名\n").problems == ["表头缺少列：时段、业务（第 1 行）"]


def refused_import(hall, text):
    before = snapshot(hall)
    result = hall.import_appointments(text)
    assert result.imported == 0 and snapshot(hall) == before
    return result


def test_kiosk_block_and_offline_upload_never_duplicate(hall):
    kiosk = at_window(hall, "", kind="kiosk")
    block = kiosk.reserve_block("A", size=5)
    assert (block.prefix, block.start, block.end) == ("A", 995, 999)
    online = [hall.issue_ticket("A").label for _ in range(3)]
    offline = [{"ticket": f"OFF{n}", "line": "personal", "prefix": "A", "number": n, "priority": "",
                "sort_at": "2026-12-01T09:00:00+08:00", "issued_at": "2026-12-01T09:00:00+08:00", "day": "2026-12-01"}
               for n in (995, 996)]
    assert [r["status"] for r in kiosk.upload_offline(offline)] == ["stored", "stored"]
    assert [r["status"] for r in kiosk.upload_offline(offline)] == ["duplicate", "duplicate"]
    outside = dict(offline[0], ticket="OFF9", number=4)
    [result] = kiosk.upload_offline([outside])
    assert result["status"] == "rejected" and "不在本机预留的号段内" in result["error"]
    labels = online + [t.label for t in hall.waiting() if t.source == "offline"]
    assert labels == ["A001", "A002", "A003", "A995", "A996"]
    assert len(set(labels)) == len(labels)
    next_block = kiosk.reserve_block("A", size=5)
    assert (next_block.start, next_block.end) == (990, 994)
    kiosk.close()


def test_close_day_ends_every_open_ticket_and_numbering_restarts(hall, clock):
    hall.open_window()
    for _ in range(3):
        hall.issue_ticket("A")
    hall.call_next()
    hall.book_appointment("B", "2026-12-01", "16:00")
    result = hall.close_day()
    assert result == {"expired": 3, "missed": 1}
    assert hall.waiting() == [] and hall.window_view().state == "closed"
    assert {t.state for t in replay(hall.events()).tickets.values()} == {"expired"}
    assert live_state(hall) == replayed_state(hall)
    assert hall.close_day() == {"expired": 0, "missed": 0}
    clock.advance(24 * 60)
    assert hall.issue_ticket("A").label == "A001"  # a new day starts again at 001


def test_replay_equals_live_after_a_busy_morning(hall, clock):
    w2 = at_window(hall, "W02")
    hall.open_window()
    w2.open_window()
    for i in range(12):
        hall.issue_ticket("A" if i % 3 else "B", priority="孕妇" if i % 4 == 0 else "")
        clock.advance(2)
    for step in range(10):
        for w in (hall, w2):
            try:
                w.call_next()
            except QueueError:
                continue
            clock.advance(1)
            if step % 4 == 0:
                w.no_show()
            elif step % 4 == 1:
                w.hold()
            else:
                w.start_serving()
                clock.advance(5)
                w.finish()
    hall.leave(hall.waiting()[0].label) if hall.waiting() else None
    assert live_state(hall) == replayed_state(hall)
    figures = line_figures(replay(hall.events()))
    assert figures["personal"].issued + figures["firm"].issued == 12
    w2.close()


def test_issued_ticket_scopes(hall):
    display = at_window(hall, "", kind="display")
    refused(display, lambda: display.issue_ticket("A"), "叫号屏只能查看", "scope")
    assert display.board().lines  # reading is fine
    assert display.waiting() == [] or all(t.id_number == "" for t in display.waiting())
    display.close()


def test_states_of_views_are_labelled(hall):
    hall.open_window()
    hall.issue_ticket("A")
    assert hall.call_next().state_label == q.STATE_LABELS["called"]
