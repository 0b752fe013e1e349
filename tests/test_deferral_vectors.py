"""domain/deferral.py vector by vector, on test_deferral_domain.py's calendar (a holiday
week and two 调休 days): each stage whole, the flag, the two problems and the 承诺书's
clause word for word, the reminder event's refusals and what it keeps."""

from __future__ import annotations

import datetime as dt

import pytest

from hall_app.domain.case import CaseError, apply
from hall_app.domain.deferral import (
    DeferralStage,
    consequence_problem,
    consequence_text,
    flag,
    reminder_problem,
    stage,
)
from hall_app.domain.events import Event
from tests.test_deferral_domain import CAL, REMIND_ONLY, REVOKE, TERMINATE, deferred, reminded

D = dt.date


def st(*reminders: str, today: str, policy=TERMINATE) -> DeferralStage:
    got = stage(deferred(*reminders), policy, CAL, D.fromisoformat(today))
    assert got is not None
    return got


@pytest.mark.parametrize(("reminders", "today", "policy", "whole"), [
    ((), "2030-09-27", TERMINATE, ("due", D(2030, 10, 8), D(2030, 9, 29), D(2030, 10, 10), "", "", "terminate")),
    (("2030-09-30", "2030-10-09"), "2030-10-10", TERMINATE,
     ("overdue", D(2030, 10, 8), D(2030, 9, 29), D(2030, 10, 10), "2030-10-09", "", "terminate")),
    (("2030-10-09", "2030-09-30"), "2030-10-11", TERMINATE,
     ("consequence", D(2030, 10, 8), D(2030, 9, 29), D(2030, 10, 10), "2030-10-09", "terminate", "terminate")),
    (("2030-10-08",), "2030-10-08", TERMINATE,  # a reminder on the deadline is before it
     ("reminded", D(2030, 10, 8), D(2030, 9, 29), D(2030, 10, 10), "2030-10-08", "", "terminate")),
    (("2030-10-08",), "2030-10-09", REVOKE,
     ("consequence", D(2030, 10, 8), D(2030, 10, 8), D(2030, 10, 8), "2030-10-08", "revoke", "revoke")),
    (("2030-10-08",), "2030-10-08", REVOKE,
     ("reminded", D(2030, 10, 8), D(2030, 10, 8), D(2030, 10, 8), "2030-10-08", "", "revoke")),
    (("2030-10-08",), "2030-10-09", REMIND_ONLY,
     ("overdue", D(2030, 10, 8), D(2030, 9, 30), D(2030, 10, 8), "2030-10-08", "remind", "remind_only")),
])
def test_a_stage_whole(reminders, today, policy, whole):
    got = st(*reminders, today=today, policy=policy)
    assert (got.stage, got.deadline, got.remind_from, got.grace_end, got.reminded, got.action,
            got.on_overdue) == whole


def test_a_reminder_without_a_readable_time_is_not_counted():
    state = deferred()
    state = apply(state, Event("r1", "c1", "dev1", 91, "zhangli", "case.deferral_reminded",
                               {"materials": ["m1"], "channel": "sms"}, "坏"))
    got = stage(state, TERMINATE, CAL, D(2030, 10, 11))
    assert got is not None and (got.stage, got.reminded, got.action) == ("overdue", "", "remind")


@pytest.mark.parametrize("status", ["terminated", "voided", "refused"])
def test_no_stage_once_the_case_ended_or_without_a_deadline(status):
    state = deferred()
    state.status = status
    assert stage(state, TERMINATE, CAL, D(2030, 10, 9)) is None
    bare = deferred()
    bare.deferred_deadline = ""
    assert stage(bare, TERMINATE, CAL, D(2030, 10, 9)) is None
    assert stage(deferred(), TERMINATE, CAL, D(2030, 10, 9)) is not None


@pytest.mark.parametrize(("reminders", "today", "policy", "label", "line", "reminder", "consequence"), [
    ((), "2030-09-27", TERMINATE, "待补交", "容缺材料待补交（期限 2030-10-08）：x",
     "补交期限 2030-10-08，2030-09-29 起才需提醒", "容缺材料尚未逾期（补交期限 2030-10-08），不能终止办理"),
    ((), "2030-09-29", TERMINATE, "应提醒", "容缺材料应提醒（期限 2030-10-08）→记录提醒：x",
     "", "容缺材料尚未逾期（补交期限 2030-10-08），不能终止办理"),
    (("2030-09-30",), "2030-10-03", TERMINATE, "已提醒", "容缺材料已提醒（期限 2030-10-08，2030-09-30 已提醒）：x",
     "已于 2030-09-30 提醒过申请人，期满后按承诺书处理", "容缺材料尚未逾期（补交期限 2030-10-08），不能终止办理"),
    ((), "2030-10-09", TERMINATE, "已逾期", "容缺材料逾期未补交（期限 2030-10-08，宽限至 2030-10-10）→记录提醒：x",
     "", "承诺书约定先提醒后处理：请先记录提醒申请人"),
    (("2030-09-30", "2030-10-09"), "2030-10-10", TERMINATE, "已逾期",
     "容缺材料逾期未补交（期限 2030-10-08，宽限至 2030-10-10，2030-10-09 已提醒）：x",
     "已于 2030-10-09 提醒过申请人，期满后按承诺书处理", "宽限期至 2030-10-10，期满仍未补交才能终止办理"),
    (("2030-09-30", "2030-10-09"), "2030-10-11", TERMINATE, "应终止办理",
     "容缺材料逾期未补交（期限 2030-10-08）→终止办理：x",
     "已于 2030-10-09 提醒过申请人", ""),
    (("2030-10-08",), "2030-10-09", REVOKE, "应撤销受理", "容缺材料逾期未补交（期限 2030-10-08）→撤销受理：x",
     "已于 2030-10-08 提醒过申请人", ""),
    ((), "2030-10-09", REVOKE, "已逾期", "容缺材料逾期未补交（期限 2030-10-08）→记录提醒：x",
     "", "承诺书约定先提醒后处理：请先记录提醒申请人"),
    (("2030-10-08", "2030-10-09"), "2030-10-20", REMIND_ONLY, "已逾期",
     "容缺材料逾期未补交（期限 2030-10-08，2030-10-09 已提醒）：x",
     "已于 2030-10-09 提醒过申请人，期满后按承诺书处理", "本套餐的容缺受理承诺书约定逾期只提醒，不终止办理"),
])
def test_the_line_and_the_problems_word_for_word(reminders, today, policy, label, line, reminder, consequence):
    got = st(*reminders, today=today, policy=policy)
    assert (got.label, flag(got, "x"), reminder_problem(got), consequence_problem(got)) == (
        label, line, reminder, consequence)
    assert got.action_label == {"remind": "记录提醒", "terminate": "终止办理", "revoke": "撤销受理", "": ""}[got.action]


def test_the_problems_without_a_stage():
    assert reminder_problem(None) == "该办件没有待补交的容缺材料，无需提醒"
    assert consequence_problem(None) == "容缺材料尚未逾期（或已补齐），不能终止办理"


@pytest.mark.parametrize(("policy", "text"), [
    (TERMINATE, "补交期限届满前 2 个工作日起，窗口提醒申请人补交；期限届满后 2 个工作日内仍未补交的，"
                "视为未提交申请材料，终止办理，并书面通知申请人。申请人作出不实承诺的，依法记入信用记录。"),
    (REVOKE, "补交期限届满当日，窗口提醒申请人补交；期限届满仍未补交的，撤销已作出的受理决定，"
             "并书面通知申请人。申请人作出不实承诺的，依法记入信用记录。"),
    (REMIND_ONLY, "补交期限届满前 1 个工作日起，窗口提醒申请人补交；逾期未补交的，窗口再次提醒，"
                  "相关事项待材料补齐后继续办理。申请人作出不实承诺的，依法记入信用记录。"),
])
def test_the_commitment_clause_word_for_word(policy, text):
    assert consequence_text(policy) == text


@pytest.mark.parametrize(("status", "materials", "message"), [
    ("handed_over", ["m1"], "该办件没有待补交的容缺材料，无需提醒"),
    ("rated", ["m1"], "该办件没有待补交的容缺材料，无需提醒"),
    ("voided", ["m1"], "该办件没有待补交的容缺材料，无需提醒"),
    ("terminated", ["m1"], "该办件没有待补交的容缺材料，无需提醒"),
    ("refused", ["m1"], "该办件没有待补交的容缺材料，无需提醒"),
    ("accepted_deferred", [], "提醒须写明待补交的材料"),
    ("accepted_deferred", "m1", "提醒须写明待补交的材料"),
])
def test_a_reminder_is_refused_in_words(status, materials, message):
    state = deferred()
    state.status = status
    event = Event("r2", "c1", "dev1", 92, "zhangli", "case.deferral_reminded", {"materials": materials},
                  "2030-10-01T09:00:00+08:00")
    with pytest.raises(CaseError) as error:
        apply(state, event)
    assert str(error.value) == message


def test_a_reminder_keeps_who_when_how_and_what():
    state = apply(deferred(), reminded("2030-10-09"))
    assert state.deferral_reminders == [{"at": "2030-10-09T09:30:00+08:00", "by": "zhangli", "channel": "phone",
                                         "materials": ["m1", "m2"], "note": ""}]
    bare = apply(deferred(), Event("r3", "c1", "dev1", 93, "lisi", "case.deferral_reminded",
                                   {"materials": ["m1"], "note": "n"}, "2030-10-09T10:00:00+08:00"))
    assert bare.deferral_reminders == [{"at": "2030-10-09T10:00:00+08:00", "by": "lisi", "channel": "",
                                        "materials": ["m1"], "note": "n"}]
    supplied = apply(deferred(), Event("s", "c1", "dev1", 94, "a", "case.deferred_supplied", {"material": "m1"},
                                       "2030-10-02T10:00:00+08:00"))
    assert apply(supplied, reminded("2030-10-09")).deferral_reminders[0]["materials"] == ["m1", "m2"]
