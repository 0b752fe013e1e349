"""agents (issue 13): the township each agent serves

Revision ID: s0006_agents
Revises: s0003_h2_enroll_limits
Create Date: 2026-12-01 15:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = 's0006_agents'
down_revision = 's0005_inbox'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agent_townships',
    sa.Column('hall', sa.String(length=32), nullable=False),
    sa.Column('agent', sa.String(length=64), nullable=False),
    sa.Column('township', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('hall', 'agent')
    )


def downgrade() -> None:
    op.drop_table('agent_townships')
