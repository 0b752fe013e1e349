"""The reform's figures from case facts, against numbers worked out by hand."""

import datetime as dt

import pytest

from hall_app.domain.stats import CaseFacts, figures, grouped, month, period, trips_for

D = dt.date


def facts():
    return [
        # accepted, completed: 3 items, 8 materials of which 3 exempted, 12 fields merged of 20 separate
        CaseFacts("c1", "newborn", "W01", "zhangli", D(2026, 11, 2), "accepted", items=3, materials_required=8,
                  materials_exempted=3, fields_merged=12, fields_separate=20, statutory_days=(20, 20, 10),
                  promised_days=(5, 5, 2), completed_working_days=4, trips=trips_for(0, False)),
        # one-time notice, then accepted later (counted as accepted): 1 notice, collected later at the window
        CaseFacts("c2", "newborn", "W02", "wangfang", D(2026, 11, 2), "accepted", items=2, materials_required=5,
                  materials_exempted=1, fields_merged=8, fields_separate=10, statutory_days=(20, 15),
                  promised_days=(10, 5), completed_working_days=6, trips=trips_for(1, True)),
        CaseFacts("c3", "company_setup", "W01", "zhangli", D(2026, 11, 3), "notice", items=4, materials_required=6,
                  materials_exempted=0, fields_merged=15, fields_separate=30),
        CaseFacts("c4", "company_setup", "W01", "zhangli", D(2026, 11, 3), "refused"),
        CaseFacts("c5", "after_death", "W02", "wangfang", D(2026, 11, 4), "voided"),
        CaseFacts("c6", "after_death", "W02", "wangfang", D(2026, 11, 4), "deferred", items=5, materials_required=7,
                  materials_exempted=2, fields_merged=10, fields_separate=25, statutory_days=(30,),
                  promised_days=(15,)),
    ]


def test_totals_worked_out_by_hand():
    f = figures(facts())
    assert f.cases == 6
    assert f.outcomes == {"accepted": 2, "notice": 1, "deferred": 1, "refused": 1, "voided": 1, "open": 0}
    # 减材料: (3+1+0+2) / (8+5+6+7) = 6/26
    assert f.less_materials == pytest.approx(6 / 26)
    # 减填写: 1 - (12+8+15+10)/(20+10+30+25) = 1 - 45/85
    assert f.less_filling == pytest.approx(1 - 45 / 85)
    # 减时间 promised: 1 - (12 + 15 + 15) / (50 + 35 + 30)
    assert f.less_time_promised == pytest.approx(1 - 42 / 115)
    # 减时间 actual, completed only: 1 - (4 + 6) / (20 + 20) (longest item each)
    assert f.less_time_actual == pytest.approx(1 - 10 / 40)
    # trips: c1 one, c2 three (visit, notice, collect) → 2 per case; one visit per item would be 3 + 2
    assert f.trips == 4 and f.trips_per_case == 2 and f.less_trips == pytest.approx(1 - 4 / 5)


def test_grouped_by_window_and_day():
    by_window = grouped(facts(), "window")
    assert list(by_window) == ["W01", "W02"]
    assert by_window["W01"].cases == 3 and by_window["W01"].less_materials == pytest.approx(3 / 14)
    by_day = grouped(facts(), "day")
    assert [(k, v.cases) for k, v in by_day.items()] == [("2026-11-02", 2), ("2026-11-03", 2), ("2026-11-04", 2)]
    with pytest.raises(ValueError):
        grouped(facts(), "colour")


def test_no_data_gives_no_share_not_zero():
    f = figures([])
    assert f.cases == 0 and f.less_materials is None and f.less_time_actual is None and f.trips_per_case is None


def test_periods():
    nov = month("2026-11")
    assert (nov.first, nov.last, nov.label) == (D(2026, 11, 1), D(2026, 11, 30), "2026年11月")
    assert month("2026-12").last == D(2026, 12, 31) and month(" 2027-02 ").last == D(2027, 2, 28)
    assert D(2026, 11, 30) in nov and D(2026, 12, 1) not in nov
    for bad in ("2026/11", "2026-13", "十一月", ""):
        with pytest.raises(ValueError, match="YYYY-MM"):
            month(bad)
    with pytest.raises(ValueError, match="早于"):
        period(D(2026, 11, 30), D(2026, 11, 1))


def test_facts_are_checked():
    with pytest.raises(ValueError):
        CaseFacts("x", "b", "w", "c", D(2026, 11, 1), "lost")
    with pytest.raises(ValueError):
        CaseFacts("x", "b", "w", "c", D(2026, 11, 1), "accepted", statutory_days=(1,), promised_days=())
    with pytest.raises(ValueError):
        trips_for(-1, False)


def test_edges_a_same_day_completion_with_nothing_recorded():
    """A case completed the day it was accepted, with no items, days or trips on record."""
    bare = CaseFacts("c9", "b", "W", "u", D(2026, 11, 2), "accepted", completed_working_days=0)
    fig = figures([bare])
    assert (fig.completed, fig.completed_days, fig.completed_statutory_days) == (1, 0, 0)
    assert (fig.trips, fig.trips_separate) == (0, 1)


def test_bad_inputs_are_refused_with_their_words():
    with pytest.raises(ValueError, match=r"^unknown outcome 'lost'$"):
        CaseFacts("c", "b", "W", "u", D(2026, 11, 2), "lost")
    with pytest.raises(ValueError, match=r"^statutory and promised days must pair up per item$"):
        CaseFacts("c", "b", "W", "u", D(2026, 11, 2), "accepted", statutory_days=(1,))
    with pytest.raises(ValueError, match=r"^unknown grouping 'hall'$"):
        grouped([], "hall")
    with pytest.raises(ValueError, match=r"^notices must not be negative$"):
        trips_for(-1, False)
    with pytest.raises(ValueError, match=r"^统计期的结束日期早于开始日期$"):
        period(D(2026, 11, 2), D(2026, 11, 1))
    with pytest.raises(ValueError) as error:
        month("x" * 30)
    assert str(error.value) == f"月份应写作 YYYY-MM，例如 2026-11（收到：{'x' * 20}）"


def test_a_one_day_period_holds_its_day_only():
    day = period(D(2026, 11, 2), D(2026, 11, 2))
    assert (day.first, day.last, day.label) == (D(2026, 11, 2), D(2026, 11, 2), "2026-11-02 至 2026-11-02")
    assert D(2026, 11, 2) in day and D(2026, 11, 1) not in day and D(2026, 11, 3) not in day
    november = month("2026-11")
    assert D(2026, 11, 1) in november and D(2026, 11, 30) in november and D(2026, 10, 31) not in november
    assert "2026-11-01" not in november


@pytest.mark.parametrize("text, first, last, label", [
    ("2026-W48", dt.date(2026, 11, 23), dt.date(2026, 11, 29), "2026年第48周（2026-11-23 至 2026-11-29）"),
    (" 2026-w01 ", dt.date(2025, 12, 29), dt.date(2026, 1, 4), "2025年第1周（2025-12-29 至 2026-01-04）"),
    ("2026-W53", dt.date(2026, 12, 28), dt.date(2027, 1, 3), "2026年第53周（2026-12-28 至 2027-01-03）"),
])
def test_an_iso_week_is_monday_to_sunday(text, first, last, label):
    from hall_app.domain.stats import week

    p = week(text)
    assert (p.first, p.last, p.label) == (first, last, label)


@pytest.mark.parametrize("text", ["2026-48", "2026-W", "2026-W0", "2027-W53", "W48", "2026-W48-1", "二〇二六-W48",
                                  "2026-W48" + "x" * 30])
def test_a_week_not_written_as_yyyy_www_is_refused_in_words(text):
    from hall_app.domain.stats import week

    with pytest.raises(ValueError) as refused:
        week(text)
    assert str(refused.value) == f"周应写作 YYYY-Www，例如 2026-W48（收到：{text[:20]}）"
