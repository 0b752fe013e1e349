"""Issue 14, "any of them can be taken at the window": every bundle of the catalog goes
through a whole intake through the services a clerk's keys call (applicant from the
demo files, every question answered, materials checked, the one form filled with a
valid value of each field's type) and is accepted, with exactly its planned items."""

import datetime as dt

import pytest

from bundles.loader import load_catalog
from hall_app.services.demo import CHEN_MIN, HOTPOT_FIRM, LIU_YANG

CODES = sorted(bundle.code for bundle in load_catalog())


def valid_value(field, today: dt.date) -> str:
    from hall_app.domain.form import is_past_only

    kind = field.type
    if kind == "choice":
        return field.choices[0]
    if kind == "date":
        return "2020-05-18" if is_past_only(field) else (today + dt.timedelta(days=10)).isoformat()
    values = {"name": "王小明", "citizen_id": CHEN_MIN, "uscc": HOTPOT_FIRM, "mobile": "13908312345",
              "phone": "023-47561234", "address": "重庆市江津区几江街道小西门路12号", "number": "2"}
    return values.get(kind, "按实填写的内容")


@pytest.mark.slow
@pytest.mark.parametrize("code", CODES)
def test_every_bundle_can_be_taken_at_the_window(demo_ctx, code):
    svc = demo_ctx.cases
    bundle = demo_ctx.catalog.entry(code).bundle
    assert bundle.complete, code
    cid = svc.start(code, "zhangli").case_id
    svc.set_applicant_id(cid, "zhangli", HOTPOT_FIRM if bundle.kind == "企业" else LIU_YANG)
    for _ in range(len(bundle.questions) + 1):  # each answer may bring the next question
        pending = svc.plan(cid).pending
        if not pending:
            break
        svc.answer(cid, "zhangli", pending[0].id, pending[0].options[0])
    plan = svc.plan(cid)
    assert plan.pending == () and plan.items, code
    for planned in plan.materials:
        if planned.status not in ("exempt", "handed_in"):
            svc.mark_material(cid, "zhangli", planned.material.code, "handed_in")
    for row in svc.form(cid):
        if not row.check.ok:
            svc.set_field(cid, "zhangli", row.field.key, valid_value(row.field, demo_ctx.today()))
    review = svc.review(cid)
    assert review.blockers == () and review.accept_blockers == (), (code, review.blockers, review.accept_blockers)
    state = svc.accept(cid, "zhangli")
    assert state.status == "accepted" and set(state.items) == set(plan.item_codes()), code
