"""What each role is offered (the core's ROLES: clerk, agent, supervisor, admin)."""

from __future__ import annotations

PERMISSIONS = {
    "intake": {"clerk", "agent", "supervisor"},  # start and continue intakes, decide
    "all_windows": {"supervisor", "admin"},  # see every window's cases on the workbench
    "users": {"admin"},  # create users
    "view": {"clerk", "agent", "supervisor", "admin"},  # search, case view, reprint
    "review": {"supervisor", "admin"},  # clear a case's sync-conflict flag after checking it
    "bundle_review": {"supervisor", "admin"},  # review and publish bundles before launch (上线前审核)
    # -- supervise (issue 11) --
    "dashboard": {"supervisor", "admin"},  # 监督看板: the hall's day, deadlines, ratings, follow-ups
}


def can(role: str | None, what: str) -> bool:
    return bool(role) and role in PERMISSIONS.get(what, set())


def channel_for(role: str) -> str:
    """An agent (帮代办员) files on a citizen's behalf: the case's channel says so."""
    return "proxy" if role == "agent" else "window"
