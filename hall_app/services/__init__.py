"""Use cases: the only code that writes to the database. The UI, the CLI and the
tests all come through here."""

from hall_app.services.context import HallContext, open_context

__all__ = ["HallContext", "open_context"]
