"""The hall's rule for a bad rating's follow-up due date, on the server: the working-day
calendar and the days (``[calendar]`` years and ``[deadlines] bad_rating_followup_days`` of
the server's own settings, which a hall sets alike on its devices and its server), so the
server dates a follow-up as the devices do — the visits' on the dashboard
(server/dashboards.py) and the cases' rated on the tracking page (server/public_rating.py)."""

from __future__ import annotations

from functools import lru_cache

from hall_app.config import Settings
from hall_app.domain.calendar import MemoCalendar

_DUE_RULES: dict[str, tuple[MemoCalendar, int]] = {}


@lru_cache(maxsize=1)
def _settings() -> Settings:
    """The server's settings, read once per process (as create_app_from_env reads its limits)."""
    from hall_app.config import load_settings

    return load_settings()


def hall_due_rule() -> tuple[MemoCalendar, int]:
    """The working-day calendar and the days a bad visit rating's follow-up has, as the
    hall's devices count them: the server's own settings (hall-app config: the ``[calendar]``
    years and ``[deadlines] bad_rating_followup_days``, which a hall sets alike on its
    devices and its server), not the library's published calendar and the default 15. One
    remembering calendar per configuration."""
    settings = _settings()
    days = settings.deadlines.bad_rating_followup_days
    key = repr((sorted((str(y), sorted((k, sorted(v)) for k, v in t.items())) for y, t in settings.calendar.items()),
                days))
    if key not in _DUE_RULES:
        _DUE_RULES[key] = (MemoCalendar.from_config(settings.calendar), days)
    return _DUE_RULES[key]
