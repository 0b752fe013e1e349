"""The queue's tables (Alembic revision s0004_queue). ``queue_events`` is the
append-only log; the other tables are its projection, changed in the same
transaction as the event they follow from (and rebuilt by replaying it)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, String, Table, UniqueConstraint, text

from hall_app.server.models import (
    CLOSED_VISIT_FOLLOW_UPS_WHERE,
    OPENED_VISIT_FOLLOW_UPS_WHERE,
    JSONType,
    metadata,
)

queue_lines = Table(
    "queue_lines", metadata,
    Column("hall", String(32), primary_key=True),
    Column("line", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("prefix", String(4), nullable=False),
    Column("open", Boolean, nullable=False, default=True),
    Column("sort", Integer, nullable=False, default=0),
    Column("service_minutes", Float, nullable=False, default=10.0),
    Column("slot_minutes", Integer, nullable=False, default=30),
    Column("slot_capacity", Integer, nullable=False, default=4),
    Column("bundles", JSONType, nullable=False),
    Column("life_stages", JSONType, nullable=False),
    UniqueConstraint("hall", "prefix", name="uq_queue_lines_prefix"),
)

queue_windows = Table(
    "queue_windows", metadata,
    Column("hall", String(32), primary_key=True),
    Column("window", String(32), primary_key=True),
    Column("name", String(100), nullable=False, default=""),
    Column("state", String(16), nullable=False, default="closed"),
    Column("skills", JSONType, nullable=False),
    Column("schedule", JSONType, nullable=False),
    Column("manual", JSONType, nullable=True),
    Column("manual_day", String(10), nullable=False, default=""),
    Column("current", String(32), nullable=False, default=""),
    Column("streak", Integer, nullable=False, default=0),
    Column("version", Integer, nullable=False, default=0),
)

queue_tickets = Table(
    "queue_tickets", metadata,
    Column("ticket", String(32), primary_key=True),
    Column("hall", String(32), nullable=False),
    Column("day", String(10), nullable=False),
    Column("line", String(32), nullable=False),
    Column("prefix", String(4), nullable=False),
    Column("number", Integer, nullable=False),
    Column("priority", String(16), nullable=False, default=""),
    Column("is_priority", Boolean, nullable=False, default=False),
    Column("state", String(16), nullable=False),
    Column("window", String(32), nullable=False, default=""),
    Column("target_window", String(32), nullable=False, default=""),
    Column("sort_at", String(40), nullable=False),
    Column("issued_at", String(40), nullable=False),
    Column("called_at", String(40), nullable=False, default=""),
    Column("serving_at", String(40), nullable=False, default=""),
    Column("ended_at", String(40), nullable=False, default=""),
    Column("calls", Integer, nullable=False, default=0),
    Column("source", String(16), nullable=False, default="kiosk"),
    Column("appointment", String(32), nullable=False, default=""),
    Column("id_number", String(32), nullable=False, default=""),
    Column("name", String(100), nullable=False, default=""),
    Column("version", Integer, nullable=False, default=1),
    UniqueConstraint("hall", "day", "prefix", "number", name="uq_queue_tickets_number"),
    Index("ix_queue_tickets_waiting", "hall", "day", "state", "line", "is_priority", "sort_at", "issued_at", "number"),
)

# Daily numbering per prefix: online numbers count up from 1; kiosk blocks for offline
# use are taken downward from BLOCK_TOP (hall_app/server/queue_store.py).
queue_counters = Table(
    "queue_counters", metadata,
    Column("hall", String(32), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("prefix", String(4), primary_key=True),
    Column("next_number", Integer, nullable=False),
    Column("block_floor", Integer, nullable=False),
)

queue_blocks = Table(
    "queue_blocks", metadata,
    Column("hall", String(32), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("prefix", String(4), primary_key=True),
    Column("start", Integer, primary_key=True),
    Column("end", Integer, nullable=False),
    Column("kiosk", String(64), nullable=False),
    Column("reserved_at", String(40), nullable=False),
)

queue_appointments = Table(
    "queue_appointments", metadata,
    Column("appointment", String(32), primary_key=True),
    Column("hall", String(32), nullable=False),
    Column("code", String(32), nullable=False),
    Column("line", String(32), nullable=False),
    Column("day", String(10), nullable=False),
    Column("slot", String(5), nullable=False),
    Column("name", String(100), nullable=False, default=""),
    Column("id_number", String(32), nullable=False, default=""),
    Column("phone", String(32), nullable=False, default=""),
    Column("state", String(16), nullable=False, default="booked"),
    Column("ticket", String(32), nullable=False, default=""),
    Column("source", String(16), nullable=False, default="cli"),
    Column("external_id", String(64), nullable=False, default=""),
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("hall", "code", name="uq_queue_appointments_code"),
    Index("ix_queue_appointments_day", "hall", "day", "line", "slot"),
    Index("ix_queue_appointments_external", "hall", "external_id"),
)

queue_events = Table(
    "queue_events", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("hall", String(32), nullable=False),
    Column("day", String(10), nullable=False),
    Column("at", String(40), nullable=False),
    Column("type", String(40), nullable=False),
    Column("ticket", String(32), nullable=False, default=""),
    Column("window", String(32), nullable=False, default=""),
    Column("line", String(32), nullable=False, default=""),
    Column("actor", String(64), nullable=False, default=""),
    Column("device_id", String(64), nullable=False, default=""),
    Column("payload", JSONType, nullable=False),
    Index("ix_queue_events_hall_day", "hall", "day", "seq"),
    Index("ix_queue_events_ticket", "ticket"),
    # a hall's events of one type over days (issue 11: the bad visit ratings' follow-ups, the
    # visit ratings in GET /v1/dashboard; s0027_rp)
    Index("ix_queue_events_hall_type", "hall", "type", "day"),
    # the bad visit ratings' follow-ups opened, and their closing steps, only (PostgreSQL;
    # s0030_dash12: GET /v1/dashboard's open follow-ups)
    Index("ix_queue_events_opened_follow_ups", "hall", "ticket", postgresql_include=["seq"],
          postgresql_where=text(OPENED_VISIT_FOLLOW_UPS_WHERE)).ddl_if(dialect="postgresql"),
    Index("ix_queue_events_closed_follow_ups", "hall", "ticket",
          postgresql_where=text(CLOSED_VISIT_FOLLOW_UPS_WHERE)).ddl_if(dialect="postgresql"),
)
