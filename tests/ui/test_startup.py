"""Nothing heavy before the first frame: the login screen and the command line that
opens it import neither SQLAlchemy, pydantic, reportlab nor the catalog."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "pydantic", "reportlab", "qrcode", "alembic", "bundles.loader", "hall_app.services.cases")


def test_first_screen_imports_are_light():
    code = (
        "import sys\n"
        "from hall_app.cli import build_parser\n"
        "args = build_parser().parse_args(['--db', '/tmp/never-opened.db'])\n"
        "from hall_app.config import load_settings\n"
        "load_settings(db=args.db)\n"
        "import screens.app, screens.login\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
