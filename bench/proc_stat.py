"""CPU time of a process of this machine, read from /proc (Linux): what the benches
report beside wall time, since it moves far less with the machine's load."""

from __future__ import annotations

import os
from pathlib import Path


def stat_fields(path: Path) -> list[str] | None:
    """The fields of a /proc/PID/stat file after the command name (None if the process is gone)."""
    try:
        return path.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_of(fields: list[str]) -> float:
    """User + system CPU seconds from a stat file's fields."""
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (0 if it is gone)."""
    fields = stat_fields(Path(f"/proc/{pid}/stat"))
    return 0.0 if fields is None else cpu_of(fields)
