"""The deadline board's edges, worked out by hand on a calendar we control: 2030 is
unknown to chinesecalendar, so the override below is the whole truth — National Day
Tue 10-01 … Mon 10-07 off, Saturday 10-12 a make-up working day."""

from __future__ import annotations

import datetime as dt

import pytest

from hall_app.domain.calendar import WorkCalendar
from hall_app.domain.case_state import CaseState
from hall_app.domain.dashboard import clerk_due, deadline_board, urgency

CAL = WorkCalendar.from_config({"2030": {
    "holidays": [f"2030-10-0{d}" for d in range(1, 8)], "workdays": ["2030-10-12"]}})
D = dt.date.fromisoformat


@pytest.mark.parametrize("today, due, expected", [
    ("2030-09-27", "2030-09-26", ("overdue", 0)),  # yesterday
    ("2030-09-27", "2030-09-27", ("today", 0)),
    ("2030-09-27", "2030-09-30", ("at_risk", 1)),  # Friday → Monday: one working day
    ("2030-09-27", "2030-10-08", ("at_risk", 2)),  # Mon 09-30, then the holiday, then Tue 10-08
    ("2030-09-30", "2030-10-07", ("at_risk", 0 + 0)),  # due on the last holiday: no working day between
    ("2030-10-08", "2030-10-11", ("at_risk", 3)),  # Wed, Thu, Fri: exactly the limit
    ("2030-10-08", "2030-10-12", None),  # the make-up Saturday counts: 4 working days
    ("2030-10-08", "2030-10-13", None),
    ("2030-10-10", "2030-10-13", ("at_risk", 2)),  # Fri, make-up Sat; Sunday not counted
])
def test_urgency_in_working_days(today, due, expected):
    assert urgency(D(due), D(today), CAL, 3) == expected


def case(cid: str, status: str, **more) -> CaseState:
    return CaseState(case_id=cid, tracking_code=cid.upper(), bundle_code="newborn", window="W03",
                     status=status, **({"created_by": "zhangli"} | more))


def test_board_lists_open_items_deferrals_and_notices_most_urgent_first():
    states = [
        case("a", "dispatched", items={"x": {"status": "dispatched", "due": "2030-10-08"},
                                       "y": {"status": "completed", "due": "2030-09-20"}}),  # done item ignored
        case("b", "accepted_deferred", items={"x": {"status": "pending", "due": "2030-11-20"}},
             deferred=["birth_medical_info"], deferred_deadline="2030-09-27"),
        case("c", "notice_issued", notices=[{"missing": ["m1"], "deadline": "2030-09-20"},
                                            {"missing": ["m1", "m2"], "deadline": "2030-09-30"}]),
        case("d", "voided", items={"x": {"status": "pending", "due": "2030-09-01"}}),
        case("e", "completed", items={"x": {"status": "completed", "due": "2030-09-01"}}),
        case("f", "accepted", items={"x": {"status": "pending", "due": "2030-09-26"},
                                     "z": {"status": "pending", "due": "2030-09-26"}}),
        case("g", "accepted", items={"x": {"status": "pending", "due": "2030-10-09"}}),  # 3 working days: in
        case("h", "accepted", items={"x": {"status": "pending", "due": "2030-10-10"}}),  # 4: out
    ]
    board = deadline_board(states, D("2030-09-27"), CAL, 3)
    assert [(x.case_id, x.kind, x.urgency, x.days_left, x.what) for x in board] == [
        ("f", "item", "overdue", 0, "x、z"),
        ("b", "deferred", "today", 0, "birth_medical_info"),
        ("c", "notice", "at_risk", 1, "m1、m2"),  # the latest notice's deadline
        ("a", "item", "at_risk", 2, "x"),
        ("g", "item", "at_risk", 3, "x"),
    ]


def test_a_clerks_own_due_list_is_the_boards_rule_for_the_cases_they_have():
    """Today Fri 2030-10-11 (the calendar above). Lateness counts working days only, so
    the National Day week is not in it; the make-up Saturday 10-12 counts ahead."""
    item = {"status": "pending"}
    states = [
        case("a", "dispatched", items={"x": item | {"due": "2030-09-30"}}),  # Mon before the holiday
        case("b", "accepted", items={"x": item | {"due": "2030-10-11"}}),  # today
        case("c", "accepted", items={"x": item | {"due": "2030-10-12"}}),  # the make-up Saturday: 1
        case("d", "accepted", items={"x": item | {"due": "2030-10-16"}}),  # Sat 12, Mon 14, Tue 15, Wed 16: 4, out
        case("e", "accepted", items={"x": item | {"due": "2030-10-10"}}, claimed_by="lisi"),  # claimed away
        case("f", "accepted", created_by="lisi", claimed_by="zhangli",
             items={"x": item | {"due": "2030-10-08"}}),  # claimed from lisi: mine
        case("g", "handed_over", items={"x": {"status": "completed", "due": "2030-09-01"}}),
        case("h", "terminated", items={"x": item | {"due": "2030-09-01"}}),
        case("i", "accepted_deferred", items={"x": item | {"due": "2030-10-15"}},  # 3 working days: in
             deferred=["m"], deferred_deadline="2030-10-11"),  # its deferral is not this list's
    ]
    due = clerk_due(states, "zhangli", D("2030-10-11"), CAL, 3)
    assert [(x.case_id, x.urgency, x.days_left, x.days_late) for x in due] == [
        ("a", "overdue", 0, 4),  # Tue 10-08, Wed, Thu, Fri: the holiday days are not counted
        ("f", "overdue", 0, 3),
        ("b", "today", 0, 0),
        ("c", "at_risk", 1, 0),
        ("i", "at_risk", 3, 0),
    ]
    assert all(x.kind == "item" for x in due)
    assert [x.case_id for x in clerk_due(states, "lisi", D("2030-10-11"), CAL, 3)] == ["e"]
