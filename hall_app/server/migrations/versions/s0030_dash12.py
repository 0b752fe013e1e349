"""dash12 (issue 11): partial indexes (PostgreSQL) for GET /v1/dashboard's open follow-ups
(hall_app/server/dashboards.py): the bad case ratings and the visit follow-ups opened (with
their seq), and the closing steps of both — which follow-ups are open is worked out from
these small indexes alone, not from a hall's every rating and step of the year with the
level or step inside the JSON payload, and only the open ones are read from the tables

Revision ID: s0030_dash12
Revises: s0027_rp
Create Date: 2026-12-02 04:00:00
"""

from alembic import op
from sqlalchemy import text

revision = 's0030_dash12'
down_revision = 's0027_rp'
branch_labels = None
depends_on = None

# as in hall_app/server/models.py (a migration keeps its own copy)
# (name, table, columns, INCLUDE columns, predicate)
INDEXES = (
    ("ix_feed_bad_ratings", "feed", ["hall", "case_id"], ["seq"],
     "type = 'case.rated' AND (payload ->> 'level') IN ('1', '2')"),
    ("ix_feed_closed_follow_ups", "feed", ["hall", "case_id"], [],
     "type = 'case.follow_up' AND (payload ->> 'step') = 'closed'"),
    ("ix_queue_events_opened_follow_ups", "queue_events", ["hall", "ticket"], ["seq"],
     "type = 'queue.visit_follow_up_opened'"),
    ("ix_queue_events_closed_follow_ups", "queue_events", ["hall", "ticket"], [],
     "type = 'queue.visit_follow_up' AND (payload ->> 'step') = 'closed'"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table, columns, include, where in INDEXES:
            op.create_index(name, table, columns, unique=False, postgresql_include=include,
                            postgresql_where=text(where))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table, *_rest in INDEXES:
            op.drop_index(name, table_name=table)
