"""supervise (issue 11): an index for the hall figures computed from the feed
(GET /v1/dashboard groups a hall's events of some types over a range of device times)

Revision ID: s0007_supervise
Revises: s0003_h2_enroll_limits
Create Date: 2026-12-01 15:40:00
"""

from alembic import op

revision = 's0007_supervise'
down_revision = 's0006_agents'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feed', schema=None) as batch_op:
        batch_op.create_index('ix_feed_hall_type_time', ['hall', 'type', 'device_time'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('feed', schema=None) as batch_op:
        batch_op.drop_index('ix_feed_hall_type_time')
