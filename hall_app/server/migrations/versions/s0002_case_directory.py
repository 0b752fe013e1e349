"""case directory: drop cases.started_seq (the directory row is now written before the
feed lock is taken, when the position is not known yet)

Revision ID: s0002_case_directory
Revises: s0001_initial
Create Date: 2026-11-21 02:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = 's0002_case_directory'
down_revision = 's0001_initial'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('started_seq')


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_seq', sa.BigInteger(), nullable=False, server_default='0'))
