"""Finding cases: one search box, tracking codes, the window's day, drafts, a timeline."""

from __future__ import annotations

from typing import Any

from hall_app.domain.calendar import in_china
from hall_app.domain.case import CaseState
from hall_app.domain.text import clean, compact
from hall_app.domain.tracking import parse_tracking_code
from hall_app.services.case_work import CaseServiceBase
from hall_app.services.intake import IntakeError
from hall_app.store.models import CaseRow


class CaseFinding(CaseServiceBase):
    def find(self, query: str, limit: int = 50) -> list[CaseRow]:
        """One search box: tracking code or scanned URL, ID number, USCC, or a name."""
        text = clean(query)
        if not text:
            return []
        with self.ctx.unit_of_work() as (_, repo):
            code = parse_tracking_code(text)
            if code:
                row = repo.by_tracking_code(code)
                return [row] if row else []
            key = compact(text).upper()
            if len(key) == 18 and key.isalnum():
                return repo.by_id_number(key, limit)
            return repo.by_name(text, limit)

    def by_tracking_code(self, raw: str) -> CaseState:
        code = parse_tracking_code(raw)
        if code is None:
            raise IntakeError(f"“{raw}”不是有效的跟踪码（12位，校验位不符或含无效字符）")
        with self.ctx.unit_of_work() as (_, repo):
            row = repo.by_tracking_code(code)
            if row is None:
                raise IntakeError(f"没有跟踪码为 {code} 的办件")
            state = repo.get(row.case_id)
        assert state is not None  # the row and its state are one record
        return state

    def window_page(self, window: str, page: int = 0, size: int = 20, since: str | None = None):
        since = since or self.ctx.today().isoformat()
        with self.ctx.unit_of_work() as (_, repo):
            return repo.window_page(window, since, page * size, size)

    def drafts(self, window: str | None = None, limit: int = 50) -> list[CaseRow]:
        with self.ctx.unit_of_work() as (_, repo):
            return repo.drafts(window, limit)

    def timeline(self, case_id: str) -> list[dict[str, Any]]:
        with self.ctx.unit_of_work() as (_, repo):
            return [{"time": in_china(r.device_time), "actor": r.actor, "type": r.type, "payload": r.payload,
                     "device": r.device_id, "sync": r.sync_state} for r in repo.event_rows(case_id)]
