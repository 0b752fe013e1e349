"""Issue 11 on the server, on real PostgreSQL: ``GET /v1/dashboard``'s follow-ups of bad
ratings are read in SQL (hall_app/server/dashboards.py) — the open ones and those closed in
the month — and must give exactly what folding every event through the domain's rules
gives (hall_app/domain/visit_followup.py ``visit_follow_up``, the follow-up state machine
of hall_app/domain/rating.py). A random hall of bad visit and case ratings, stepped to a
random point of their follow-ups, is checked day by day against that fold.

The bad case ratings are read through the partial index ``ix_feed_bad_ratings``
(migration s0030_dash12), in a prepared statement's generic plan as well."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from hall_app.domain.calendar import WorkCalendar
from hall_app.domain.rating import FOLLOW_UP_DAYS, NEXT_STEPS, RATING_LEVELS
from hall_app.domain.visit_followup import VISIT_FOLLOW_UP, VISIT_FOLLOW_UP_OPENED, visit_follow_up

HALL = "JJ01"
START = dt.date(2026, 9, 1)


def _random_steps(rng: random.Random, opened: dt.date) -> list[tuple[dt.date, str]]:
    """A valid prefix of 核实 → 整改/解释说明/申诉 → 回访 → 办结, days not going back."""
    state, day, out = "opened", opened, []
    for _ in range(rng.randrange(0, 6)):
        if not NEXT_STEPS[state]:
            break
        state = rng.choice(sorted(NEXT_STEPS[state]))
        day += dt.timedelta(days=rng.randrange(0, 12))
        out.append((day, state))
    return out


def _visit_rows(rng: random.Random, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        hall = HALL if i % 7 else "JJ02"  # another hall's never count
        opened = START + dt.timedelta(days=rng.randrange(0, 110))
        ticket, window = f"v{i}", f"W0{1 + i % 4}"
        cases = [f"case-v{i}"] if i % 3 == 0 else []

        def event(day: dt.date, kind: str, payload: dict, hall: str = hall, ticket: str = ticket,
                  window: str = window, minute: int = i % 60) -> dict:
            return {"hall": hall, "day": day.isoformat(), "at": f"{day.isoformat()}T10:{minute:02d}:00+08:00",
                    "type": kind, "ticket": ticket, "window": window, "line": "",
                    "actor": "pad" if kind == VISIT_FOLLOW_UP_OPENED else "supervisor", "device_id": "dev-1",
                    "payload": {"ticket": ticket, "window": window, **payload}}

        rows.append(event(opened, VISIT_FOLLOW_UP_OPENED, {"label": f"A{i:03d}", "level": 1 + i % 2,
                                                           "reasons": [], "cases": cases}))
        rows += [event(day, VISIT_FOLLOW_UP, {"step": step, "note": "说明", "by": "chenjing"})
                 for day, step in _random_steps(rng, opened)]
    return rows


def _case_rows(rng: random.Random, n: int) -> tuple[list[dict], list[dict]]:
    """Case ratings of every level (the bad ones due 15 working days on) and their steps."""
    calendar = WorkCalendar()
    feed_rows, case_rows = [], []
    seq = 0

    def event(case_id: str, hall: str, kind: str, day: dt.date, payload: dict) -> dict:
        nonlocal seq
        seq += 1
        return {"seq": seq, "kind": "event", "event_id": f"e{seq}", "case_id": case_id, "device_id": "dev-1",
                "device_seq": seq, "actor": "zhangli", "type": kind, "payload": payload,
                "device_time": f"{day.isoformat()}T11:00:00+08:00", "content_hash": f"h{seq}", "hall": hall,
                "agent": "", "received_at": ""}

    for i in range(n):
        case_id, hall = f"case-{i}", HALL if i % 5 else "JJ02"
        case_rows.append({"case_id": case_id, "tracking_code": f"T{i:04d}", "hall": hall, "agent": "",
                          "bundle_code": "newborn", "bundle_hash": ""})
        rated = START + dt.timedelta(days=rng.randrange(0, 110))
        level = rng.choice([1, 2, 2, 3, 4, 5])
        due = calendar.add_working_days(rated, FOLLOW_UP_DAYS).date.isoformat() if level <= 2 else ""
        feed_rows.append(event(case_id, hall, "case.rated", rated, {"level": level, "follow_up_due": due}))
        if level <= 2:
            feed_rows += [event(case_id, hall, "case.follow_up", day, {"step": step, "note": "说明"})
                          for day, step in _random_steps(rng, rated)]
    return feed_rows, case_rows


def _expected(visits: list[dict], feed_rows: list[dict], case_rows: list[dict], today: dt.date) -> tuple:
    """The open follow-ups and the month's closed / on time, folded from the events in Python."""
    calendar = WorkCalendar()
    codes = {c["case_id"]: c["tracking_code"] for c in case_rows}
    open_ones, done = [], []
    first = today.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    for row in (r for r in feed_rows if r["hall"] == HALL and r["type"] == "case.rated"
                and r["payload"]["level"] <= 2):
        steps = [s for s in feed_rows if s["case_id"] == row["case_id"] and s["type"] == "case.follow_up"]
        due = row["payload"]["follow_up_due"]
        closing = [s for s in steps if s["payload"]["step"] == "closed"]
        if not closing:
            open_ones.append((row["case_id"], codes[row["case_id"]], "", row["payload"]["level"], due,
                              row["device_time"][:10], due < today.isoformat()))
        elif first.isoformat() <= closing[0]["device_time"][:10] <= last.isoformat():
            done.append((due, closing[0]["device_time"][:10]))
    for row in (r for r in visits if r["hall"] == HALL and r["type"] == VISIT_FOLLOW_UP_OPENED):
        steps = [{"at": s["at"], "actor": s["actor"], "payload": s["payload"]} for s in visits
                 if s["ticket"] == row["ticket"] and s["type"] == VISIT_FOLLOW_UP]
        found = visit_follow_up({"at": row["at"], "actor": row["actor"], "payload": row["payload"]}, steps,
                                calendar, FOLLOW_UP_DAYS)
        assert found is not None
        follow = found.follow_up
        if not follow.closed:
            open_ones.append((found.cases[0] if found.cases else "", "", found.ticket,
                              row["payload"]["level"], follow.due.isoformat(), follow.opened_on.isoformat(),
                              follow.due < today))
            assert found.level_label == RATING_LEVELS[row["payload"]["level"]]
        elif follow.closed_on is not None and first <= follow.closed_on <= last:
            done.append((follow.due.isoformat(), follow.closed_on.isoformat()))
    on_time = sum(1 for due, on in done if on <= due)
    return sorted(open_ones), {"closed": len(done), "on_time": on_time}


@pytest.mark.postgres
@pytest.mark.parametrize("seed", [1, 2])
def test_follow_ups_read_in_sql_equal_the_fold_of_the_events(server_engine, seed):
    from hall_app.server.dashboards import hall_figures
    from hall_app.server.models import cases, feed
    from hall_app.server.queue_models import queue_events

    rng = random.Random(seed)
    visits = _visit_rows(rng, 120)
    feed_rows, case_rows = _case_rows(rng, 150)
    with server_engine.begin() as conn:
        conn.execute(queue_events.insert(), visits)
        conn.execute(cases.insert(), case_rows)
        conn.execute(feed.insert(), feed_rows)
    assert sum(1 for r in visits if r["payload"].get("step") == "closed") > 10  # the random hall has both kinds
    for today in (dt.date(2026, 9, 30), dt.date(2026, 10, 20), dt.date(2026, 11, 25), dt.date(2027, 1, 5)):
        with server_engine.connect() as conn:
            figures = hall_figures(conn, HALL, today)
        got = sorted((f["case_id"], f["tracking_code"], f.get("ticket", ""), f["level"], f["due"], f["rated_on"],
                      f["overdue"]) for f in figures["follow_ups_open"])
        open_ones, month = _expected(visits, feed_rows, case_rows, today)
        assert got == open_ones, today
        assert figures["month"]["follow_ups"] == month, today
        assert all(f["label"] == RATING_LEVELS[f["level"]] for f in figures["follow_ups_open"])
        assert [f["overdue"] for f in figures["follow_ups_open"]] == sorted(
            (f["overdue"] for f in figures["follow_ups_open"]), reverse=True)  # overdue ones first


def _plans(conn, query) -> tuple[str, str]:
    """EXPLAIN of ``query`` as a custom plan (parameters' values known) and as the generic
    plan of a prepared statement ($1, $2… as psycopg sends them once it prepares)."""
    from sqlalchemy.dialects.postgresql import asyncpg  # a dialect that renders $n placeholders

    literal = query.compile(conn, compile_kwargs={"literal_binds": True})
    numbered = query.compile(dialect=asyncpg.dialect(), compile_kwargs={"render_postcompile": True})
    def quoted(value) -> str:  # a JSON path (a tuple) as a PostgreSQL array literal
        text = "{" + ",".join(map(str, value)) + "}" if isinstance(value, tuple) else str(value)
        return "'" + text.replace("'", "''") + "'"

    values = ", ".join(quoted(numbered.params[k]) for k in numbered.positiontup or ())
    custom = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {literal}"))
    conn.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
    conn.exec_driver_sql(f"PREPARE planned AS {numbered.string}")
    generic = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN EXECUTE planned({values})"))
    return custom, generic


@pytest.mark.postgres
def test_open_follow_ups_read_only_bad_ratings_and_closing_steps_through_partial_indexes(server_engine):
    """The open follow-ups' queries are planned on the partial indexes of s0030_dash12 — as a
    custom plan and as a prepared statement's generic plan (psycopg prepares a statement run
    5 times on one connection) — so a year of ratings and steps is not read to find the bad
    ratings and the closed follow-ups."""
    from hall_app.server.dashboards import open_cases_query, open_visits_query

    with server_engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        conn.exec_driver_sql("SET enable_bitmapscan = off")
        # this test's own schema: leave the partial indexes the only ways to the rows wanted
        for index in ("ix_feed_hall_type_time", "ix_feed_hall_seq", "ix_queue_events_hall_type",
                      "ix_queue_events_hall_day"):
            conn.exec_driver_sql(f"DROP INDEX {index}")
        cases_plans = _plans(conn, open_cases_query(HALL, True))
        conn.exec_driver_sql("DEALLOCATE planned")
        visits_plans = _plans(conn, open_visits_query(HALL, True))
        conn.rollback()
    for plan in cases_plans:  # which are open: from the two indexes (index-only once vacuumed)
        assert "using ix_feed_bad_ratings" in plan and "using ix_feed_closed_follow_ups" in plan, plan
    for plan in visits_plans:
        assert "using ix_queue_events_opened_follow_ups" in plan, plan
        assert "using ix_queue_events_closed_follow_ups" in plan, plan
