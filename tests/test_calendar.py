import datetime as dt

from hall_app.domain.calendar import WorkCalendar

D = dt.date


def test_across_national_day_2026():
    due = WorkCalendar().add_working_days(D(2026, 9, 30), 5)
    assert due.date == D(2026, 10, 13)
    assert due.warnings == ()


def test_make_up_saturday_counts():
    cal = WorkCalendar()
    assert D(2026, 10, 10).weekday() == 5
    assert cal.is_working_day(D(2026, 10, 10))  # 调休 make-up Saturday
    assert not cal.is_working_day(D(2026, 10, 5))  # inside the holiday
    assert cal.add_working_days(D(2026, 10, 9), 1).date == D(2026, 10, 10)


def test_span_into_unpublished_2027_counts_weekends_only_and_warns():
    due = WorkCalendar().add_working_days(D(2026, 12, 25), 10)
    # Dec 28-31 (4), Jan 1 2027 is a Friday: unpublished, so counted as a working day.
    assert due.date == D(2027, 1, 8)
    assert len(due.warnings) == 1 and "2027" in due.warnings[0]


def test_configured_override_publishes_a_year():
    cal = WorkCalendar.from_config({"2027": {"holidays": ["2027-01-01"], "workdays": []}})
    due = cal.add_working_days(D(2026, 12, 30), 2)
    assert due.date == D(2027, 1, 4)  # Dec 31, (Jan 1 holiday), Jan 4
    assert due.warnings == ()


def test_zero_days_is_today_and_working_days_between():
    cal = WorkCalendar()
    assert cal.add_working_days(D(2026, 11, 20), 0).date == D(2026, 11, 20)
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 13)) == 5


def test_a_year_configured_with_only_holidays_or_only_workdays():
    only_off = WorkCalendar.from_config({"2099": {"holidays": ["2099-06-01"]}})
    assert not only_off.is_working_day(D(2099, 6, 1)) and only_off.is_published(2099)
    assert only_off.overrides[2099].workdays == frozenset()
    only_on = WorkCalendar.from_config({"2099": {"workdays": ["2099-06-06"]}})  # a Saturday
    assert only_on.is_working_day(D(2099, 6, 6)) and only_on.overrides[2099].holidays == frozenset()
    assert WorkCalendar.from_config(None).overrides == {} == WorkCalendar.from_config({}).overrides
