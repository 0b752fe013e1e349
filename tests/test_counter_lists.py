"""The workbench's read models (services/counter.py): the same cases as the case
service's search, the columns a list shows and not the state JSON, today's page in
the order the cases were taken."""

from __future__ import annotations

from sqlalchemy import event

from hall_app.services.counter import draft_lines, find_lines, today_page
from hall_app.services.demo import CHEN_MIN, HOTPOT_FIRM, LIU_YANG


def test_find_lines_finds_what_the_case_service_finds(demo_ctx):
    code = demo_ctx.cases.find(LIU_YANG)[0].tracking_code
    for query in (LIU_YANG, CHEN_MIN, HOTPOT_FIRM, "刘", "陈敏", code, f"https://x.example/t/{code}", "无此人", ""):
        expected = [r.case_id for r in demo_ctx.cases.find(query)]
        assert [ln.case_id for ln in find_lines(demo_ctx, query)] == expected, query


def test_lists_never_read_the_state_json(demo_ctx):
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(demo_ctx.engine, "before_cursor_execute", seen)
    try:
        assert today_page(demo_ctx, "W03", 0, 10)[0]
        assert draft_lines(demo_ctx, "W03")
        assert find_lines(demo_ctx, LIU_YANG)
    finally:
        event.remove(demo_ctx.engine, "before_cursor_execute", seen)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "cases" in s]
    assert selects and not any("cases.state" in s for s in selects), selects


def test_today_is_ordered_by_the_time_taken(demo_ctx, clock):
    first = demo_ctx.cases.start("newborn", "zhangli")
    clock.advance(minutes=5)
    second = demo_ctx.cases.start("newborn", "zhangli")
    clock.advance(minutes=5)
    demo_ctx.cases.record_print(first.case_id, "zhangli", "receipt", "r.pdf", "a4", "p", "")
    lines, total = today_page(demo_ctx, demo_ctx.settings.window, 0, 50)
    ids = [ln.case_id for ln in lines]
    assert total == len(lines)
    taken = [ln.created_at for ln in lines]
    assert taken == sorted(taken, reverse=True)
    assert ids.index(second.case_id) < ids.index(first.case_id)  # the reprint did not move it up
    assert today_page(demo_ctx, demo_ctx.settings.window, 0, 50, count=False)[1] is None
