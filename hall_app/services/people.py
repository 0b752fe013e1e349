"""The person / firm file (一人一档 / 一企一档) and e-licences on file.

In production these come from the government's data platform; ``PersonFileSource``
is the interface a real connector implements. ``LocalPersonFile`` serves them from
the local database (the demo data, or records synced down).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select

from hall_app.domain.ids import identifier_kind
from hall_app.domain.planner import Applicant
from hall_app.store.models import Elicence, Firm, Person

if TYPE_CHECKING:
    from hall_app.services.context import HallContext


@dataclass(frozen=True)
class FileRecord:
    """What the file holds on one person or firm."""

    kind: str  # 个人 / 企业
    key: str  # id number or USCC
    attributes: dict[str, str]  # name, phone, address … (person.* / firm.* prefill keys)
    elicences: dict[str, dict[str, Any]] = field(default_factory=dict)  # type → data
    facts: dict[str, str] = field(default_factory=dict)
    dishonest: bool = False

    def applicant(self) -> Applicant:
        return Applicant(facts=self.facts, elicences=frozenset(self.elicences))


class PersonFileSource(Protocol):
    def person(self, id_number: str) -> FileRecord | None: ...

    def firm(self, uscc: str) -> FileRecord | None: ...


class LocalPersonFile:
    def __init__(self, ctx: "HallContext"):
        self.ctx = ctx

    def _elicences(self, session, holder: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for lic in session.scalars(select(Elicence).where(Elicence.holder == holder)):
            out[lic.type] = {"number": lic.number, "issued_by": lic.issued_by, "issued_on": lic.issued_on,
                             **(lic.data or {})}
        return out

    def person(self, id_number: str) -> FileRecord | None:
        with self.ctx.read() as session:
            row = session.get(Person, id_number)
            if row is None:
                return None
            attributes = {"name": row.name, "id_number": row.id_number, "sex": row.sex,
                          "birth_date": row.birth_date, "phone": row.phone, "address": row.address}
            return FileRecord("个人", id_number, attributes, self._elicences(session, id_number),
                              {"local_hukou": "是" if row.local_hukou else "否", "sex": row.sex,
                               "kind": "个人"}, row.dishonest)

    def firm(self, uscc: str) -> FileRecord | None:
        with self.ctx.read() as session:
            row = session.get(Firm, uscc)
            if row is None:
                return None
            attributes = {"name": row.name, "uscc": row.uscc, "legal_rep": row.legal_rep,
                          "address": row.address, "phone": row.phone}
            return FileRecord("企业", uscc, attributes, self._elicences(session, uscc), {"kind": "企业"},
                              row.dishonest)


class PersonFileService:
    """Look-ups with a short cache: one intake asks for the same file at every step."""

    CACHE_SECONDS = 300.0

    def __init__(self, ctx: "HallContext", source: PersonFileSource | None = None):
        self.ctx = ctx
        self.source: PersonFileSource = source or LocalPersonFile(ctx)
        self._cache: dict[str, tuple[float, FileRecord | None]] = {}

    def lookup(self, key: str) -> FileRecord | None:
        if not key:
            return None
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self.CACHE_SECONDS:
            return hit[1]
        record = self.source.firm(key) if identifier_kind(key) == "uscc" else self.source.person(key)
        if len(self._cache) > 1000:
            self._cache.clear()
        self._cache[key] = (now, record)
        return record

    def for_case(self, applicant: dict[str, str]) -> FileRecord | None:
        return self.lookup(applicant.get("uscc") or applicant.get("id_number") or "")

    @staticmethod
    def prefill_value(record: FileRecord | None, source: str | None) -> str | None:
        """The value a field's prefill source names (person.name, elicence:结婚证.spouse_name)."""
        if record is None or not source:
            return None
        head, _, key = source.rpartition(".")
        if head in ("person", "firm"):
            want = "个人" if head == "person" else "企业"
            return record.attributes.get(key) or None if record.kind == want else None
        if head.startswith("elicence:"):
            data = record.elicences.get(head.split(":", 1)[1])
            value = (data or {}).get(key)
            return str(value) if value else None
        return None
