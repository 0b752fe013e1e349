"""A deferral's stage under its bundle's policy (domain/deferral.py), counted on a
calendar with a week of holidays and two 调休 make-up days; the reminder event; the
承诺书's clause per policy; and `bundles check` on the policy."""

from __future__ import annotations

import datetime as dt

import pytest

from hall_app.domain.bundle import DeferralPolicy
from hall_app.domain.calendar import WorkCalendar
from hall_app.domain.case import CaseError, apply
from hall_app.domain.deferral import consequence_problem, consequence_text, reminder_problem, stage, working_days_before
from hall_app.domain.dispatch import follow_up_flags
from hall_app.domain.event_types import EventInvalid, validate_event
from hall_app.domain.events import Event
from tests.test_bundle_checks import GOOD, run_check
from tests.test_case_rules import DEFER, at

# 2030 as configured: 国庆 10-01 (Tue) .. 10-07 off; Sunday 09-29 and Saturday 10-12 are 调休 working days.
CAL = WorkCalendar.from_config({"2030": {
    "holidays": [f"2030-10-0{d}" for d in range(1, 8)], "workdays": ["2030-09-29", "2030-10-12"]}})
DEADLINE = "2030-10-08"  # Tuesday, the first working day after the holidays
TERMINATE = DeferralPolicy(remind_before_days=2, grace_days=2, on_overdue="terminate")
REVOKE = DeferralPolicy(remind_before_days=0, grace_days=0, on_overdue="revoke")
REMIND_ONLY = DeferralPolicy(remind_before_days=1, grace_days=0, on_overdue="remind_only")


def reminded(on: str) -> Event:
    payload = {"materials": ["m1", "m2"], "deadline": DEADLINE, "channel": "phone"}
    return Event(f"r{on}", "c1", "dev1", 90, "zhangli", "case.deferral_reminded", payload, f"{on}T09:30:00+08:00")


def deferred(*reminders: str):
    state = at("draft", ("case.accepted_deferred", DEFER[1] | {"deadline": DEADLINE}))
    for day in reminders:
        state = apply(state, reminded(day))
    return state


@pytest.mark.parametrize(("day", "days", "expected"), [
    ("2030-10-08", 0, "2030-10-08"),
    ("2030-10-08", 1, "2030-09-30"),  # back over the whole holiday week
    ("2030-10-08", 2, "2030-09-29"),  # the make-up Sunday counts
    ("2030-10-08", 3, "2030-09-27"),  # the Saturday before it does not
    ("2030-10-14", 1, "2030-10-12"),  # the make-up Saturday counts
])
def test_working_days_before(day, days, expected):
    assert working_days_before(CAL, dt.date.fromisoformat(day), days).isoformat() == expected


@pytest.mark.parametrize(("policy", "today", "reminders", "stage_", "action"), [
    (TERMINATE, "2030-09-28", (), "due", ""),  # Saturday: before the window (it opens on the make-up Sunday)
    (TERMINATE, "2030-09-29", (), "remind", "remind"),
    (TERMINATE, "2030-10-03", ("2030-09-30",), "reminded", ""),  # a holiday, already reminded
    (TERMINATE, "2030-10-08", (), "remind", "remind"),  # the deadline itself
    (TERMINATE, "2030-10-09", (), "overdue", "remind"),
    (TERMINATE, "2030-10-09", ("2030-09-30",), "overdue", "remind"),  # one more reminder after the deadline
    (TERMINATE, "2030-10-10", ("2030-10-09",), "overdue", ""),  # within the two grace days
    (TERMINATE, "2030-10-11", ("2030-10-09",), "consequence", "terminate"),
    (TERMINATE, "2030-10-11", (), "overdue", "remind"),  # never reminded: the reminder comes first
    (REVOKE, "2030-10-07", (), "due", ""),  # no window before: the reminder is due on the deadline
    (REVOKE, "2030-10-08", (), "remind", "remind"),
    (REVOKE, "2030-10-09", ("2030-10-08",), "consequence", "revoke"),
    (REMIND_ONLY, "2030-09-30", (), "remind", "remind"),  # one working day before the Tuesday: Monday 09-30
    (REMIND_ONLY, "2030-10-20", ("2030-09-30",), "overdue", "remind"),
    (REMIND_ONLY, "2030-10-20", ("2030-09-30", "2030-10-09"), "overdue", ""),  # never a consequence
])
def test_stage_and_next_action(policy, today, reminders, stage_, action):
    st = stage(deferred(*reminders), policy, CAL, dt.date.fromisoformat(today))
    assert st is not None and (st.stage, st.action) == (stage_, action)
    assert (reminder_problem(st) == "") == (action == "remind")
    assert (consequence_problem(st) == "") == (action in ("terminate", "revoke"))


def test_no_stage_without_a_deferral_and_the_reasons_refused():
    assert stage(at("accepted"), TERMINATE, CAL, dt.date(2030, 10, 20)) is None
    assert "无需提醒" in reminder_problem(None)
    early = stage(deferred(), TERMINATE, CAL, dt.date(2030, 9, 20))
    assert "2030-09-29 起才需提醒" in reminder_problem(early) and "尚未逾期" in consequence_problem(early)
    grace = stage(deferred("2030-10-09"), TERMINATE, CAL, dt.date(2030, 10, 10))
    assert "宽限期至 2030-10-10" in consequence_problem(grace)
    only = stage(deferred("2030-10-09"), REMIND_ONLY, CAL, dt.date(2030, 10, 20))
    assert "只提醒" in consequence_problem(only)


def test_the_flag_says_the_stage_and_the_next_step():
    today = dt.date(2030, 10, 11)
    flags = follow_up_flags(deferred("2030-10-09"), today, {"m1": "出生医学证明"},
                            stage(deferred("2030-10-09"), TERMINATE, CAL, today))
    assert flags[:1] == ["容缺材料逾期未补交（期限 2030-10-08）→终止办理：出生医学证明、m2"]
    early = dt.date(2030, 9, 29)
    assert follow_up_flags(deferred(), early, {}, stage(deferred(), TERMINATE, CAL, early))[:1] == [
        "容缺材料应提醒（期限 2030-10-08）→记录提醒：m1、m2"]


def test_the_reminder_event_is_checked_and_kept():
    state = deferred("2030-10-09")
    assert [r["channel"] for r in state.deferral_reminders] == ["phone"]
    with pytest.raises(CaseError, match="无需提醒"):
        apply(at("accepted"), reminded("2030-10-09"))
    with pytest.raises(EventInvalid):
        validate_event("case.deferral_reminded", {"materials": ["m1"], "deadline": DEADLINE, "channel": "fax"})
    with pytest.raises(EventInvalid):
        validate_event("case.deferral_reminded", {"materials": [], "deadline": DEADLINE, "channel": "sms"})


@pytest.mark.parametrize(("policy", "words"), [
    (TERMINATE, ("届满前 2 个工作日", "期限届满后 2 个工作日内仍未补交", "终止办理")),
    (REVOKE, ("届满当日", "撤销已作出的受理决定")),
    (REMIND_ONLY, ("再次提醒", "待材料补齐后继续办理")),
])
def test_the_commitment_clause_follows_the_policy(policy, words):
    text = consequence_text(policy)
    assert all(w in text for w in words), text


def test_bundles_check_reads_and_refuses_the_policy(tmp_path):
    entries, problems = run_check(tmp_path, GOOD)
    assert problems == [] and entries[0].bundle.deferral == DeferralPolicy()  # the defaults
    good = GOOD + '\n[deferral]\ndays = 15\nremind_before_days = 3\ngrace_days = 5\non_overdue = "revoke"\n'
    entries, problems = run_check(tmp_path, good)
    assert problems == [] and entries[0].bundle.deferral.on_overdue == "revoke"
    for bad, words in (('on_overdue = "warn"', "on_overdue"), ("days = 2\nremind_before_days = 2", "提前提醒"),
                       ("grace_days = -1", "grace_days")):
        _, problems = run_check(tmp_path, GOOD + f"\n[deferral]\n{bad}\n")
        assert any(words in f"{p.path} {p.reason}" for p in problems), problems


def test_a_deferred_material_is_supplied_after_the_departments_finished():
    """Found in the walkthrough: the simulated departments completed a deferred case, and
    补交 (offered in the case view) was then refused: 办件当前状态为“已办结”."""
    from tests.test_case_rules import DISPATCH, DONE_A, DONE_B, ev

    state = at("draft", DEFER, DISPATCH, DONE_A, DONE_B)
    assert state.status == "completed" and state.deferred == ["m1", "m2"]
    state = apply(state, ev("case.deferred_supplied", {"material": "m1"}))
    assert state.deferred == ["m2"] and state.status == "completed"
