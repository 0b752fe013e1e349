"""The ID look-up stays an index search once SQLite has statistics (ANALYZE).

Before: ``applicant_id_number = ? OR applicant_uscc = ?`` over two indexes; the USCC
is empty for every person, so after ANALYZE the planner chose a full table scan.
Now one normalised ``applicant_key`` with a partial index (migration 0002_h6_…).
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import insert, select, text

from hall_app.domain.identifiers import uuid7
from hall_app.domain.tracking import new_tracking_code
from hall_app.store import db
from hall_app.store.models import CaseRow
from hall_app.store.repository import id_number_query

STATUSES = ["accepted"] * 5 + ["completed"] * 8 + ["dispatched"] * 3 + ["draft"] * 2 + ["refused"]


def _id_number(rng: random.Random) -> str:
    body = f"500116{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + rng.choice("0123456789X")


def add_realistic_cases(ctx, n: int = 3000, seed: int = 7, firms: float = 0.0) -> None:
    """People (ID number, empty USCC), a share ``firms`` of firm cases (USCC), 5% drafts
    with no applicant yet; a person has one to three cases. A hall serving only people
    (firms=0) is the case that misled the planner."""
    rng = random.Random(seed)
    people = [_id_number(rng) for _ in range(n // 2)]
    uscc_pool = [f"91500116{rng.randint(10**9, 10**10 - 1)}" for _ in range(n // 20)]
    rows = []
    for _ in range(n):
        kind = rng.random()
        draft, firm = kind >= 0.95, kind < firms
        pid = "" if draft or firm else rng.choice(people)
        uscc = rng.choice(uscc_pool)[:18] if firm and not draft else ""
        status = "draft" if draft else rng.choice(STATUSES)
        at = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T{rng.randint(8, 17):02d}:00:00+08:00"
        rows.append(dict(case_id=uuid7(), tracking_code=new_tracking_code(), bundle_code="newborn",
                         bundle_version=1, bundle_name="新生儿出生", status=status, step="done",
                         applicant_name=rng.choice("张王李赵刘陈杨黄") + rng.choice("伟芳娜敏静丽强磊"),
                         applicant_id_number=pid, applicant_uscc=uscc, applicant_key=pid or uscc,
                         hall="JJ01", window=f"W0{rng.randint(1, 6)}", created_by="zhangli", claimed_by="",
                         created_at=at, updated_at=at, due_date="", needs_review=False, version=5,
                         state={"applicant": {"name": "x", "id_number": pid}, "answers": {"a": "是"}}))
    with ctx.Session.begin() as session:
        session.execute(insert(CaseRow), rows)


def query_plan(ctx, statement) -> str:
    compiled = statement.compile(dialect=ctx.engine.dialect)
    params = tuple(compiled.params[name] for name in compiled.positiontup)
    with ctx.engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled.string, params).all()
    return "\n".join(str(r[-1]) for r in rows)


@pytest.mark.parametrize("firms", [0.0, 0.1])
def test_id_look_up_uses_the_index_after_analyze(demo_ctx, firms):
    add_realistic_cases(demo_ctx, firms=firms)
    with demo_ctx.engine.begin() as conn:
        # The two single-column indexes the old look-up used, for the contrast below.
        conn.exec_driver_sql("CREATE INDEX old_id ON cases (applicant_id_number)")
        conn.exec_driver_sql("CREATE INDEX old_uscc ON cases (applicant_uscc)")
        conn.exec_driver_sql("ANALYZE")
        assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_stat1").scalar() > 0
    plan = query_plan(demo_ctx, id_number_query("50011619900307002X"))
    assert "ix_cases_applicant_key" in plan, plan
    assert "SCAN cases" not in plan, plan
    if firms:
        return
    # The old query over its old indexes, for contrast: with these statistics SQLite scans.
    old = (select(CaseRow).where(text("applicant_id_number = :k OR applicant_uscc = :k")).params(k="x")
           .order_by(CaseRow.updated_at.desc()).limit(50))
    assert "SCAN cases" in query_plan(demo_ctx, old)


def test_cases_saved_by_the_services_are_found_by_id_and_uscc(demo_ctx):
    with demo_ctx.read() as session:
        rows = session.execute(select(CaseRow.case_id, CaseRow.applicant_id_number, CaseRow.applicant_uscc,
                                      CaseRow.applicant_key)).all()
    keyed = [r for r in rows if r.applicant_id_number or r.applicant_uscc]
    assert keyed
    for row in keyed:
        assert row.applicant_key == (row.applicant_id_number or row.applicant_uscc)
        assert row.case_id in [c.case_id for c in demo_ctx.cases.find(row.applicant_key)]


def test_the_migration_fills_the_key_of_existing_cases(tmp_path):
    engine = db.make_engine(db.sqlite_url(tmp_path / "old.db"))
    db.upgrade(engine, "0001_initial")
    with engine.begin() as conn:
        for case_id, pid, uscc in (("c1", "50011619900307002X", ""), ("c2", "", "91500116MA5U0000XY"),
                                   ("c3", "", "")):
            conn.exec_driver_sql(
                "INSERT INTO cases (case_id, tracking_code, bundle_code, bundle_version, bundle_name, status, step,"
                " applicant_name, applicant_id_number, applicant_uscc, hall, window, created_by, claimed_by,"
                " created_at, updated_at, due_date, needs_review, version, state)"
                " VALUES (?, ?, 'newborn', 1, '', 'accepted', 'done', '', ?, ?,"
                " '', '', '', '', '', '', '', 0, 1, '{}')",
                (case_id, case_id.upper(), pid, uscc))
    db.ensure_schema(engine)
    assert db.current_revision(engine) == db.HEAD_REVISION
    with engine.connect() as conn:
        keys = dict(conn.exec_driver_sql("SELECT case_id, applicant_key FROM cases").all())
    assert keys == {"c1": "50011619900307002X", "c2": "91500116MA5U0000XY", "c3": ""}
