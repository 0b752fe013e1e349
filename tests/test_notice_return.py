"""The citizen's return after a one-time notice and 电子证照已调取, on the services and the
CLI (issue 12): the 一次告知 rule (a further notice adding a material needs the reason,
which is kept, replayed, described and printed), what a return checks, the notice on
the clerk's list, and a deferred material supplied from the applicant's e-licence."""

from __future__ import annotations

import pytest

from hall_app.cli import main
from hall_app.domain.case import replay
from hall_app.domain.dispatch import notice_return_codes
from hall_app.domain.event_types import EventInvalid, validate_event
from hall_app.services.demo import LI_NA, LIU_YANG
from hall_app.services.intake import IntakeError
from hall_app.store.models import Elicence


def noticed(ctx):
    return next(c for c in ctx.cases.find(LI_NA) if c.status == "notice_issued")


def deferred_case(ctx):
    return next(c for c in ctx.cases.find(LIU_YANG) if c.status == "accepted_deferred")


def file_e_bill(ctx, holder: str = LIU_YANG) -> None:
    """The hospital's e-bill reaches the person file (as a real connector would bring it)."""
    with ctx.Session.begin() as session:
        session.add(Elicence(holder=holder, type="医疗收费电子票据", number="E2026120100001",
                             issued_by="重庆市财政局", issued_on="2026-11-20", data={}))
    ctx.people._cache.clear()


def test_a_further_notice_adding_a_material_needs_the_reason_and_keeps_it(demo_ctx):
    case = noticed(demo_ctx)
    first = demo_ctx.cases.get(case.case_id).notices[0]["missing"]
    demo_ctx.cases.answer(case.case_id, "zhangli", "parents_married", "是")  # now the 结婚证 is needed
    missing = [m.material.code for m in demo_ctx.cases.review(case.case_id).plan.missing]
    assert "marriage_certificate" in missing and "marriage_certificate" not in first
    assert notice_return_codes(demo_ctx.cases.get(case.case_id), missing)[-1] == "marriage_certificate"
    for blank in ("", "  \u3000"):
        with pytest.raises(IntakeError) as refused:
            demo_ctx.cases.issue_notice(case.case_id, "zhangli", blank)
        assert str(refused.value) == "一次告知：此前的告知书没有列出父母结婚证；再次告知增加材料须写明原因"
    assert len(demo_ctx.cases.get(case.case_id).notices) == 1  # nothing written
    state = demo_ctx.cases.issue_notice(case.case_id, "zhangli", "申请人已补办结婚登记")
    assert state.notices[-1]["added"] == ["marriage_certificate"]
    assert state.notices[-1]["reason"] == "申请人已补办结婚登记"
    # the projection is the events': replayed, the reason and what it added are the same
    with demo_ctx.unit_of_work() as (_, repo):
        assert replay(repo.events(case.case_id)).notices == state.notices
    timeline = demo_ctx.cases.timeline(case.case_id)
    assert timeline[-1]["payload"]["reason"] == "申请人已补办结婚登记"
    notice = demo_ctx.documents.build("notice", case.case_id)
    assert (notice.sequence, notice.reason, notice.added) == (2, "申请人已补办结婚登记", ("父母结婚证",))


def test_the_printed_notice_says_why_and_what_it_added(demo_ctx):
    from printing import render_pdf
    from tests.printing.printing_samples import flat, pdf_text

    case = noticed(demo_ctx)
    demo_ctx.cases.answer(case.case_id, "zhangli", "parents_married", "是")
    demo_ctx.cases.issue_notice(case.case_id, "zhangli", "申请人已补办结婚登记")
    text = flat(pdf_text(render_pdf("notice", demo_ctx.documents.build("notice", case.case_id)).pdf))
    assert "第2次告知" in text and "再次告知原因：申请人已补办结婚登记" in text
    assert "本次增加的材料：父母结婚证" in text


def test_a_pending_notice_is_on_the_clerks_list_by_name(demo_ctx):
    case = noticed(demo_ctx)
    flags = demo_ctx.dispatch.follow_ups_of(demo_ctx.cases.get(case.case_id), named=True)
    assert flags == ["一次性告知待补齐（期限 2026-11-27）：父母双方居民身份证、落户方居民户口簿、非婚生育情况说明、"
                     "新生儿出生医学记录、生育医疗费用票据、新生儿近期免冠照片"]
    assert case.case_id in {f.case_id for f in demo_ctx.dispatch.follow_ups("W03")}


def test_a_deferred_material_supplied_from_its_e_licence(demo_ctx):
    case = deferred_case(demo_ctx)
    with pytest.raises(IntakeError, match="申请人档案中还没有“医疗收费电子票据”电子证照，请收取纸质“生育医疗费用票据”"):
        demo_ctx.dispatch.supply(case.case_id, "zhangli", "maternity_bill", elicence=True)
    choices = {code: status for code, _, status in demo_ctx.dispatch.supply_choices(case.case_id)}
    assert choices["maternity_bill"] == "deferred"
    file_e_bill(demo_ctx)
    choices = {code: status for code, _, status in demo_ctx.dispatch.supply_choices(case.case_id)}
    assert choices["maternity_bill"] == "deferred_elicence" and choices["baby_photo"] == "deferred"
    with pytest.raises(IntakeError, match="“新生儿近期免冠照片”没有对应的电子证照，请收取纸质材料"):
        demo_ctx.dispatch.supply(case.case_id, "zhangli", "baby_photo", elicence=True)
    with pytest.raises(IntakeError, match="该办件不需要补交“银行卡（缴费用）”"):
        demo_ctx.dispatch.supply(case.case_id, "zhangli", "bank_card", elicence=True)
    assert demo_ctx.cases.get(case.case_id).deferred == ["maternity_bill", "baby_photo"]  # nothing changed
    state = demo_ctx.dispatch.supply(case.case_id, "zhangli", "maternity_bill", elicence=True)
    assert state.deferred == ["baby_photo"]
    assert state.supplied["maternity_bill"] | {"at": ""} == {"via": "elicence", "licence": "医疗收费电子票据",
                                                             "at": "", "by": "zhangli"}
    from hall_app.domain.case_describe import describe_event  # the timeline names it

    bundle = demo_ctx.catalog_service.bundle_for(state.bundle_code, state.bundle_hash)
    last = demo_ctx.cases.timeline(case.case_id)[-1]
    described = describe_event(last["type"], last["payload"], bundle)
    assert described == "生育医疗费用票据（电子证照已调取：医疗收费电子票据）"
    paper = demo_ctx.dispatch.supply(case.case_id, "zhangli", "baby_photo")
    assert paper.supplied["baby_photo"]["via"] == "paper" and paper.status == "accepted"
    receipt = demo_ctx.documents.build("supply", case.case_id)
    assert [(m.name, m.form) for m in receipt.supplied] == [("生育医疗费用票据", "电子证照已调取"),
                                                              ("新生儿近期免冠照片", "原件")]


def test_the_supply_payload_is_checked_on_both_sides():
    assert validate_event("case.deferred_supplied", {"material": "m", "via": "elicence", "licence": "结婚证"})
    for bad in ({"material": "m", "via": "fax"}, {"material": "m", "via": "elicence", "licence": 3},
                {"material": "m", "licence": "x\x00"}):
        with pytest.raises(EventInvalid):
            validate_event("case.deferred_supplied", bad)


def test_the_cli_supplies_from_an_e_licence(demo_ctx, capsys):
    code = deferred_case(demo_ctx).tracking_code
    db = demo_ctx.settings.db_path
    rc = main(["--db", str(db), "case", code, "--supply", "maternity_bill", "--from-elicence", "--no-receipt"])
    assert rc == 2 and "申请人档案中还没有“医疗收费电子票据”电子证照" in capsys.readouterr().err
    file_e_bill(demo_ctx)
    demo_ctx.close()
    rc = main(["--db", str(db), "case", code, "--supply", "maternity_bill", "--from-elicence", "--no-receipt"])
    out = capsys.readouterr().out
    assert rc == 0 and "已登记补交：maternity_bill（电子证照已调取）" in out and "仍待补交：baby_photo" in out


def test_the_tracking_page_lists_what_the_notice_still_waits_for(demo_ctx):
    from hall_app.server.tracking import public_view

    case = noticed(demo_ctx)
    demo_ctx.cases.mark_material(case.case_id, "zhangli", "parents_id_cards", "handed_in")
    state = demo_ctx.cases.get(case.case_id)
    names = demo_ctx.dispatch.names(state)
    view = public_view(state, "新生儿出生", {}, names)
    assert view["to_bring"] == ["落户方居民户口簿", "非婚生育情况说明", "新生儿出生医学记录", "生育医疗费用票据",
                                "新生儿近期免冠照片"]
    assert "李娜" not in str(view) and LI_NA not in str(view)  # never personal data
