"""The clerk's own due and overdue cases on the 待跟进 list (issue 11, 限时办结): the
deadline board's rule (domain/dashboard.py clerk_due) over the demo hall on Saturday
2026-11-21, through DispatchService.follow_ups(clerk=…)."""

from __future__ import annotations

from hall_app.domain.dashboard import deadline_board
from hall_app.services.dashboard import DashboardService

ZHANGLI_DUE = {  # tracking code → (urgency, days left, working days late), most urgent first
    "4WY747652WX4": ("overdue", 0, 19),  # items due 10-26 (W03, a deferral overdue as well)
    "1L8F2YQ19NHC": ("overdue", 0, 17),  # taken at W02, still hers
    "274AYW1TET5H": ("at_risk", 1, 0),  # Monday 11-23: one working day
    "7WENGFCFE3UF": ("at_risk", 1, 0),
    "BKW37DX2F2AD": ("at_risk", 1, 0),
    "Y55BB55KBCBY": ("at_risk", 1, 0),
}


def due_rows(ctx, clerk: str, window: str | None = "W03"):
    return [(r.tracking_code, (r.due.urgency, r.due.days_left, r.due.days_late))
            for r in ctx.dispatch.follow_ups(window, named=True, clerk=clerk) if r.due is not None]


def test_the_clerk_sees_their_own_due_cases_most_urgent_first_with_the_departments(demo_ctx):
    rows = demo_ctx.dispatch.follow_ups("W03", named=True, clerk="zhangli")
    assert due_rows(demo_ctx, "zhangli") == list(ZHANGLI_DUE.items())
    assert [r.tracking_code for r in rows][:len(ZHANGLI_DUE)] == list(ZHANGLI_DUE)
    late = next(r for r in rows if r.tracking_code == "1L8F2YQ19NHC")
    assert late.window == "W02" and late.due_what == (
        "市卫生健康委（出生医学证明、预防接种证）、市医保局（城乡居民基本医疗保险参保登记、城乡居民基本医疗保险缴费）")
    # said once: the due line's items (due 10-28) not again as 已超过承诺期限, which `todo` still
    # lists; the items late since 10-30 stay flagged
    assert [f for f in late.flags if "已超过承诺期限" in f] == [
        f"事项 {name} 已超过承诺期限（2026-10-30）" for name in ("生育保险登记", "新生儿户口登记", "社会保障卡申领")]
    plain = next(r for r in demo_ctx.dispatch.follow_ups("W02", named=True) if r.tracking_code == late.tracking_code)
    assert "事项 出生医学证明 已超过承诺期限（2026-10-28）" in plain.flags and plain.due is None
    # the same lines as the supervisor's deadline board, for her cases
    board = deadline_board(DashboardService(demo_ctx).states(demo_ctx.today()), demo_ctx.today(), demo_ctx.calendar)
    assert {x.tracking_code for x in board if x.kind == "item" and x.clerk == "zhangli"} == set(ZHANGLI_DUE)


def test_handed_over_rated_and_other_clerks_cases_are_not_on_the_list(demo_ctx):
    # UWLD… is handed over and 8KNT… rated, their items due 11-25 (3 working days: in range if open)
    assert {"UWLD066UK54A", "8KNTKBWBCDXM"}.isdisjoint(code for code, _ in due_rows(demo_ctx, "zhangli", None))
    assert due_rows(demo_ctx, "wangqiang") == []  # same window, none of these is his
    listed = {r.tracking_code for r in demo_ctx.dispatch.follow_ups("W03", clerk="wangqiang")}
    assert "BKW37DX2F2AD" not in listed and "1L8F2YQ19NHC" not in listed  # due, but 张丽's


def test_a_claimed_case_moves_to_the_clerk_who_claimed_it(demo_ctx):
    case = demo_ctx.cases.by_tracking_code("BKW37DX2F2AD")
    demo_ctx.cases.claim(case.case_id, "wangqiang", force=True)
    assert due_rows(demo_ctx, "wangqiang") == [("BKW37DX2F2AD", ("at_risk", 1, 0))]
    assert "BKW37DX2F2AD" not in dict(due_rows(demo_ctx, "zhangli"))
