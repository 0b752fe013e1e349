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


@contextmanager
def translated_errors():
    """Turn the core's known errors into UserError (message, no traceback)."""
    from hall_app.config import ConfigError
    from hall_app.services.intake import IntakeError
    from hall_app.store.db import DatabaseError

    try:
        yield
    except (IntakeError, ConfigError, DatabaseError) as exc:
        raise UserError(str(exc)) from None
    except Exception as exc:
        from bundles.loader import CatalogError

        if isinstance(exc, CatalogError):
            raise UserError("套餐目录有错误：\n" + str(exc)) from None
        raise


def open_ctx(args, **overrides):
    from hall_app.config import load_settings
    from hall_app.services import open_context

    with translated_errors():
        settings = load_settings(getattr(args, "config", None), db=getattr(args, "db", None), **overrides)
        return open_context(settings)
