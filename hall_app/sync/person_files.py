"""Refresh the person-file extracts of an agent's principals at each sync (issue 13).

After the push (so the server holds the register entries written offline) and the pull,
an agent's laptop asks ``GET /v1/person-files`` for the extracts of its principals
(server/person_files.py) and, in one transaction:

- stores each extract (checked by domain/person_extract.py; a bad one is skipped and
  counted) into ``people`` and ``elicences``, replacing what it held of that person;
- notes when each principal was refreshed (``person_extracts``), also for those the
  server has no file for (``on_file`` False: the laptop keeps what the agent typed);
- deletes the extracts it received earlier for people who are no longer its principals
  (authorisation revoked or expired): the laptop carries no one else's file.

Only agent devices ask (a hall device reads the person file through its connector).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from hall_app.domain.person_extract import check_extract
from hall_app.store.models import Elicence, Person, PersonExtractRow
from hall_app.sync.client import ServerClient, SyncError

if TYPE_CHECKING:
    from hall_app.services.context import HallContext


@dataclass
class ExtractReport:
    refreshed: int = 0
    missing: int = 0
    dropped: int = 0
    refused: int = 0
    error: str = ""  # the server would not answer (an older server): nothing changed here

    def summary(self) -> str:
        if self.error:
            return f"委托人档案未更新（{self.error}）"
        text = f"委托人档案更新 {self.refreshed} 人"
        if self.missing:
            text += f"，档案中查无 {self.missing} 人"
        if self.dropped:
            text += f"，删除已失效委托的档案 {self.dropped} 人"
        if self.refused:
            text += f"，{self.refused} 份摘录不合格未存"
        return text


def refresh_extracts(ctx: "HallContext", client: ServerClient) -> ExtractReport:
    report = ExtractReport()
    try:
        answer = client.person_files()
    except SyncError as exc:
        if exc.kind != "refused":
            raise
        report.error = str(exc)[:200]
        return report
    now = ctx.now_iso()
    extracts = []
    for data in answer.get("extracts") or []:
        extract, _problem = check_extract(data)
        if extract is None:
            report.refused += 1
        else:
            extracts.append(extract)
    missing = [str(i) for i in answer.get("missing") or [] if isinstance(i, str) and len(i) == 18]
    with ctx.Session.begin() as session:
        ctx.hold_write_lock(session)
        held = set(session.scalars(select(PersonExtractRow.id_number)))
        for extract in extracts:
            _store(session, extract)
            session.merge(PersonExtractRow(id_number=extract.id_number, on_file=True, refreshed_at=now,
                                           updated_at=extract.updated_at))
        for id_number in missing:
            session.merge(PersonExtractRow(id_number=id_number, on_file=False, refreshed_at=now, updated_at=""))
        gone = held - {e.id_number for e in extracts} - set(missing)
        if gone:
            session.execute(delete(Elicence).where(Elicence.holder.in_(gone)))
            session.execute(delete(Person).where(Person.id_number.in_(gone)))
            session.execute(delete(PersonExtractRow).where(PersonExtractRow.id_number.in_(gone)))
    report.refreshed, report.missing, report.dropped = len(extracts), len(missing), len(gone)
    if "people" in ctx.__dict__:
        ctx.people._cache.clear()  # the next look-up reads the refreshed file
    return report


def _store(session, extract) -> None:
    session.merge(Person(id_number=extract.id_number, name=extract.name, sex=extract.sex,
                         birth_date=extract.birth_date, phone=extract.phone, address=extract.address,
                         local_hukou=extract.local_hukou, dishonest=extract.dishonest))
    session.execute(delete(Elicence).where(Elicence.holder == extract.id_number))
    for lic in extract.elicences:
        session.add(Elicence(holder=extract.id_number, type=lic.type, number=lic.number, issued_by=lic.issued_by,
                             issued_on=lic.issued_on, data=dict(lic.data)))
