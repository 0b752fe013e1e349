"""Read models and small writes the clerk's counter (the full-screen UI) needs and
the case service does not offer: list lines, pages of today's cases across windows,
frequent bundles, window names, users, and discarding a scratch draft."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from hall_app.domain.case import EDITABLE, STATUS_LABELS
from hall_app.store.models import CaseRow, FieldDraft, User, Window

if TYPE_CHECKING:
    from hall_app.services.context import HallContext


@dataclass(frozen=True)
class CaseLine:
    """One case as a list shows it (plain data: safe to hand to the UI thread)."""

    case_id: str
    tracking_code: str
    bundle_name: str
    status: str
    step: str
    applicant: str
    window: str
    created_by: str
    claimed_by: str
    created_at: str
    updated_at: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE


# The columns a list shows: never the case's ``state`` JSON (kilobytes a row).
LINE_COLUMNS = (CaseRow.case_id, CaseRow.tracking_code, CaseRow.bundle_name, CaseRow.bundle_code, CaseRow.status,
                CaseRow.step, CaseRow.applicant_name, CaseRow.window, CaseRow.created_by, CaseRow.claimed_by,
                CaseRow.created_at, CaseRow.updated_at)


def line(row) -> CaseLine:
    """A list line from a CaseRow or a row of :data:`LINE_COLUMNS`."""
    return CaseLine(row.case_id, row.tracking_code, row.bundle_name or row.bundle_code, row.status, row.step,
                    row.applicant_name, row.window, row.created_by, row.claimed_by, row.created_at,
                    row.updated_at)


def window_codes(ctx: "HallContext") -> list[str]:
    with ctx.read() as session:
        codes = list(session.scalars(select(Window.code).order_by(Window.code)))
    return codes if ctx.settings.window in codes else codes + [ctx.settings.window]


def window_name(ctx: "HallContext", code: str) -> str:
    with ctx.read() as session:
        row = session.get(Window, code)
        return row.name if row else code


def today_page(ctx: "HallContext", window: str | None, page: int, size: int,
               count: bool = True) -> tuple[list[CaseLine], int | None]:
    """Cases taken today at one window (or every window), the latest taken first, one
    page; with ``count`` also how many there are. A reprint or a later event does not
    move a case: the order is the time it was taken."""
    since = ctx.today().isoformat()
    windows = [window] if window else window_codes(ctx)
    # updated_at >= since follows from created_at >= since; it lets SQLite use the
    # (window, updated_at) index to find the day's few hundred rows.
    where = (CaseRow.window.in_(windows), CaseRow.updated_at >= since, CaseRow.created_at >= since)
    with ctx.read() as session:
        total = None
        if count:
            total = int(session.scalar(select(func.count()).select_from(CaseRow).where(*where)) or 0)
        rows = session.execute(select(*LINE_COLUMNS).where(*where)
                               .order_by(CaseRow.created_at.desc(), CaseRow.case_id)
                               .offset(page * size).limit(size))
        return [line(r) for r in rows], total


def draft_lines(ctx: "HallContext", window: str | None, limit: int = 50) -> list[CaseLine]:
    """Drafts (and cases with a one-time notice) to continue, most recently touched first."""
    query = select(*LINE_COLUMNS).where(CaseRow.status.in_(("draft", "notice_issued")))
    if window:
        query = query.where(CaseRow.window == window)
    with ctx.read() as session:
        return [line(r) for r in session.execute(query.order_by(CaseRow.updated_at.desc()).limit(limit))]


def find_lines(ctx: "HallContext", query: str, limit: int = 50) -> list[CaseLine]:
    """The search box (as ``CaseService.find``: a tracking code or scanned URL, an ID
    number or USCC, or a name prefix), reading only the columns the list shows."""
    from hall_app.domain.text import clean, compact
    from hall_app.domain.tracking import parse_tracking_code

    text = clean(query)
    if not text:
        return []
    code = parse_tracking_code(text)
    key = compact(text).upper()
    if code:
        where = [CaseRow.tracking_code == code]
    elif len(key) == 18 and key.isalnum():
        from hall_app.store.repository import id_number_query

        with ctx.read() as session:  # the same indexed look-up as CaseService.find
            return [line(r) for r in session.execute(id_number_query(key, limit, LINE_COLUMNS))]
    else:
        upper = text[:-1] + chr(ord(text[-1]) + 1)  # a range on the indexed column, not LIKE
        where = [CaseRow.applicant_name >= text, CaseRow.applicant_name < upper]
    with ctx.read() as session:
        return [line(r) for r in session.execute(select(*LINE_COLUMNS).where(*where)
                                                 .order_by(CaseRow.updated_at.desc(), CaseRow.case_id.desc())
                                                 .limit(limit))]


def frequent_bundles(ctx: "HallContext", window: str, days: int = 30, limit: int = 8) -> list[tuple[str, int]]:
    """Bundle codes started most at this window lately, most frequent first."""
    since = (ctx.today() - dt.timedelta(days=days)).isoformat()
    with ctx.read() as session:
        rows = session.execute(
            select(CaseRow.bundle_code, func.count()).where(CaseRow.window == window, CaseRow.updated_at >= since)
            .group_by(CaseRow.bundle_code).order_by(func.count().desc()).limit(limit))
        return [(code, int(n)) for code, n in rows]


def discard_draft(ctx: "HallContext", case_id: str, key: str) -> None:
    """Forget a scratch value once it has been recorded as an event."""
    with ctx.Session.begin() as session:
        session.execute(delete(FieldDraft).where(FieldDraft.case_id == case_id, FieldDraft.key == key))


@dataclass(frozen=True)
class UserLine:
    username: str
    display_name: str
    role: str
    window: str
    active: bool


def list_users(ctx: "HallContext") -> list[UserLine]:
    with ctx.read() as session:
        return [UserLine(u.username, u.display_name, u.role, u.window, bool(u.active))
                for u in session.scalars(select(User).order_by(User.role, User.username))]
