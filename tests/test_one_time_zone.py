"""The hall's time zone (北京时间, UTC+8) has one home: hall_app.domain.calendar.CHINA.

A second definition drifts (one had the name "CST", others none); everything imports the
one in calendar. This walks the source tree and fails on any other definition.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from hall_app.domain import calendar, dispatch, queue_schedule
from hall_app.services import context

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / "hall_app" / "domain" / "calendar.py"
SCANNED = ("hall_app", "bench", "tests", "screens", "printing")

# A UTC+8 zone built by hand, by name, or through a zone database.
DEFINITION = re.compile(
    r"timezone\(\s*(?:dt\.|datetime\.)?timedelta\(\s*(?:hours\s*=\s*8|seconds\s*=\s*28800|minutes\s*=\s*480)"
    r"|ZoneInfo\(|gettz\(|pytz\.timezone\(|Asia/(?:Shanghai|Chongqing|Harbin|Urumqi)|PRC\b"
)


def _definitions() -> list[str]:
    found = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            if path == HOME or path == Path(__file__).resolve():
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if DEFINITION.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_no_second_definition_of_the_hall_time_zone() -> None:
    assert _definitions() == [], "define the time zone only in hall_app/domain/calendar.py (CHINA) and import it"


def test_the_home_defines_it_once_and_it_is_utc_plus_8() -> None:
    text = HOME.read_text(encoding="utf-8")
    assert len(DEFINITION.findall(text)) == 1
    assert calendar.CHINA.utcoffset(None) == dt.timedelta(hours=8)


def test_the_old_names_are_the_same_object() -> None:
    assert context.CHINA is calendar.CHINA
    assert queue_schedule.CHINA is calendar.CHINA
    assert not hasattr(dispatch, "HALL_ZONE")


def test_the_pattern_catches_the_old_spellings() -> None:
    for old in ('CHINA = dt.timezone(dt.timedelta(hours=8), "CST")', "HALL_ZONE = dt.timezone(dt.timedelta(hours=8))",
                'ZONE = ZoneInfo("Asia/Shanghai")'):
        assert DEFINITION.search(old)
