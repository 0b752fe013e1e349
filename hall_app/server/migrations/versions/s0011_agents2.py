"""agents, second part (issue 13): proxy filings (duplicates across laptops) and the
scans of signed authorisations

Revision ID: s0011_agents2
Revises: s0007_supervise
Create Date: 2026-12-01 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = 's0011_agents2'
down_revision = 's0007_supervise'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('proxy_filings',
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('hall', sa.String(length=32), nullable=False),
    sa.Column('agent', sa.String(length=64), nullable=False),
    sa.Column('principal_key', sa.String(length=64), nullable=False),
    sa.Column('bundle_code', sa.String(length=64), nullable=False),
    sa.Column('filed_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_index('ix_proxy_filings_principal', 'proxy_filings', ['principal_key', 'bundle_code'], unique=False)
    op.create_table('attachments',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('hall', sa.String(length=32), nullable=False),
    sa.Column('agent', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('auth_id', sa.String(length=64), nullable=False),
    sa.Column('mime', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('received_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_index('ix_attachments_auth', 'attachments', ['auth_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_attachments_auth', table_name='attachments')
    op.drop_table('attachments')
    op.drop_index('ix_proxy_filings_principal', table_name='proxy_filings')
    op.drop_table('proxy_filings')
