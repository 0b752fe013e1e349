"""The golden day: Tuesday 2026-09-29, the last working day before National Day, made
through the services with a clock we step by hand, then read back by the dashboard
service and the report. Every expected figure below is worked out by hand.

The 2026 calendar (chinesecalendar): 10-01 … 10-07 off, Thursday 10-08 and Friday
10-09 working, Saturday 10-10 a make-up working day, Sunday 10-11 off.

The day's cases (newborn bundle):
  A  W03 zhangli  accepted and dispatched        items due +1 / +3 working days → 09-30 / 10-09
  B  W03 zhangli  one-time notice (李娜)          补正 +5 working days: 09-30, 10-08, 10-09, 10-10, 10-12
  C  W05 chenjing accepted with deferred materials  items 09-30 …; deferral +10 working days → 10-19
  D  W05 chenjing refused, then rated 不满意       follow-up +15 working days → 10-26
  E  W03 zhangli  a draft
  F  W03 zhangli  voided
  G  W03 zhangli  started 09-21, done, handed over 09-28, rated 非常满意 on the day

The enquiries without a case ([deadlines] enquiry_days: 5 working days to close):
  Q1 09-29 zhangli  咨询 answered at once
  Q2 09-29 zhangli  咨询 to be called back, still open   due 09-30, 10-08, 10-09, 10-10, 10-12
  Q3 09-29 chenjing 首问负责 referral, closed 16:00 the same day
  Q4 09-29 zhangli  办不成事, still open
  Q5 09-21 zhangli  首问负责 referral, still open     due 09-22, 09-23, 09-24, 09-28, 09-29 (Friday
                                                    09-25 is Mid-Autumn): overdue from 09-30
"""

from __future__ import annotations

import datetime as dt

import pytest

from hall_app.config import Settings
from hall_app.domain.stats import period
from hall_app.services.context import CHINA, HallContext
from hall_app.services.dashboard import DashboardService
from hall_app.services.demo import LI_NA, LIU_YANG, SUN_HAO, DemoSeeder
from hall_app.services.reports import ReportService

FULL = {"born_locally": "是", "both_local": "是", "follow": "随父", "parents_married": "是",
        "mother_employee_insured": "是", "want_medical_insurance": "是", "pay_now": "是", "want_ss_card": "是"}
FORM = {"baby_name": "刘思远", "baby_sex": "男", "baby_birth_date": "2026-09-15", "birth_place": "江津区妇幼保健院",
        "delivery": "邮政寄递", "insurance_grade": "一档"}
ALL_IN = {"birth_medical_info": "handed_in", "maternity_bill": "handed_in", "baby_photo": "handed_in",
          "bank_card": "handed_in"}
D = dt.date.fromisoformat


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 9, 21, 9, 0, tzinfo=CHINA)

    def __call__(self) -> dt.datetime:
        return self.now

    def at(self, stamp: str) -> None:
        self.now = dt.datetime.fromisoformat(stamp).replace(tzinfo=CHINA)


def newborn(ctx, clerk, applicant, answers, marks, fields, window) -> str:
    cases = ctx.cases
    cid = cases.start("newborn", clerk, window=window).case_id
    cases.set_applicant_id(cid, clerk, applicant)
    for q, v in answers.items():
        cases.answer(cid, clerk, q, v)
    for m, s in marks.items():
        cases.mark_material(cid, clerk, m, s)
    for k, v in fields.items():
        cases.set_field(cid, clerk, k, v)
    return cid


def visit(ctx, clock, at: str, window: str, clerk: str, level: int | None, cases=(), reasons=(),
          how: str = "chosen") -> str:
    """A visit at ``window`` finished by ``clerk`` at ``at`` and rated ``level`` on the window's
    pad (None: 未评价), in the hall's own queue file; its ticket id."""
    from hall_app.services.queue import LocalQueue, queue_path

    clock.at(at)
    path = queue_path(ctx.settings.db_path)
    desk = LocalQueue(path, hall=ctx.settings.hall, window=window, user=clerk, clock=clock)
    if not desk.lines():
        desk.set_line("personal", "综合窗口·个人", "A")
    if window not in {w.window for w in desk.windows()}:
        desk.set_window(window, window, {"personal": 1})
    if next(w for w in desk.windows() if w.window == window).state != "open":
        desk.open_window()
    desk.issue_ticket("A")
    desk.call_next()
    desk.start_serving()
    ticket = desk.finish(cases=list(cases)).ticket
    pad = LocalQueue(path, hall=ctx.settings.hall, window=window, kind="pad", clock=clock)
    pad.rate_visit(ticket, level, reasons=list(reasons), how=how)
    pad.close()
    desk.close()
    return ticket


def make_golden(path, visits: bool = False):
    """The golden day (module docstring); with ``visits``, the rate pads' visits as well
    (test_the_golden_visits_*: V0 … V3)."""
    clock = Clock()
    ctx = HallContext(Settings(db=str(path)), clock=clock)
    DemoSeeder(ctx)._reference_data()  # users, windows, people and e-licences; no demo cases
    cases, ids = ctx.cases, {}
    # G: started the week before, finished, handed over the day before
    ids["G"] = newborn(ctx, "zhangli", LIU_YANG, FULL, ALL_IN, FORM, "W03")
    ctx.enquiries.add("zhangli", "referral", "公积金提取", target_kind="hall", target="江津区公积金中心",
                      reason="公积金不在本大厅办理")
    cases.accept(ids["G"], "zhangli")
    cases.dispatch(ids["G"], "zhangli")
    clock.at("2026-09-24T15:00")
    for item in cases.get(ids["G"]).items:
        cases.record_item_result(ids["G"], "dept-system", item, "completed")
    if visits:  # V0: a consultation at W03, no case, rated 非常不满意
        ids["V0"] = visit(ctx, clock, "2026-09-24T15:30", "W03", "zhangli", 1, reasons=["等候时间长"])
    clock.at("2026-09-28T10:00")
    cases.hand_over(ids["G"], "zhangli", "window")
    if visits:
        ctx.ratings.advance_visit(ids["V0"], "chenjing", "verified", "调取录像，属实")
    # the golden day
    clock.at("2026-09-29T09:00")
    e = ctx.enquiries
    e.add("zhangli", "consult", "新生儿落户要带什么？", answered=True)
    e.add("zhangli", "consult", "独生子女证还要不要办？", phone="13800001111")
    ids["Q3"] = e.add("chenjing", "referral", "社保卡补办", target_kind="department", target="市社保局三楼",
                      reason="本窗口不办理社保卡").enquiry_id
    e.add("zhangli", "unresolved", "异地医保备案提交失败", why="省平台故障")
    ids["A"] = newborn(ctx, "zhangli", LIU_YANG, FULL, ALL_IN, FORM, "W03")
    cases.accept(ids["A"], "zhangli")
    cases.dispatch(ids["A"], "zhangli")
    if visits:  # V1: A's visit, 非常满意
        ids["V1"] = visit(ctx, clock, "2026-09-29T09:20", "W03", "zhangli", 5, [ids["A"]])
    clock.at("2026-09-29T09:30")
    ids["B"] = newborn(ctx, "zhangli", LI_NA, {**FULL, "parents_married": "否"}, {}, FORM, "W03")
    cases.issue_notice(ids["B"], "zhangli")
    if visits:  # V3: B's visit, the pad left alone: 未评价
        ids["V3"] = visit(ctx, clock, "2026-09-29T09:45", "W03", "zhangli", None, [ids["B"]], how="timeout")
    clock.at("2026-09-29T10:00")
    ids["C"] = newborn(ctx, "chenjing", LIU_YANG, FULL, {"birth_medical_info": "handed_in", "bank_card": "handed_in"},
                       FORM, "W05")
    cases.defer(ids["C"], "chenjing")
    if visits:  # V2: C's visit, 不满意
        ids["V2"] = visit(ctx, clock, "2026-09-29T10:15", "W05", "chenjing", 2, [ids["C"]], ["等候时间长"])
    clock.at("2026-09-29T10:30")
    ids["D"] = newborn(ctx, "chenjing", SUN_HAO, FULL, {}, {}, "W05")
    cases.refuse(ids["D"], "chenjing", "新生儿系外省出生且父母均非本市户籍", "《重庆市户口登记管理规定》")
    ctx.ratings.rate(ids["D"], "chenjing", 2, ["办理超时"])
    clock.at("2026-09-29T11:00")
    ctx.ratings.rate(ids["G"], "zhangli", 5, ["一次办成"])
    clock.at("2026-09-29T14:00")
    ids["E"] = newborn(ctx, "zhangli", LIU_YANG, {"born_locally": "是"}, {}, {}, "W03")
    ids["F"] = newborn(ctx, "zhangli", LI_NA, {}, {}, {}, "W03")
    cases.void(ids["F"], "zhangli", "重复取号")
    clock.at("2026-09-29T16:00")
    ctx.enquiries.close(ids["Q3"], "chenjing", "群众已在社保局办成")
    if visits:
        clock.at("2026-09-29T16:30")
        for step, note in (("rectified", "增开一个综合窗口"), ("revisited", "电话回访，群众认可"),
                           ("closed", "已向群众反馈整改结果")):
            ctx.ratings.advance_visit(ids["V0"], "chenjing", step, note)
        ctx.ratings.advance_visit(ids["V2"], "chenjing", "verified", "等候 40 分钟，属实")
    clock.at("2026-09-29T17:00")
    return ctx, clock, ids


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    ctx, clock, ids = make_golden(tmp_path_factory.mktemp("golden") / "hall.db")
    yield ctx, clock, ids
    ctx.close()


@pytest.fixture(scope="module")
def golden_visits(tmp_path_factory):
    ctx, clock, ids = make_golden(tmp_path_factory.mktemp("golden_visits") / "hall.db", visits=True)
    yield ctx, clock, ids
    ctx.close()


def board(ctx, day: str) -> list[tuple]:
    snap = DashboardService(ctx).snapshot(today=D(day))
    return [(x.tracking_code, x.kind, x.urgency, x.due.isoformat(), x.days_left) for x in snap.day.deadlines]


def code(ctx, ids, key: str) -> str:
    return ctx.cases.get(ids[key]).tracking_code


def test_the_days_dues_as_recorded(golden):
    ctx, _, ids = golden
    a = ctx.cases.get(ids["A"])
    assert {c: i["due"] for c, i in a.items.items()} == {
        "birth_certificate": "2026-09-30", "vaccination_certificate": "2026-09-30",
        "maternity_insurance": "2026-10-09", "household_registration": "2026-10-09",
        "medical_insurance_enrolment": "2026-09-30", "medical_insurance_payment": "2026-09-30",
        "social_security_card": "2026-10-09"}
    assert ctx.cases.get(ids["B"]).notices[-1]["deadline"] == "2026-10-12"
    assert ctx.cases.get(ids["C"]).deferred_deadline == "2026-10-19"
    assert ctx.cases.get(ids["D"]).rating["follow_up"]["due"] == "2026-10-26"


def test_the_golden_day_on_the_dashboard(golden):
    ctx, _, ids = golden
    snap = DashboardService(ctx).snapshot()
    day = snap.day
    assert day.today == D("2026-09-29") and snap.cases_read == 7 and snap.period.label == "2026年9月"
    assert day.by_status == {"草稿": 1, "已一次性告知": 1, "容缺受理": 1, "办理中": 1, "已评价": 1}
    assert day.taken_today == 5  # F is voided
    w03, w05 = day.windows["W03"], day.windows["W05"]
    assert (w03.taken, w03.decided, w03.accepted, w03.rated, w03.good, w03.bad) == (3, 2, 1, 1, 1, 0)
    assert (w05.taken, w05.decided, w05.accepted, w05.rated, w05.good, w05.bad) == (2, 2, 1, 1, 0, 1)
    assert day.clerks == {"chenjing": w05, "zhangli": w03} and set(day.windows) == {"W03", "W05"}
    assert day.rated_today == 2 and day.good_share_today == 0.5
    assert day.ratings_today == {"非常满意": 1, "满意": 0, "基本满意": 0, "不满意": 1, "非常不满意": 0, "未评价": 0}
    [follow] = day.follow_ups
    assert (follow.case_id, follow.follow_up.due, follow.overdue, follow.follow_up.state_label) == (
        ids["D"], D("2026-10-26"), False, "待核实")
    first = "birth_certificate、medical_insurance_enrolment、medical_insurance_payment、vaccination_certificate"
    assert [(x.case_id, x.kind, x.what, x.urgency, x.days_left) for x in day.deadlines] == sorted(
        [(ids["A"], "item", first, "at_risk", 1), (ids["C"], "item", first, "at_risk", 1)],
        key=lambda t: code(ctx, ids, "A" if t[0] == ids["A"] else "C"))
    # the month: G and the day's cases; 减材料 etc. from each case's plan
    f = snap.reform
    assert f.cases == 7 and f.outcomes == {"accepted": 2, "notice": 1, "deferred": 1, "refused": 1, "voided": 1,
                                           "open": 1}
    # G: accepted Mon 09-21, done Thu 09-24 (3 working days); two trips: the visit, collecting on 09-28
    assert f.completed == 1 and f.completed_days == 3 and f.trips == 2 and f.trips_separate == 7


def test_the_golden_day_with_two_visit_ratings_on_the_pads(golden):
    """The same day with W03's pad rating a visit of zhangli's 非常满意 and W05's pad timing
    out on one of chenjing's (未评价): counted per window and clerk, 未评价 in the total only."""
    from hall_app.domain.dashboard import hall_day

    ctx, _, _ = golden
    states = DashboardService(ctx).states(D("2026-09-01"))
    visits = [{"ticket": "T1", "window": "W03", "clerk": "zhangli", "level": 5, "how": "chosen"},
              {"ticket": "T2", "window": "W05", "clerk": "chenjing", "level": None, "how": "timeout"}]
    day = hall_day(states, D("2026-09-29"), ctx.calendar, visits=visits)
    w03, w05 = day.windows["W03"], day.windows["W05"]
    assert (w03.taken, w03.decided, w03.accepted, w03.rated, w03.good, w03.bad, w03.unrated) == (3, 2, 1, 2, 2, 0, 0)
    assert (w05.taken, w05.decided, w05.accepted, w05.rated, w05.good, w05.bad, w05.unrated) == (2, 2, 1, 1, 0, 1, 1)
    assert day.clerks == {"chenjing": w05, "zhangli": w03}
    assert (day.rated_today, day.unrated_today, day.asked_today) == (3, 1, 4) and day.good_share_today == 2 / 3
    assert day.ratings_today == {"非常满意": 2, "满意": 0, "基本满意": 0, "不满意": 1, "非常不满意": 0, "未评价": 1}


def test_the_deadline_board_across_the_holiday(golden):
    ctx, _, ids = golden
    a, b, c = (code(ctx, ids, k) for k in "ABC")
    # Friday 10-09: the items due 09-30 are overdue; B's notice has 2 working days left (Sat 10-10 is one)
    assert sorted(board(ctx, "2026-10-09")) == sorted([
        (a, "item", "overdue", "2026-09-30", 0), (c, "item", "overdue", "2026-09-30", 0),
        (b, "notice", "at_risk", "2026-10-12", 2)])
    # Wednesday 09-30 (the day before the holiday): B's notice is 5 working days away, not yet at risk
    assert (b, "notice") not in {(x[0], x[1]) for x in board(ctx, "2026-09-30")}
    assert ("today" in {x[2] for x in board(ctx, "2026-09-30")})  # the items due 09-30
    assert (b, "notice", "today", "2026-10-12", 0) in board(ctx, "2026-10-12")
    assert (b, "notice", "overdue", "2026-10-12", 0) in board(ctx, "2026-10-13")
    # C's deferral (10-19) comes into view three working days before: Wednesday 10-14
    assert (c, "deferred", "at_risk", "2026-10-19", 3) in board(ctx, "2026-10-14")
    assert (c, "deferred") not in {(x[0], x[1]) for x in board(ctx, "2026-10-13")}


def test_the_follow_up_becomes_overdue_after_its_due_date(golden):
    ctx = golden[0]
    assert not DashboardService(ctx).snapshot(today=D("2026-10-26")).day.follow_ups[0].overdue
    assert DashboardService(ctx).snapshot(today=D("2026-10-27")).day.follow_ups[0].overdue


def test_the_golden_day_in_the_report_and_its_pdf(golden, tmp_path):
    import pypdfium2 as pdfium

    from printing.monthly_report import monthly_report_pdf

    ctx = golden[0]
    day = period(D("2026-09-29"), D("2026-09-29"))
    report = ReportService(ctx).report(day, "window")
    assert report.total.cases == 6 and report.total.outcomes == {
        "accepted": 1, "notice": 1, "deferred": 1, "refused": 1, "voided": 1, "open": 1}
    assert {k: g.cases for k, g in report.groups.items()} == {"W03": 4, "W05": 2}
    csv = report.csv().splitlines()
    assert csv[0] == "统计期：2026-09-29 至 2026-09-29"
    assert csv[2].startswith("W03,4,1,1,0,0,1,1,") and csv[3].startswith("W05,2,0,0,1,1,0,0,")
    inputs = DashboardService(ctx).report_inputs(day, "window")
    ratings = inputs.ratings
    assert (ratings.total, ratings.good_share, ratings.bad, ratings.follow_ups_open, ratings.follow_ups_overdue) == (
        2, 0.5, 1, 1, 0)
    pdf = monthly_report_pdf(inputs.report, ratings, inputs.hall_name, inputs.generated, inputs.group_names)
    doc = pdfium.PdfDocument(pdf)
    try:
        text = "".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()
    flat = text.replace("\r", "").replace("\n", " ")
    assert "重庆市江津区政务服务中心" in flat and "2026-09-29 至 2026-09-29" in flat
    assert "分窗口统计" in flat and "W03" in flat and "W05" in flat
    assert "50.0%" in flat  # the share of good ratings
    assert "未办结 1 件，其中逾期 0 件" in flat
    assert "五、不建办件的登记" in flat and "逾期未办结" in flat and "办不成事" in flat


def test_the_golden_days_enquiries_in_the_report_and_on_the_dashboard(golden, tmp_path):
    from openpyxl import load_workbook

    ctx = golden[0]
    day = period(D("2026-09-29"), D("2026-09-29"))
    report = ReportService(ctx).report(day, "window")
    # opened, answered at once, closed, still open, open overdue (as of 09-29). Q3 is opened and
    # closed on the day; Q5 (opened 09-21) is not opened on the day but still open on it: in the
    # backlog, due today (Mid-Autumn 09-25 is no working day), so not overdue
    assert {k: f.values() for k, f in report.enquiries.items()} == {
        "consult": [2, 1, 1, 1, 0], "referral": [1, 0, 1, 1, 0], "unresolved": [1, 0, 0, 1, 0]}
    csv = report.csv().splitlines()
    # the day's ratings (cases only here): G 非常满意 at W03, D 不满意 at W05 with its follow-up open
    assert rating_block(report) == [RATING_HEAD.format(by="窗口"), "W03,1,1,0,0,0,0,0,100.0%,0,0,—,0,0",
                                    "W05,1,0,0,0,1,0,0,0.0%,0,0,—,1,0", "合计,2,1,0,0,1,0,0,50.0%,0,0,—,1,0"]
    block = csv[csv.index("不建办件的登记,登记,当场答复,办结,未办结,逾期未办结"):]
    assert block == ["不建办件的登记,登记,当场答复,办结,未办结,逾期未办结", "咨询,2,1,1,1,0", "首问负责,1,0,1,1,0",
                     "办不成事,1,0,0,1,0", "合计,4,1,2,3,0"]
    path = report.write(tmp_path / "day.xlsx", "xlsx")
    sheet = load_workbook(path).active
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert values[-5:] == [["不建办件的登记", "登记", "当场答复", "办结", "未办结", "逾期未办结"],
                           ["咨询", 2, 1, 1, 1, 0], ["首问负责", 1, 0, 1, 1, 0], ["办不成事", 1, 0, 0, 1, 0],
                           ["合计", 4, 1, 2, 3, 0]]
    # the month so far on the dashboard: Q5 is opened in it too; overdue from tomorrow
    snap = DashboardService(ctx).snapshot()
    assert {k: f.values() for k, f in snap.enquiries.items()} == {
        "consult": [2, 1, 1, 1, 0], "referral": [2, 0, 1, 1, 0], "unresolved": [1, 0, 0, 1, 0]}
    tomorrow = DashboardService(ctx).snapshot(today=D("2026-09-30")).enquiries
    assert tomorrow["referral"].values() == [2, 0, 1, 1, 1] and tomorrow["consult"].open_overdue == 0
    # across National Day: Q2 and Q4 (opened 09-29) are due 10-12 (the make-up Saturday 10-10
    # counts), so overdue from 10-13 on, not before
    month = period(D("2026-09-01"), D("2026-10-31"))
    on_12 = ctx.enquiries.figures(month.first, month.last, today=D("2026-10-12"))
    on_13 = ctx.enquiries.figures(month.first, month.last, today=D("2026-10-13"))
    assert [on_12[k].open_overdue for k in ("consult", "referral", "unresolved")] == [0, 1, 0]
    assert [on_13[k].open_overdue for k in ("consult", "referral", "unresolved")] == [1, 1, 1]
    # the first working day after the holiday alone: nothing opened or closed, the backlog of three
    after = ctx.enquiries.figures(D("2026-10-08"), D("2026-10-08"), today=D("2026-10-13"))
    assert {k: f.values() for k, f in after.items()} == {
        "consult": [0, 0, 0, 1, 0], "referral": [0, 0, 0, 1, 1], "unresolved": [0, 0, 0, 1, 0]}


# -- the golden day's queue (issue 11, the live hall) -------------------------------------------
# Forty tickets on 2026-09-29 from 09:00 (minute 0) to 11:00 (minute 120, "now"), as queue
# events; every figure below is worked out by hand from this table.
#   A 个人: A001..A020 taken every 3 minutes (0, 3 … 57). A001..A016 called after waiting
#     1,2,3,4,5,6,7,8,9,10,12,14,16,18,20,25 minutes, alternately at W1 (odd) and W2 (even);
#     A003 and A008 do not come (no-show 2 minutes after the call); the others are served
#     from a minute after the call for 5 minutes. A017..A020 still wait.
#   B 企业: B001..B012 taken every 5 minutes, called in turn at W3 (one visit = 9 minutes:
#     serving from call+1, finished at call+9); B004 does not come; B011 leaves at 60
#     unserved; B012 is in service at W3 now.
#   C 不动产: C001..C008 taken every 5 minutes from 60; C001..C004 called at W4 at 62, 72,
#     82, 84 (C003 does not come; visits 10 minutes); W4 pauses at 95; C005..C008 wait.
#   W5 (A first, then C) opens at 110 and calls nobody; W6 stays closed.
A_WAITS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20, 25]
B_CALLS = [2, 11, 20, 29, 31, 40, 49, 58, 67, 76, None, 85]
C_CALLS = [62, 72, 82, 84]
CLERKS = {"W1": "wangfang", "W2": "liuwei", "W3": "zhangli", "W4": "sunjie", "W5": "zhoulan"}
ORDER = {"queue.window_opened": 0, "queue.ticket_finished": 1, "queue.ticket_no_show": 1, "queue.ticket_left": 1,
         "queue.ticket_issued": 2, "queue.ticket_called": 3, "queue.serving_started": 4, "queue.window_paused": 5}


def queue_day_events() -> list:
    from hall_app.domain.queue_replay import QueueEvent

    raw: list[tuple[int, str, dict, str]] = []

    def at(minute: int) -> str:
        return (dt.datetime(2026, 9, 29, 9, 0, tzinfo=CHINA) + dt.timedelta(minutes=minute)).isoformat()

    def ticket(prefix: str, n: int, line: str, issued: int, call: int | None, window: str, visit: int | None,
               no_show: bool = False) -> None:
        tid = f"{prefix}{n:03d}"
        raw.append((issued, "queue.ticket_issued", {"ticket": tid, "line": line, "prefix": prefix, "number": n,
                                                    "sort_at": at(issued)}, "kiosk"))
        if call is None:
            return
        raw.append((call, "queue.ticket_called", {"ticket": tid, "window": window, "line": line}, CLERKS[window]))
        if no_show:
            raw.append((call + 2, "queue.ticket_no_show", {"ticket": tid, "window": window}, CLERKS[window]))
            return
        raw.append((call + 1, "queue.serving_started", {"ticket": tid, "window": window}, CLERKS[window]))
        if visit is not None:
            raw.append((call + visit, "queue.ticket_finished", {"ticket": tid, "window": window}, CLERKS[window]))

    for w in ("W1", "W2", "W3", "W4"):
        raw.append((0, "queue.window_opened", {"window": w}, CLERKS[w]))
    raw.append((110, "queue.window_opened", {"window": "W5"}, CLERKS["W5"]))
    raw.append((95, "queue.window_paused", {"window": "W4"}, CLERKS["W4"]))
    for n in range(1, 21):
        issued = (n - 1) * 3
        if n <= 16:
            ticket("A", n, "A", issued, issued + A_WAITS[n - 1], "W1" if n % 2 else "W2", 6, no_show=n in (3, 8))
        else:
            ticket("A", n, "A", issued, None, "", None)
    for n, call in enumerate(B_CALLS, 1):
        ticket("B", n, "B", (n - 1) * 5, call, "W3", 9 if n < 12 else None, no_show=n == 4)
    raw.append((60, "queue.ticket_left", {"ticket": "B011"}, "kiosk"))
    for n in range(1, 9):
        call = C_CALLS[n - 1] if n <= 4 else None
        ticket("C", n, "C", 60 + (n - 1) * 5, call, "W4", 10, no_show=n == 3)
    ordered = sorted(raw, key=lambda r: (r[0], ORDER[r[1]]))
    return [QueueEvent(seq, "JJ01", "2026-09-29", at(m), kind, payload, actor)
            for seq, (m, kind, payload, actor) in enumerate(ordered, 1)]


def queue_day(target: float = 15.0):
    from hall_app.domain.queue_live import LineConf, LiveTargets, WindowConf, live_hall

    lines = [LineConf("A", "综合窗口·个人", "A"), LineConf("B", "综合窗口·企业", "B"), LineConf("C", "不动产", "C")]
    windows = [WindowConf("W1", "1号窗口", "open", {"A": 1}), WindowConf("W2", "2号窗口", "open", {"A": 1, "B": 2}),
               WindowConf("W3", "3号窗口", "open", {"B": 1}, current="B012"),
               WindowConf("W4", "4号窗口", "paused", {"C": 1}), WindowConf("W5", "5号窗口", "open", {"A": 1, "C": 2}),
               WindowConf("W6", "6号窗口", "closed", {"B": 1})]
    now = dt.datetime(2026, 9, 29, 11, 0, tzinfo=CHINA)
    return live_hall("2026-09-29", queue_day_events(), now, lines, windows, LiveTargets(wait_target=target))


def test_the_golden_queue_day_per_line():
    hall = queue_day()
    a, b, c = hall.lines
    from collections import Counter

    kinds = Counter(e.type.split(".")[1] for e in queue_day_events())  # the table above, event by event
    assert kinds == {"ticket_issued": 40, "ticket_called": 31, "ticket_no_show": 4, "serving_started": 27,
                     "ticket_finished": 26, "ticket_left": 1, "window_opened": 5, "window_paused": 1}
    # A: waits sorted 1..10,12,14,16,18,20,25; p50 between the 8th and 9th (8, 9); p90 at
    # rank 13.5 of 0..15 (18, 20); within 15: twelve called; base: 16 called + 4 waiting past 15
    assert (a.waiting, a.longest_wait, a.p50_wait, a.p90_wait) == (4, 72.0, 8.5, 19.0)
    assert (a.called, a.served, a.no_show, a.within_target, a.sla_base) == (16, 14, 2, 12, 20)
    assert a.sla == 0.6 and a.no_show_rate == 0.125
    # B: waits 2,6,10,14,11,15,19,23,27,31,30 → sorted 2,6,10,11,14,15,19,23,27,30,31; B011
    # left after 10 minutes (not known against the target); B012 in service
    assert (b.waiting, b.longest_wait, b.p50_wait, b.p90_wait) == (0, None, 15.0, 30.0)
    assert (b.called, b.served, b.no_show, b.within_target, b.sla_base) == (11, 9, 1, 6, 11)
    assert b.sla == 6 / 11 and b.no_show_rate == 1 / 11
    # C: waits 2,7,12,9; p90 at rank 2.7 → 9 + 0.7 × 3; waiting 40,35,30,25 minutes
    assert (c.waiting, c.longest_wait, c.p50_wait) == (4, 40.0, 8.0) and c.p90_wait == pytest.approx(11.1)
    assert (c.called, c.served, c.no_show, c.within_target, c.sla_base, c.sla) == (4, 3, 1, 4, 8, 0.5)
    # waiting at 09:15, 09:30 … 11:00 (an event at a step's end falls in the next step)
    assert [a.series, b.series, c.series] == [[1, 2, 4, 6, 4, 4, 4, 4], [1, 2, 3, 4, 2, 0, 0, 0],
                                              [0, 0, 0, 0, 1, 2, 4, 4]]
    # the mean wait of the calls in each step (09:00–09:15 … 10:45–11:00). A: calls at 1,5,9,13
    # (waits 1–4), 17,21,25,29 (5–8), 33,37,42 (9,10,12), 47,52,57 (14,16,18), 62,70 (20,25).
    # B: calls at 2,11 (waits 2,6), 20,29 (10,14), 31,40 (11,15), 49,58 (19,23), 67 (27), 76,85
    # (31,30). C: calls at 62,72 (2,7), 82,84 (12,9). No call after 10:30.
    assert a.wait_series == [2.5, 6.5, pytest.approx(31 / 3), 16.0, 22.5, None, None, None]
    assert b.wait_series == [4.0, 12.0, 13.0, 21.0, 27.0, 30.5, None, None]
    assert c.wait_series == [None, None, None, None, 4.5, 10.5, None, None]
    assert hall.waiting == 8 and hall.start == "2026-09-29T09:00:00+08:00" and hall.at == "2026-09-29T11:00:00+08:00"
    # a stricter target: A's waits of 12 and 14 now miss it
    strict = queue_day(target=10.0).lines[0]
    assert (strict.within_target, strict.sla_base, strict.sla) == (10, 20, 0.5)


def test_the_golden_queue_day_per_window_and_alerts():
    hall = queue_day()
    w = {x.window: x for x in hall.windows}
    # W1: A001,5,7,9,11,13,15 served (A003 no-show), 5 minutes each, idle since A015 ended at 68
    assert (w["W1"].served, w["W1"].mean_service, w["W1"].idle_minutes, w["W1"].clerk) == (7, 5.0, 52.0, "wangfang")
    assert (w["W2"].served, w["W2"].mean_service, w["W2"].idle_minutes) == (7, 5.0, 44.0)  # A016 ended at 76
    assert w["W1"].idle_while_waiting and w["W2"].idle_while_waiting
    assert (w["W3"].ticket, w["W3"].ticket_state, w["W3"].served, w["W3"].mean_service) == ("B012", "serving", 9, 8.0)
    assert w["W3"].idle_minutes is None and not w["W3"].idle_while_waiting and w["W3"].state_minutes == 120.0
    assert (w["W4"].state, w["W4"].state_minutes, w["W4"].served, w["W4"].mean_service) == ("paused", 25.0, 3, 9.0)
    assert (w["W5"].served, w["W5"].mean_service, w["W5"].idle_minutes, w["W5"].clerk) == (0, None, 10.0, "zhoulan")
    assert (w["W6"].state, w["W6"].clerk, w["W6"].idle_minutes, w["W6"].state_minutes) == ("closed", "", None, None)
    assert [(x.kind, x.line or x.window, x.minutes, x.waiting) for x in hall.alerts] == [
        ("over_target", "A", 72.0, 4), ("over_target", "C", 40.0, 4),
        ("idle_with_queue", "W1", 52.0, 4), ("idle_with_queue", "W2", 44.0, 4),
        ("paused_long", "W4", 25.0, 0), ("idle_with_queue", "W5", 10.0, 8)]


# -- the golden day with the rate pads' visits (issue 11: visit follow-ups, ratings per group) -----
# The same day built again with four visits rated on the windows' pads (make_golden(visits=True)):
#   V0 Thu 09-24 15:30 W03 zhangli  a consultation, no case, 非常不满意 → follow-up due 15 working
#      days on: 09-28 (1; Fri 09-25 is Mid-Autumn), 09-29, 09-30 (3), National Day 10-01..07 off,
#      10-08, 10-09 (5), Sat 10-10 make-up (6), 10-12 … 10-16 (11), 10-19 … 10-22 (15) → 10-22.
#      核实 09-28, 整改 / 回访 / 办结 09-29: closed on time.
#   V1 Tue 09-29 09:20 W03 zhangli  A's visit, 非常满意
#   V3 Tue 09-29 09:45 W03 zhangli  B's visit, the pad left alone: 未评价
#   V2 Tue 09-29 10:15 W05 chenjing C's visit, 不满意 → due 09-30 (1), 10-08, 10-09, 10-10 (4),
#      10-12 … 10-16 (9), 10-19 … 10-23 (14), 10-26 (15) → 10-26; 核实 09-29, then open.
# With the cases' ratings of 09-29 (D 不满意 at W05 by chenjing, open, due 10-26; G 非常满意 at
# W03 by zhangli). A visit counts for the bundle of its first case (A, B, C: 新生儿出生) and
# under 窗口服务 when it produced none (V0).
RATING_HEAD = ("好差评（按{by}）,评价数,非常满意,满意,基本满意,不满意,非常不满意,未评价,好评率,"
               "差评整改已办结,按期办结,按期率,未办结,逾期未办结")


def rating_block(report) -> list[str]:
    lines = report.csv().splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("好差评（"))
    return lines[start:lines.index("", start)]


def test_the_golden_visits_follow_ups_due_across_the_holidays(golden_visits):
    ctx, _, ids = golden_visits
    visits = {v.ticket: v for v in ctx.ratings.visits()}
    v0, v2 = visits[ids["V0"]], visits[ids["V2"]]
    assert set(visits) == {ids["V0"], ids["V2"]}  # only the bad ones open a follow-up
    assert (v0.follow_up.opened_on, v0.follow_up.due, v0.cases, v0.level_label) == (D("2026-09-24"), D("2026-10-22"),
                                                                                    (), "非常不满意")
    assert [(s.step, s.actor, s.at[:10]) for s in v0.follow_up.steps] == [
        ("opened", "pad", "2026-09-24"), ("verified", "chenjing", "2026-09-28"),
        ("rectified", "chenjing", "2026-09-29"), ("revisited", "chenjing", "2026-09-29"),
        ("closed", "chenjing", "2026-09-29")]
    assert v0.follow_up.closed and v0.follow_up.on_time()
    assert (v2.follow_up.due, v2.follow_up.state_label, v2.cases) == (D("2026-10-26"), "已核实", (ids["C"],))
    # on the dashboard: V2 beside D, both due 10-26; overdue from 10-27, not on 10-26
    for day, overdue in (("2026-09-29", False), ("2026-10-26", False), ("2026-10-27", True)):
        lines = DashboardService(ctx).snapshot(today=D(day)).day.follow_ups
        assert [(f.case_id, f.visit_label != "", f.follow_up.state_label, f.follow_up.due, f.overdue)
                for f in lines] == [(ids["C"], True, "已核实", D("2026-10-26"), overdue),
                                    (ids["D"], False, "待核实", D("2026-10-26"), overdue)], day


def test_the_golden_visits_on_the_dashboard(golden_visits):
    ctx = golden_visits[0]
    day = DashboardService(ctx).snapshot().day
    # cases D (不满意), G (非常满意); visits V1 (非常满意), V2 (不满意), V3 (未评价); V0 is 09-24's
    assert day.ratings_today == {"非常满意": 2, "满意": 0, "基本满意": 0, "不满意": 2, "非常不满意": 0, "未评价": 1}
    assert (day.rated_today, day.unrated_today, day.asked_today, day.good_share_today) == (4, 1, 5, 0.5)
    w03, w05 = day.windows["W03"], day.windows["W05"]
    assert (w03.taken, w03.rated, w03.good, w03.bad, w03.unrated) == (3, 2, 2, 0, 1)  # G, V1; V3 未评价
    assert (w05.taken, w05.rated, w05.good, w05.bad, w05.unrated) == (2, 2, 0, 2, 0)  # D, V2
    assert day.clerks == {"chenjing": w05, "zhangli": w03}


def test_the_golden_visits_ratings_per_bundle_window_and_day_in_the_report(golden_visits, tmp_path):
    """September as of 09-29: six ratings (D, G, V0 … V3), 未评价 in the total only; the
    follow-ups of D and V2 open, V0's closed on time."""
    from openpyxl import load_workbook

    ctx = golden_visits[0]
    september = ReportService(ctx).report(period(D("2026-09-01"), D("2026-09-30")), "bundle")
    assert rating_block(september) == [
        RATING_HEAD.format(by="事项"),
        "新生儿出生,5,2,0,0,2,0,1,50.0%,0,0,—,2,0",  # D, G, V1, V2, V3: 2 good of 4 rated
        "窗口服务,1,0,0,0,0,1,0,0.0%,1,1,100.0%,0,0",  # V0
        "合计,6,2,0,0,2,1,1,40.0%,1,1,100.0%,2,0"]  # 2 good of 5 rated
    by_window = ReportService(ctx).report(period(D("2026-09-01"), D("2026-09-30")), "window")
    assert rating_block(by_window)[1:] == [
        "W03,4,2,0,0,0,1,1,66.7%,1,1,100.0%,0,0",  # G, V1, V3, V0
        "W05,2,0,0,0,2,0,0,0.0%,0,0,—,2,0",  # D, V2
        "合计,6,2,0,0,2,1,1,40.0%,1,1,100.0%,2,0"]
    by_clerk = ReportService(ctx).report(period(D("2026-09-01"), D("2026-09-30")), "clerk")
    assert [line.split(",")[0] for line in rating_block(by_clerk)[1:]] == ["陈静", "张丽", "合计"]
    by_day = ReportService(ctx).report(period(D("2026-09-01"), D("2026-09-30")), "day")
    assert rating_block(by_day)[1:] == [
        "2026-09-24,1,0,0,0,0,1,0,0.0%,1,1,100.0%,0,0",
        "2026-09-29,5,2,0,0,2,0,1,50.0%,0,0,—,2,0",
        "合计,6,2,0,0,2,1,1,40.0%,1,1,100.0%,2,0"]
    # the week of 09-28 (ISO 2026-W40): V0 was rated the week before
    from hall_app.domain.stats import week

    assert rating_block(ReportService(ctx).report(week("2026-W40"), "bundle"))[1:] == [
        "新生儿出生,5,2,0,0,2,0,1,50.0%,0,0,—,2,0", "合计,5,2,0,0,2,0,1,50.0%,0,0,—,2,0"]
    # the XLSX has the same block, counts as numbers
    sheet = load_workbook(september.write(tmp_path / "sep.xlsx", "xlsx")).active
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["窗口服务", 1, 0, 0, 0, 0, 1, 0, "0.0%", 1, 1, "100.0%", 0, 0] in rows


def test_the_golden_visits_overdue_in_the_report(golden_visits):
    """The same September read on 10-27: D's and V2's follow-ups (due 10-26) are overdue."""
    ctx, clock, _ = golden_visits
    before = clock.now
    clock.at("2026-10-27T09:00")
    try:
        report = ReportService(ctx).report(period(D("2026-09-01"), D("2026-09-30")), "window")
    finally:
        clock.now = before
    assert rating_block(report)[1:] == [
        "W03,4,2,0,0,0,1,1,66.7%,1,1,100.0%,0,0", "W05,2,0,0,0,2,0,0,0.0%,0,0,—,2,2",
        "合计,6,2,0,0,2,1,1,40.0%,1,1,100.0%,2,2"]


def test_the_golden_visits_in_the_pdf(golden_visits):
    import pypdfium2 as pdfium

    from printing.monthly_report import monthly_report_pdf

    ctx = golden_visits[0]
    inputs = DashboardService(ctx).report_inputs(period(D("2026-09-01"), D("2026-09-30")), "bundle")
    pdf = monthly_report_pdf(inputs.report, inputs.ratings, inputs.hall_name, inputs.generated, inputs.group_names)
    doc = pdfium.PdfDocument(pdf)
    try:
        text = "".join(page.get_textpage().get_text_range() for page in doc).replace("\r", "").replace("\n", " ")
    finally:
        doc.close()
    assert "分事项好差评" in text and "窗口服务：评价器上对未产生办件的窗口服务的评价" in text
    assert "40.0%" in text and "已办结 1 件，其中按期 1 件" in text and "未办结 2 件，其中逾期 0 件" in text
