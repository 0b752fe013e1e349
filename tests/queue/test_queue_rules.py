"""The queue's pure rules: every ticket and window action from every state, legal and
illegal; the recall limit; the priority ratio; skill ranks; tidal schedules;
appointment grace; ticket numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from hall_app.domain import queue as q
from hall_app.domain.queue import Policy, QueueError, Ticket, Window
from hall_app.domain.queue_schedule import CHINA, check_in, effective_skills, missed, parse_schedule, parse_skills

NOW = "2026-12-01T10:00:00.000+08:00"

# (action, from state) -> the state it leads to; every pair not listed must be refused
LEGAL = {
    ("call", q.WAITING): q.CALLED, ("call", q.HELD): q.CALLED,
    ("recall", q.CALLED): q.CALLED,
    ("serve", q.CALLED): q.SERVING,
    ("hold", q.CALLED): q.HELD, ("hold", q.SERVING): q.HELD,
    ("transfer", q.WAITING): q.WAITING, ("transfer", q.CALLED): q.WAITING, ("transfer", q.SERVING): q.WAITING,
    ("transfer", q.HELD): q.WAITING,
    ("finish", q.SERVING): q.FINISHED,
    ("no_show", q.CALLED): q.NO_SHOW,
    ("leave", q.WAITING): q.LEFT, ("leave", q.HELD): q.LEFT,
    ("expire", q.WAITING): q.EXPIRED, ("expire", q.CALLED): q.EXPIRED, ("expire", q.SERVING): q.EXPIRED,
    ("expire", q.HELD): q.EXPIRED,
}


def ticket(state: str = q.WAITING, **kw) -> Ticket:
    base = Ticket("T1", "JJ01", "2026-12-01", "personal", "A", 12, state=state, sort_at="2026-12-01T09:00:00+08:00",
                  issued_at="2026-12-01T09:00:00+08:00", window="W01" if state != q.WAITING else "",
                  calls=0 if state == q.WAITING else 1,
                  called_at="" if state == q.WAITING else "2026-12-01T09:30:00+08:00", version=3)
    return replace(base, **kw)


@pytest.mark.parametrize("state", sorted(q.TICKET_STATES))
@pytest.mark.parametrize("action", sorted(q.TICKET_ACTIONS))
def test_every_ticket_action_from_every_state(action, state):
    before = ticket(state)
    if (action, state) in LEGAL:
        after = q.ticket_after(before, action, window="W01", now=NOW, to_line="firm")
        assert after.state == LEGAL[(action, state)]
        assert after.version == before.version + 1
        assert after.sort_at == before.sort_at and after.issued_at == before.issued_at  # the place is kept
    else:
        with pytest.raises(QueueError) as refused:
            q.ticket_after(before, action, window="W01", now=NOW, to_line="firm")
        assert refused.value.code == "refused" and refused.value.status == 409
        assert "A012" in str(refused.value)


def test_the_legal_table_is_the_code_table():
    from_code = {(a, s): target for a, (allowed, target) in q.TICKET_ACTIONS.items() for s in allowed}
    assert set(from_code) == set(LEGAL)


def test_final_states_are_final():
    for state in q.FINAL_STATES:
        for action in q.TICKET_ACTIONS:
            with pytest.raises(QueueError, match="已"):
                q.ticket_after(ticket(state), action, window="W01", now=NOW, to_line="firm")


def test_another_window_cannot_act_on_a_called_ticket():
    called = ticket(q.CALLED, window="W01")
    for action in ("recall", "serve", "hold", "no_show"):
        with pytest.raises(QueueError, match="W01"):
            q.ticket_after(called, action, window="W02", now=NOW)
    with pytest.raises(QueueError, match="已由 W01"):
        q.ticket_after(called, "call", window="W02", now=NOW)


def test_held_ticket_is_called_back_by_its_window_only():
    held = ticket(q.HELD, window="W01")
    with pytest.raises(QueueError, match="挂起在 W01"):
        q.ticket_after(held, "call", window="W02", now=NOW)
    again = q.ticket_after(held, "call", window="W01", now=NOW)
    assert again.state == q.CALLED and again.called_at == held.called_at


def test_transfer_needs_a_target_and_a_targeted_ticket_goes_to_that_window_only():
    with pytest.raises(QueueError, match="请指定"):
        q.ticket_after(ticket(q.CALLED), "transfer", window="W01", now=NOW)
    moved = q.ticket_after(ticket(q.CALLED), "transfer", window="W01", now=NOW, to_window="W05")
    assert moved.state == q.WAITING and moved.target_window == "W05" and moved.window == ""
    with pytest.raises(QueueError, match="W05"):
        q.ticket_after(moved, "call", window="W02", now=NOW)
    assert q.ticket_after(moved, "call", window="W05", now=NOW).state == q.CALLED


def test_recall_limit_then_no_show():
    policy = Policy(max_recalls=3)
    t = q.ticket_after(ticket(q.WAITING), "call", window="W01", now=NOW, policy=policy)
    for n in range(3):
        t = q.ticket_after(t, "recall", window="W01", now=NOW, policy=policy)
        assert t.state == q.CALLED and t.calls == n + 2
    t = q.ticket_after(t, "recall", window="W01", now=NOW, policy=policy)
    assert t.state == q.NO_SHOW and t.ended_at == NOW


WINDOW_LEGAL = {("open", q.W_CLOSED): q.W_OPEN, ("open", q.W_PAUSED): q.W_OPEN, ("pause", q.W_OPEN): q.W_PAUSED,
                ("close", q.W_OPEN): q.W_CLOSED, ("close", q.W_PAUSED): q.W_CLOSED}


@pytest.mark.parametrize("state", [q.W_CLOSED, q.W_OPEN, q.W_PAUSED])
@pytest.mark.parametrize("action", ["open", "pause", "close"])
def test_every_window_action_from_every_state(action, state):
    w = Window("W01", "JJ01", "1号窗口", state=state)
    if (action, state) in WINDOW_LEGAL:
        assert q.window_after(w, action).state == WINDOW_LEGAL[(action, state)]
    else:
        with pytest.raises(QueueError, match="1号窗口"):
            q.window_after(w, action)


def test_a_window_with_a_ticket_cannot_close():
    with pytest.raises(QueueError, match="先办结"):
        q.window_after(Window("W01", "JJ01", state=q.W_OPEN, current="T1"), "close")


# -- the priority ratio ------------------------------------------------------------------------
def waiting(n_priority: int, n_normal: int, line: str = "personal") -> list[Ticket]:
    out = []
    for i in range(n_priority + n_normal):
        prio = "老年人" if i < n_priority else ""
        out.append(Ticket(f"T{i}", "JJ01", "2026-12-01", line, "A", i + 1, priority=prio,
                          sort_at=f"2026-12-01T09:{i:02d}:00+08:00", issued_at=f"2026-12-01T09:{i:02d}:00+08:00"))
    return out


def call_sequence(tickets: list[Ticket], ratio: tuple[int, int], count: int) -> str:
    streak, pool, kinds = 0, list(tickets), ""
    for _ in range(count):
        t = q.pick_next(pool, {"personal": 1}, streak, ratio)
        if t is None:
            break
        pool.remove(t)
        kinds += "P" if t.is_priority else "N"
        streak = q.streak_after(streak, t.is_priority, ratio)
    return kinds


def test_two_priority_then_one_normal():
    assert call_sequence(waiting(6, 6), (2, 1), 9) == "PPNPPNPPN"


def test_normal_tickets_do_not_starve_and_priority_ones_do_not_either():
    assert call_sequence(waiting(10, 2), (2, 1), 12) == "PPNPPN" + "P" * 6
    assert call_sequence(waiting(1, 5), (2, 1), 6) == "PNNNNN"
    assert call_sequence(waiting(4, 4), (1, 1), 8) == "PNPNPNPN"
    assert call_sequence(waiting(2, 2), (0, 1), 4) == "NNPP"  # no priority lane


def test_an_unused_turn_is_kept_for_the_next_arrival():
    # no priority waiting: normal calls do not use up the priority turn
    streak = 0
    for _ in range(3):
        streak = q.streak_after(streak, False, (2, 1))
    assert q.preferred_first(streak, (2, 1)) is True


def test_skill_rank_comes_before_the_ratio_and_age():
    pool = waiting(0, 2, "firm") + [replace(t, ticket=f"P{t.number}", line="personal", sort_at="2026-12-01T10:00")
                                    for t in waiting(0, 1)]
    first = q.pick_next(pool, {"personal": 1, "firm": 2}, 0, (2, 1))
    assert first is not None and first.line == "personal"
    same_rank = q.pick_next(pool, {"personal": 1, "firm": 1}, 0, (2, 1))
    assert same_rank is not None and same_rank.line == "firm"  # oldest across lines of one rank


def test_people_ahead_counts_priority_first():
    pool = waiting(2, 3)
    normal_last = pool[-1]
    assert q.people_ahead(normal_last, pool) == 4
    assert q.people_ahead(pool[1], pool) == 1


def test_labels():
    assert q.ticket_label("A", 7) == "A007" and q.ticket_label("B", 1234) == "B1234"
    assert q.parse_label("a12") == ("A", 12) and q.parse_label("Ａ０１２") == ("A", 12)
    for bad in ("", "12", "A", "𠮷1", "A1\x00", "甲12", "ABCDE1"):
        assert q.parse_label(bad) is None, bad


# -- tidal schedules ----------------------------------------------------------------------------
def at(hhmm: str, day: str = "2026-12-01") -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime.fromisoformat(day).replace(hour=h, minute=m, tzinfo=CHINA)


def test_tidal_schedule_and_manual_switch():
    w = Window("W03", "JJ01", skills={"personal": 1, "firm": 2},
               schedule=parse_schedule([{"from": "09:00", "to": "11:00", "lines": {"firm": 1, "personal": 2}}]))
    assert effective_skills(w, at("08:59")) == {"personal": 1, "firm": 2}
    assert effective_skills(w, at("09:00")) == {"firm": 1, "personal": 2}
    assert effective_skills(w, at("10:59")) == {"firm": 1, "personal": 2}
    assert effective_skills(w, at("11:00")) == {"personal": 1, "firm": 2}
    switched = replace(w, manual={"estate": 1}, manual_day="2026-12-01")
    assert effective_skills(switched, at("10:00")) == {"estate": 1}
    assert effective_skills(switched, at("10:00", "2026-12-02")) == {"firm": 1, "personal": 2}  # a day only


@pytest.mark.parametrize("bad", [[{"from": "11:00", "to": "09:00", "lines": {"A": 1}}],
                                 [{"from": "25:00", "to": "26:00", "lines": {"A": 1}}], ["09:00"], "9-11"])
def test_bad_schedules_are_refused(bad):
    with pytest.raises(QueueError):
        parse_schedule(bad)


def test_skill_lists():
    assert parse_skills("firm:1,personal:2") == {"firm": 1, "personal": 2}
    assert parse_skills(["firm", "personal"]) == {"firm": 1, "personal": 2}
    assert parse_skills("a，b") == {"a": 1, "b": 2}
    with pytest.raises(QueueError):
        parse_skills({"A": 0})
    with pytest.raises(QueueError):
        parse_skills("A:x")


# -- appointment grace ----------------------------------------------------------------------------
@pytest.mark.parametrize("arrive,on_time", [("09:45", True), ("10:00", True), ("10:15", True), ("10:16", False),
                                            ("11:30", False)])
def test_grace_window(arrive, on_time):
    result = check_in("2026-12-01", "10:00", at(arrive), Policy(grace_minutes=15))
    assert result.on_time is on_time
    assert result.sort_at.startswith("2026-12-01T10:00" if on_time else f"2026-12-01T{arrive}")


def test_too_early_and_another_day_are_refused():
    with pytest.raises(QueueError, match="09:45 后"):
        check_in("2026-12-01", "10:00", at("09:44"))
    with pytest.raises(QueueError, match="2026-12-02"):
        check_in("2026-12-02", "10:00", at("10:00"))
    assert not missed("2026-12-01", "10:00", at("10:15")) and missed("2026-12-01", "10:00", at("10:16"))
