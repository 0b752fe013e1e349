"""Files a test run builds once and every xdist worker reads (the demo templates).

A session fixture is set up once per *worker*: with ``-n 2`` both workers used to seed
the same demo hall (6–8 s each), usually at the same moment. Here the first worker to
need a file builds it under a lock in the run's shared temporary folder (the parent of
each worker's basetemp, the pytest-xdist recipe) and the others wait for it. A worker
that would only wait instead builds another shared file that the collected tests will
need and nobody has started yet, so two templates are seeded side by side, once each.

Tests only ever copy these files; they are never opened in place. Without xdist
(``-n 0`` or no ``-n``), each file is built in the session's own temporary folder as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable
from pathlib import Path

# key -> (file name, builder writing that file at the given path)
_BUILDERS: dict[str, tuple[str, Callable[[Path], object]]] = {}
# keys of the fixtures some collected test uses (filled by tests/conftest.py after collection)
WANTED: set[str] = set()


def key(baseid: str, argname: str) -> str:
    """The key of a conftest fixture: its conftest's folder (a pytest baseid) and its name."""
    return f"{baseid}::{argname}"


def register(baseid: str, argname: str, filename: str, build: Callable[[Path], object]) -> str:
    _BUILDERS[key(baseid, argname)] = (filename, build)
    return key(baseid, argname)


def shared_file(tmp_path_factory, name: str) -> Path:
    """The file of builder ``name``, built once per test run."""
    filename, build = _BUILDERS[name]
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        path = tmp_path_factory.mktemp("shared") / filename
        build(path)
        return path
    root = tmp_path_factory.getbasetemp().parent / "shared"
    root.mkdir(exist_ok=True)
    if not _build_once(root, name, wait=False):  # another worker is building it right now
        for other in _BUILDERS:
            if other != name and other in WANTED:
                # a failure shows where the file is needed: that fixture builds it again
                with contextlib.suppress(Exception):
                    _build_once(root, other, wait=False)
        _build_once(root, name, wait=True)
    return _folder(root, name) / filename


def _folder(root: Path, name: str) -> Path:
    return root / name.replace("/", "_").replace(":", "_")


def _build_once(root: Path, name: str, wait: bool) -> bool:
    """Build ``name`` unless it is built; False if another worker holds its lock (and not ``wait``)."""
    filename, build = _BUILDERS[name]
    folder = _folder(root, name)
    with open(root / f"{folder.name}.lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        try:
            done = folder / "built"
            if not done.exists():  # never built, or its builder failed half-way: start afresh
                if folder.exists():
                    for leftover in folder.iterdir():
                        leftover.unlink()
                folder.mkdir(exist_ok=True)
                build(folder / filename)
                done.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return True
