"""Failpoints for the fault tests: crash or fail at a named point of sync.

``HALL_FAILPOINT=name`` (or ``name:N`` for the N-th time the point is reached) makes
the process exit at once, as a kill would, with no cleanup and no reply. Tests in
the same process use ``arm(name, action)`` instead. Unset, a failpoint costs one
dictionary look-up.
"""

from __future__ import annotations

import os
from collections.abc import Callable

_armed: dict[str, Callable[[], None]] = {}
_counts: dict[str, int] = {}
EXIT_CODE = 77


def arm(name: str, action: Callable[[], None]) -> None:
    _armed[name] = action


def disarm(name: str | None = None) -> None:
    if name is None:
        _armed.clear()
    else:
        _armed.pop(name, None)


def failpoint(name: str) -> None:
    action = _armed.get(name)
    if action is not None:
        action()
        return
    spec = os.environ.get("HALL_FAILPOINT")
    if not spec:
        return
    target, _, nth = spec.partition(":")
    if target != name:
        return
    _counts[name] = _counts.get(name, 0) + 1
    if _counts[name] >= int(nth or 1):
        os._exit(EXIT_CODE)
