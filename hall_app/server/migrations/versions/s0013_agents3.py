"""agents, third part (issue 13): person-file extracts for the agents' principals

Revision ID: s0013_agents3
Revises: s0011_agents2
Create Date: 2026-12-01 20:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 's0013_agents3'
down_revision = 's0011_agents2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('person_files',
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('record', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.Column('loaded_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id_number')
    )


def downgrade() -> None:
    op.drop_table('person_files')
