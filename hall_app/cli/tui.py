"""Open the full-screen app (Textual is imported only here)."""

from __future__ import annotations

from hall_app.cli.common import open_ctx


def run_tui(args) -> int:
    ctx = open_ctx(args)
    first_run = ctx.users.count() == 0
    if first_run and not args.no_demo and not (args.db or ctx.settings.db):
        # The embedded default: a fresh default database opens on the demo hall.
        from hall_app.services.demo import DemoSeeder

        DemoSeeder(ctx).seed()
    from screens.app import HallApp

    HallApp(ctx).run()
    return 0
