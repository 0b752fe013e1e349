"""rate pad (issue 11): an index for a hall's queue events of one type (the follow-ups
of bad visit ratings, queue.visit_follow_up_opened / queue.visit_follow_up, are listed
without reading the whole log; GET /v1/dashboard counts a hall's queue.visit_rated over days)

Revision ID: s0027_rp
Revises: s0013_agents3
Create Date: 2026-12-01 23:20:00
"""

from alembic import op

revision = 's0027_rp'
down_revision = 's0013_agents3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('queue_events', schema=None) as batch_op:
        batch_op.create_index('ix_queue_events_hall_type', ['hall', 'type', 'day'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('queue_events', schema=None) as batch_op:
        batch_op.drop_index('ix_queue_events_hall_type')
