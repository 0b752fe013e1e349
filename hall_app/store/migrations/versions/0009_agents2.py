"""agents, second part (issue 13): files kept inside the device database (scans of
signed authorisations, PDFs printed on an agent's laptop)

Revision ID: 0009_agents2
Revises: 0005_agents
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_agents2"
down_revision = "0005_agents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_files",
        sa.Column("file_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("mime", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("sent_at", sa.String(length=40), nullable=False),
        sa.Column("send_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("file_id"),
    )
    op.create_index("ix_stored_files_owner", "stored_files", ["owner"], unique=False)
    op.create_index("ix_stored_files_sha256", "stored_files", ["sha256"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_stored_files_sha256", table_name="stored_files")
    op.drop_index("ix_stored_files_owner", table_name="stored_files")
    op.drop_table("stored_files")
