"""A person is shown by name; the username only when no name is known."""

from __future__ import annotations

from hall_app.services.dashboard import Dashboard
from hall_app.services.demo import DEMO_USERS
from hall_app.services.queue_demo_day import CLERKS


def test_the_demo_mornings_clerks_are_named_users() -> None:
    names = {username: display for username, _pw, display, _role, _window in DEMO_USERS}
    assert all(names.get(clerk) for clerk in CLERKS.values()), sorted(set(CLERKS.values()) - set(names))


def test_a_user_without_a_name_shows_the_username() -> None:
    board = Dashboard.__new__(Dashboard)
    object.__setattr__(board, "user_names", {"zhangli": "张丽", "temp": ""})
    assert [board.user(u) for u in ("zhangli", "temp", "unknown")] == ["张丽", "temp", "unknown"]
