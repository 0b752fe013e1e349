"""Shared helpers for the command modules."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Any

EXIT_USAGE = 2


class UserError(Exception):
    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def dump_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


# The core's errors that carry a message for the user: (module, class, prefix).
KNOWN_ERRORS = (
    ("hall_app.services.intake", "IntakeError", ""),
    ("hall_app.config", "ConfigError", ""),
    ("hall_app.store.db", "DatabaseError", ""),
    ("bundles.loader", "CatalogError", "套餐目录有错误：\n"),
    ("hall_app.domain.queue", "QueueError", ""),
)


def user_error_for(exc: BaseException) -> UserError | None:
    """The UserError for one of the core's known errors, else None.

    Checked by looking the classes up only in modules already imported (an instance
    cannot exist otherwise): the error handling itself imports nothing, so a command
    that never opens the database never pays for SQLAlchemy.
    """
    for module, name, prefix in KNOWN_ERRORS:
        loaded = sys.modules.get(module)
        cls = getattr(loaded, name, None) if loaded is not None else None
        if cls is not None and isinstance(exc, cls):
            return UserError(prefix + str(exc))
    return None


@contextmanager
def translated_errors():
    """Turn the core's known errors into UserError (message, no traceback)."""
    try:
        yield
    except Exception as exc:
        error = user_error_for(exc)
        if error is None:
            raise
        raise error from None


def open_ctx(args, **overrides):
    from hall_app.config import load_settings
    from hall_app.services import open_context

    with translated_errors():
        settings = load_settings(getattr(args, "config", None), db=getattr(args, "db", None), **overrides)
        return open_context(settings)
