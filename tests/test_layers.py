"""The domain and services import without Textual, reportlab or qrcode."""

import subprocess
import sys

CODE = """
import importlib, pkgutil, sys
import hall_app
for m in pkgutil.walk_packages(hall_app.__path__, "hall_app."):
    if any(p in m.name for p in (".cli", "__main__", ".server", ".migrations")):
        continue
    importlib.import_module(m.name)
import bundles.loader
heavy = sorted(h for h in ("textual", "reportlab", "qrcode", "fastapi", "uvicorn") if h in sys.modules)
print(",".join(heavy))
"""


def test_core_imports_stay_light():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"core pulled in: {out}"


def test_cli_help_does_not_import_the_ui_or_printing():
    code = ("import sys\nfrom hall_app.cli import build_parser\nbuild_parser()\n"
            "print(','.join(h for h in ('textual','reportlab','qrcode') if h in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
