"""The database work of one push: what the checks read, the case directory's new rows,
the device row, the feed insert and its COMMIT (the checks themselves: feed.py).

Two forms that do the same: :class:`PlainBatch`, one ``engine.begin()`` transaction
with a statement per step (SQLite, which serialises writers anyway); and on PostgreSQL
:class:`PipelinedBatch`, which makes the same statements in at most three round trips
(each round trip is a wake-up of the backend and of this process, which on a busy
machine costs more than the statements):

1. the case directory and the device's high-water mark, one statement in autocommit.
   A read before BEGIN sees what a read after it would: under READ COMMITTED every
   statement takes its own snapshot, and the transaction takes no lock before its
   first write;
2. only for a batch that starts cases: BEGIN, the device row, the directory's new rows
   and their read-back, in one pipeline;
3. (BEGIN and the device row, if not sent yet), the feed insert and COMMIT, in one
   pipeline (writes.pipelined_insert).

A database error is raised as SQLAlchemy's (the app answers 503), after ROLLBACK.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import DBAPIError

from hall_app.server.models import devices, feed
from hall_app.server.scopes import CaseDirectory, Owner, Verdict, claim_cases, lost_claims
from hall_app.server.writes import among, insert_batch, pipelined_insert

Hold = Callable[[], None] | None  # the test seam: called after the insert, before COMMIT


def open_batch(engine: Engine) -> "PlainBatch | PipelinedBatch":
    return PipelinedBatch(engine) if engine.dialect.name == "postgresql" else PlainBatch(engine)


def seq_high(conn, device_id: str) -> int:
    """The highest ``device_seq`` of this device the server has accounted for: the most
    it stores, or a number it refused (kept in ``devices.last_seq``)."""
    stored = select(func.max(feed.c.device_seq)).where(feed.c.device_id == device_id).scalar_subquery()
    spent = select(devices.c.last_seq).where(devices.c.device_id == device_id).scalar_subquery()
    row = conn.execute(select(stored.label("stored"), spent.label("spent"))).one()  # one round trip
    return max(int(row.stored or 0), int(row.spent or 0))


class PlainBatch:
    """The whole batch in one transaction, a statement per step."""

    def __init__(self, engine: Engine):
        self._tx = engine.begin()

    def __enter__(self) -> "PlainBatch":
        self.conn = self._tx.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._tx.__exit__(*exc)

    def read(self, case_ids: Iterable[str], device_id: str) -> tuple[CaseDirectory, int]:
        return CaseDirectory.load(self.conn, case_ids), seq_high(self.conn, device_id)

    def claim(self, device_id: str, values: dict[str, Any], started: list[dict[str, Any]]) -> dict[str, Verdict]:
        """Write the device row (``values``) and the directory rows of the cases the batch
        starts; the cases it lost (scopes.claim_cases)."""
        if values:
            self.conn.execute(update(devices).where(devices.c.device_id == device_id).values(**values))
        return claim_cases(self.conn, started)

    def insert(self, rows: list[dict[str, Any]], now: str, hold: Hold) -> dict[str, int]:
        inserted = insert_batch(self.conn, rows, now, commit=hold is None)
        if hold is not None:
            hold()
            if self.conn.dialect.name == "postgresql":
                self.conn.connection.driver_connection.commit()
        return inserted

    def finish(self) -> None:
        """Nothing to insert: the block's own COMMIT keeps the device row."""

    def existing(self, event_ids: list[str]) -> dict[str, tuple[str, int]]:
        """Stored events of these ids: event id → (content hash, position)."""
        return {r.event_id: (r.content_hash, r.seq) for r in self.conn.execute(
            select(feed.c.event_id, feed.c.content_hash, feed.c.seq).where(among(self.conn, feed.c.event_id,
                                                                                 event_ids)))}


READ = """
SELECT 0 AS k, case_id AS id, hall, agent, 0 AS high FROM cases WHERE case_id = ANY(%(ids)s)
UNION ALL
SELECT 1, event_id, hall, agent, 0 FROM feed WHERE event_id = ANY(%(ids)s) AND type = 'enquiry.opened'
UNION ALL
SELECT 2, '', '', '', GREATEST((SELECT max(device_seq) FROM feed WHERE device_id = %(device)s),
                               (SELECT last_seq FROM devices WHERE device_id = %(device)s))
"""
CLAIM = """
INSERT INTO cases (case_id, tracking_code, hall, agent, bundle_code, bundle_hash)
SELECT case_id, tracking_code, hall, agent, bundle_code, bundle_hash
FROM jsonb_to_recordset(CAST(%(rows)s AS jsonb))
  AS t(case_id text, tracking_code text, hall text, agent text, bundle_code text, bundle_hash text)
ON CONFLICT DO NOTHING
"""
HELD = "SELECT case_id, hall, agent, tracking_code FROM cases WHERE case_id = ANY(%(ids)s)"
DEVICE_COLUMNS = ("last_seen", "last_seq")


def _device_update(device_id: str, values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    names = [c for c in DEVICE_COLUMNS if c in values]  # our own column names, never the caller's text
    sets = ", ".join(f"{c} = %({c})s" for c in names)
    return f"UPDATE devices SET {sets} WHERE device_id = %(device_id)s", {c: values[c] for c in names} | {
        "device_id": device_id}


def _json(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # a lone surrogate: json writes it as an escape
        return json.dumps(value)


class PipelinedBatch:
    """PostgreSQL: the same statements as PlainBatch, in at most three round trips."""

    def __init__(self, engine: Engine):
        self._connect = engine.connect()
        self._begun = False  # BEGIN sent
        self._device: tuple[str, dict[str, Any]] | None = None  # the device row's update, not sent yet

    def __enter__(self) -> "PipelinedBatch":
        # AUTOCOMMIT: the read needs no transaction, and BEGIN travels in the first write's
        # pipeline. SQLAlchemy sets the connection back when it returns to the pool.
        self.conn = self._connect.__enter__().execution_options(isolation_level="AUTOCOMMIT")
        self.raw = self.conn.connection.driver_connection
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> Any:
        try:
            if exc is not None:
                self._abandon()
                if self.raw.closed:  # the database went away: the pool must not hand this one out again
                    self.conn.invalidate(exc)
        finally:
            self._connect.__exit__(kind, exc, tb)
        if isinstance(exc, self._errors()):  # as SQLAlchemy raises it: the app answers 503
            raise DBAPIError.instance(None, None, exc, self._errors()) from exc
        return None

    @staticmethod
    def _errors() -> type[Exception]:
        import psycopg

        return psycopg.Error

    def _abandon(self) -> None:
        from psycopg.pq import TransactionStatus

        try:
            if self.raw.info.transaction_status != TransactionStatus.IDLE:
                self.raw.rollback()
        except Exception:  # the connection is gone: the pool drops it on return
            pass

    def read(self, case_ids: Iterable[str], device_id: str) -> tuple[CaseDirectory, int]:
        with self.raw.cursor() as cur:
            rows = cur.execute(READ, {"ids": list(set(case_ids)), "device": device_id}).fetchall()
        # An enquiry's id is its opening's event id; a case row wins over an enquiry (CaseDirectory.load).
        owners = {r[1]: Owner(r[2], r[3]) for r in rows if r[0] == 1}
        owners.update({r[1]: Owner(r[2], r[3]) for r in rows if r[0] == 0})
        high = next((r[4] for r in rows if r[0] == 2), None)
        return CaseDirectory(owners), int(high or 0)

    def _opening(self) -> list[tuple[str, Any]]:
        """BEGIN and the device row, if not sent yet."""
        if self._begun:
            return []
        self._begun = True
        return [("BEGIN", None)] + ([self._device] if self._device else [])

    def claim(self, device_id: str, values: dict[str, Any], started: list[dict[str, Any]]) -> dict[str, Verdict]:
        self._device = _device_update(device_id, values) if values else None
        if not started:
            return {}  # the device row goes with the insert
        with self.raw.cursor() as held:
            with self.raw.pipeline():
                for sql, params in self._opening() + [(CLAIM, {"rows": _json(started)})]:
                    self.raw.execute(sql, params)
                held.execute(HELD, {"ids": list({row["case_id"] for row in started})})
            return lost_claims(started, held.fetchall())

    def insert(self, rows: list[dict[str, Any]], now: str, hold: Hold) -> dict[str, int]:
        inserted = pipelined_insert(self.raw, rows, now, self._opening(), commit=hold is None)
        if hold is not None:
            hold()
            self.raw.execute("COMMIT")
        return inserted

    def finish(self) -> None:
        """Nothing to insert: COMMIT what was written, or write the device row alone."""
        if self._begun:
            self.raw.execute("COMMIT")
        elif self._device:
            self.raw.execute(*self._device)  # one statement: autocommit makes it its own transaction

    def existing(self, event_ids: list[str]) -> dict[str, tuple[str, int]]:
        with self.raw.cursor() as cur:
            return {r[0]: (r[1], r[2]) for r in cur.execute(
                "SELECT event_id, content_hash, seq FROM feed WHERE event_id = ANY(%(ids)s)",
                {"ids": list(event_ids)})}
