"""Vectors for the enquiries' figures per kind (hall_app/domain/enquiry_figures.py): a
week of enquiries placed on each boundary of the period, of ``as_of`` and of the
working-day due date, counted by hand. Pure: events built here, no database."""

from __future__ import annotations

import datetime as dt

from hall_app.domain.calendar import WorkCalendar
from hall_app.domain.enquiry_figures import COLUMNS, ENQUIRY_DAYS, EnquiryFigures, enquiry_figures, total
from hall_app.domain.events import Event

CAL = WorkCalendar()
FIRST, LAST = dt.date(2026, 12, 7), dt.date(2026, 12, 11)  # Monday to Friday, no holiday
CONSULT = {"kind": "consult", "topic": "问"}
REFERRAL = {"kind": "referral", "topic": "问", "target_kind": "department", "target": "社保局", "reason": "不办理"}
UNRESOLVED = {"kind": "unresolved", "topic": "备案", "why": "平台故障"}
CLOSE = {"consult": {"result": "已答复"}, "referral": {"result": "已答复"},
         "unresolved": {"result": "已办", "action": "人工报送", "handled_by": "陈静"}}


def stream(name: str, opening: dict | None, opened_on: str, closed_on: str = "") -> list[Event]:
    out = []
    if opening is not None:
        out.append(Event(name, name, "d1", 1, "zhang", "enquiry.opened", opening, f"{opened_on}T09:00:00+08:00"))
    if closed_on:
        kind = (opening or CONSULT)["kind"]
        out.append(Event(f"{name}-c", name, "d1", 2, "zhang", "enquiry.closed", CLOSE[kind],
                         f"{closed_on}T15:00:00+08:00"))
    return out


def week() -> list[Event]:
    events = [Event("x1", "case1", "d1", 1, "zhang", "case.started", {}, "2026-12-08T09:00:00+08:00")]
    events += stream("e0", CONSULT, "someday")  # an opening with no date: counted nowhere
    events += stream("e1", {**CONSULT, "answered": True}, "2026-12-08")  # opened, answered and closed at once
    events += stream("e2", REFERRAL, "2026-12-01", "2026-12-07")  # closed on the period's first day
    events += stream("e3", REFERRAL, "2026-12-01")  # due 2026-12-08 (5 working days): overdue on the 11th
    events += stream("e4", UNRESOLVED, "2026-12-07")  # opened on the first day, due 12-14
    events += stream("e5", CONSULT, "2026-12-04")  # due 2026-12-11 = as_of: not overdue yet
    events += stream("e6", CONSULT, "2026-12-10", "2026-12-14")  # closed after the period: open on the 11th
    events += stream("e7", CONSULT, "2026-12-12")  # after the period and after as_of
    events += stream("e8", None, "", "2026-12-08")  # a closing whose opening never came: no kind
    events += stream("e10", UNRESOLVED, "2026-12-07", "2026-12-11")  # closed on the last day
    events += stream("e11", UNRESOLVED, "2026-12-11")  # opened on the last day
    events += stream("e13", CONSULT, "2026-12-09", "2026-12-10")  # opened and closed within the period
    events += stream("e12", {"kind": "chat", "topic": "问"}, "2026-12-08")  # refused opening: no known kind
    return events


def test_a_week_as_of_its_last_day():
    got = enquiry_figures(week(), FIRST, LAST, LAST, CAL)
    assert list(got) == ["consult", "referral", "unresolved"]
    assert got == {"consult": EnquiryFigures("consult", opened=3, answered_at_once=1, closed=2, still_open=2),
                   "referral": EnquiryFigures("referral", closed=1, still_open=1, open_overdue=1),
                   "unresolved": EnquiryFigures("unresolved", opened=3, closed=1, still_open=2)}
    assert total(got) == EnquiryFigures("", 6, 1, 4, 5, 1)


def test_the_same_week_as_of_its_tuesday():
    got = enquiry_figures(week(), FIRST, LAST, dt.date(2026, 12, 8), CAL)
    # still open on the 8th: e5 (consult); e3 (due the 8th itself: not overdue); e4 and e10 (closed the 11th)
    assert [(f.still_open, f.open_overdue) for f in got.values()] == [(1, 0), (1, 0), (2, 0)]
    assert [(f.opened, f.closed) for f in got.values()] == [(3, 2), (0, 1), (3, 1)]


def test_a_shorter_due_date():
    got = enquiry_figures(week(), FIRST, LAST, LAST, CAL, days=3)
    # due in 3 working days: e5 on 12-09, e3 on 12-04, e4 on 12-10 — all before the 11th; e6 and e11 not
    assert [f.open_overdue for f in got.values()] == [1, 1, 1]
    assert ENQUIRY_DAYS == 5


def test_a_period_with_nothing():
    got = enquiry_figures([], FIRST, LAST, LAST, CAL)
    assert got == {k: EnquiryFigures(k) for k in ("consult", "referral", "unresolved")}
    assert total(got) == EnquiryFigures("") and total({}) == EnquiryFigures("")


def test_labels_and_columns():
    assert COLUMNS == {"opened": "登记", "answered_at_once": "当场答复", "closed": "办结", "still_open": "未办结",
                       "open_overdue": "逾期未办结"}
    assert EnquiryFigures("referral").kind_label == "首问负责"
    assert EnquiryFigures("other").kind_label == "other"
    assert EnquiryFigures("consult", 1, 2, 3, 4, 5).values() == [1, 2, 3, 4, 5]
