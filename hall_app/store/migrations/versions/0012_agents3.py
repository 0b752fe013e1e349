"""agents, third part (issue 13): when each principal's person-file extract was refreshed

Revision ID: 0012_agents3
Revises: 0010_enquiry
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_agents3"
down_revision = "0010_enquiry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_extracts",
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("on_file", sa.Boolean(), nullable=False),
        sa.Column("refreshed_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id_number"),
    )


def downgrade() -> None:
    op.drop_table("person_extracts")
