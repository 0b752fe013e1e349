"""The hall app as the key-press bench runs it in a pseudo-terminal: the real terminal
driver (frames are written to the terminal), the real clock, the full catalog, the
cursor not blinking and the status bar not ticking (so every byte written after a key
is that key's doing).

    python bench/pty_app.py DB [APP_ROOT]

With HALL_PROFILE=FILE in the environment the UI thread runs under cProfile, and the
profile is written to FILE when the process gets SIGUSR1 (bench_keypress.py sends it
before closing the app).

APP_ROOT (default: this checkout) is the checkout whose ``hall_app`` and ``screens``
run: the bench compares two versions of the app on the same database that way.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(sys.argv[2]).resolve() if len(sys.argv) > 2 else Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from hall_app.config import Settings
    from hall_app.services.context import HallContext
    from screens.app import HallApp

    db = Path(sys.argv[1])

    def open_hall() -> HallContext:
        return HallContext(Settings(db=str(db), pdf_dir=str(db.parent / "documents")))

    profile = os.environ.get("HALL_PROFILE")  # a cProfile of the UI thread, written on SIGUSR1
    if profile:
        import cProfile
        import signal

        profiler = cProfile.Profile()
        signal.signal(signal.SIGUSR1, lambda *_: profiler.dump_stats(profile))
        profiler.enable()
    HallApp(open_hall, cursor_blink=False, status_seconds=3600).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
