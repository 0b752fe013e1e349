"""The body every Alembic env.py of the project shares (device and server schemas)."""

from __future__ import annotations

from sqlalchemy import MetaData, create_engine


def run_migrations(context, metadata: MetaData) -> None:
    """Migrate on the connection the caller passed in ``config.attributes``, or, from
    the ``alembic`` command line, on ``sqlalchemy.url`` of the ini file."""
    config = context.config
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as own:
            _run(context, own, metadata)
    else:
        _run(context, connection, metadata)


def _run(context, connection, metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
