"""agents (issue 13): the authorisation register, an agent's township, sync state kept
across restarts

Revision ID: 0005_agents
Revises: 0002_h6_applicant_key
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_agents"
down_revision = "0002_h6_applicant_key"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "authorisations",
        sa.Column("auth_id", sa.String(length=64), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=False),
        sa.Column("agent_name", sa.String(length=100), nullable=False),
        sa.Column("principal_id", sa.String(length=18), nullable=False),
        sa.Column("principal_name", sa.String(length=100), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("bundles", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.String(length=10), nullable=False),
        sa.Column("valid_until", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("attested_by", sa.String(length=100), nullable=False),
        sa.Column("township", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.String(length=40), nullable=False),
        sa.Column("received_at", sa.String(length=40), nullable=False),
        sa.Column("thumbprint", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.String(length=40), nullable=False),
        sa.Column("revoked_reason", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("auth_id"),
    )
    op.create_index("ix_authorisations_agent", "authorisations", ["agent"], unique=False)
    op.create_index("ix_authorisations_principal_id", "authorisations", ["principal_id"], unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("township", sa.String(length=32), nullable=False, server_default=""))
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_sync_ok", sa.String(length=40), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("last_sync_error", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.drop_column("last_sync_error")
        batch_op.drop_column("last_sync_ok")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("township")
    op.drop_index("ix_authorisations_principal_id", table_name="authorisations")
    op.drop_index("ix_authorisations_agent", table_name="authorisations")
    op.drop_table("authorisations")
