"""The agent's register and day (services/authorisations.py, services/agent_day.py),
offline on the demo hall: authorisation first, township, duplicates, acceptance."""

import pytest

from hall_app.domain.authorisation import AuthorisationError, Draft
from hall_app.services.demo import HE_DEGUI, LIU_YANG, ZHAO_JIANGUO, ZHOU_GUIYING
from hall_app.services.intake import IntakeError
from hall_app.services.users import SignedIn

AGENT = SignedIn("wangqiang", "王强", "agent", "JJ01", "W03", "白沙镇")


def draft(principal=ZHAO_JIANGUO, **over) -> Draft:
    base = dict(principal_id=principal, relation="帮代办员", bundles=("newborn",),
                valid_from="2026-11-21", valid_until="2027-02-20")
    return Draft(**{**base, **over})


def test_recording_fills_the_principal_from_the_person_file(demo_ctx):
    auth = demo_ctx.authorisations.record(AGENT, draft())
    assert (auth.principal_name, auth.township, auth.agent) == ("赵建国", "白沙镇", "wangqiang")
    assert demo_ctx.authorisations.of_agent("wangqiang") == [auth]
    assert not auth.received_at


def test_outside_the_township_or_bad_input_is_refused_with_every_reason(demo_ctx):
    with pytest.raises(AuthorisationError, match=r"几江街道.*不在本帮代办员的服务范围"):
        demo_ctx.authorisations.record(AGENT, draft(LIU_YANG))
    with pytest.raises(AuthorisationError) as caught:
        demo_ctx.authorisations.record(AGENT, draft(valid_until="2026-11-01", relation="朋友"))
    assert "截止日期" in str(caught.value) and "关系" in str(caught.value)
    with pytest.raises(AuthorisationError, match="不在人口档案中"):
        demo_ctx.authorisations.record(AGENT, draft("110101199003077774"))
    assert demo_ctx.authorisations.of_agent("wangqiang") == []  # nothing half-recorded


def test_a_relative_at_the_window_is_not_bound_to_a_township(demo_ctx):
    clerk = SignedIn("zhangli", "张丽", "clerk", "JJ01", "W03")
    auth = demo_ctx.authorisations.record(clerk, draft(LIU_YANG, relation="配偶"))
    assert auth.township == "几江街道"
    demo_ctx.authorisations.receive(auth.auth_id)
    from hall_app.store.models import EventRow

    with demo_ctx.read() as session:  # only an agent's register travels: nothing a hall device would be refused
        assert session.query(EventRow).filter(EventRow.case_id == auth.auth_id).count() == 0


def test_no_case_without_a_valid_authorisation(demo_ctx, clock):
    day = demo_ctx.agent_day
    auth = demo_ctx.authorisations.record(AGENT, draft(valid_until="2026-11-30"))
    with pytest.raises(IntakeError, match="不包括本事项"):
        day.start_for(AGENT, auth.auth_id, "disability_assistance")
    other = SignedIn("lisi", "李四", "agent", "JJ01", "W03", "白沙镇")
    with pytest.raises(IntakeError, match="受托人是 王强"):
        day.start_for(other, auth.auth_id, "newborn")
    clock.advance(days=10)
    with pytest.raises(IntakeError, match="到期"):
        day.start_for(AGENT, auth.auth_id, "newborn")
    demo_ctx.authorisations.revoke(auth.auth_id, "委托人收回委托")
    clock.advance(days=-10)
    with pytest.raises(IntakeError, match="已撤销"):
        day.start_for(AGENT, auth.auth_id, "newborn")


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00signed paper"


def test_a_case_for_a_principal_cannot_be_accepted_until_the_signed_paper_is_back(demo_ctx, tmp_path):
    day, cases = demo_ctx.agent_day, demo_ctx.cases
    auth = demo_ctx.authorisations.record(AGENT, draft(ZHOU_GUIYING))
    state = day.start_for(AGENT, auth.auth_id, "newborn")
    assert state.channel == "proxy" and state.applicant["name"] == "周桂英"
    assert state.authorisation["auth_id"] == auth.auth_id and state.proxy["name"] == "王强"
    review = cases.review(state.case_id)
    assert "尚未收到委托人签署的授权委托书" in review.options["accept"].reasons
    assert "尚未收到委托人签署的授权委托书" in review.options["defer"].reasons
    with pytest.raises(IntakeError, match="尚未收到"):
        cases.accept(state.case_id, "wangqiang")
    scan = tmp_path / "scan.jpg"
    scan.write_bytes(JPEG)
    back = day.receive(AGENT, auth.auth_id, scan)
    assert len(back.thumbprint) == 64 and back.received_at
    state = cases.get(state.case_id)
    assert state.authorisation["received_at"] == back.received_at
    review = cases.review(state.case_id)
    assert not any("授权" in r for r in review.options["accept"].reasons)
    lines = day.view(AGENT).cases
    assert [ln.stage for ln in lines if ln.case_id == state.case_id] == ["受理"]


def test_the_same_need_twice_is_a_duplicate(demo_ctx):
    day = demo_ctx.agent_day
    auth = demo_ctx.authorisations.record(AGENT, draft(HE_DEGUI))
    first = day.start_for(AGENT, auth.auth_id, "newborn")
    with pytest.raises(IntakeError, match=r"何德贵的“新生儿出生”已有办件 .*请勿重复代办"):
        day.start_for(AGENT, auth.auth_id, "newborn")
    demo_ctx.cases.void(first.case_id, "wangqiang", "录错")
    assert day.start_for(AGENT, auth.auth_id, "newborn").case_id != first.case_id


def test_the_day_view_offline(demo_ctx):
    day = demo_ctx.agent_day
    auth = demo_ctx.authorisations.record(AGENT, draft(ZHOU_GUIYING))
    state = day.start_for(AGENT, auth.auth_id, "newborn")
    view = day.view(AGENT)
    line = next(c for c in view.cases if c.case_id == state.case_id)
    assert (line.stage, line.principal) == ("委托", "周桂英") and "F7" in line.next_step
    assert line.waiting > 0 and view.waiting >= line.waiting and line in view.drafts
    assert view.principals[0].status == "待收回签署件" and view.principals[0].bundle_names == ("新生儿出生",)
    assert view.sync.label == "单机模式" and not view.freshness.configured
    assert "单机模式" in view.freshness.line()
    assert view.stages["委托"] == 1


def test_the_blank_form_prints_prefilled(demo_ctx, tmp_path):
    from pypdf import PdfReader

    auth = demo_ctx.authorisations.record(AGENT, draft(ZHOU_GUIYING, method="attested", attested_by="石坝村村民委员会"))
    path, error = demo_ctx.authorisations.print_blank(auth.auth_id, out=tmp_path / "blank.pdf")
    assert error is None
    text = "".join(page.extract_text() for page in PdfReader(path).pages).replace(" ", "").replace("\n", "")
    for words in ("授权委托书", "周桂英", "王强", "帮代办员", "新生儿出生", "2026年11月21日", "2027年2月20日",
                  "村（居）委会代为证明", "石坝村村民委员会"):
        assert words in text, words
    assert ZHOU_GUIYING not in text  # the ID number is masked on paper
    assert "跟踪码" not in text  # no case yet: no empty tracking-code label in the heading or the footer


def test_delivered_at_home_then_the_follow_up_call(demo_ctx):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "sync"))
    from agent_harness import authorise, file_case

    day, cases = demo_ctx.agent_day, demo_ctx.cases
    auth = authorise(demo_ctx, HE_DEGUI)
    state = file_case(demo_ctx, auth, "elderly_care")
    with pytest.raises(IntakeError, match="办结后才能送达"):
        day.deliver(AGENT, state.case_id, "何德贵")
    cases.dispatch(state.case_id, "wangqiang")
    for item in cases.get(state.case_id).items:
        cases.record_item_result(state.case_id, "dept-system", item, "completed")
    line = next(c for c in day.view(AGENT).cases if c.case_id == state.case_id)
    assert (line.stage, line.next_step) == ("送达", "领取结果，上门送达委托人（F9）")
    with pytest.raises(IntakeError, match="签收人"):
        day.deliver(AGENT, state.case_id, "  ")
    other = SignedIn("lisi", "李四", "agent", "JJ01", "W03", "白沙镇")
    with pytest.raises(IntakeError, match="本人代办"):
        day.deliver(other, state.case_id, "何德贵")
    done = day.deliver(AGENT, state.case_id, "何德贵（本人）")
    assert done.status == "handed_over" and done.handed_over["method"] == "home"
    assert "签收人：何德贵（本人）" in done.handed_over["note"] and "回访日期：2026-11-27" in done.handed_over["note"]
    rated = day.follow_up(AGENT, state.case_id, 2, "等得太久")
    assert rated.rating["channel"] == "agent" and rated.rating["follow_up"]  # a bad rating opens its follow-up
    assert next(c for c in day.view(AGENT).cases if c.case_id == state.case_id).stage == "回访"


def test_every_agent_screen_says_when_the_laptop_last_synced_also_after_a_restart(demo_ctx, clock, tmp_path):
    """The status bar's part for an agent (screens/app.py adds it on every screen): the
    last successful sync kept in the device row, the data's age, the calendar's years."""
    import datetime as dt

    from hall_app.config import Settings
    from hall_app.services.context import HallContext
    from hall_app.store.models import Device

    assert demo_ctx.agent_day.status_line() == ""  # single machine: nothing to sync with
    synced = clock().isoformat(timespec="seconds")
    with demo_ctx.Session.begin() as session:
        device = session.get(Device, demo_ctx.device_id)
        device.server_url, device.token, device.last_sync_ok = "https://hall.example", "t", synced
    again = HallContext(Settings(db=str(demo_ctx.settings.db_path), pdf_dir=str(tmp_path / "pdf")), clock=clock)
    try:  # a new process knows the last sync
        line = again.agent_day.status_line()
        assert line == f"同步于 {synced[5:16].replace('T', ' ')}" and "⚠" not in line
        clock.advance(hours=30)
        assert again.agent_day.status_line().endswith("⚠ 数据已30小时未更新")
        assert "已过期" in again.agent_day.freshness().line()
        clock.now = dt.datetime(2031, 12, 10, 9, 0, tzinfo=clock.now.tzinfo)
        assert "⚠ 日历：2031年节假日安排未载入" in again.agent_day.freshness().line()
    finally:
        again.close()
    with demo_ctx.Session.begin() as session:
        session.get(Device, demo_ctx.device_id).last_sync_ok = ""
    assert demo_ctx.agent_day.status_line() == "⚠ 从未同步"


def test_the_authorisation_forms_draft_is_kept_per_agent_as_typed(demo_ctx):
    register = demo_ctx.authorisations
    typed = {"principal_id": "５００１１６　１９４２", "principal_name": "周桂英（女），",
             "bundles": ["newborn", "adoption"]}
    register.keep_draft(AGENT, typed)
    register.keep_draft(AGENT, {**typed, "address": "高屋村３组"})
    assert register.draft_of(AGENT) == {**typed, "address": "高屋村３组"}
    other = SignedIn("lisi", "李四", "agent", "JJ01", "W03", "白沙镇")
    assert register.draft_of(other) == {}
    with pytest.raises(AuthorisationError, match="输入含有"):  # never storable: refused, the last draft stays
        register.keep_draft(AGENT, {**typed, "address": "高屋\x00村"})
    assert register.draft_of(AGENT)["address"] == "高屋村３组"
    register.record(AGENT, draft(), from_form=True)
    assert register.draft_of(AGENT) == {}
