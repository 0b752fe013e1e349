"""q12 (issue 10): the waiting-ticket index carries the whole calling order

``ix_queue_tickets_waiting`` ended at ``sort_at`` while "call next" orders by
(sort_at, issued_at, number) (hall_app/server/queue_pick.py). PostgreSQL then sorted
every waiting ticket of a bucket — 2,000 rows and 1.3–2.2 ms per pick in a busy hall,
on each of fifty windows calling at once — or, with fresh statistics, every ticket
sharing the first one's ``sort_at`` (tickets issued within one millisecond, appointment
tickets placed at one slot time). With the whole order in the key the first entry of
each bucket is the answer: one index entry read, no sort.

Revision ID: s0031_q12
Revises: s0030_dash12
Create Date: 2026-12-02 08:00:00
"""

from alembic import op

revision = 's0031_q12'
down_revision = 's0030_dash12'
branch_labels = None
depends_on = None

NAME, TABLE = "ix_queue_tickets_waiting", "queue_tickets"
KEY = ["hall", "day", "state", "line", "is_priority", "sort_at"]


def upgrade() -> None:
    op.drop_index(NAME, table_name=TABLE)
    op.create_index(NAME, TABLE, [*KEY, "issued_at", "number"], unique=False)


def downgrade() -> None:
    op.drop_index(NAME, table_name=TABLE)
    op.create_index(NAME, TABLE, KEY, unique=False)
