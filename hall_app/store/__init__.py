"""Local storage: SQLAlchemy 2 models, sessions, Alembic migrations, queries."""
