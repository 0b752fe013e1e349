"""Start-up to the first screen: a bare Textual app against the hall app, started the
same way (the same interpreter, in a pseudo-terminal of 100x32), alternating, several
runs, median. The clock runs from fork to the moment the first screen's text reaches
the terminal.

    .venv/bin/python bench/bench_startup.py [--runs 9]

Reports, for the hall app, the first frame (the login form: 用户名) and "ready" (the
database is open and the demo login is shown: 演示账号).

The app's packages are byte-compiled first, as ``pip install`` does: with
PYTHONDONTWRITEBYTECODE set (as on the shared machine) and no ``__pycache__`` in the
checkout, every start would compile ~30 modules from source, about 10% of the hall
app's instructions to its first frame, which no installed app pays
(``--no-compile`` measures that case).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import platform
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


PACKAGES = ("hall_app", "screens", "bundles", "printing")  # pyproject.toml's packages


def compile_app(root: Path) -> None:
    """Byte-compile the app's packages under ``root`` (what an installed app has)."""
    import compileall

    for package in PACKAGES:
        if (root / package).is_dir():
            compileall.compile_dir(root / package, quiet=1)


CPU_SECONDS: list[float] = []  # CPU time of the last program run when its first needle appeared


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all its threads): unlike the wall clock,
    it barely moves when other work shares the machine."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_to(argv: list[str], needles: list[bytes], timeout: float = 30.0, root: Path = ROOT) -> list[float]:
    """Seconds from fork until each needle has appeared on the terminal (in order); the
    CPU time at the first needle goes to ``CPU_SECONDS``."""
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="32", PYTHONPATH=str(root))
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child: size the terminal, then become the app
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 32, 100, 0, 0))
        os.chdir(root)
        os.execvpe(argv[0], argv, env)
    seen: list[float] = []
    buffer = b""
    try:
        while len(seen) < len(needles) and time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            buffer += chunk
            while len(seen) < len(needles) and needles[len(seen)] in buffer:
                seen.append(time.perf_counter() - start)
                if len(seen) == 1:
                    CPU_SECONDS.append(cpu_seconds(pid))
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    if len(seen) < len(needles):
        raise RuntimeError(f"{argv} never showed {needles[len(seen)]!r}")
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--app-root", default=str(ROOT),
                        help="checkout whose app to start (compare two versions in the same terminal)")
    parser.add_argument("--no-compile", action="store_true",
                        help="do not byte-compile the app first (measure a start that compiles from source)")
    args = parser.parse_args()
    root = Path(args.app_root)
    if not args.no_compile:
        compile_app(root)
    work = Path(tempfile.mkdtemp(prefix="hall-bench-"))
    db = work / "demo.db"
    subprocess.run([PY, "-m", "hall_app", "demo", "--db", str(db)], cwd=ROOT, check=True,
                   capture_output=True)
    bare_cmd = [PY, str(ROOT / "bench" / "bare_app.py")]
    hall_cmd = [PY, "-m", "hall_app", "--db", str(db)]
    bare, first, ready, bare_cpu, hall_cpu = [], [], [], [], []
    time_to(bare_cmd, [b"BARE-READY"])  # warm the file cache for both
    time_to(hall_cmd, ["用户名".encode(), "演示账号".encode()], root=root)
    for _ in range(args.runs):
        bare.append(time_to(bare_cmd, [b"BARE-READY"])[0])
        bare_cpu.append(CPU_SECONDS[-1])
        a, b = time_to(hall_cmd, ["用户名".encode(), "演示账号".encode()], root=root)
        hall_cpu.append(CPU_SECONDS[-1])
        first.append(a)
        ready.append(b)
    shutil.rmtree(work, ignore_errors=True)
    med = statistics.median
    print(f"machine: {platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{platform.system()} {platform.release()}")
    import textual

    print(f"textual {textual.__version__} · {args.runs} runs each, alternating · terminal 100x32 (pty) · "
          f"app {root} ({'from source' if args.no_compile else 'byte-compiled'}) · "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"bare Textual app, first screen:     median {med(bare):.3f} s  (min {min(bare):.3f}, max {max(bare):.3f})")
    print(f"hall app, first screen (login form): median {med(first):.3f} s  "
          f"(min {min(first):.3f}, max {max(first):.3f})"
          f"  → {med(first) / med(bare):.2f}x bare")
    print(f"hall app, database open, demo login shown: median {med(ready):.3f} s  "
          f"(min {min(ready):.3f}, max {max(ready):.3f})  → {med(ready) / med(bare):.2f}x bare")
    print(f"CPU time to the first screen (user+sys, /proc; robust to a busy machine): bare {med(bare_cpu):.3f} s, "
          f"hall {med(hall_cpu):.3f} s → {med(hall_cpu) / med(bare_cpu):.2f}x")
    pairs = [h / b for h, b in zip(first, bare)]  # each hall run against the bare run just before it
    print(f"first screen, run by run (hall ÷ the bare run before it): median {med(pairs):.2f}x "
          f"(min {min(pairs):.2f}, max {max(pairs):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
