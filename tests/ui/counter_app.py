"""Start the counter on a database, as ``hall-app --db`` does, with the flagship catalog
only (the crash-resume test runs it in a real terminal: tmux)."""

from __future__ import annotations

import sys
from pathlib import Path


def main(db: str) -> int:
    from hall_app.services.context import china_now
    from screens.app import HallApp
    from tests.ui.helpers import open_ctx

    app = HallApp(lambda: open_ctx(Path(db), clock=china_now))
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
