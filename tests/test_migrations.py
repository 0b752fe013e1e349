"""Alembic migrations: head matches the fast-path constant and the models."""

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from hall_app.store import db
from hall_app.store.models import Base


def test_head_revision_constant_matches_alembic():
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == db.HEAD_REVISION


def test_migrations_build_exactly_the_models(tmp_path):
    engine = db.make_engine(db.sqlite_url(tmp_path / "m.db"))
    db.ensure_schema(engine)
    assert db.current_revision(engine) == db.HEAD_REVISION
    assert {"events", "cases", "people", "elicences", "users", "device"} <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    db.ensure_schema(engine)  # idempotent
