"""Voice calls on the hall display ("请 A012 号到 3号窗口 办理") through espeak-ng.

Optional: without espeak-ng on the machine :func:`find_voice` returns None and the
display is silent, with no error. Announcements are spoken one after another by one
background thread (a burst of calls never talks over itself, and the screen never
waits for a voice). ``wav_dir``: write each announcement to a WAV file instead of
playing it (tests, a machine without a sound card).

Install: ``sudo apt-get install espeak-ng`` (Debian/Ubuntu; Mandarin voice ``cmn``).
"""

from __future__ import annotations

import logging
import queue
import shutil
import subprocess
import threading
from pathlib import Path

log = logging.getLogger("hall_app.screens")
ESPEAK = ("espeak-ng", "espeak")


class Voice:
    def __init__(self, exe: str, voice: str = "cmn", speed: int = 150, wav_dir: Path | None = None) -> None:
        self.exe, self.voice, self.speed = exe, voice, speed
        self.wav_dir = Path(wav_dir) if wav_dir else None
        self.spoken: list[str] = []  # what was said, in order
        self.files: list[Path] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._marks: dict[str, threading.Event] = {}
        self._thread = threading.Thread(target=self._run, name="voice", daemon=True)
        self._thread.start()

    def say(self, text: str) -> None:
        self._queue.put(text)

    def close(self, timeout: float = 5.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)

    def wait(self, timeout: float = 10.0) -> None:
        """Until everything asked so far was spoken (tests)."""
        done = threading.Event()
        self._queue.put("\0" + str(id(done)))
        self._marks[str(id(done))] = done
        done.wait(timeout)

    def _run(self) -> None:
        while True:
            text = self._queue.get()
            if text is None:
                return
            if text.startswith("\0"):
                mark = self._marks.pop(text[1:], None)
                if mark is not None:
                    mark.set()
                continue
            self._speak(text)

    def _speak(self, text: str) -> None:
        cmd = [self.exe, "-v", self.voice, "-s", str(self.speed)]
        if self.wav_dir is not None:
            self.wav_dir.mkdir(parents=True, exist_ok=True)
            path = self.wav_dir / f"call-{len(self.files) + 1:04d}.wav"
            cmd += ["-w", str(path)]
        try:
            subprocess.run([*cmd, text], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30,
                           check=False)
        except (OSError, subprocess.SubprocessError):  # no sound card, a hung player: stay silent
            log.warning("espeak-ng failed", exc_info=True)
            return
        self.spoken.append(text)
        if self.wav_dir is not None:
            self.files.append(path)


def find_voice(voice: str = "cmn", wav_dir: Path | None = None) -> Voice | None:
    """A voice when espeak-ng (or espeak) is installed, else None (silent display)."""
    for name in ESPEAK:
        exe = shutil.which(name)
        if exe:
            return Voice(exe, voice, wav_dir=wav_dir)
    return None
