"""How old each principal's person-file extract is on an agent's laptop (issue 13).

The extracts are refreshed at each sync (sync/person_files.py, table
``person_extracts``); the agent's workbench shows, per principal, when that last
happened, and flags (⚠) one older than ``[agent] stale_hours`` or never received
(an authorisation recorded offline since the last sync). On a laptop that is not
enrolled the person file is the local one: nothing is refreshed, nothing is flagged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from hall_app.store.models import PersonExtractRow

if TYPE_CHECKING:
    from hall_app.services.context import HallContext


@dataclass(frozen=True)
class ExtractAge:
    text: str  # what the 档案 column shows: 3小时前 / ⚠ 2天前 / ⚠ 未取得 / 查无档案 / 本机
    stale: bool = False
    hours: float | None = None


def age_text(hours: float) -> str:
    if hours < 1:
        return f"{int(hours * 60)}分钟前"
    if hours < 48:
        return f"{int(hours)}小时前"
    return f"{int(hours // 24)}天前"


def extract_ages(ctx: "HallContext", id_numbers: list[str], configured: bool, limit_hours: float
                 ) -> dict[str, ExtractAge]:
    if not configured:
        return {i: ExtractAge("本机") for i in id_numbers}
    with ctx.read() as session:
        rows = {r.id_number: r for r in session.scalars(
            select(PersonExtractRow).where(PersonExtractRow.id_number.in_(id_numbers)))} if id_numbers else {}
    now = ctx.now()
    out = {}
    for id_number in id_numbers:
        row = rows.get(id_number)
        if row is None or not row.refreshed_at:
            out[id_number] = ExtractAge("⚠ 未取得", True)
            continue
        try:
            when = dt.datetime.fromisoformat(row.refreshed_at)
            hours = max(0.0, (now - when).total_seconds() / 3600)
        except (TypeError, ValueError):
            out[id_number] = ExtractAge("⚠ 未取得", True)
            continue
        stale = hours > limit_hours
        text = age_text(hours) if row.on_file else "查无档案"
        out[id_number] = ExtractAge(("⚠ " if stale else "") + text, stale, hours)
    return out


def summary(ages: list[ExtractAge]) -> str:
    """One line for the principals' heading (the column may be off screen at 80 columns)."""
    if not ages or all(a.text == "本机" for a in ages):
        return ""
    never = sum(1 for a in ages if a.hours is None)
    known = [a.hours for a in ages if a.hours is not None]
    parts = []
    if known:
        oldest = age_text(max(known))
        parts.append(("⚠ " if any(a.stale and a.hours is not None for a in ages) else "") + f"档案最久{oldest}更新")
    if never:
        parts.append(f"⚠ {never}人档案未取得（联网同步后取得）")
    return "　".join(parts)
