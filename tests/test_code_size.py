"""Habits of the codebase that a reviewer would otherwise check by hand (issue 15):
small modules with one job. A module past the limit is split by use case, not raised."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 450  # "a file over ~400 lines is a sign to split"; this is where it becomes a failure
PACKAGES = ("hall_app", "screens", "printing", "bundles")


def test_no_module_outgrows_one_job():
    too_long = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = path.read_text(encoding="utf-8").count("\n")
            if lines > MAX_LINES:
                too_long[str(path.relative_to(ROOT))] = lines
    assert too_long == {}, f"split these by use case: {too_long}"


def test_the_check_sees_the_modules():
    assert sum(1 for p in PACKAGES for _ in (ROOT / p).rglob("*.py")) > 50
