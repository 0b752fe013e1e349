"""cases.applicant_key: one normalised look-up key with a partial index

The ID look-up used ``applicant_id_number = ? OR applicant_uscc = ?`` over two
indexes. ``applicant_uscc`` is empty for every person, so once SQLite has
statistics (ANALYZE) its index looks useless and the planner scans the whole
table (148 ms at 1M cases). One key column (ID number, else USCC) with a partial
index on the non-empty keys keeps the look-up an index search whatever the
statistics say.

Revision ID: 0002_h6_applicant_key
Revises: 0001_initial
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_h6_applicant_key"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

WHERE = sa.text("applicant_key != ''")


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("applicant_key", sa.String(length=18), nullable=False, server_default=""))
        batch_op.drop_index("ix_cases_applicant_id_number")
        batch_op.drop_index("ix_cases_applicant_uscc")
    op.execute("UPDATE cases SET applicant_key = CASE WHEN applicant_id_number != '' "
               "THEN applicant_id_number ELSE applicant_uscc END")
    op.create_index("ix_cases_applicant_key", "cases", ["applicant_key", "updated_at"], unique=False,
                    sqlite_where=WHERE)


def downgrade() -> None:
    op.drop_index("ix_cases_applicant_key", table_name="cases")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("applicant_key")
        batch_op.create_index("ix_cases_applicant_uscc", ["applicant_uscc"], unique=False)
        batch_op.create_index("ix_cases_applicant_id_number", ["applicant_id_number"], unique=False)
