"""enquiries without a case (咨询 / 首问负责 / 办不成事): their projection

Revision ID: 0010_enquiry
Revises: 0009_agents2
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_enquiry"
down_revision = "0009_agents2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enquiries",
        sa.Column("enquiry_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("window", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("opened_at", sa.String(length=40), nullable=False),
        sa.Column("closed_at", sa.String(length=40), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("enquiry_id"),
    )
    op.create_index("ix_enquiries_owner_status", "enquiries", ["owner", "status", "opened_at"], unique=False)
    op.create_index("ix_enquiries_opened", "enquiries", ["opened_at"], unique=False)
    op.create_index("ix_enquiries_closed", "enquiries", ["closed_at"], unique=False)
    # Enquiry events already in the log (pulled before this upgrade) get their projection
    # on the next rebuild (hall-app db rebuild) or when their enquiry next changes.


def downgrade() -> None:
    op.drop_table("enquiries")
