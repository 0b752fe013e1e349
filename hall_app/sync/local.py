"""Transactions for sync bookkeeping on the device's SQLite file.

Everything sync writes can be fetched or sent again: a pulled page comes back with
its cursor, an acknowledgement is answered again as a duplicate. So these commits
skip the wait for the disk (``synchronous=NORMAL``: atomic, not yet durable); the
clerk's own writes keep ``synchronous=FULL`` and, being later in the WAL, make the
earlier sync commits durable with them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from hall_app.store.repository import CaseRepository

if TYPE_CHECKING:
    from hall_app.services.context import HallContext


@contextmanager
def sync_transaction(ctx: "HallContext") -> Iterator[tuple[Session, CaseRepository]]:
    with ctx.engine.connect() as conn:
        _pragma(conn, "NORMAL")
        try:
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                yield session, CaseRepository(session)
        finally:
            conn.rollback()  # nothing is pending here; this only ends SQLAlchemy's own "begin"
            _pragma(conn, "FULL")


def _pragma(conn, level: str) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA synchronous={level}")
        conn.commit()  # a PRAGMA opens no SQLite transaction; close SQLAlchemy's so the Session owns its own
