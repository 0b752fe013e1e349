"""The central server's schema (SQLAlchemy Core; Alembic in hall_app/server/migrations).

``feed`` is both the event store and the change feed: every case event (and every
published bundle version) is one row whose ``seq`` is its feed position, assigned
under the ``feed_counter`` row lock so that positions become visible in commit
order (docs/sync.md, "Feed ordering").
"""

from __future__ import annotations

from sqlalchemy import (
                        JSON,
                        BigInteger,
                        Boolean,
                        Column,
                        Float,
                        Index,
                        Integer,
                        LargeBinary,
                        MetaData,
                        String,
                        Table,
                        Text,
                        UniqueConstraint,
                        text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
JSONType = JSON().with_variant(JSONB(), "postgresql")

# One row (id = 1): the last feed position handed out.
feed_counter = Table(
    "feed_counter", metadata,
    Column("id", Integer, primary_key=True),
    Column("last", BigInteger, nullable=False),
)

# The predicates of the partial indexes of s0030_dash12, written as hall_app/server/dashboards.py writes its
# query (constants, not parameters) so that the planner proves it.
BAD_RATINGS_WHERE = "type = 'case.rated' AND (payload ->> 'level') IN ('1', '2')"
CLOSED_FOLLOW_UPS_WHERE = "type = 'case.follow_up' AND (payload ->> 'step') = 'closed'"
CLOSED_VISIT_FOLLOW_UPS_WHERE = "type = 'queue.visit_follow_up' AND (payload ->> 'step') = 'closed'"
OPENED_VISIT_FOLLOW_UPS_WHERE = "type = 'queue.visit_follow_up_opened'"

feed = Table(
    "feed", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),  # event / bundle
    Column("event_id", String(64), nullable=False),
    Column("case_id", String(36), nullable=False, default=""),
    Column("device_id", String(64), nullable=False),
    Column("device_seq", BigInteger, nullable=False),
    Column("actor", String(64), nullable=False, default=""),
    Column("type", String(40), nullable=False),
    Column("payload", JSONType, nullable=False),
    Column("device_time", String(40), nullable=False, default=""),
    Column("schema_version", Integer, nullable=False, default=1),
    Column("content_hash", String(64), nullable=False),
    # Scope: the case's hall and filing agent ("*" for catalog rows that go to all).
    Column("hall", String(32), nullable=False, default=""),
    Column("agent", String(64), nullable=False, default=""),
    Column("received_at", String(40), nullable=False, default=""),
    UniqueConstraint("event_id", name="uq_feed_event_id"),
    UniqueConstraint("device_id", "device_seq", name="uq_feed_device_seq"),
    Index("ix_feed_case_seq", "case_id", "seq"),
    Index("ix_feed_hall_seq", "hall", "seq"),
    Index("ix_feed_agent_seq", "agent", "seq"),
    Index("ix_feed_hall_type_time", "hall", "type", "device_time"),  # supervise (issue 11): dashboards.py
    # the bad case ratings and the closing steps of their follow-ups only (PostgreSQL): the
    # dashboard's open follow-ups (s0030_dash12)
    Index("ix_feed_bad_ratings", "hall", "case_id", postgresql_include=["seq"],
          postgresql_where=text(BAD_RATINGS_WHERE)).ddl_if(dialect="postgresql"),
    Index("ix_feed_closed_follow_ups", "hall", "case_id", postgresql_where=text(CLOSED_FOLLOW_UPS_WHERE)).ddl_if(
        dialect="postgresql"),
)

# The case directory: who a case belongs to, and its tracking code (for /t/{code}).
cases = Table(
    "cases", metadata,
    Column("case_id", String(36), primary_key=True),
    Column("tracking_code", String(16), nullable=False),
    Column("hall", String(32), nullable=False, default=""),
    Column("agent", String(64), nullable=False, default=""),
    Column("bundle_code", String(64), nullable=False, default=""),
    Column("bundle_hash", String(64), nullable=False, default=""),
    UniqueConstraint("tracking_code", name="uq_cases_tracking_code"),
)

devices = Table(
    "devices", metadata,
    Column("device_id", String(64), primary_key=True),
    Column("name", String(100), nullable=False, default=""),
    Column("scope", String(120), nullable=False),  # hall:JJ01 / window:JJ01/W03 / agent:NAME / dept:CODE
    Column("hall", String(32), nullable=False, default=""),
    Column("window", String(32), nullable=False, default=""),
    Column("agent", String(64), nullable=False, default=""),
    Column("dept", String(64), nullable=False, default=""),
    Column("token_hash", String(64), nullable=True),
    Column("enrolled_at", String(40), nullable=False, default=""),
    Column("revoked_at", String(40), nullable=False, default=""),
    Column("last_seen", String(40), nullable=False, default=""),
    Column("last_seq", BigInteger, nullable=False, default=0),  # for events the server makes for it
    UniqueConstraint("token_hash", name="uq_devices_token_hash"),
)

enrollment_codes = Table(
    "enrollment_codes", metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("scope", String(120), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("used_at", String(40), nullable=False, default=""),
    Column("device_id", String(64), nullable=False, default=""),
    # The admin's confirmation that this existing device may be bound again ("" = new devices only).
    Column("rebind", String(64), nullable=False, default=""),
)

# Rate limits shared by every worker: one token bucket per (what, client address).
rate_limits = Table(
    "rate_limits", metadata,
    Column("bucket", String(120), primary_key=True),  # e.g. enroll:203.0.113.7
    Column("tokens", Float, nullable=False),
    Column("updated", Float, nullable=False),  # seconds since the epoch (server clock)
    Column("allowed", Boolean, nullable=False, default=True),  # the last request's answer
    Index("ix_rate_limits_updated", "updated"),
)

bundle_versions = Table(
    "bundle_versions", metadata,
    Column("code", String(64), primary_key=True),
    Column("content_hash", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("name", String(100), nullable=False, default=""),
    Column("data", JSONType, nullable=False),
    Column("published_at", String(40), nullable=False),
    Column("seq", BigInteger, nullable=False),
)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("what", String(40), nullable=False),
    Column("detail", Text, nullable=False, default=""),
)

# Department packages (数据分发, hall_app/server/dispatcher.py): one row per case and
# department, made when the server dispatches the case; the inbox pages them by ``seq``
# (the case.dispatched event's feed position) and the department acknowledges each.
packages = Table(
    "packages", metadata,
    Column("package_id", String(120), primary_key=True),  # CASE_ID/DEPARTMENT
    Column("case_id", String(36), nullable=False),
    Column("department", String(64), nullable=False),
    Column("hall", String(32), nullable=False, default=""),
    Column("seq", BigInteger, nullable=False),
    Column("created_at", String(40), nullable=False, default=""),
    Column("acked_at", String(40), nullable=False, default=""),
    Index("ix_packages_department_seq", "department", "seq"),
    Index("ix_packages_case", "case_id"),
)

# -- agents (issue 13; rules in hall_app/server/agents.py) --
# The township (乡镇/街道) each agent of a hall serves: an agent's proxy cases must be
# for principals of that township. No row: the agent's township is not checked.
agent_townships = Table(
    "agent_townships", metadata,
    Column("hall", String(32), primary_key=True),
    Column("agent", String(64), primary_key=True),
    Column("township", String(32), nullable=False),
    Column("updated_at", String(40), nullable=False, default=""),
)

# -- agents, second part (issue 13; hall_app/server/duplicates.py, attachments.py) --
# One row per proxy case filed under an authorisation: who it is for (the principal's
# ID as a keyed digest, never in clear) and which bundle, so a second agent's filing of
# the same need is found with one index probe.
proxy_filings = Table(
    "proxy_filings", metadata,
    Column("case_id", String(36), primary_key=True),
    Column("hall", String(32), nullable=False, default=""),
    Column("agent", String(64), nullable=False, default=""),
    Column("principal_key", String(64), nullable=False),
    Column("bundle_code", String(64), nullable=False, default=""),
    Column("filed_at", String(40), nullable=False, default=""),
    Index("ix_proxy_filings_principal", "principal_key", "bundle_code"),
)

# The scan or photo of a signed 授权委托书 (PDF, JPEG or PNG), sent by the agent's laptop;
# named by its SHA-256, which the authorisation's ``thumbprint`` carries.
attachments = Table(
    "attachments", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("hall", String(32), nullable=False, default=""),
    Column("agent", String(64), nullable=False, default=""),
    Column("device_id", String(64), nullable=False, default=""),
    Column("auth_id", String(64), nullable=False, default=""),
    Column("mime", String(40), nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("received_at", String(40), nullable=False, default=""),
    Index("ix_attachments_auth", "auth_id"),
)

# -- agents, third part (issue 13; hall_app/server/person_files.py) --
# The person-file extracts (一人一档摘录) the server holds, loaded from the government's
# data platform (``hall-app server person-files``); an agent's laptop receives only
# those of its own principals.
person_files = Table(
    "person_files", metadata,
    Column("id_number", String(18), primary_key=True),
    Column("record", JSONType, nullable=False),
    Column("updated_at", String(40), nullable=False, default=""),  # at the source
    Column("loaded_at", String(40), nullable=False, default=""),
)
