"""enrollment re-binding (enrollment_codes.rebind) and rate limits shared by all workers
(rate_limits: one token bucket per what + client address)

Revision ID: s0003_h2_enroll_limits
Revises: s0002_case_directory
Create Date: 2026-12-01 09:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = 's0003_h2_enroll_limits'
down_revision = 's0002_case_directory'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('enrollment_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rebind', sa.String(length=64), nullable=False, server_default=''))
    with op.batch_alter_table('enrollment_codes', schema=None) as batch_op:
        batch_op.alter_column('rebind', server_default=None)
    op.create_table('rate_limits',
    sa.Column('bucket', sa.String(length=120), nullable=False),
    sa.Column('tokens', sa.Float(), nullable=False),
    sa.Column('updated', sa.Float(), nullable=False),
    sa.Column('allowed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('bucket')
    )
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        batch_op.create_index('ix_rate_limits_updated', ['updated'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_limits_updated')
    op.drop_table('rate_limits')
    with op.batch_alter_table('enrollment_codes', schema=None) as batch_op:
        batch_op.drop_column('rebind')
