"""department packages (数据分发): one row per case and department, the inbox's index
(paged by the dispatch's feed position) and its acknowledgement

Revision ID: s0005_inbox
Revises: s0003_h2_enroll_limits
Create Date: 2026-12-01 15:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = 's0005_inbox'
down_revision = 's0004_queue'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('packages',
    sa.Column('package_id', sa.String(length=120), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('department', sa.String(length=64), nullable=False),
    sa.Column('hall', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('acked_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('package_id')
    )
    with op.batch_alter_table('packages', schema=None) as batch_op:
        batch_op.create_index('ix_packages_department_seq', ['department', 'seq'], unique=False)
        batch_op.create_index('ix_packages_case', ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('packages', schema=None) as batch_op:
        batch_op.drop_index('ix_packages_case')
        batch_op.drop_index('ix_packages_department_seq')
    op.drop_table('packages')
