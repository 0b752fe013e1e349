"""Alembic environment of the central server: runs on the connection the caller passes."""

from alembic import context
from sqlalchemy import create_engine

from hall_app.server.models import metadata

config = context.config
target_metadata = metadata

connection = config.attributes.get("connection")
if connection is None:  # `alembic` command line: use sqlalchemy.url from the ini
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
