"""Printing on an agent's laptop leaves no personal data on disk (issue 13).

A receipt, a notice or a blank 授权委托书 carries a name and a (masked) ID number; a
laptop that is lost must not give them away. The rule (docs/agents.md, "Printed
documents"): when an agent prints, or whenever the device database is encrypted, and
no output file was asked for explicitly (``--out``), the PDF is written only into a
private temporary directory (mode 700) for as long as the printer back-end needs it,
then zeroed and removed. What was printed is kept inside the device database
(``stored_files``, kind ``pdf``), encrypted with it, never as a file. With the
``file`` back-end (no printer) the database copy is the document.

Everyone else (a window clerk in the hall) keeps PDFs in the documents folder, as before.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

if TYPE_CHECKING:
    from hall_app.services.context import HallContext

PRIVATE_LABEL = "本机数据库（不留文件）：{name}"


def keeps_pdfs_inside(ctx: "HallContext", actor: str) -> bool:
    """Does a print by ``actor`` on this device stay inside the database?

    Whether the database is encrypted is known from the key it was opened with, never
    by reading the file: closing any other descriptor of an open SQLite file drops
    the process's POSIX locks on it, and another process (a ``hall-app sync`` job)
    could then delete the WAL under the app's feet."""
    from hall_app.store.models import User

    if ctx.db_key is not None:
        return True
    with ctx.read() as session:
        role = session.scalar(select(User.role).where(User.username == actor))
    return role == "agent"


def print_private(ctx: "HallContext", kind: str, data: Any, paper: str, config: Any, owner: str) -> Any:
    """Render and send ``data`` with no PDF left on disk; the PrintResult's ``pdf_path``
    names the database copy (``PRIVATE_LABEL``) instead of a file."""
    import printing
    from printing.service import pdf_name

    folder = Path(tempfile.mkdtemp(prefix="hall-print-"))  # mode 700: this user only
    try:
        path = folder / pdf_name(kind, getattr(data, "tracking_code", "") or "", paper)
        result = printing.print_document(kind, data, paper=paper, out=path, config=config)
        if result.pdf_path is not None and path.is_file():
            _keep(ctx, owner, path.name, path.read_bytes())
            result = replace(result, pdf_path=Path(PRIVATE_LABEL.format(name=path.name)))
        return result
    finally:
        _remove(folder)


def _keep(ctx: "HallContext", owner: str, name: str, pdf: bytes) -> None:
    from hall_app.domain.identifiers import uuid7
    from hall_app.store.models import StoredFile

    with ctx.Session.begin() as session:
        session.add(StoredFile(file_id=uuid7(), kind="pdf", owner=owner[:64], name=name[:200],
                               mime="application/pdf", size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(),
                               data=pdf, created_at=ctx.now_iso(), sent_at="", send_error=""))


def _remove(folder: Path) -> None:
    """Zero every file of the private folder, then remove it (best effort: an SSD or a
    journaling file system may keep old blocks)."""
    for path in folder.glob("*"):
        try:
            if path.is_file():
                with path.open("r+b") as f:
                    f.write(b"\0" * path.stat().st_size)
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)

