"""好差评 rules: what a rating may say, and the follow-up of a bad one (hand-computed dates)."""

import datetime as dt
from dataclasses import replace

import pytest

from hall_app.domain.calendar import WorkCalendar
from hall_app.domain.rating import (
    UNRATED,
    FollowUp,
    RatingError,
    Step,
    advance,
    figures,
    follow_up_of,
    make_rating,
    open_follow_up,
)

D = dt.date
CAL = WorkCalendar()


def test_five_levels_and_unrated():
    assert make_rating(5).label == "非常满意"
    assert make_rating(1).bad and make_rating(2).bad and not make_rating(3).bad
    assert make_rating(None).label == UNRATED and not make_rating(None).bad
    for bad in (0, 6, "5", 4.0, True, -1):
        with pytest.raises(RatingError, match="五级之一"):
            make_rating(bad)


def test_reasons_follow_the_level_and_dimensions_are_the_three():
    r = make_rating(2, {"服务效率": 2}, ["多次跑动", "等候时间长", "多次跑动"], "跑了三趟。")
    assert r.reasons == ("多次跑动", "等候时间长") and r.comment == "跑了三趟。"
    with pytest.raises(RatingError, match="不能选择理由：多次跑动"):
        make_rating(5, reasons=["多次跑动"])
    with pytest.raises(RatingError, match="没有“颜值”这一评价维度"):
        make_rating(4, {"颜值": 5})
    with pytest.raises(RatingError, match="五级之一"):
        make_rating(4, {"服务态度": 9})
    with pytest.raises(RatingError, match="未评价时"):
        make_rating(None, reasons=["一次办成"])
    with pytest.raises(RatingError, match="500"):
        make_rating(3, comment="长" * 501)


def test_bad_rating_follow_up_due_in_working_days_across_national_day():
    # Rated 2026-09-29 (Tue). 15 working days: 9-30, then 10-8, 10-9, 10-10 (make-up
    # Saturday), 10-12 … 10-16, 10-19 … 10-23, 10-26 → due Monday 2026-10-26.
    f = open_follow_up("r1", make_rating(1), "chenjing", "2026-09-29T16:00:00+08:00", CAL)
    assert f.due == D(2026, 10, 26) and f.state_label == "待核实"
    assert not f.overdue(D(2026, 10, 26)) and f.overdue(D(2026, 10, 27))
    assert open_follow_up("r1", make_rating(2), "c", "2026-09-29T09:00", CAL, days=1).due == D(2026, 9, 30)
    with pytest.raises(RatingError, match="只有"):
        open_follow_up("r2", make_rating(3), "c", "2026-09-29T09:00", CAL)


def test_follow_up_steps_in_order_each_with_a_note():
    f = open_follow_up("r1", make_rating(1), "chenjing", "2026-11-02T10:00", CAL)
    with pytest.raises(RatingError, match="下一步应为：核实"):
        advance(f, "closed", "chenjing", "2026-11-03T10:00", "已处理")
    with pytest.raises(RatingError, match="情况说明"):
        advance(f, "verified", "chenjing", "2026-11-03T10:00", "  ")
    f = advance(f, "verified", "chenjing", "2026-11-03T10:00", "调取录像，窗口确有推诿")
    with pytest.raises(RatingError, match="下一步应为：申诉、解释说明、整改"):
        advance(f, "revisited", "chenjing", "2026-11-03T11:00", "x")
    f = advance(f, "rectified", "chenjing", "2026-11-04T10:00", "窗口人员培训，一次性告知单补全")
    f = advance(f, "revisited", "chenjing", "2026-11-05T10:00", "群众表示认可")
    with pytest.raises(RatingError, match="处理结果"):
        advance(f, "closed", "chenjing", "2026-11-05T11:00")
    f = advance(f, "closed", "chenjing", "2026-11-05T11:00", "整改完成")
    assert f.closed and f.resolution == "rectified" and f.on_time() and [s.step for s in f.steps] == [
        "opened", "verified", "rectified", "revisited", "closed"]
    with pytest.raises(RatingError, match="已办结"):
        advance(f, "verified", "chenjing", "2026-11-06T10:00", "again")
    with pytest.raises(RatingError, match="未知"):
        advance(f, "opened", "chenjing", "2026-11-06T10:00", "x")


def test_step_before_the_previous_one_is_refused():
    f = open_follow_up("r1", make_rating(1), "c", "2026-11-02T10:00", CAL)
    with pytest.raises(RatingError, match="早于"):
        advance(f, "verified", "c", "2026-11-01T10:00", "x")


def test_figures_from_ratings_and_follow_ups():
    ratings = [make_rating(5), make_rating(5), make_rating(4), make_rating(3), make_rating(2), make_rating(1),
               make_rating(None), make_rating(None)]
    on_time = open_follow_up("a", make_rating(1), "c", "2026-11-02T10:00", CAL)
    for step, day in (("verified", 3), ("explained", 4), ("revisited", 5), ("closed", 6)):
        on_time = advance(on_time, step, "c", f"2026-11-{day:02d}T10:00", "说明")
    # 10-10 (make-up Saturday) is the 1st working day, 10-29 the 15th.
    late_open = open_follow_up("b", make_rating(2), "c", "2026-10-09T10:00", CAL)
    assert late_open.due == D(2026, 10, 29)
    fig = figures(ratings, [on_time, late_open], D(2026, 11, 6))
    assert fig.total == 8 and fig.rated == 6
    assert list(fig.distribution.items()) == [("非常满意", 2), ("满意", 1), ("基本满意", 1), ("不满意", 1),
                                              ("非常不满意", 1), ("未评价", 2)]
    assert fig.good_share == pytest.approx(3 / 6) and fig.bad == 2
    assert (fig.follow_ups_closed, fig.follow_ups_on_time, fig.follow_ups_open, fig.follow_ups_overdue) == (1, 1, 1, 1)
    assert fig.on_time_share == 1.0
    assert figures([], [], D(2026, 11, 6)).good_share is None


# -- exact words and the follow-up as stored on a case (mutation survivors) -----------------------
def _error(call, *args, **kwargs) -> str:
    with pytest.raises(RatingError) as error:
        call(*args, **kwargs)
    return str(error.value)


def test_every_refusal_in_exact_words():
    assert _error(make_rating, 0) == "评价等级应为五级之一：非常满意、满意、基本满意、不满意、非常不满意"
    assert _error(make_rating, None, comment="好") == "未评价时不能选择评价项"
    assert _error(make_rating, None, {"服务态度": 5}) == _error(make_rating, None, reasons=["一次办成"])
    assert _error(make_rating, 4, {"颜值": 5}) == "没有“颜值”这一评价维度（可选：服务态度、服务效率、服务水平）"
    assert _error(make_rating, 5, reasons=["多次跑动", "态度生硬"]) == "“非常满意”不能选择理由：多次跑动、态度生硬"
    assert _error(make_rating, 5, comment="字" * 501) == "留言最多 500 字"
    assert make_rating(5, comment="字" * 500).comment == "字" * 500
    assert make_rating(4, {"服务态度": 4}).dimensions == {"服务态度": 4}
    assert make_rating(4).dimensions == {}
    good = make_rating(4)
    at = "2026-11-02T10:00"
    assert _error(open_follow_up, "r", good, "c", at, CAL) == "只有“不满意”“非常不满意”的评价需要整改回访"
    assert _error(open_follow_up, "r", make_rating(1), "c", at, CAL, days=0) == "整改期限至少 1 个工作日"


def test_each_step_keeps_who_when_and_the_note_and_the_refusals_are_exact():
    f = open_follow_up("r9", make_rating(1), "chenjing", "2026-11-02T10:00", CAL)
    assert (f.rating_id, f.opened_on) == ("r9", D(2026, 11, 2))
    assert f.steps == (Step("opened", "chenjing", "2026-11-02T10:00"),)
    f = advance(f, "verified", "lisi", "2026-11-03T10:00", "已核实")
    assert f.steps[-1] == Step("verified", "lisi", "2026-11-03T10:00", "已核实")
    assert _error(advance, f, "explained", "c", "2026-11-04T10:00") == "请填写本步骤的情况说明"
    f = advance(f, "explained", "c", "2026-11-04T10:00", "政策如此")
    assert _error(advance, f, "revisited", "c", "2026-11-04T11:00", " ") == "回访须写明群众意见"
    assert _error(advance, f, "revisited", "c", "2026-11-03T23:00", "x") == "步骤时间早于上一步骤"
    f = advance(f, "revisited", "c", "2026-11-04T12:00", "满意")
    assert _error(advance, f, "closed", "c", "2026-11-04T13:00") == "办结须写明处理结果"
    f = advance(f, "closed", "c", "2026-11-05T09:00", "已办结")
    assert _error(advance, f, "verified", "c", "2026-11-06T10:00", "x") == "该差评整改已办结"
    assert _error(advance, f, "bogus", "c", "2026-11-06T10:00", "x") == "未知的整改步骤：bogus"


def test_closed_late_is_overdue_and_not_on_time_open_is_never_on_time():
    f = FollowUp("r", D(2026, 11, 2), D(2026, 11, 5), (Step("opened", "c", "2026-11-02T10:00"),))
    assert not f.on_time() and f.closed_on is None
    assert not f.overdue(D(2026, 11, 5)) and f.overdue(D(2026, 11, 6))
    late = replace(f, steps=f.steps + (Step("closed", "c", "2026-11-06T10:00", "x"),))
    assert late.closed_on == D(2026, 11, 6)
    assert late.overdue(D(2026, 11, 1))  # closed after the due date: overdue whatever today is
    assert not late.on_time()
    in_time = replace(f, steps=f.steps + (Step("closed", "c", "2026-11-05T18:00", "x"),))
    assert in_time.on_time() and not in_time.overdue(D(2026, 12, 31))


def test_the_follow_up_read_back_from_a_case():
    assert follow_up_of({}) is None and follow_up_of(None) is None  # type: ignore[arg-type]
    assert follow_up_of({"level": 1}) is None
    assert follow_up_of({"follow_up": {"steps": []}}) is None
    rating = {"case_id": "c7", "level": 1, "follow_up": {"due": "2026-11-20", "steps": [
        {"step": "opened", "actor": "chenjing", "at": "2026-11-02T10:00"},
        {"step": "verified", "actor": "lisi", "at": "2026-11-03T10:00", "note": "已核实"}]}}
    f = follow_up_of(rating)
    assert f == FollowUp("c7", D(2026, 11, 2), D(2026, 11, 20), (
        Step("opened", "chenjing", "2026-11-02T10:00", ""), Step("verified", "lisi", "2026-11-03T10:00", "已核实")))
    # a record with missing or unreadable parts still reads: due falls back to the opening day
    odd = follow_up_of({"follow_up": {"steps": [{"at": "昨天"}], "due": "x"}})
    assert odd == FollowUp("", D.min, D.min, (Step("", "", "昨天", ""),))
    undated = follow_up_of({"follow_up": {"steps": [{"step": "opened"}]}})
    assert undated is not None and undated.steps == (Step("opened", "", "", ""),)
    no_due = follow_up_of({"follow_up": {"steps": [{"step": "opened", "at": "2026-11-02T10:00"}]}})
    assert no_due is not None and no_due.due == D(2026, 11, 2)


def test_figures_count_each_level_and_the_share_of_good():
    fig = figures([make_rating(5), make_rating(1), make_rating(2)], [], D(2026, 11, 6))
    assert fig.good_share == pytest.approx(1 / 3)
    assert fig.distribution == {"非常满意": 1, "满意": 0, "基本满意": 0, "不满意": 1, "非常不满意": 1, "未评价": 0}
    assert fig.on_time_share is None
