"""Vectors for the queue's pure rules (hall_app/domain/queue.py and queue_schedule.py):
each action's whole result, every refusal in words with its code and status, the
priority ratio's cycle position by position, the call order, ticket labels, skill
lists, tidal schedules and the appointment grace to the minute. No database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from hall_app.domain import queue as q
from hall_app.domain.queue import Policy, QueueError, QueueOffline, ScheduleEntry, Ticket, Window
from hall_app.domain.queue_schedule import (
    CHINA,
    check_in,
    effective_skills,
    hall_day,
    local_hhmm,
    missed,
    parse_hhmm,
    parse_schedule,
    parse_skills,
    schedule_to_json,
    slot_instant,
)

NOW = "2026-12-01T10:00:00.000+08:00"
T0 = "2026-12-01T09:00:00+08:00"


def tk(state: str = q.WAITING, **kw) -> Ticket:
    return replace(Ticket("T1", "JJ01", "2026-12-01", "personal", "A", 12, sort_at=T0, issued_at=T0, version=3,
                          state=state), **kw)


def refused(fn, *args, **kw) -> tuple[str, str, int]:
    with pytest.raises(QueueError) as exc:
        fn(*args, **kw)
    return str(exc.value), exc.value.code, exc.value.status


# -- errors and settings ---------------------------------------------------------------------------
def test_errors_carry_code_and_status():
    e = QueueError("x")
    assert (str(e), e.code, e.status) == ("x", "refused", 409)
    off = QueueOffline()
    assert (str(off), off.code, off.status) == ("无法连接排队服务器", "offline", 503)
    assert isinstance(off, QueueError)
    assert str(QueueOffline("别的")) == "别的"


def test_policy_defaults():
    assert Policy() == q.DEFAULT_POLICY
    p = q.DEFAULT_POLICY
    assert (p.priority_ratio, p.max_recalls, p.grace_minutes, p.default_service_minutes, p.block_size,
            p.suggest_wait_minutes, p.rolling_services) == ((2, 1), 3, 15, 10.0, 50, 20.0, 20)


def test_ticket_properties():
    assert tk().label == "A012" and tk(number=1234).label == "A1234"
    assert tk().is_priority is False and tk(priority="孕妇").is_priority is True
    assert [tk(s).final for s in ("waiting", "called", "serving", "held", "finished", "no_show", "left", "expired")] \
        == [False] * 4 + [True] * 4
    t = tk()
    assert (t.window, t.target_window, t.called_at, t.serving_at, t.ended_at, t.calls, t.source, t.priority) \
        == ("", "", "", "", "", 0, "kiosk", "")
    w = Window("W01", "JJ01")
    assert (w.name, w.state, w.skills, w.schedule, w.manual, w.manual_day, w.current, w.streak, w.version) \
        == ("", "closed", {}, (), None, "", "", 0, 0)


# -- labels ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,parsed", [
    ("A012", ("A", 12)), (" a12 ", ("A", 12)), ("Ａ０１２", ("A", 12)), ("A0", ("A", 0)),
    ("ABCD123456", ("ABCD", 123456)), ("ab7", ("AB", 7)), ("AX12", ("AX", 12)), ("x9", ("X", 9)),
    ("ABCDE1", None), ("A1234567", None), ("", None), ("12", None), ("A", None), ("甲12", None),
    ("A-1", None), ("1A1", None),
])
def test_parse_label(text, parsed):
    assert q.parse_label(text) == parsed


def test_ticket_label():
    assert [q.ticket_label("A", n) for n in (0, 7, 99, 999, 1000)] == ["A000", "A007", "A099", "A999", "A1000"]


# -- ticket actions, whole results -------------------------------------------------------------------
def test_call_a_waiting_ticket():
    after = q.ticket_after(tk(), "call", window="W01", now=NOW)
    assert after == tk(state="called", window="W01", called_at=NOW, calls=1, version=4)


def test_a_call_with_no_time_given_records_none():
    assert q.ticket_after(tk(), "call", window="W01").called_at == ""


def test_call_back_a_held_ticket_keeps_its_first_call():
    held = tk("held", window="W01", called_at=T0, calls=2)
    assert q.ticket_after(held, "call", window="W01", now=NOW) == replace(held, state="called", calls=3, version=4)
    # a window not named (the hall itself) may call it back
    assert q.ticket_after(held, "call", now=NOW) == replace(held, state="called", window="", calls=3, version=4)


def test_recall_up_to_the_limit_then_no_show():
    called = tk("called", window="W01", called_at=T0, calls=3)
    assert q.ticket_after(called, "recall", window="W01", now=NOW) == replace(called, calls=4, version=4)
    over = replace(called, calls=4)
    assert q.ticket_after(over, "recall", window="W01", now=NOW) == replace(over, state="no_show", ended_at=NOW,
                                                                           version=4)
    assert q.ticket_after(called, "recall", window="W01", now=NOW, policy=Policy(max_recalls=2)) \
        == replace(called, state="no_show", ended_at=NOW, version=4)


def test_serve_hold_and_the_final_actions():
    called = tk("called", window="W01", called_at=T0, calls=1)
    serving = q.ticket_after(called, "serve", window="W01", now=NOW)
    assert serving == replace(called, state="serving", serving_at=NOW, version=4)
    again = replace(called, serving_at=T0)  # served before a hold: the first start stays
    assert q.ticket_after(again, "serve", window="W01", now=NOW).serving_at == T0
    assert q.ticket_after(serving, "hold", window="W01", now=NOW) == replace(serving, state="held", version=5)
    assert q.ticket_after(serving, "finish", window="W01", now=NOW) \
        == replace(serving, state="finished", ended_at=NOW, version=5)
    assert q.ticket_after(called, "no_show", window="W01", now=NOW) \
        == replace(called, state="no_show", ended_at=NOW, version=4)
    assert q.ticket_after(tk(), "leave", now=NOW) == tk(state="left", ended_at=NOW, version=4)
    assert q.ticket_after(serving, "expire", now=NOW) == replace(serving, state="expired", ended_at=NOW, version=5)


def test_transfer_keeps_the_place_and_names_line_or_window():
    serving = tk("serving", window="W01", called_at=T0, calls=1)
    assert q.ticket_after(serving, "transfer", window="W01", now=NOW, to_line="firm") \
        == replace(serving, state="waiting", line="firm", window="", version=4)
    assert q.ticket_after(serving, "transfer", window="W01", now=NOW, to_window="W05") \
        == replace(serving, state="waiting", target_window="W05", window="", version=4)
    assert refused(q.ticket_after, serving, "transfer", window="W01", now=NOW) \
        == ("请指定转往的业务类别或窗口", "invalid", 422)


# -- refusals in words ----------------------------------------------------------------------------------
def test_unknown_action():
    assert refused(q.ticket_after, tk(), "x" * 30, now=NOW) == (f"未知的排队操作“{'x' * 20}”", "invalid", 422)
    assert refused(q.window_after, Window("W01", "JJ01"), "y" * 30) == (f"未知的窗口操作“{'y' * 20}”", "invalid", 422)


@pytest.mark.parametrize("action,label", [("recall", "重呼"), ("serve", "开始办理"), ("hold", "挂起"),
                                          ("finish", "办结"), ("no_show", "过号")])
def test_another_windows_ticket(action, label):
    state = "serving" if action == "finish" else "called"
    t = tk(state, window="W01")
    assert refused(q.ticket_after, t, action, window="W02", now=NOW) \
        == (f"A012 号由 W01 窗口叫号，本窗口（W02）不能{label}", "refused", 409)


def test_the_window_check_needs_both_windows_and_an_active_state():
    # no window on the ticket, or none given: the state table decides
    assert q.ticket_after(tk("called"), "serve", window="W02", now=NOW).state == "serving"
    assert q.ticket_after(tk("called", window="W01"), "serve", now=NOW).state == "serving"
    # a waiting ticket is not another window's: its refusal is the state's
    assert refused(q.ticket_after, tk(window="W01"), "serve", window="W02", now=NOW)[0] \
        == "A012 号当前等候中，不能开始办理：请先叫号"
    # leave and expire are not window actions
    assert q.ticket_after(tk("held", window="W01"), "leave", window="W02", now=NOW).state == "left"


@pytest.mark.parametrize("state,action,message", [
    ("finished", "call", "A012 号已已办结，不能再叫号"),
    ("no_show", "recall", "A012 号已过号，不能再重呼"),
    ("left", "leave", "A012 号已已离开，不能再离开"),
    ("expired", "transfer", "A012 号已闭厅未办，不能再转移"),
    ("waiting", "serve", "A012 号当前等候中，不能开始办理：请先叫号"),
    ("waiting", "finish", "A012 号当前等候中，不能办结：请先开始办理"),
    ("called", "finish", "A012 号当前已叫号，不能办结：请先开始办理"),
    ("waiting", "no_show", "A012 号当前等候中，不能过号：只有已叫号未到的号才能过号"),
    ("held", "recall", "A012 号当前挂起，不能重呼：只有已叫号的号才能重呼"),
    ("waiting", "hold", "A012 号当前等候中，不能挂起"),
    ("held", "hold", "A012 号当前挂起，不能挂起"),
    ("held", "serve", "A012 号当前挂起，不能开始办理：请先叫号"),
    ("odd", "call", "A012 号当前odd，不能叫号"),
])
def test_illegal_in_words(state, action, message):
    assert refused(q.ticket_after, tk(state), action, window="", now=NOW) == (message, "refused", 409)


def test_a_called_ticket_is_not_called_twice():
    assert refused(q.ticket_after, tk("called", window="W01"), "call", window="W01", now=NOW)[0] \
        == "A012 号已由 W01 窗口叫号（已叫号），不能重复叫号"
    assert refused(q.ticket_after, tk("serving"), "call", window="W01", now=NOW)[0] \
        == "A012 号已由 其他 窗口叫号（办理中），不能重复叫号"


def test_held_and_targeted_tickets_go_to_their_window():
    assert refused(q.ticket_after, tk("held", window="W01"), "call", window="W02", now=NOW) \
        == ("A012 号挂起在 W01 窗口，只能由该窗口继续叫号", "refused", 409)
    assert q.ticket_after(tk("held"), "call", window="W02", now=NOW).window == "W02"  # held with no window
    targeted = tk(target_window="W05")
    assert refused(q.ticket_after, targeted, "call", window="W02", now=NOW) \
        == ("A012 号已转给 W05 窗口", "refused", 409)
    assert q.ticket_after(targeted, "call", window="W05", now=NOW).target_window == "W05"
    assert q.ticket_after(targeted, "call", now=NOW).state == "called"


# -- windows -------------------------------------------------------------------------------------------
def test_window_actions_whole():
    w = Window("W01", "JJ01", "1号窗口", version=2)
    assert q.window_after(w, "open") == replace(w, state="open", version=3)
    assert q.window_after(replace(w, state="open"), "pause") == replace(w, state="paused", version=3)
    assert q.window_after(replace(w, state="paused"), "close") == replace(w, state="closed", version=3)


@pytest.mark.parametrize("name,state,action,message", [
    ("1号窗口", "open", "open", "1号窗口 已经开放"),
    ("", "closed", "close", "W01 已经关闭"),
    ("", "paused", "pause", "W01 已经暂停"),
    ("1号窗口", "closed", "pause", "1号窗口 当前关闭，不能暂停"),
    ("", "odd", "close", "W01 当前odd，不能关闭"),
    ("", "odd", "open", "W01 当前odd，不能开放"),
])
def test_window_refusals(name, state, action, message):
    assert refused(q.window_after, Window("W01", "JJ01", name, state=state), action) == (message, "refused", 409)


def test_a_window_with_a_ticket_does_not_close_but_may_pause():
    w = Window("W01", "JJ01", state="open", current="T1")
    assert refused(q.window_after, w, "close") \
        == ("W01 还有正在呼叫或办理的号，请先办结、挂起或过号再关闭", "refused", 409)
    assert q.window_after(w, "pause").current == "T1"


# -- the priority ratio ---------------------------------------------------------------------------------
@pytest.mark.parametrize("ratio,firsts", [
    ((2, 1), [True, True, False, True, True, False]),
    ((1, 3), [True, False, False, False, True, False]),
    ((0, 1), [False] * 6), ((0, 0), [False] * 6), ((-1, 2), [False] * 6),
    ((3, 0), [True] * 6), ((1, -1), [True] * 6),
])
def test_preferred_first(ratio, firsts):
    assert [q.preferred_first(s, ratio) for s in range(6)] == firsts


@pytest.mark.parametrize("streak,called_priority,ratio,after", [
    (0, True, (2, 1), 1), (1, True, (2, 1), 2), (2, False, (2, 1), 0),
    (0, False, (2, 1), 0), (2, True, (2, 1), 2), (5, True, (2, 1), 2), (5, False, (2, 1), 0), (4, True, (2, 1), 2),
    (0, False, (0, 0), 0), (3, False, (0, 0), 0), (0, True, (3, 0), 1), (2, True, (3, 0), 0),
])
def test_streak_after(streak, called_priority, ratio, after):
    assert q.streak_after(streak, called_priority, ratio) == after


def test_call_order():
    assert q.call_order({"b": 2, "c": 1, "a": 1}, 0, (2, 1)) \
        == [(("a", "c"), True), (("a", "c"), False), (("b",), True), (("b",), False)]
    assert q.call_order({"x": 1}, 2, (2, 1)) == [(("x",), False), (("x",), True)]
    assert q.call_order({}, 0, (2, 1)) == []


def t(i: str, line="personal", prio="", state="waiting", sort_at=T0, issued_at=T0, number=1, target=""):
    return Ticket(i, "JJ01", "2026-12-01", line, "A", number, priority=prio, state=state, sort_at=sort_at,
                  issued_at=issued_at, target_window=target)


def test_pick_next_orders_by_place_then_issue_then_number():
    pool = [t("n3", number=3), t("n2", number=2), t("late", sort_at="2026-12-01T09:30:00+08:00"),
            t("early-issue", issued_at="2026-12-01T08:00:00+08:00", number=9)]
    assert q.pick_next(pool, {"personal": 1}, 0, (2, 1)).ticket == "early-issue"
    assert q.pick_next(pool[:3], {"personal": 1}, 0, (2, 1)).ticket == "n2"


def test_pick_next_skips_what_it_may_not_call():
    pool = [t("called", state="called"), t("other", line="firm"), t("elsewhere", target="W09"),
            t("mine", target="W01", number=5), t("free", number=6)]
    assert q.pick_next(pool, {"personal": 1}, 0, (2, 1), window="W01").ticket == "mine"
    assert q.pick_next(pool, {"personal": 1}, 0, (2, 1), window="W02").ticket == "free"
    assert q.pick_next(pool[:3], {"personal": 1}, 0, (2, 1), window="W01") is None
    assert q.pick_next([], {"personal": 1}, 0, (2, 1)) is None


def test_pick_next_prefers_the_kind_the_cycle_is_at():
    pool = [t("n", number=1), t("p", prio="老年人", number=2, sort_at="2026-12-01T09:10:00+08:00")]
    assert q.pick_next(pool, {"personal": 1}, 0, (2, 1)).ticket == "p"
    assert q.pick_next(pool, {"personal": 1}, 2, (2, 1)).ticket == "n"
    assert q.pick_next(pool[1:], {"personal": 1}, 2, (2, 1)).ticket == "p"


def test_place_key_and_people_ahead():
    assert q.place_key(t("a", prio="孕妇", number=4)) == (0, T0, T0, 4)
    assert q.place_key(t("a", number=4)) == (1, T0, T0, 4)
    me = t("me", number=5, sort_at="2026-12-01T09:05:00+08:00")
    pool = [me, t("p", prio="老年人", number=9, sort_at="2026-12-01T09:50:00+08:00"), t("n1", number=1),
            t("same-place-later-number", number=6, sort_at="2026-12-01T09:05:00+08:00"),
            t("same-place-earlier-number", number=4, sort_at="2026-12-01T09:05:00+08:00"),
            t("gone", number=2, state="called"), t("firm", line="firm", number=3),
            t("after", number=7, sort_at="2026-12-01T09:40:00+08:00")]
    assert q.people_ahead(me, pool) == 3  # p, n1, same-place-earlier-number
    assert q.people_ahead(pool[1], pool) == 0
    assert q.people_ahead(replace(me, ticket="n1"), pool) == 2  # itself (by id) is not counted


# -- times ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,parsed", [
    ("09:30", dt.time(9, 30)), ("9:05", dt.time(9, 5)), (" 23:59 ", dt.time(23, 59)), ("０９：３０", dt.time(9, 30)),
    ("20：00", dt.time(20, 0)), ("00:00", dt.time(0, 0)),
])
def test_parse_hhmm(text, parsed):
    assert parse_hhmm(text) == parsed


@pytest.mark.parametrize("text", ["24:00", "9:5", "09:60", "0930", "", "x09:30", "09:30x", "123:00"])
def test_parse_hhmm_refused(text):
    assert refused(parse_hhmm, text) == (f"时间“{text[:20]}”格式不对，应为 时:分（如 09:30）", "invalid", 422)


def test_parse_hhmm_cuts_the_text_in_its_message():
    assert refused(parse_hhmm, "9" * 30)[0] == f"时间“{'9' * 20}”格式不对，应为 时:分（如 09:30）"


def test_hall_day_and_local_time_are_china_time():
    utc = dt.datetime(2026, 12, 1, 16, 30, tzinfo=dt.UTC)
    assert hall_day(utc) == "2026-12-02" and local_hhmm(utc) == "00:30"
    assert slot_instant("2026-12-01", "10:00") == dt.datetime(2026, 12, 1, 10, 0, tzinfo=CHINA)


def test_skill_lists_every_form():
    assert parse_skills({"A": 1, "B": 99}) == {"A": 1, "B": 99}
    assert parse_skills("A:2, B ,C:1") == {"A": 2, "B": 2, "C": 1}
    assert parse_skills(" A : 3 ") == {"A": 3}
    assert parse_skills("A，，B,") == {"A": 1, "B": 2}
    assert parse_skills("") == {}
    assert parse_skills(("x", 7)) == {"x": 1, "7": 2}
    assert parse_skills([]) == {}


@pytest.mark.parametrize("raw,message", [
    ({"A": 0}, "窗口技能“A”的优先级应为 1–99 的整数"),
    ({"A": 100}, "窗口技能“A”的优先级应为 1–99 的整数"),
    ({"A": True}, "窗口技能“A”的优先级应为 1–99 的整数"),
    ({"A": 1.0}, "窗口技能“A”的优先级应为 1–99 的整数"),
    ({"": 1}, "窗口技能“”的优先级应为 1–99 的整数"),
    ({5: 1}, "窗口技能“5”的优先级应为 1–99 的整数"),
    ({"L" * 30: 0}, f"窗口技能“{'L' * 20}”的优先级应为 1–99 的整数"),
    ("A:x", "窗口技能“A:x”的优先级应为数字"),
    ("A:-1", "窗口技能“A:-1”的优先级应为数字"),
    ("B:1," + "Z" * 25 + ":q", f"窗口技能“{'Z' * 20}”的优先级应为数字"),
    (7, "窗口技能格式不对"),
    (None, "窗口技能格式不对"),
])
def test_skill_list_refusals(raw, message):
    assert refused(parse_skills, raw) == (message, "invalid", 422)


def test_schedules():
    assert parse_schedule(None) == () and parse_schedule([]) == () and parse_schedule("") == ()
    entry = ScheduleEntry("08:00", "09:00", {"A": 1})
    parsed = parse_schedule([entry, {"from": "9:00", "to": "11:30", "lines": "B,A"}, {"from": "12:00", "to": "12:01"}])
    assert parsed == (entry, ScheduleEntry("09:00", "11:30", {"B": 1, "A": 2}), ScheduleEntry("12:00", "12:01", {}))
    assert schedule_to_json(parsed) == [{"from": "08:00", "to": "09:00", "lines": {"A": 1}},
                                        {"from": "09:00", "to": "11:30", "lines": {"B": 1, "A": 2}},
                                        {"from": "12:00", "to": "12:01", "lines": {}}]


@pytest.mark.parametrize("raw,message", [
    ("9-11", "潮汐时段应为列表"),
    ({"from": "09:00"}, "潮汐时段应为列表"),
    (["09:00"], "潮汐时段的每一项应为 {from, to, lines}"),
    ([{"from": "11:00", "to": "09:00"}], "潮汐时段 11:00–09:00 的结束早于开始"),
    ([{"from": "09:00", "to": "09:00"}], "潮汐时段 09:00–09:00 的结束早于开始"),
    ([{"to": "09:00"}], "时间“”格式不对，应为 时:分（如 09:30）"),
    ([{"from": "09:00"}], "时间“”格式不对，应为 时:分（如 09:30）"),
])
def test_schedule_refusals(raw, message):
    assert refused(parse_schedule, raw) == (message, "invalid", 422)


def at(hhmm: str, day: str = "2026-12-01") -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime.fromisoformat(day).replace(hour=h, minute=m, tzinfo=CHINA)


def test_effective_skills_is_a_copy_in_each_case():
    w = Window("W03", "JJ01", skills={"own": 1}, schedule=(ScheduleEntry("09:00", "11:00", {"tide": 1}),))
    for now in (at("08:00"), at("09:00")):
        got = effective_skills(w, now)
        got["added"] = 9
    switched = replace(w, manual={"man": 1}, manual_day="2026-12-01")
    effective_skills(switched, at("10:00"))["added"] = 9
    assert w.skills == {"own": 1} and w.schedule[0].skills == {"tide": 1} and switched.manual == {"man": 1}
    # an empty switch for today is a switch (serve nothing), not "no switch"
    assert effective_skills(replace(w, manual={}, manual_day="2026-12-01"), at("10:00")) == {}
    # the day is China's: 02:30 UTC on the 1st is 10:30 there
    assert effective_skills(switched, dt.datetime(2026, 12, 1, 2, 30, tzinfo=dt.UTC)) == {"man": 1}
    assert effective_skills(w, dt.datetime(2026, 12, 1, 2, 30, tzinfo=dt.UTC)) == {"tide": 1}


def test_check_in_on_time_late_and_refused():
    on_time = check_in("2026-12-01", "10:00", at("09:45"))
    assert on_time == q_check(True, "2026-12-01T10:00:00.000+08:00", "预约签到成功（10:00），按预约时段排队")
    late = check_in("2026-12-01", "10:00", at("10:16"))
    assert late == q_check(False, "2026-12-01T10:16:00.000+08:00", "已超过预约时段 10:00 的 15 分钟宽限，按普通号排队")
    later = check_in("2026-12-01", "10:00", at("10:11"), Policy(grace_minutes=10))
    assert later.message == "已超过预约时段 10:00 的 10 分钟宽限，按普通号排队"
    assert check_in("2026-12-01", "10:00", at("10:15")).on_time is True
    utc = check_in("2026-12-01", "10:00", dt.datetime(2026, 12, 1, 2, 5, tzinfo=dt.UTC))
    assert utc.on_time is True and utc.sort_at == "2026-12-01T10:00:00.000+08:00"
    assert refused(check_in, "2026-12-01", "10:00", at("09:44")) \
        == ("预约时段为 10:00，请于 09:45 后再取号", "refused", 409)
    assert refused(check_in, "2026-12-01", "10:00", at("09:49"), Policy(grace_minutes=10)) \
        == ("预约时段为 10:00，请于 09:50 后再取号", "refused", 409)
    assert refused(check_in, "2026-12-02", "10:00", at("10:00")) \
        == ("该预约是 2026-12-02 的，不是今天（2026-12-01）的，请按预约日期前来或重新预约", "refused", 409)


def q_check(on_time, sort_at, message):
    from hall_app.domain.queue_schedule import CheckIn

    return CheckIn(on_time, sort_at, message)


def test_missed_after_the_grace():
    assert missed("2026-12-01", "10:00", at("10:15")) is False
    assert missed("2026-12-01", "10:00", at("10:16")) is True
    assert missed("2026-12-01", "10:00", at("10:06"), Policy(grace_minutes=5)) is True
    assert missed("2026-12-01", "10:00", dt.datetime(2026, 12, 1, 2, 10, tzinfo=dt.UTC)) is False
