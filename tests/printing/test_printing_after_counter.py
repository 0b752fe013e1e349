"""Issue 12's printed documents: 送达回证 (the collector signs), 补交材料收据, 告知承诺书
and 终止办理通知书, built from real cases and read back from the PDF."""

from __future__ import annotations

import pytest
from printing_samples import flat, pdfium_text

from hall_app.services.demo import LIU_YANG
from hall_app.services.inbox import LocalInbox
from hall_app.services.intake import IntakeError
from printing import render_pdf


def text_of(ctx, kind: str, case_id: str) -> str:
    return flat(pdfium_text(render_pdf(kind, ctx.documents.build(kind, case_id)).pdf))


def case_at(ctx, status: str):
    return next(c for c in ctx.cases.find(LIU_YANG) if c.status == status)


def test_delivery_receipt_names_each_result_the_method_and_the_collector(demo_ctx):
    code = case_at(demo_ctx, "accepted").tracking_code
    state = demo_ctx.cases.by_tracking_code(code)
    with pytest.raises(IntakeError, match="不能打印送达回证"):
        demo_ctx.documents.build("delivery", state.case_id)
    for dept, items in demo_ctx.dispatch.departments_map(state).items():
        for item in items:
            LocalInbox(demo_ctx, dept).report(code, item, "completed", document=f"DOC-{item}")
    demo_ctx.handover.by_mail(state.case_id, "zhangli", "EA123456785CN")
    text = text_of(demo_ctx, "delivery", state.case_id)
    assert "送达回证" in text and "邮政寄递" in text and "EA123456785CN" in text
    assert "出生医学证明" in text and "DOC-birth_certificate" in text and "受送达人" in text
    assert LIU_YANG not in text


def test_supply_receipt_and_termination_notice_of_a_deferral(demo_ctx, clock):
    case_id = case_at(demo_ctx, "accepted_deferred").case_id
    with pytest.raises(IntakeError, match="还没有补交过"):
        demo_ctx.documents.build("supply", case_id)
    demo_ctx.dispatch.supply(case_id, "zhangli", "baby_photo")
    text = text_of(demo_ctx, "supply", case_id)
    assert "补交材料收据" in text and "新生儿近期免冠照片" in text and "仍需补交" in text and "生育医疗费用票据" in text
    clock.advance(days=40)
    demo_ctx.dispatch.remind(case_id, "zhangli", "sms")
    demo_ctx.dispatch.terminate_overdue(case_id, "zhangli")
    text = text_of(demo_ctx, "termination", case_id)
    assert "终止办理通知书" in text and "决定终止办理" in text and "容缺受理承诺书" in text
