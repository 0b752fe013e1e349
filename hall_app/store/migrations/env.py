"""Alembic environment of the device database."""

from alembic import context

from hall_app.store.alembic_env import run_migrations
from hall_app.store.models import Base

run_migrations(context, Base.metadata)
