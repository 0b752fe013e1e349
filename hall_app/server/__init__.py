"""The central server: FastAPI app, PostgreSQL/SQLite store, enrollment, the change
feed, department results, the citizen's tracking page. See docs/server.md."""
