"""Alembic environment of the central server."""

from alembic import context

from hall_app.server.models import metadata
from hall_app.store.alembic_env import run_migrations

run_migrations(context, metadata)
