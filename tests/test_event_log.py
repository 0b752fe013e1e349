"""The case tables are a projection of the events: rebuilding from the log gives
exactly the live state, whatever happened (hypothesis drives random sessions)."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hall_app.config import Settings
from hall_app.services.context import HallContext
from hall_app.services.demo import CHEN_MIN, LI_NA, LIU_YANG, SUN_HAO
from hall_app.services.intake import IntakeError
from hall_app.store.models import CaseRow, EventRow
from tests.conftest import Clock

OPS = st.sampled_from(["start", "answer", "mark", "field", "applicant", "accept", "defer", "notice", "refuse",
                       "void", "dispatch", "result", "hand_over", "rate", "step", "supply"])
STEP = st.tuples(OPS, st.integers(0, 50), st.integers(0, 50))
IDS = [LIU_YANG, CHEN_MIN, LI_NA, SUN_HAO, "110105194912310021", "５００"]
VALUES = ["刘思远", "王𠮷", "", "１３９０８３１２３４５", "2026-11-15", "x" * 300, "男", "一档", "邮政寄递"]


def run_op(ctx: HallContext, cases: list[str], op: str, a: int, b: int) -> None:
    svc = ctx.cases
    if op == "start" or not cases:
        cases.append(svc.start("newborn", "zhangli").case_id)
        return
    cid = cases[a % len(cases)]
    state = svc.get(cid)
    plan = svc.plan(state)
    bundle = plan.bundle
    if op == "answer":
        q = bundle.questions[a % len(bundle.questions)]
        svc.answer(cid, "zhangli", q.id, q.options[b % len(q.options)])
    elif op == "mark" and plan.materials:
        m = plan.materials[b % len(plan.materials)]
        svc.mark_material(cid, "zhangli", m.material.code, ["handed_in", "missing", "deferred"][a % 3])
    elif op == "field" and plan.fields:
        f = plan.fields[a % len(plan.fields)]
        svc.set_field(cid, "zhangli", f.field.key, VALUES[b % len(VALUES)])
    elif op == "applicant":
        svc.set_applicant_id(cid, "zhangli", IDS[b % len(IDS)])
    elif op == "accept":
        svc.accept(cid, "zhangli")
    elif op == "defer":
        svc.defer(cid, "zhangli")
    elif op == "notice":
        svc.issue_notice(cid, "zhangli", "情况变化" if b % 2 else "")
    elif op == "refuse":
        svc.refuse(cid, "zhangli", "不属于受理范围" if b % 3 else "")
    elif op == "void":
        svc.void(cid, "zhangli", "重复" if b % 2 else "")
    elif op == "dispatch":
        svc.dispatch(cid, "zhangli")
    elif op == "result" and state.items:
        item = list(state.items)[b % len(state.items)]
        svc.record_item_result(cid, "dept", item, ["received", "approved", "completed", "rejected"][a % 4], "理由")
    elif op == "hand_over":
        svc.hand_over(cid, "zhangli", "window")
    elif op == "rate":
        svc.rate(cid, "zhangli", 1 + b % 6)
    elif op == "step":
        svc.set_step(cid, "zhangli", ["need", "flow", "applicant", "questions", "form"][b % 5])
    elif op == "supply" and state.deferred:
        svc.supply_deferred(cid, "zhangli", state.deferred[0])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STEP, min_size=1, max_size=40))
def test_rebuild_equals_live_projection(steps):
    with tempfile.TemporaryDirectory() as tmp:
        clock = Clock()
        ctx = HallContext(Settings(db=str(Path(tmp) / "h.db")), clock=clock)
        from hall_app.services.demo import DemoSeeder

        DemoSeeder(ctx)._files()
        cases: list[str] = []
        for op, a, b in steps:
            try:
                run_op(ctx, cases, op, a, b)
            except IntakeError:
                pass  # refused actions write nothing
            clock.advance(seconds=7)
        with ctx.read() as session:
            live = {r.case_id: (r.state, r.status, r.tracking_code, r.applicant_id_number, r.due_date)
                    for r in session.scalars(select(CaseRow))}
            seqs = [e.device_seq for e in session.scalars(select(EventRow).order_by(EventRow.local_seq))]
        assert seqs == list(range(1, len(seqs) + 1))  # gap-free per device
        with ctx.unit_of_work() as (_, repo):
            assert repo.rebuild_all() == len(live)
        with ctx.read() as session:
            rebuilt = {r.case_id: (r.state, r.status, r.tracking_code, r.applicant_id_number, r.due_date)
                       for r in session.scalars(select(CaseRow))}
        assert rebuilt == live
        assert all(not s[0]["anomalies"] for s in rebuilt.values())  # strict writes never leave anomalies
        ctx.close()
