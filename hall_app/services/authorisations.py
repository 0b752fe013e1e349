"""The device's register of 授权委托书 (authorisation first, issue 13).

An agent records the authorisation before the visit (the principal's ID checked
against the person file, the relation, the bundles, the validity, how it is signed),
prints the blank form prefilled with it, and records the signed paper when it is
back (with the SHA-256 thumbprint of its scan or photo, when one is attached). A
case is started for a principal only under a valid authorisation; its copy goes on
the case as ``case.authorisation_set`` (domain/authorisation.py has the rules).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from hall_app.domain.authorisation import (
    Authorisation,
    AuthorisationError,
    Draft,
    is_valid,
    problems,
    township_of,
    township_problem,
    why_not,
)
from hall_app.domain.identifiers import uuid7
from hall_app.domain.ids import check_citizen_id
from hall_app.domain.text import clean, text_problem
from hall_app.store.models import AuthorisationRow, FieldDraft, StoredFile
from hall_app.store.register import record_saved, travels

if TYPE_CHECKING:
    from hall_app.services.context import HallContext
    from hall_app.services.users import SignedIn

FIELDS = tuple(Authorisation.__dataclass_fields__)
DRAFT_OF = "authdraft:"  # field_drafts.case_id of a user's unsaved 授权委托书: this + username
MAX_DRAFT = 4000  # characters of one field being typed (its own limit is checked when it is recorded)


def _to_domain(row: AuthorisationRow) -> Authorisation:
    return Authorisation.from_payload({name: getattr(row, name) for name in FIELDS})


class AuthorisationService:
    def __init__(self, ctx: "HallContext"):
        self.ctx = ctx

    # -- recording -----------------------------------------------------------------------------
    def record(self, agent: "SignedIn", draft: Draft, principal_name: str = "", address: str = "", *,
               from_form: bool = False) -> Authorisation:
        """Check ``draft`` (every reason at once) and write it to the register.

        The principal's name and address come from the person file; a person not on
        file needs both typed (``principal_name``, ``address``). An agent with a
        township files only for principals of that township. ``from_form``: the
        authorisation form's kept draft (``keep_draft``) is dropped with the record."""
        today = self.ctx.today()
        found = problems(draft, today, [b.code for b in self.ctx.catalog.complete()])
        for label, value in (("委托人姓名", principal_name), ("委托人地址", address), ("证明单位", draft.attested_by)):
            problem = text_problem(value, 100)
            if problem:
                found.append(f"{label}{problem}")
        check = check_citizen_id(draft.principal_id, today)
        record = self.ctx.people.lookup(check.value) if check.ok else None
        name = record.attributes.get("name", "") if record else clean(principal_name)
        where = record.attributes.get("address", "") if record else clean(address)
        if check.ok and not name:
            found.append("委托人不在人口档案中，请填写委托人姓名和地址")
        township = township_of(where)
        if check.ok and agent.role == "agent":
            problem = township_problem(agent.township, township)
            if problem:
                found.append(problem)
        if found:
            raise AuthorisationError("；".join(found))
        auth = Authorisation(
            auth_id=uuid7(), principal_id=check.value, principal_name=name, agent=agent.username,
            agent_name=agent.display_name, relation=draft.relation, bundles=tuple(draft.bundles),
            valid_from=draft.valid_from.strip(), valid_until=draft.valid_until.strip(), method=draft.method,
            attested_by=clean(draft.attested_by) if draft.method == "attested" else "", township=township,
            recorded_at=self.ctx.now_iso())
        with self.ctx.Session.begin() as session:
            row = AuthorisationRow(**auth.to_payload())
            session.add(row)
            if agent.role == "agent":  # an agent's register travels (a relative's at a window stays here)
                record_saved(session, self.ctx.device_id, agent.username, self.ctx.now_iso(), row)
            if from_form:  # the form's kept draft has become this record (keep_draft)
                session.execute(delete(FieldDraft).where(FieldDraft.case_id == DRAFT_OF + agent.username))
        return auth

    # -- the form being typed ---------------------------------------------------------------------
    def keep_draft(self, agent: "SignedIn", values: dict[str, str | list[str]]) -> None:
        """Keystroke-level save of the authorisation form being typed, in the intake's
        ``field_drafts`` (encrypted with the device database): a crash, a kill or a
        restart loses nothing the agent typed at the principal's door. Values are kept
        exactly as typed (full-width digits, Chinese punctuation); a list (the chosen
        bundles) is kept as JSON. A character that could never be stored is refused
        with the words the register would use; the screen keeps the text."""
        rows = {key: json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value
                for key, value in values.items()}
        for value in rows.values():
            problem = text_problem(value, MAX_DRAFT, multiline=True)
            if problem:
                raise AuthorisationError(f"输入{problem}")
        owner, now = DRAFT_OF + agent.username, self.ctx.now_iso()
        with self.ctx.Session.begin() as session:
            kept = {row.key: row for row in session.scalars(select(FieldDraft).where(FieldDraft.case_id == owner))}
            for key, value in rows.items():
                draft = kept.get(key)
                if draft is None:
                    session.add(FieldDraft(case_id=owner, key=key, value=value, updated_at=now))
                elif draft.value != value:
                    draft.value, draft.updated_at = value, now

    def draft_of(self, agent: "SignedIn") -> dict[str, str | list[str]]:
        """What ``agent`` last typed in the authorisation form ({} when nothing is kept)."""
        with self.ctx.Session() as session:
            rows = session.scalars(select(FieldDraft).where(FieldDraft.case_id == DRAFT_OF + agent.username))
            out: dict[str, str | list[str]] = {}
            for row in rows:
                out[row.key] = row.value
                if row.key == "bundles":
                    try:
                        out[row.key] = [str(code) for code in json.loads(row.value)]
                    except (ValueError, TypeError):
                        out[row.key] = []
            return out

    def drop_draft(self, agent: "SignedIn") -> None:
        """The agent discarded the form (after a confirm) or it was recorded."""
        with self.ctx.Session.begin() as session:
            session.execute(delete(FieldDraft).where(FieldDraft.case_id == DRAFT_OF + agent.username))

    def receive(self, auth_id: str, scan: Path | None = None) -> Authorisation:
        """The signed paper is back. With ``scan`` (a PDF, JPEG or PNG of it, checked by
        its first bytes, at most 8 MB) the file itself is kept inside the device database
        (encrypted with it) and sent to the server at the next sync; its SHA-256 is the
        authorisation's thumbprint. A bad file is refused and nothing is recorded."""
        data = self._read_scan(scan) if scan is not None else None
        thumbprint = hashlib.sha256(data).hexdigest() if data is not None else ""
        return self._change(auth_id, received_at=self.ctx.now_iso(), thumbprint=thumbprint,
                            _scan=(data, Path(scan).name if scan is not None else ""))

    def _is_own_database(self, path: Path) -> bool:
        """The app's own database files (``hall.db``, its -wal/-shm, keys, ``hall.queue.db``)
        are never opened as a scan: closing another descriptor of an open SQLite file
        drops this process's locks on it (see services/secure_print.py)."""
        db_path = self.ctx.settings.db_path.expanduser().resolve()
        here = path.resolve()
        if here.parent == db_path.parent and (here == db_path or here.name.startswith(db_path.name)
                                              or here.name.startswith(db_path.stem + ".")):
            return True
        # another name for the same file (a hard link): compared by device and inode, via stat
        st = here.stat()
        for own in (db_path, *(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm"))):
            try:
                other = own.stat()
            except OSError:
                continue
            if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
                return True
        return False

    def _read_scan(self, scan: Path) -> bytes:
        from hall_app.domain.scans import scan_problem, size_problem

        path = Path(scan).expanduser()
        if not path.is_file():
            raise AuthorisationError(f"找不到扫描件 {path}")
        if self._is_own_database(path):
            raise AuthorisationError("不能把本机数据库文件当作扫描件，请选择委托书的照片或扫描文件")
        problem = size_problem(path.stat().st_size)
        if problem:
            raise AuthorisationError(problem)
        data = path.read_bytes()
        problem = scan_problem(data)
        if problem:
            raise AuthorisationError(problem)
        return data

    def revoke(self, auth_id: str, reason: str) -> Authorisation:
        reason = clean(reason)
        if not reason:
            raise AuthorisationError("撤销授权须写明原因")
        problem = text_problem(reason, 200)
        if problem:
            raise AuthorisationError(f"原因{problem}")
        return self._change(auth_id, revoked_at=self.ctx.now_iso(), revoked_reason=reason)

    def _change(self, auth_id: str, _scan: tuple[bytes | None, str] = (None, ""), **values: str) -> Authorisation:
        with self.ctx.Session.begin() as session:
            row = session.get(AuthorisationRow, auth_id)
            if row is None:
                raise AuthorisationError("找不到该授权委托书")
            if row.revoked_at:
                raise AuthorisationError("授权委托书已撤销，不能再修改")
            for key, value in values.items():
                if value or key != "thumbprint":
                    setattr(row, key, value)
            data, name = _scan
            if data is not None:
                from hall_app.domain.identifiers import uuid7
                from hall_app.domain.scans import scan_type

                session.add(StoredFile(file_id=uuid7(), kind="scan", owner=auth_id, name=name[:200],
                                       mime=scan_type(data[:16]), size=len(data), sha256=row.thumbprint, data=data,
                                       created_at=self.ctx.now_iso(), sent_at="", send_error=""))
            if travels(session, auth_id):
                record_saved(session, self.ctx.device_id, row.agent, self.ctx.now_iso(), row)
            return _to_domain(row)

    # -- reading -------------------------------------------------------------------------------
    def get(self, auth_id: str) -> Authorisation:
        with self.ctx.read() as session:
            row = session.get(AuthorisationRow, auth_id)
            if row is None:
                raise AuthorisationError("找不到该授权委托书")
            return _to_domain(row)

    def of_agent(self, agent: str) -> list[Authorisation]:
        """The agent's register, newest first."""
        with self.ctx.read() as session:
            rows = session.scalars(select(AuthorisationRow).where(AuthorisationRow.agent == agent)
                                   .order_by(AuthorisationRow.recorded_at.desc())).all()
            return [_to_domain(r) for r in rows]

    def usable(self, agent: str, principal_id: str, bundle: str) -> tuple[Authorisation | None, str]:
        """The register's best authorisation for this filing and, when none fits, why."""
        today = self.ctx.today()
        with self.ctx.read() as session:
            rows = session.scalars(select(AuthorisationRow).where(AuthorisationRow.principal_id == principal_id,
                                                                  AuthorisationRow.agent == agent)).all()
            mine = [_to_domain(r) for r in rows]
        reason = why_not(None, principal_id, agent, bundle, today)
        for auth in sorted(mine, key=lambda a: (a.received_at != "", a.valid_until), reverse=True):
            reason = why_not(auth, principal_id, agent, bundle, today)
            if not reason:
                return auth, ""
        return None, reason

    def valid_principals(self, agent: str) -> list[Authorisation]:
        today = self.ctx.today()
        return [a for a in self.of_agent(agent) if is_valid(a, today)]

    # -- the blank form (A4, printed before the visit, signed there) ------------------------
    def blank_form(self, auth_id: str, hall: str = "", window: str = ""):
        """The 授权委托书 prefilled from the register: principal, proxy, relation, the
        bundles' items, validity, how it is signed (and by which committee)."""
        from hall_app.domain import documents as d
        from hall_app.domain.ids import mask_citizen_id
        from hall_app.store.models import Hall, Window

        auth = self.get(auth_id)
        catalog = self.ctx.catalog
        names = [getattr(catalog.get(code), "name", code) for code in auth.bundles]
        scope = tuple(f"{name}：{'、'.join(i.name for i in b.items)}" if (b := catalog.get(code)) else name
                      for code, name in zip(auth.bundles, names))
        with self.ctx.read() as session:
            row = session.get(Hall, hall or self.ctx.settings.hall)
            counter = session.get(Window, window) if window else None
            info = d.HallInfo(name=row.name if row else "政务服务中心", address=row.address if row else "",
                              phone=row.phone if row else "", window=counter.name if counter else "",
                              clerk=auth.agent_name)
        return d.AuthorisationData(
            hall=info, tracking_code="", tracking_url="", document_number=f"委托登记 {auth.auth_id[-12:]}",
            issued_at=auth.recorded_at, applicant_name=auth.principal_name,
            applicant_id_masked=mask_citizen_id(auth.principal_id), bundle_name="、".join(names),
            principal_name=auth.principal_name, principal_id_masked=mask_citizen_id(auth.principal_id),
            proxy_name=auth.agent_name, relation=auth.relation, scope=scope, valid_until=auth.valid_until,
            valid_from=auth.valid_from, method_label=auth.method_label, attested_by=auth.attested_by)

    def print_blank(self, auth_id: str, out: Path | None = None) -> tuple[str, str | None]:
        """Print the blank form (A4): where the PDF is and the printer's error, if any.
        Printed by an agent (or on an encrypted database) no PDF stays on disk
        (services/secure_print.py)."""
        from hall_app.services.print_jobs import printer_config
        from hall_app.services.secure_print import keeps_pdfs_inside, print_private

        data = self.blank_form(auth_id)
        config = printer_config(self.ctx, "a4")
        if out is None and keeps_pdfs_inside(self.ctx, self.get(auth_id).agent):
            result = print_private(self.ctx, "authorisation", data, "a4", config, auth_id)
        else:
            import printing

            result = printing.print_document("authorisation", data, paper="a4", out=out, config=config)
        return str(result.pdf_path), result.error

    @staticmethod
    def with_receipt(auth: Authorisation, when: str) -> Authorisation:
        return replace(auth, received_at=when)
