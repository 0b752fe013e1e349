"""Writing the feed: positions in commit order, and a batch of events in one statement.

Positions: ``feed_counter`` is one row; every transaction that adds to the feed
updates it, so it holds that row lock until COMMIT and the next writer gets higher
positions only after this one is visible. Positions therefore appear in commit
order: a reader that has seen position p has seen everything below it. They never
go back, even after a restore from an old backup: the counter jumps to the server's
clock in microseconds when that is ahead (docs/sync.md, "Feed ordering").

On PostgreSQL a push takes its positions and inserts its rows in one statement, so
the counter lock is held for one round trip and the COMMIT, not for Python work
(which, under the GIL with many requests in flight, would stretch every wait).
"""

from __future__ import annotations

import json
import time
from typing import Any

import orjson
from sqlalchemy import Connection, any_, bindparam, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hall_app.domain.jsontext import plain
from hall_app.server.models import feed, feed_counter

COLUMNS = ("event_id", "case_id", "device_id", "device_seq", "actor", "type", "payload", "device_time",
           "schema_version", "content_hash", "hall", "agent")
PG_TYPES = ("text", "text", "text", "bigint", "text", "text", "text", "text", "int", "text", "text", "text")

# The batch travels as one JSON text (one array per row, in COLUMNS order, the payload
# as the JSON text it was encoded to): one parameter, encoded in one call of the C
# encoder, where twelve typed arrays cost psycopg ~5 µs per value in Python.
PG_BATCH = f"""
WITH c AS (UPDATE feed_counter SET last = GREATEST(last, %(now_us)s) + %(n)s WHERE id = 1
           RETURNING last - %(n)s AS base)
INSERT INTO feed (seq, kind, {', '.join(COLUMNS)}, received_at)
SELECT c.base + t.ord, 'event', {', '.join(
    f"CAST(t.r->>{i} AS {'jsonb' if c == 'payload' else typ})" for i, (c, typ) in enumerate(zip(COLUMNS, PG_TYPES)))},
       %(received_at)s
FROM c, jsonb_array_elements(CAST(%(rows)s AS jsonb)) WITH ORDINALITY AS t(r, ord)
ON CONFLICT DO NOTHING
RETURNING event_id, seq
"""


def batch_json(rows: list[dict[str, Any]]) -> str:
    """``rows`` as the JSON text PG_BATCH reads. The push path encoded each payload once
    already (Event.encoded); other callers' payloads are encoded here. orjson encodes
    the batch (strings and ints only: the same values) unless something in it is not
    plain JSON (jsontext.plain), then json does as before."""
    table = [[r.get("payload_json") or json.dumps(r["payload"], ensure_ascii=False) if c == "payload"
              else r[c] for c in COLUMNS] for r in rows]
    if plain(table):
        try:
            return orjson.dumps(table).decode()
        except TypeError:  # an int beyond 64 bits, a lone surrogate
            pass
    return json.dumps(table, ensure_ascii=False)


def insert_for(conn: Connection):
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


def now_us() -> int:
    return time.time_ns() // 1000


def reserve(conn: Connection, n: int) -> int:
    """Take ``n`` feed positions; returns the first. Holds the counter row until COMMIT."""
    greatest = "GREATEST" if conn.dialect.name == "postgresql" else "MAX"
    last = conn.execute(text(f"UPDATE feed_counter SET last = {greatest}(last, :now) + :n WHERE id = 1 "
                             "RETURNING last"), {"now": now_us(), "n": n}).scalar_one()
    return int(last) - n + 1


def head(conn: Connection) -> int:
    return int(conn.execute(select(feed_counter.c.last).where(feed_counter.c.id == 1)).scalar_one())


def among(conn: Connection, column, values: list):
    """``column IN values`` as one array parameter on PostgreSQL (hundreds of placeholders
    cost psycopg more to parse than the index probes cost the server)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))


def insert_batch(conn: Connection, rows: list[dict[str, Any]], received_at: str, commit: bool = False
                 ) -> dict[str, int]:
    """Take positions for ``rows`` (in order) and insert those not stored yet.

    Returns event_id → position for the rows inserted; a row left out clashed with a
    stored one (same event id, or same device and device_seq). Positions of rows left
    out stay unused: the feed has gaps, never reorderings.

    ``commit`` (PostgreSQL): send COMMIT in the same pipeline as the insert, so the
    feed lock is released without waiting for this process to be scheduled again.
    Statements after it on ``conn`` run in a new transaction.
    """
    if not rows:
        return {}
    if conn.dialect.name == "postgresql":
        return pipelined_insert(conn.connection.driver_connection, rows, received_at, commit=commit)
    first = reserve(conn, len(rows))
    values = [{"seq": first + n, "kind": "event", "received_at": received_at, **{c: r[c] for c in COLUMNS}}
              for n, r in enumerate(rows)]
    stmt = sqlite_insert(feed).on_conflict_do_nothing().returning(feed.c.event_id, feed.c.seq)
    return {r.event_id: r.seq for r in conn.execute(stmt, values)}


def pipelined_insert(raw, rows: list[dict[str, Any]], received_at: str, before: list[tuple[str, Any]] = (),
                     commit: bool = True) -> dict[str, int]:
    """PostgreSQL: the statements ``before`` (SQL, parameters; their results unread),
    the batch insert, and (``commit``) COMMIT, sent in one psycopg pipeline: one round
    trip, and the feed lock is released without waiting for this process to be
    scheduled again. ``raw`` is the psycopg connection. Returns what insert_batch does."""
    params = {"rows": batch_json(rows), "now_us": now_us(), "n": len(rows), "received_at": received_at}
    with raw.cursor() as cur:
        with raw.pipeline():
            for sql, values in before:
                raw.execute(sql, values)
            cur.execute(PG_BATCH, params)
            flush_all(raw.pgconn)
            if commit:
                raw.execute("COMMIT")
        return dict(cur.fetchall())


def flush_all(pgconn, timeout: float = 60.0) -> None:
    """Send everything libpq still holds for the server, reading what arrives meanwhile.

    In pipeline mode psycopg (3.1–3.3) sends a query and calls ``PQflush`` once; when
    the query is larger than the socket takes at once (a batch of about 12 MB and
    more), the rest stays in libpq's buffer and psycopg then waits for a result the
    server cannot send: it is still reading the query (``ClientRead``), holding the
    feed lock, for ever. Flushing to the end here, and consuming input while the
    socket is not writable (so neither side blocks on a full buffer), fixes that.
    """
    import select

    deadline = time.monotonic() + timeout
    while pgconn.flush() == 1:  # 1: data left to send
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("PostgreSQL did not take the batch in time")
        readable, _, _ = select.select([pgconn.socket], [pgconn.socket], [], min(left, 1.0))[:3]
        if readable:
            pgconn.consume_input()


def commit_now(conn: Connection) -> None:
    """COMMIT on PostgreSQL now (the rest of the ``engine.begin()`` block is a new
    transaction); on SQLite the block's own COMMIT does it."""
    if conn.dialect.name == "postgresql":
        conn.connection.driver_connection.commit()


def insert_rows(conn: Connection, values: list[dict[str, Any]]) -> None:
    """Insert rows whose positions the caller has reserved (department results, bundles)."""
    conn.execute(insert_for(conn)(feed), list(values))
