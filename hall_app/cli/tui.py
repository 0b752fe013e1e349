"""Open the full-screen app (Textual is imported only here).

Settings are read before the screen is taken over (a bad config file prints its
message like any other command). The database is opened by the app behind its
first frame, so start-up costs about what a bare Textual app costs.
"""

from __future__ import annotations

from hall_app.cli.common import UserError


def run_tui(args) -> int:
    from hall_app.config import ConfigError, load_settings

    try:  # not translated_errors(): it imports the services (SQLAlchemy) before the first frame
        settings = load_settings(getattr(args, "config", None), db=getattr(args, "db", None))
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    from hall_app.store.db import DatabaseError, check_file, check_path  # no SQLAlchemy: cheap
    from hall_app.store.keyfile import is_encrypted  # not cipher: no hashlib before the first frame

    encrypted = is_encrypted(settings.db_path)  # an agent's laptop: its header is ciphertext
    try:  # a bad --db is said on the terminal, before the app takes it over
        check_path(settings.db_path, create_parent=not settings.db)
        if not encrypted:
            check_file(settings.db_path)
    except DatabaseError as exc:
        raise UserError(str(exc)) from None
    seed_demo = not getattr(args, "no_demo", False) and not settings.db  # the embedded default opens on the demo hall

    def open_hall():
        from hall_app.services import open_context

        ctx = open_context(settings)
        if seed_demo and ctx.users.count() == 0:
            from hall_app.services.demo import DemoSeeder

            DemoSeeder(ctx).seed()
            seed_queue(ctx)
        return ctx

    def unlock_hall(username: str, password: str):
        return open_encrypted(settings, username, password)

    from screens.app import HallApp

    app = HallApp(open_hall, keymap=settings.keymap, unlock=unlock_hall if encrypted else None)
    app.start_on_dashboard = bool(getattr(args, "start_dashboard", False))
    app.run()
    return app.return_code or 0


def seed_queue(ctx) -> None:
    """The demo hall's queue too (as ``hall-app demo`` does), so the first start shows the
    window's queue panel, the kiosk and the display working on the embedded default."""
    from hall_app.domain.queue import QueueError
    from hall_app.services.queue_demo import seed_demo_queue

    try:
        seed_demo_queue(ctx.queue, ctx.now())
    except QueueError:  # a queue this machine may not set up (an enrolled device): the hall's own
        pass


def open_encrypted(settings, username: str, password: str, clock=None):
    """The context of an encrypted database, with the key ``username``'s password unwraps
    (a wrong password is the sign-in's own message)."""
    from hall_app.services.context import HallContext
    from hall_app.services.users import AuthError
    from hall_app.store.cipher import CipherError, unlock

    try:
        key = unlock(settings.db_path, username, password)
    except CipherError as exc:
        raise AuthError(str(exc)) from None
    return HallContext(settings, clock, db_key=key) if clock else HallContext(settings, db_key=key)
