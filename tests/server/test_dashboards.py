"""Issue 11 on the server, on real PostgreSQL: ``GET /v1/dashboard`` gives a supervisor
its hall's figures computed from the pushed events and refuses every other scope;
``POST /t/{code}/rate`` takes one rating per case from the tracking page, checked
like a device's event, and the rating reaches the device through the feed."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from harness import dispatched_case, enroll, make_device, new_case, sync_until_ok

from hall_app.domain.stats import month as month_period
from hall_app.domain.tracking import format_tracking_code
from hall_app.server.auth import make_enrollment_code
from hall_app.services.context import CHINA

MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=CHINA)


def token(engine, url: str, scope: str, device_id: str) -> str:
    answer = httpx.post(f"{url}/v1/enroll", json={"code": make_enrollment_code(engine, scope), "device_id": device_id})
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def complete_on_the_server(engine) -> None:
    """The departments (the simulator, acting as each item's department) finish every item."""
    from hall_app.server.results import DepartmentSimulator

    simulator = DepartmentSimulator(engine, delay=0)
    while simulator.step():
        pass


@pytest.fixture
def server(server_engine):
    """A server whose rating limit lets this test try its bad inputs (the limit has its own test)."""
    from harness import ServerThread

    from hall_app.server.ratelimit import DEFAULT_RATES, Rate, RateLimits

    with ServerThread(server_engine, limiter=RateLimits({**DEFAULT_RATES, "rate": Rate(600, 50)})) as running:
        yield running


@pytest.mark.postgres
def test_supervisor_figures_scope_refusals_and_rating_from_the_tracking_page(tmp_path, server_engine, server):
    a = make_device(tmp_path, "a", clock=lambda: MONDAY)
    to_rate = dispatched_case(a)  # rated below from the tracking page
    rated_bad = dispatched_case(a)
    enroll(a, server_engine, server.url, scope="window:JJ01/W03")
    sync_until_ok(a)
    complete_on_the_server(server_engine)
    sync_until_ok(a)
    for case_id in (to_rate, rated_bad):
        assert a.cases.get(case_id).status == "completed"
        a.cases.hand_over(case_id, "zhangli")
    a.ratings.rate(rated_bad, "zhangli", 2, ["等候时间长"])  # follow-up due 15 working days on: 2026-12-14
    accepted = dispatched_case(a)
    new_case(a)  # a draft
    sync_until_ok(a)

    boss = token(server_engine, server.url, "supervisor:JJ01/陈静", "boss-1")
    window = token(server_engine, server.url, "window:JJ01/W05", "win-5")
    answer = httpx.get(f"{server.url}/v1/dashboard?day=2026-11-23", headers={"Authorization": f"Bearer {boss}"})
    assert answer.status_code == 200, answer.text
    figures = answer.json()
    day = figures["day"]
    assert day["started"] == 4 and day["started_by_window"] == {"W03": 4}
    assert day["decisions"] == {"accepted": 3, "deferred": 0, "notice": 0, "refused": 0}
    assert day["ratings"]["rated"] == 1 and day["ratings"]["levels"]["不满意"] == 1 and day["ratings"]["bad"] == 1
    assert day["ratings"]["good_share"] == 0.0
    assert figures["month"]["first"] == "2026-11-01" and figures["month"]["started"] == 4
    code = a.cases.get(rated_bad).tracking_code
    assert figures["follow_ups_open"] == [{"case_id": rated_bad, "tracking_code": code, "level": 2, "label": "不满意",
                                           "due": "2026-12-14", "rated_on": "2026-11-23", "overdue": False}]
    # a hall without a queue set up: the live hall is there, with nothing in it
    assert figures["queue"]["day"] == "2026-11-23" and figures["queue"]["lines"] == [] == figures["queue"]["alerts"]
    later = httpx.get(f"{server.url}/v1/dashboard?day=2026-12-15", headers={"Authorization": f"Bearer {boss}"})
    assert later.json()["follow_ups_open"][0]["overdue"] and later.json()["day"]["started"] == 0

    # nobody but a supervisor: a window device, no token, a bad date
    refused = httpx.get(f"{server.url}/v1/dashboard", headers={"Authorization": f"Bearer {window}"})
    assert refused.status_code == 403 and "窗口设备" in refused.json()["detail"]
    assert httpx.get(f"{server.url}/v1/dashboard").status_code == 401
    bad_day = httpx.get(f"{server.url}/v1/dashboard?day=2026-13-01", headers={"Authorization": f"Bearer {boss}"})
    assert bad_day.status_code == 422 and "YYYY-MM-DD" in bad_day.json()["detail"]

    # the tracking page offers the form for a handed-over case, and takes one rating
    shown = format_tracking_code(a.cases.get(to_rate).tracking_code)
    page = httpx.get(f"{server.url}/t/{shown}")
    assert "评价本次服务" in page.text and f"/t/{shown}/rate" in page.text
    assert "name='dim_服务态度' value='5'" in page.text and "分项评价" in page.text
    assert "评价本次服务" not in httpx.get(
        f"{server.url}/t/{format_tracking_code(a.cases.get(accepted).tracking_code)}").text
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for body, status, words in (
            ("level=9", 422, "五级之一"),
            ("level=%EF%BC%95", 422, "五级之一"),  # a full-width ５
            ("level=5&reasons=%E6%80%81%E5%BA%A6%E6%81%B6%E5%8A%A3", 422, "不能选择理由"),  # 态度恶劣 is not for 5
            ("level=4&comment=%E8%B0%A2%E8%B0%A2%00", 422, "留言含有不能保存的字符"),  # 谢谢 with a NUL
            ("level=4&dim_%E6%9C%8D%E5%8A%A1%E6%80%81%E5%BA%A6=9", 422, "五级之一"),  # 服务态度 scored 9
            ("level=4&dim_%E6%9C%8D%E5%8A%A1%E6%80%81%E5%BA%A6=abc", 422, "五级之一"),
            ("level=4&dim_%E7%8E%AF%E5%A2%83=3", 422, "评价维度"),  # 环境 is not one of the three dimensions
            ("", 422, "请选择满意程度")):
        answer = httpx.post(f"{server.url}/t/{shown}/rate", content=body, headers=form)
        assert answer.status_code == status and words in answer.text, (body, answer.text)
    ok = httpx.post(f"{server.url}/t/{shown}/rate", content="level=5&reasons=%E4%B8%80%E6%AC%A1%E5%8A%9E%E6%88%90"
                    "&comment=%E8%B0%A2%E8%B0%A2%F0%A0%AE%B7%F0%9F%98%80&dim_%E6%9C%8D%E5%8A%A1%E6%80%81%E5%BA%A6=5&dim_%E6%9C%8D%E5%8A%A1%E6%95%88%E7%8E%87=4&dim_%E6%9C%8D%E5%8A%A1%E6%B0%B4%E5%B9%B3=",
                    headers=form)  # 一次办成, 谢谢𠮷😀, 服务态度 5, 服务效率 4, 服务水平 left blank
    assert ok.status_code == 200 and "非常满意" in ok.text, ok.text
    again = httpx.post(f"{server.url}/t/{shown}/rate", content="level=1", headers=form)
    assert again.status_code == 409 and "只评价一次" in again.text
    not_yet = httpx.post(f"{server.url}/t/{format_tracking_code(a.cases.get(accepted).tracking_code)}/rate",
                         content="level=3", headers=form)
    assert not_yet.status_code == 409 and "送达" in not_yet.text
    assert httpx.post(f"{server.url}/t/K7P9-M2QT-X4RH/rate", content="level=3", headers=form).status_code == 404

    # the device pulls the rating like any event; the server counts it on today's board
    sync_until_ok(a)
    rating = a.cases.get(to_rate).rating
    assert rating["level"] == 5 and rating["channel"] == "tracking" and rating["comment"] == "谢谢𠮷😀"
    assert rating["dimensions"] == {"服务态度": 5, "服务效率": 4}
    today = dt.datetime.now(CHINA).date().isoformat()
    now = httpx.get(f"{server.url}/v1/dashboard?day={today}", headers={"Authorization": f"Bearer {boss}"}).json()
    assert now["day"]["ratings"]["levels"]["非常满意"] == 1


@pytest.mark.postgres
def test_rating_from_the_page_is_rate_limited(tmp_path, server_engine):
    from harness import ServerThread

    from hall_app.server.ratelimit import Rate, RateLimits

    with ServerThread(server_engine, limiter=RateLimits({"track": Rate(30, 10), "enroll": Rate(6, 5),
                                                         "rate": Rate(0.001, 2)})) as srv:
        codes = [httpx.post(f"{srv.url}/t/K7P9-M2QT-X4RH/rate", content="level=3",
                            headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code
                 for _ in range(3)]
    assert codes == [404, 404, 429]


@pytest.mark.postgres
def test_visit_ratings_of_the_queue_log_in_the_hall_figures(server_engine, tmp_path, server):
    """Issue 11: GET /v1/dashboard's figures count the rate pads' queue.visit_rated of the
    hall, by level and per window, 未评价 in the total but not the share; another day
    only in the month, another hall never. Numbers worked out by hand."""
    from hall_app.server.dashboards import hall_figures
    from hall_app.server.queue_models import queue_events

    def rated(hall, day, window, level):
        return {"hall": hall, "day": day, "at": f"{day}T10:00:00+08:00", "type": "queue.visit_rated",
                "ticket": f"t-{hall}-{day}-{window}-{level}", "window": window, "line": "", "actor": "pad",
                "device_id": "pad-1", "payload": {"ticket": "x", "window": window, "level": level, "how": "chosen"
                                                  if level else "timeout"}}

    rows = [rated("JJ01", "2026-11-23", "W01", level) for level in (5, 4, 1, None)]
    rows += [rated("JJ01", "2026-11-23", "W02", level) for level in (2, 3)]
    rows += [rated("JJ01", "2026-11-22", "W01", 5), rated("JJ02", "2026-11-23", "W01", 5)]
    with server_engine.begin() as conn:
        conn.execute(queue_events.insert(), rows)
    with server_engine.connect() as conn:
        figures = hall_figures(conn, "JJ01", dt.date(2026, 11, 23))
    day = figures["day"]["visit_ratings"]
    # the day: six asked, five rated (one of each level), good 满意+非常满意 = 2 of 5
    assert (day["asked"], day["rated"], day["unrated"], day["bad"], day["good_share"]) == (6, 5, 1, 2, 0.4)
    assert day["levels"] == {"非常满意": 1, "满意": 1, "基本满意": 1, "不满意": 1, "非常不满意": 1}
    assert day["by_window"] == {"W01": {"rated": 3, "good": 2, "bad": 1, "unrated": 1},
                                "W02": {"rated": 2, "good": 0, "bad": 1, "unrated": 0}}
    month = figures["month"]["visit_ratings"]  # + the 22nd's 非常满意 at W01: good 3 of 6
    assert (month["asked"], month["rated"], month["good_share"], month["levels"]["非常满意"]) == (7, 6, 0.5, 2)
    assert month["by_window"]["W01"] == {"rated": 4, "good": 3, "bad": 1, "unrated": 1}
    assert month["groups"][:2] == [["W01", "", None, 1], ["W01", "", 1, 1]]

    # a supervisor device enrolled with the server shows them (it may not read the log itself)
    from hall_app.services.dashboard import DashboardService
    from hall_app.store.models import Device

    boss = make_device(tmp_path, "boss", clock=lambda: MONDAY)
    enroll(boss, server_engine, server.url, scope="supervisor:JJ01/陈静")
    with boss.read() as session:
        assert session.query(Device).first().token
    shown = DashboardService(boss).snapshot(dt.date(2026, 11, 23)).day
    assert (shown.rated_today, shown.unrated_today, shown.good_share_today) == (5, 1, 0.4)
    assert (shown.windows["W01"].rated, shown.windows["W01"].good, shown.windows["W01"].unrated) == (3, 2, 1)
    assert (shown.windows["W02"].rated, shown.windows["W02"].bad) == (2, 1)
    month_shown = DashboardService(boss).rating_figures(month_period("2026-11"), dt.date(2026, 11, 23))
    assert (month_shown.total, month_shown.rated, month_shown.good_share) == (7, 6, 0.5)
    # a custom report period (neither a day nor a month from its first day) counts them too
    from hall_app.domain.stats import period

    custom = DashboardService(boss).rating_figures(period(dt.date(2026, 11, 22), dt.date(2026, 11, 30)),
                                                   dt.date(2026, 11, 23))
    assert (custom.total, custom.rated, custom.good_share) == (7, 6, 0.5)
    week = DashboardService(boss).rating_figures(period(dt.date(2026, 11, 16), dt.date(2026, 11, 22)),
                                                 dt.date(2026, 11, 23))
    assert (week.total, week.rated, week.distribution["非常满意"]) == (1, 1, 1)
    # the endpoint: its own hall only, dates in order, a supervisor only
    sup = token(server_engine, server.url, "supervisor:JJ01/陈静", "boss-2")
    win = token(server_engine, server.url, "window:JJ01/W01", "win-1")
    url = f"{server.url}/v1/dashboard/visit-ratings"
    got = httpx.get(url, params={"first": "2026-11-22", "last": "2026-11-23"},
                    headers={"Authorization": f"Bearer {sup}"})
    assert got.status_code == 200 and (got.json()["asked"], got.json()["by_window"]["W02"]["rated"]) == (7, 2)
    reversed_dates = httpx.get(url, params={"first": "2026-11-23", "last": "2026-11-01"},
                               headers={"Authorization": f"Bearer {sup}"})
    assert reversed_dates.status_code == 422 and "早于开始日期" in reversed_dates.json()["detail"]
    refused = httpx.get(url, params={"first": "2026-11-22", "last": "2026-11-23"},
                        headers={"Authorization": f"Bearer {win}"})
    assert refused.status_code == 403 and "窗口设备" in refused.json()["detail"]


@pytest.mark.postgres
def test_visit_follow_ups_in_the_server_follow_up_counts(server_engine):
    """Issue 11: the server's open follow-ups and the month's closed / on time count the bad
    visit ratings' follow-ups (queue.visit_follow_up_opened and its steps) beside the cases';
    due 15 working days after the rating (the published calendar). Worked out by hand:
    rated Tue 11-03 → due 11-24; rated Mon 11-23 → due 12-14; rated Fri 10-09 → due 10-29
    (Sat 10-10 is a make-up working day)."""
    from hall_app.server.dashboards import hall_figures
    from hall_app.server.queue_models import queue_events

    def event(hall, at, kind, ticket, window, payload):
        return {"hall": hall, "day": at[:10], "at": f"{at}T10:00:00+08:00", "type": kind, "ticket": ticket,
                "window": window, "line": "", "actor": "pad" if kind.endswith("opened") else "supervisor",
                "device_id": "dev-1", "payload": {"ticket": ticket, "window": window, **payload}}

    def opened(hall, at, ticket, window, label, level, cases=()):
        return event(hall, at, "queue.visit_follow_up_opened", ticket, window,
                     {"label": label, "level": level, "cases": list(cases), "reasons": []})

    def steps(hall, ticket, window, *days_steps):
        return [event(hall, at, "queue.visit_follow_up", ticket, window,
                      {"step": step, "note": "说明", "by": "chenjing"})
                for at, step in days_steps]

    case = "0190a3c4-0000-7000-8000-000000000001"
    rows = [opened("JJ01", "2026-11-03", "v1", "W01", "A003", 1, [case]),
            opened("JJ01", "2026-11-03", "v2", "W02", "B001", 2),
            opened("JJ01", "2026-11-23", "v3", "W01", "A010", 2),
            opened("JJ01", "2026-10-09", "v4", "W02", "B007", 1),
            opened("JJ02", "2026-11-03", "x1", "W01", "A001", 1)]
    rows += steps("JJ01", "v1", "W01", ("2026-11-05", "verified"), ("2026-11-10", "rectified"),
                  ("2026-11-12", "revisited"), ("2026-11-20", "closed"))  # closed on time
    rows += steps("JJ01", "v2", "W02", ("2026-11-05", "verified"))  # still open, overdue from 11-25
    rows += steps("JJ01", "v4", "W02", ("2026-10-12", "verified"), ("2026-10-20", "explained"),
                  ("2026-10-28", "revisited"), ("2026-11-02", "closed"))  # closed in November, late
    rows += steps("JJ02", "x1", "W01", ("2026-11-04", "verified"), ("2026-11-05", "explained"),
                  ("2026-11-06", "revisited"), ("2026-11-09", "closed"))  # another hall
    with server_engine.begin() as conn:
        conn.execute(queue_events.insert(), rows)
    with server_engine.connect() as conn:
        figures = hall_figures(conn, "JJ01", dt.date(2026, 11, 25))
    assert [(f["ticket"], f["visit"], f["window"], f["label"], f["due"], f["overdue"], f["case_id"])
            for f in figures["follow_ups_open"]] == [
        ("v2", "B001", "W02", "不满意", "2026-11-24", True, ""),
        ("v3", "A010", "W01", "不满意", "2026-12-14", False, "")]
    assert figures["follow_ups_open"][0]["rated_on"] == "2026-11-03" and figures["follow_ups_open"][0]["level"] == 2
    assert figures["month"]["follow_ups"] == {"closed": 2, "on_time": 1}
    with server_engine.connect() as conn:
        october = hall_figures(conn, "JJ01", dt.date(2026, 10, 30))
    # open as the log stands (as the cases' are), overdue as of the day asked; October closed none
    assert [(f["ticket"], f["overdue"]) for f in october["follow_ups_open"]] == [("v2", False), ("v3", False)]
    assert october["month"]["follow_ups"] == {"closed": 0, "on_time": 0}
