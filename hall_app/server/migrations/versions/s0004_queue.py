"""the hall queue: lines, windows, tickets, daily counters, kiosk blocks,
appointments and the append-only queue event log (hall_app/server/queue_models.py)

Revision ID: s0004_queue
Revises: s0003_h2_enroll_limits
Create Date: 2026-12-01 15:30:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 's0004_queue'
down_revision = 's0003_h2_enroll_limits'
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        'queue_lines',
        sa.Column('hall', sa.String(32), primary_key=True),
        sa.Column('line', sa.String(32), primary_key=True),
        sa.Column('name', sa.String(100), nullable=False),
        sa.Column('prefix', sa.String(4), nullable=False),
        sa.Column('open', sa.Boolean(), nullable=False),
        sa.Column('sort', sa.Integer(), nullable=False),
        sa.Column('service_minutes', sa.Float(), nullable=False),
        sa.Column('slot_minutes', sa.Integer(), nullable=False),
        sa.Column('slot_capacity', sa.Integer(), nullable=False),
        sa.Column('bundles', JSONType, nullable=False),
        sa.Column('life_stages', JSONType, nullable=False),
        sa.UniqueConstraint('hall', 'prefix', name='uq_queue_lines_prefix'),
    )
    op.create_table(
        'queue_windows',
        sa.Column('hall', sa.String(32), primary_key=True),
        sa.Column('window', sa.String(32), primary_key=True),
        sa.Column('name', sa.String(100), nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('skills', JSONType, nullable=False),
        sa.Column('schedule', JSONType, nullable=False),
        sa.Column('manual', JSONType, nullable=True),
        sa.Column('manual_day', sa.String(10), nullable=False),
        sa.Column('current', sa.String(32), nullable=False),
        sa.Column('streak', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
    )
    op.create_table(
        'queue_tickets',
        sa.Column('ticket', sa.String(32), primary_key=True),
        sa.Column('hall', sa.String(32), nullable=False),
        sa.Column('day', sa.String(10), nullable=False),
        sa.Column('line', sa.String(32), nullable=False),
        sa.Column('prefix', sa.String(4), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('priority', sa.String(16), nullable=False),
        sa.Column('is_priority', sa.Boolean(), nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('window', sa.String(32), nullable=False),
        sa.Column('target_window', sa.String(32), nullable=False),
        sa.Column('sort_at', sa.String(40), nullable=False),
        sa.Column('issued_at', sa.String(40), nullable=False),
        sa.Column('called_at', sa.String(40), nullable=False),
        sa.Column('serving_at', sa.String(40), nullable=False),
        sa.Column('ended_at', sa.String(40), nullable=False),
        sa.Column('calls', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(16), nullable=False),
        sa.Column('appointment', sa.String(32), nullable=False),
        sa.Column('id_number', sa.String(32), nullable=False),
        sa.Column('name', sa.String(100), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.UniqueConstraint('hall', 'day', 'prefix', 'number', name='uq_queue_tickets_number'),
    )
    op.create_index('ix_queue_tickets_waiting', 'queue_tickets',
                    ['hall', 'day', 'state', 'line', 'is_priority', 'sort_at'])
    op.create_table(
        'queue_counters',
        sa.Column('hall', sa.String(32), primary_key=True),
        sa.Column('day', sa.String(10), primary_key=True),
        sa.Column('prefix', sa.String(4), primary_key=True),
        sa.Column('next_number', sa.Integer(), nullable=False),
        sa.Column('block_floor', sa.Integer(), nullable=False),
    )
    op.create_table(
        'queue_blocks',
        sa.Column('hall', sa.String(32), primary_key=True),
        sa.Column('day', sa.String(10), primary_key=True),
        sa.Column('prefix', sa.String(4), primary_key=True),
        sa.Column('start', sa.Integer(), primary_key=True),
        sa.Column('end', sa.Integer(), nullable=False),
        sa.Column('kiosk', sa.String(64), nullable=False),
        sa.Column('reserved_at', sa.String(40), nullable=False),
    )
    op.create_table(
        'queue_appointments',
        sa.Column('appointment', sa.String(32), primary_key=True),
        sa.Column('hall', sa.String(32), nullable=False),
        sa.Column('code', sa.String(32), nullable=False),
        sa.Column('line', sa.String(32), nullable=False),
        sa.Column('day', sa.String(10), nullable=False),
        sa.Column('slot', sa.String(5), nullable=False),
        sa.Column('name', sa.String(100), nullable=False),
        sa.Column('id_number', sa.String(32), nullable=False),
        sa.Column('phone', sa.String(32), nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('ticket', sa.String(32), nullable=False),
        sa.Column('source', sa.String(16), nullable=False),
        sa.Column('external_id', sa.String(64), nullable=False),
        sa.Column('created_at', sa.String(40), nullable=False),
        sa.UniqueConstraint('hall', 'code', name='uq_queue_appointments_code'),
    )
    op.create_index('ix_queue_appointments_day', 'queue_appointments', ['hall', 'day', 'line', 'slot'])
    op.create_index('ix_queue_appointments_external', 'queue_appointments', ['hall', 'external_id'])
    op.create_table(
        'queue_events',
        sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), primary_key=True, autoincrement=True),
        sa.Column('hall', sa.String(32), nullable=False),
        sa.Column('day', sa.String(10), nullable=False),
        sa.Column('at', sa.String(40), nullable=False),
        sa.Column('type', sa.String(40), nullable=False),
        sa.Column('ticket', sa.String(32), nullable=False),
        sa.Column('window', sa.String(32), nullable=False),
        sa.Column('line', sa.String(32), nullable=False),
        sa.Column('actor', sa.String(64), nullable=False),
        sa.Column('device_id', sa.String(64), nullable=False),
        sa.Column('payload', JSONType, nullable=False),
    )
    op.create_index('ix_queue_events_hall_day', 'queue_events', ['hall', 'day', 'seq'])
    op.create_index('ix_queue_events_ticket', 'queue_events', ['ticket'])


def downgrade() -> None:
    for table in ('queue_events', 'queue_appointments', 'queue_blocks', 'queue_counters', 'queue_tickets',
                  'queue_windows', 'queue_lines'):
        op.drop_table(table)
