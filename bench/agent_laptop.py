"""The agent's laptop as the agent benches use it (bench_cipher.py, bench_auth_draft.py):
the demo hall seeded once into a temporary folder, then a plain or a SQLCipher copy of
it opened on the same fixed clock."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hall_app.config import Settings
from hall_app.domain.calendar import CHINA
from hall_app.services.context import HallContext
from hall_app.services.demo import DemoSeeder
from hall_app.store import cipher

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=CHINA)
USER, PASSWORD = "wangqiang", "demo123"


def demo_template(prefix: str) -> tuple[Path, Path]:
    """A new temporary folder and the demo hall's database seeded in it."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    template = folder / "demo.db"
    seeder = HallContext(Settings(db=str(template)), clock=lambda: NOW)
    DemoSeeder(seeder).seed()
    seeder.close()
    return folder, template


def fresh_copy(template: Path, folder: Path, encrypted: bool) -> Path:
    """A copy of ``template`` (encrypted for the demo agent when asked), replacing the last one."""
    path = folder / ("enc.db" if encrypted else "plain.db")
    for suffix in ("", "-wal", "-shm", ".keys"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    shutil.copy(template, path)
    if encrypted:
        cipher.encrypt_database(path, {USER: PASSWORD})
    return path


def open_laptop(path: Path, encrypted: bool) -> HallContext:
    """The laptop's context on ``path``, unlocked by the demo agent when encrypted."""
    key = cipher.unlock(path, USER, PASSWORD) if encrypted else None
    return HallContext(Settings(db=str(path)), clock=lambda: NOW, db_key=key)
