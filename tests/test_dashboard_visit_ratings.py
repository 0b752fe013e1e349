"""Issue 11: the rate pad's ratings of visits count in the dashboard's and the report's
rating figures per window and per clerk, 未评价 in the total but never in the share."""

from __future__ import annotations

import datetime as dt

from hall_app.config import Settings
from hall_app.domain.queue_schedule import CHINA
from hall_app.domain.stats import month as month_period
from hall_app.services.context import HallContext
from hall_app.services.dashboard import DashboardService
from hall_app.services.queue import LocalQueue, queue_path

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=CHINA)


def test_visit_ratings_count_per_window_and_clerk_with_unrated_in_the_total(tmp_path):
    ctx = HallContext(Settings(db=str(tmp_path / "hall.db"), window="W01"), clock=lambda: NOW)
    path = queue_path(ctx.settings.db_path)
    clerk = LocalQueue(path, hall=ctx.settings.hall, window="W01", user="zhangli", clock=ctx.clock)
    clerk.set_line("personal", "综合窗口·个人", "A")
    clerk.set_window("W01", "1号综合窗口", {"personal": 1})
    clerk.open_window()
    pad = LocalQueue(path, hall=ctx.settings.hall, window="W01", kind="pad", clock=ctx.clock)
    for level, how in [(5, "chosen"), (1, "chosen"), (None, "timeout")]:
        clerk.issue_ticket("A")
        clerk.call_next()
        clerk.start_serving()
        ticket = clerk.finish().ticket
        pad.rate_visit(ticket, level, how=how)
    day = DashboardService(ctx).snapshot(NOW.date()).day
    for figures in (day.windows["W01"], day.clerks["zhangli"]):
        assert (figures.rated, figures.good, figures.bad, figures.unrated) == (2, 1, 1, 1)
    assert (day.rated_today, day.unrated_today, day.asked_today, day.good_share_today) == (2, 1, 3, 0.5)
    assert day.ratings_today == {"非常满意": 1, "满意": 0, "基本满意": 0, "不满意": 0, "非常不满意": 1, "未评价": 1}
    month = DashboardService(ctx).rating_figures(month_period("2026-12"), NOW.date())
    assert (month.total, month.rated, month.bad, month.good_share) == (3, 2, 1, 0.5)
    assert month.distribution["未评价"] == 1
    pad.close()
    clerk.close()
    ctx.close()


def test_a_past_days_visit_ratings_are_read_from_the_queue_once(tmp_path):
    """The dashboard's month of ratings per group reads every day of the month at each
    refresh; a day gone by is read once (a pad rates only today's visits), today always."""
    clock = [NOW]
    ctx = HallContext(Settings(db=str(tmp_path / "hall.db"), window="W01"), clock=lambda: clock[0])
    path = queue_path(ctx.settings.db_path)
    clerk = LocalQueue(path, hall=ctx.settings.hall, window="W01", user="zhangli", clock=ctx.clock)
    clerk.set_line("personal", "综合窗口·个人", "A")
    clerk.set_window("W01", "1号综合窗口", {"personal": 1})
    pad = LocalQueue(path, hall=ctx.settings.hall, window="W01", kind="pad", clock=ctx.clock)

    def rated_visit(level):
        clerk.issue_ticket("A")
        clerk.call_next()
        clerk.start_serving()
        pad.rate_visit(clerk.finish().ticket, level)

    clerk.open_window()
    rated_visit(5)
    clock[0] = NOW + dt.timedelta(days=1)
    read: list[str] = []
    events = ctx.queue.events
    ctx.queue.events = lambda **kw: read.append(kw["day"]) or events(**kw)  # type: ignore[method-assign]
    service = DashboardService(ctx)
    first, second = NOW.date(), NOW.date() + dt.timedelta(days=1)
    assert [v["level"] for v in service.visit_ratings(first, second)] == [5]
    rated_visit(2)  # today's: read again at the next refresh
    assert [v["level"] for v in DashboardService(ctx).visit_ratings(first, second)] == [5, 2]
    assert read == ["2026-12-01", "2026-12-02", "2026-12-02"]
    pad.close()
    clerk.close()
    ctx.close()
