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


# (module, class) of the core's known errors. Looked up in sys.modules only when an
# error arrives: an exception of a class whose module was never imported cannot occur,
# and importing the services (SQLAlchemy) just to name their errors costs 0.5 s.
_KNOWN_ERRORS = (("hall_app.services.intake", "IntakeError"), ("hall_app.config", "ConfigError"),
                 ("hall_app.store.db", "DatabaseError"))


def _is_error(exc: Exception, module: str, name: str) -> bool:
    cls = getattr(sys.modules.get(module), name, None)
    return isinstance(cls, type) and isinstance(exc, cls)


@contextmanager
def translated_errors():
    """Turn the core's known errors into UserError (message, no traceback)."""
    try:
        yield
    except Exception as exc:
        if any(_is_error(exc, module, name) for module, name in _KNOWN_ERRORS):
            raise UserError(str(exc)) from None
        if _is_error(exc, "bundles.loader", "CatalogError"):
            raise UserError("套餐目录有错误：\n" + str(exc)) from None
        raise


def open_ctx(args, **overrides):
    from hall_app.config import load_settings
    from hall_app.services import open_context

    with translated_errors():
        settings = load_settings(getattr(args, "config", None), db=getattr(args, "db", None), **overrides)
        return open_context(settings)
