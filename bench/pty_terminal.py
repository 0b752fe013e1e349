"""A program in a pseudo-terminal, as the terminal benches drive it.

Every chunk the program writes is kept with the moment it arrived, so a bench can ask
when the first frame after a key came (``key``), when the screen went quiet
(``settle``) or when a given text was first drawn (``first_with``).
"""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import termios
import threading
import time
from pathlib import Path


class PtyTerminal:
    """``argv`` in a pseudo-terminal of ``cols`` x ``rows``; its output kept with times."""

    def __init__(self, argv: list[str], env: dict[str, str], *, cols: int, rows: int,
                 cwd: Path | None = None, quiet: float = 0.25) -> None:
        self.quiet = quiet
        self.first_timeout = 3.0
        self.chunks: list[tuple[float, bytes]] = []
        self.text = bytearray()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            if cwd is not None:
                os.chdir(cwd)
            os.execvpe(argv[0], argv, env)
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            now = time.perf_counter()
            with self._lock:
                self.chunks.append((now, data))
                self.text += data

    def mark(self) -> int:
        """A point in the output; later questions can look only at what came after it."""
        with self._lock:
            return len(self.chunks)

    def first_with(self, since: int, needle: bytes, timeout: float = 10.0) -> float | None:
        """When the first chunk after ``since`` holding ``needle`` was written (None: never)."""
        deadline = time.perf_counter() + timeout
        seen = b""
        index = since
        while time.perf_counter() < deadline:
            with self._lock:
                fresh = self.chunks[index:]
            for at, data in fresh:
                index += 1
                seen = (seen + data)[-200_000:]
                if needle in seen:
                    return at
            time.sleep(0.002)
        return None

    def settle(self, timeout: float = 20.0) -> None:
        """Wait until nothing has been written for ``quiet`` seconds."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            with self._lock:
                last = self.chunks[-1][0] if self.chunks else start
            if time.perf_counter() - max(last, start) >= self.quiet:
                return
            time.sleep(0.005)

    def wait_for(self, needle: str, timeout: float = 30.0) -> None:
        data = needle.encode()
        start = time.perf_counter()
        while data not in self.text:
            if time.perf_counter() - start > timeout:
                raise RuntimeError(f"never saw {needle!r}")
            time.sleep(0.01)

    def press(self, data: bytes) -> tuple[float, float] | None:
        """Write ``data`` (one key's bytes); (first paint, settled) in ms, None if nothing was drawn."""
        mark = self.mark()
        start = time.perf_counter()
        os.write(self.fd, data)
        if not self._reader.is_alive():
            raise RuntimeError("the app has exited: " + bytes(self.text[-2000:]).decode(errors="replace"))
        while time.perf_counter() - start < self.first_timeout:  # a busy app may draw late: wait for it
            if self.mark() > mark:
                break
            time.sleep(0.001)
        self.settle()
        with self._lock:
            after = self.chunks[mark:]
        if not after:
            return None
        return (after[0][0] - start) * 1000, (after[-1][0] - start) * 1000

    def close(self, sig: int = signal.SIGTERM) -> None:
        try:
            os.kill(self.pid, sig)
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        os.close(self.fd)
