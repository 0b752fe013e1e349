"""Shared fixtures: a fresh hall context on a temporary database with a fixed clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from shared_files import WANTED, register, shared_file

from hall_app.config import Settings
from hall_app.services.context import CHINA, HallContext

FIXED_NOW = dt.datetime(2026, 11, 21, 10, 0, 0, tzinfo=CHINA)
ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    """Byte-compile the project once per run, in the xdist controller (or the only process).
    With PYTHONDONTWRITEBYTECODE=1 (set on the CI machine) every process would otherwise
    compile the modules it imports from source: each worker and each of the hundreds of
    ``python -m hall_app`` / server / tmux subprocesses the tests start. py_compile writes
    the .pyc files whatever that variable says; __pycache__/ is git-ignored."""
    if hasattr(config, "workerinput"):
        return
    import compileall

    for package in ("hall_app", "screens", "printing", "bundles", "tests"):
        compileall.compile_dir(ROOT / package, quiet=2)


def pytest_collection_modifyitems(items):
    """Note the shared files (shared_files.py) that the collected tests need."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        for argname, defs in (info.name2fixturedefs.items() if info else ()):
            if defs:
                WANTED.add(f"{defs[-1].baseid}::{argname}")


class Clock:
    def __init__(self, start: dt.datetime = FIXED_NOW):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory):
    """The validated-catalog and font caches go to a temporary folder, not the user's
    (subprocesses inherit it). The xdist workers of one run share it, so the catalog is
    validated once per run rather than once per worker (both caches are written atomically
    and a stale or torn entry is rebuilt; the tests of the caches themselves use their own)."""
    import os

    if os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.getbasetemp().parent / "cache"
        folder.mkdir(exist_ok=True)
    else:
        folder = tmp_path_factory.mktemp("cache")
    os.environ["HALL_CACHE_DIR"] = str(folder)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(tmp_path, clock) -> HallContext:
    context = HallContext(Settings(db=str(tmp_path / "hall.db"), pdf_dir=str(tmp_path / "pdf")), clock=clock)
    yield context
    context.close()


def _seed_demo(path: Path) -> None:
    from hall_app.services.demo import DemoSeeder

    context = HallContext(Settings(db=str(path)), clock=Clock())
    DemoSeeder(context).seed()
    context.close()


DEMO = register("tests", "demo_template", "demo.db", _seed_demo)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The demo hall seeded once per test run (shared by the xdist workers); each test
    gets its own copy of the file."""
    return shared_file(tmp_path_factory, DEMO)


@pytest.fixture
def demo_ctx(tmp_path, clock, demo_template) -> HallContext:
    import shutil

    target = tmp_path / "demo.db"
    shutil.copy(demo_template, target)
    context = HallContext(Settings(db=str(target), pdf_dir=str(tmp_path / "pdf")), clock=clock)
    yield context
    context.close()
