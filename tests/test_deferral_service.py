"""A deferral's consequences as its bundle's 承诺书 says (issue 12), on the services, the
CLI, the printed 承诺书 and the tracking page: the reminder recorded as an event (too
early and twice refused), the grace days, 撤销 for a bundle that says so, only reminders
for one that says remind_only; the tracking page says 请于…前补交 without personal data."""

from __future__ import annotations

import pytest

from hall_app.cli import main
from hall_app.domain.bundle import DeferralPolicy
from hall_app.services.demo import LIU_YANG
from hall_app.services.intake import IntakeError


def deferred_case(ctx):
    return next(c for c in ctx.cases.find(LIU_YANG) if c.status == "accepted_deferred")


def with_policy(monkeypatch, ctx, policy: DeferralPolicy) -> None:
    """The bundle file says ``[deferral] …`` (bundles check reads it: test_deferral_domain.py)."""
    catalog = ctx.catalog_service
    original = catalog.bundle_for
    monkeypatch.setattr(catalog, "bundle_for",
                        lambda code, content_hash=None: original(code, content_hash).model_copy(
                            update={"deferral": policy}))


def test_reminder_then_revoke_after_the_grace_days(demo_ctx, clock, monkeypatch):
    with_policy(monkeypatch, demo_ctx, DeferralPolicy(remind_before_days=2, grace_days=2, on_overdue="revoke"))
    case = deferred_case(demo_ctx)
    state = demo_ctx.cases.get(case.case_id)
    assert state.deferred_deadline == "2026-12-04"  # Friday: ten working days from Saturday 11-21
    with pytest.raises(IntakeError, match="2026-12-02 起才需提醒"):
        demo_ctx.dispatch.remind(case.case_id, "zhangli", "sms")
    with pytest.raises(IntakeError, match="提醒方式应为"):
        demo_ctx.dispatch.remind(case.case_id, "zhangli", "fax")
    clock.advance(days=11)  # Wednesday 12-02
    row = next(r for r in demo_ctx.dispatch.follow_ups(named=True) if r.case_id == case.case_id)
    assert (row.deferral_stage, row.deferral_action) == ("应提醒", "remind")
    assert row.flags[0].startswith("容缺材料应提醒")
    reminded = demo_ctx.dispatch.remind(case.case_id, "zhangli", "sms", "已发短信")
    assert reminded.deferral_reminders[0]["channel"] == "sms"
    assert demo_ctx.cases.timeline(case.case_id)[-1]["type"] == "case.deferral_reminded"
    with pytest.raises(IntakeError, match="已于 2026-12-02 提醒过"):
        demo_ctx.dispatch.remind(case.case_id, "zhangli", "phone")
    clock.advance(days=5)  # Monday 12-07: overdue, in the grace days (12-07, 12-08)
    with pytest.raises(IntakeError, match="宽限期至 2026-12-08"):
        demo_ctx.dispatch.terminate_overdue(case.case_id, "zhangli")
    clock.advance(days=2)  # Wednesday 12-09
    ended = demo_ctx.dispatch.terminate_overdue(case.case_id, "zhangli")
    assert ended.status == "terminated" and ended.termination["kind"] == "revoke"
    assert ended.termination["reason"].startswith("容缺材料逾期未补交（承诺补交期限 2026-12-04）：生育医疗费用票据")
    assert "撤销已作出的受理决定" in ended.termination["basis"]


def test_remind_only_never_terminates(demo_ctx, clock, monkeypatch):
    with_policy(monkeypatch, demo_ctx, DeferralPolicy(remind_before_days=1, on_overdue="remind_only"))
    case = deferred_case(demo_ctx)
    clock.advance(days=40)
    demo_ctx.dispatch.remind(case.case_id, "zhangli", "letter")
    with pytest.raises(IntakeError, match="只提醒"):
        demo_ctx.dispatch.terminate_overdue(case.case_id, "zhangli")
    assert demo_ctx.cases.get(case.case_id).status == "accepted_deferred"


def test_the_commitment_prints_the_bundles_consequence(demo_ctx, monkeypatch):
    case = deferred_case(demo_ctx)
    assert "视为未提交申请材料，终止办理" in demo_ctx.documents.build("commitment", case.case_id).consequence
    with_policy(monkeypatch, demo_ctx, DeferralPolicy(remind_before_days=3, grace_days=5, on_overdue="revoke"))
    text = demo_ctx.documents.build("commitment", case.case_id).consequence
    assert "届满前 3 个工作日" in text and "5 个工作日内仍未补交的，撤销已作出的受理决定" in text


def test_the_tracking_page_says_by_when_without_personal_data(demo_ctx):
    from hall_app.server.tracking import public_view, render_view

    state = demo_ctx.cases.get(deferred_case(demo_ctx).case_id)
    view = public_view(state, "新生儿出生", {}, demo_ctx.dispatch.names(state))
    assert view["bring_by"] == "2026-12-04" and "生育医疗费用票据" in view["to_bring"]
    page = render_view(view).body
    assert "请于 2026-12-04 前补交" in page
    assert "刘洋" not in page and LIU_YANG not in page


def test_the_cli_refuses_a_reminder_with_nothing_deferred(demo_ctx, capsys):
    code = next(c for c in demo_ctx.cases.find(LIU_YANG) if c.status == "accepted").tracking_code
    db = demo_ctx.settings.db_path
    demo_ctx.close()
    rc = main(["--db", str(db), "case", code, "--remind", "sms"])
    assert rc == 2 and "没有待补交的容缺材料，无需提醒" in capsys.readouterr().err


def test_the_tracking_page_dates_a_server_report_in_hall_time(demo_ctx):
    """Found in the walkthrough: a department's report the server wrote at 22:26 UTC showed
    as updated the day before the case was accepted (02:26 the next day in the hall)."""
    from hall_app.server.tracking import public_view

    state = demo_ctx.cases.get(next(c for c in demo_ctx.cases.find(LIU_YANG) if c.status == "accepted").case_id)
    item = next(iter(state.items))
    state.items[item]["at"] = "2026-12-01T22:26:43+00:00"
    view = public_view(state, "新生儿出生", {})
    assert next(r for r in view["items"] if r["code"] == item)["updated"] == "2026-12-02"


def test_the_case_view_shows_a_server_written_update_in_hall_time():
    """Found in the walkthrough: 更新 showed 2026-12-01 22:27 (UTC, the server's dispatch)
    beside 开始 2026-12-02 06:25 (the device's)."""
    from screens.case_view import hall_minute

    assert hall_minute("2026-12-01T22:27:05.123+00:00") == "2026-12-02 06:27"
    assert hall_minute("2026-12-02T06:25:00+08:00") == "2026-12-02 06:25"


def test_a_terminated_deferral_asks_for_nothing_on_the_tracking_page(demo_ctx, clock):
    """Found in the walkthrough: after 终止办理 the page still said 还需您补交 (the photo)."""
    from hall_app.server.tracking import public_view, render_view

    case = deferred_case(demo_ctx)
    clock.advance(days=40)
    demo_ctx.dispatch.remind(case.case_id, "zhangli", "phone")
    state = demo_ctx.dispatch.terminate_overdue(case.case_id, "zhangli")
    view = public_view(state, "新生儿出生", {}, demo_ctx.dispatch.names(state))
    assert (view["to_bring"], view["bring_by"]) == ([], "")
    assert "还需您补交" not in render_view(view).body and "已终止" in render_view(view).body
