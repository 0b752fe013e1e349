"""The scan of a signed 授权委托书, read back where it is needed (issue 13).

The laptop that attached the scan keeps it in its database (``stored_files``, kind
``scan``) and sends it to the server after the register entry naming it. The agent's
other laptops and the hall's devices receive the entry (its ``thumbprint``) but not
the file: when the case view asks for it, :meth:`ScanCopies.fetch` takes the local
copy, or fetches it once from ``GET /v1/attachments/{sha256}``, checks it (its SHA-256
is the thumbprint, its first bytes a PDF, JPEG or PNG) and keeps it in the database
like the laptop that sent it (already on the server, so never sent again).

Where it goes then follows the print rule (services/secure_print.py): on an agent's
laptop or an encrypted database it stays inside the database; a hall device writes it
into the documents folder, like its PDFs. ``hall-app scan AUTH_ID --out FILE`` writes
it anywhere, on explicit request.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from hall_app.domain.scans import LABELS, scan_problem, scan_type
from hall_app.store.models import AuthorisationRow, StoredFile

if TYPE_CHECKING:
    from hall_app.services.context import HallContext

SUFFIX = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


class ScanError(Exception):
    """Why the scan cannot be shown, in Chinese."""


@dataclass(frozen=True)
class ScanCopy:
    auth_id: str
    principal_name: str
    sha256: str
    mime: str
    data: bytes
    fetched: bool  # True: fetched from the server just now

    @property
    def label(self) -> str:
        return LABELS.get(self.mime, self.mime)

    def describe(self) -> str:
        size = f"{len(self.data) / 1024:.0f} KB" if len(self.data) >= 1024 else f"{len(self.data)} 字节"
        return f"{self.principal_name}的授权委托书扫描件（{self.label}，{size}，校验值一致）"

    def file_name(self) -> str:
        return f"授权委托书扫描件-{self.auth_id[:8]}-{self.sha256[:8]}{SUFFIX.get(self.mime, '')}"


class ScanCopies:
    def __init__(self, ctx: "HallContext"):
        self.ctx = ctx

    def thumbprint(self, auth_id: str) -> tuple[str, str]:
        """(SHA-256 of the scan, principal's name) of a register entry ("" when no scan)."""
        with self.ctx.read() as session:
            row = session.get(AuthorisationRow, auth_id)
            if row is None:
                raise ScanError("本机登记簿中没有这份授权委托书")
            return row.thumbprint, row.principal_name

    def fetch(self, auth_id: str, thumbprint: str = "") -> ScanCopy:
        """The scan named by the entry (or by ``thumbprint``, the case's copy, when the
        entry is not on this device): local, or fetched from the server once."""
        name = ""
        try:
            sha256, name = self.thumbprint(auth_id)
        except ScanError:
            if not thumbprint:
                raise
            sha256 = thumbprint
        sha256 = sha256 or thumbprint
        if not sha256:
            raise ScanError("这份授权委托书没有附扫描件（收回签字原件时未附）")
        with self.ctx.read() as session:
            data = session.scalar(select(StoredFile.data).where(StoredFile.kind == "scan",
                                                                StoredFile.sha256 == sha256).limit(1))
        if data is not None:
            return ScanCopy(auth_id, name, sha256, scan_type(data[:16]), bytes(data), False)
        data = self._download(sha256)
        mime = scan_type(data[:16])
        self._keep(auth_id, sha256, mime, data)
        return ScanCopy(auth_id, name, sha256, mime, data, True)

    def _download(self, sha256: str) -> bytes:
        from hall_app.sync.client import ServerClient, SyncError
        from hall_app.sync.core import server_of

        url, token = server_of(self.ctx)
        if not (url and token):
            raise ScanError("扫描件在登记它的电脑上，本机未连接中心服务器，无法取回")
        try:
            with ServerClient(url, token, timeout=20.0) as client:
                data = client.fetch_attachment(sha256)
        except SyncError as exc:
            if exc.kind == "offline":
                raise ScanError(f"暂时无法取回扫描件：{exc}（联网后再试）") from None
            raise ScanError(f"服务器未给出扫描件：{exc}") from None
        problem = scan_problem(data)
        if problem or hashlib.sha256(data).hexdigest() != sha256:
            raise ScanError("服务器给出的扫描件与登记的校验值不符，未保存，请联系管理员")
        return data

    def _keep(self, auth_id: str, sha256: str, mime: str, data: bytes) -> None:
        from hall_app.domain.identifiers import uuid7

        now = self.ctx.now_iso()
        with self.ctx.Session.begin() as session:
            if session.scalar(select(StoredFile.file_id).where(StoredFile.kind == "scan",
                                                               StoredFile.sha256 == sha256)) is not None:
                return  # fetched twice at once: one copy is enough
            session.add(StoredFile(file_id=uuid7(), kind="scan", owner=auth_id[:64], name=f"{sha256[:16]}"
                                   f"{SUFFIX.get(mime, '')}", mime=mime, size=len(data), sha256=sha256, data=data,
                                   created_at=now, sent_at=now, send_error=""))  # on the server already

    def show(self, auth_id: str, actor: str, thumbprint: str = "") -> tuple[ScanCopy, str]:
        """Fetch, then place it by the print rule: (the copy, where it is, in Chinese)."""
        from hall_app.services.secure_print import keeps_pdfs_inside

        copy = self.fetch(auth_id, thumbprint)
        if keeps_pdfs_inside(self.ctx, actor):
            where = "本机加密数据库" if self.ctx.db_key is not None else "本机数据库"
            return copy, f"保存在{where}中（不留文件；另存：hall-app scan {auth_id} --out 文件）"
        return copy, str(self.export(copy, self.ctx.settings.pdf_path / copy.file_name()))

    @staticmethod
    def export(copy: ScanCopy, out: Path) -> Path:
        out = Path(out).expanduser()
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(copy.data)
        return out
