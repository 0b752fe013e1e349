"""The command line's error handling: known errors become a message and exit 2, and the
handling itself imports nothing (a command that never opens the database never loads
SQLAlchemy: `hall-app bundles list` went from 1.06 s to 0.45 s of CPU here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hall_app.cli.common import UserError, translated_errors

ROOT = Path(__file__).resolve().parents[1]


def test_bundles_list_does_not_load_the_database_layer():
    code = ("import sys; from hall_app.cli import main; main(['bundles', 'list']);"
            "print([m for m in ('sqlalchemy', 'hall_app.services.intake', 'alembic') if m in sys.modules],"
            " file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr.strip().splitlines()[-1] == "[]", done.stderr


def test_known_errors_become_user_errors():
    from hall_app.config import ConfigError
    from hall_app.services.intake import IntakeError
    from hall_app.store.db import DatabaseError

    for error in (ConfigError("设置有误"), IntakeError("不能受理"), DatabaseError("数据库已损坏")):
        with pytest.raises(UserError, match=str(error)), translated_errors():
            raise error
    with pytest.raises(KeyError), translated_errors():  # anything else is a bug: not hidden
        raise KeyError("x")


def test_a_catalog_error_says_so():
    from bundles.loader import CatalogError

    with pytest.raises(UserError, match="套餐目录有错误"), translated_errors():
        raise CatalogError("x.toml: 坏了")
