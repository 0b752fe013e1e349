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


def test_in_china_reads_every_stamp_on_the_hall_clock():
    from hall_app.domain.calendar import in_china

    assert in_china("2026-12-01T18:58:00.123+00:00") == "2026-12-02T02:58:00.123+08:00"  # a server's UTC stamp
    assert in_china("2026-12-01T18:58:00+00:00") == "2026-12-02T02:58:00+08:00"
    assert in_china("2026-12-02T02:58:00+08:00") == "2026-12-02T02:58:00+08:00"  # a device's: as written
    assert in_china("2026-12-02T02:58:00") == "2026-12-02T02:58:00"  # no zone: not guessed
    assert in_china("") == "" and in_china("昨天") == "昨天"


def test_the_case_timeline_shows_a_server_written_event_on_the_hall_clock(demo_ctx):
    from hall_app.domain.events import Event
    from tests.test_ratings_service import handed_over_case

    case_id = handed_over_case(demo_ctx)
    with demo_ctx.unit_of_work() as (_, repo):
        repo.add_event(Event("srv-ev-1", case_id, "server", 1, "server", "case.item_result",
                             {"item": "birth_certificate", "status": "completed"},
                             "2026-11-21T02:30:00.000+00:00"), sync_state="pulled", server_seq=10**9)
    times = {e["device"]: e["time"] for e in demo_ctx.cases.timeline(case_id)}
    assert times["server"] == "2026-11-21T10:30:00.000+08:00"


def test_a_remembering_calendar_counts_as_the_plain_one_and_keeps_each_answer():
    from hall_app.domain.calendar import MemoCalendar

    config = {"2027": {"holidays": ["2027-01-01"], "workdays": []}}
    plain, memo = WorkCalendar.from_config(config), MemoCalendar.from_config(config)
    assert memo.overrides == plain.overrides
    for start, days in ((dt.date(2026, 12, 28), 5), (dt.date(2026, 12, 31), 1), (dt.date(2026, 12, 28), 0)):
        assert memo.add_working_days(start, days) == plain.add_working_days(start, days)
    assert memo.add_working_days(dt.date(2026, 12, 28), 5).date == dt.date(2027, 1, 5)  # 1 January off
    first = memo.add_working_days(dt.date(2026, 12, 28), 5)
    assert memo.add_working_days(dt.date(2026, 12, 28), 5) is first  # remembered, not counted again
    assert sorted(memo._seen) == [(dt.date(2026, 12, 28), 0), (dt.date(2026, 12, 28), 5), (dt.date(2026, 12, 31), 1)]
    assert MemoCalendar()._seen == {} and MemoCalendar().overrides == {}  # each its own memory
    try:
        memo.add_working_days(dt.date(2026, 12, 28), -1)
    except ValueError:
        pass
    else:
        raise AssertionError("negative working days accepted")


def test_a_stamp_in_china_time():
    from hall_app.domain.calendar import in_china

    assert in_china("2026-12-02T01:30:00+00:00") == "2026-12-02T09:30:00+08:00"
    assert in_china("2026-12-02T01:30:00.123+00:00") == "2026-12-02T09:30:00.123+08:00"
    assert in_china("2026-12-02T09:30:00+08:00") == "2026-12-02T09:30:00+08:00"  # as it is
    assert in_china("2026-12-02T09:30:00") == "2026-12-02T09:30:00"  # no zone: as it is
    assert in_china("not a time") == "not a time" and in_china("") == ""
