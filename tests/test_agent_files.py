"""Files on an agent's laptop (issue 13), offline on the demo hall: the scan of a signed
authorisation is checked by its first bytes and kept inside the device database; the
register travels as events; PDFs printed by an agent never stay on disk."""

from __future__ import annotations

import hashlib
import tempfile

import pytest
from sqlalchemy import select

from hall_app.domain.authorisation import AuthorisationError, Draft
from hall_app.domain.scans import MAX_SCAN_BYTES, scan_problem, scan_type
from hall_app.services.demo import ZHOU_GUIYING
from hall_app.services.users import SignedIn
from hall_app.store.models import AuthorisationRow, EventRow, StoredFile
from hall_app.store.register import apply_saved
from hall_app.store.repository import row_event

AGENT = SignedIn("wangqiang", "王强", "agent", "JJ01", "W03", "白沙镇")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(200))
PDF = b"%PDF-1.7\n% the signed paper\n"


def record(ctx):
    return ctx.authorisations.record(AGENT, Draft(ZHOU_GUIYING, "帮代办员", ("newborn",), "2026-11-21",
                                                  "2027-02-20"))


def register_events(ctx) -> list[EventRow]:
    with ctx.read() as session:
        return list(session.scalars(select(EventRow).where(EventRow.type == "register.authorisation_saved")
                                    .order_by(EventRow.local_seq)))


def stored(ctx, kind: str) -> list[StoredFile]:
    with ctx.read() as session:
        return list(session.scalars(select(StoredFile).where(StoredFile.kind == kind)))


def test_file_types_are_told_by_their_first_bytes():
    assert scan_type(PNG) == "image/png" and scan_type(PDF) == "application/pdf"
    assert scan_type(b"\xff\xd8\xff\xe1Exif") == "image/jpeg"
    assert scan_type(b"GIF89a") == "" and scan_type(b"<html>") == ""
    assert "空文件" in scan_problem(b"")
    assert "PDF、JPEG 或 PNG" in scan_problem(b"MZ\x90\x00 an exe named scan.jpg")
    assert "8 MB" in scan_problem(PDF + b"\0" * MAX_SCAN_BYTES)
    assert scan_problem(PNG) == ""


def test_a_bad_scan_is_refused_and_nothing_is_recorded(demo_ctx, tmp_path):
    auth = record(demo_ctx)
    before = len(register_events(demo_ctx))
    fake = tmp_path / "scan.jpg"
    fake.write_bytes(b"just text, named .jpg")
    with pytest.raises(AuthorisationError, match="只能是 PDF、JPEG 或 PNG"):
        demo_ctx.agent_day.receive(AGENT, auth.auth_id, fake)
    big = tmp_path / "big.pdf"
    big.write_bytes(PDF + b"\0" * MAX_SCAN_BYTES)
    with pytest.raises(AuthorisationError, match="超过 8 MB"):
        demo_ctx.agent_day.receive(AGENT, auth.auth_id, big)
    with pytest.raises(AuthorisationError, match="找不到扫描件"):
        demo_ctx.agent_day.receive(AGENT, auth.auth_id, tmp_path / "missing.png")
    for own in (demo_ctx.settings.db_path, demo_ctx.settings.db_path.with_name("demo.db-wal")):
        if own.exists():  # never opened by the app as a file: that would drop SQLite's locks on it
            with pytest.raises(AuthorisationError, match="不能把本机数据库文件当作扫描件"):
                demo_ctx.agent_day.receive(AGENT, auth.auth_id, own)
    linked = tmp_path / "elsewhere" / "scan.pdf"  # a hard link: the same file under another name
    linked.parent.mkdir()
    linked.hardlink_to(demo_ctx.settings.db_path)
    with pytest.raises(AuthorisationError, match="不能把本机数据库文件当作扫描件"):
        demo_ctx.agent_day.receive(AGENT, auth.auth_id, linked)
    assert not demo_ctx.authorisations.get(auth.auth_id).received_at  # nothing half-recorded
    assert stored(demo_ctx, "scan") == [] and len(register_events(demo_ctx)) == before


def test_the_scan_itself_is_kept_in_the_database_and_named_by_the_register(demo_ctx, tmp_path):
    auth = record(demo_ctx)
    scan = tmp_path / "委托书.png"
    scan.write_bytes(PNG)
    back = demo_ctx.agent_day.receive(AGENT, auth.auth_id, scan)
    assert back.thumbprint == hashlib.sha256(PNG).hexdigest() and back.received_at
    [kept] = stored(demo_ctx, "scan")
    assert (kept.data, kept.mime, kept.size, kept.owner, kept.sent_at) == (PNG, "image/png", len(PNG),
                                                                          auth.auth_id, "")
    recorded, received = register_events(demo_ctx)  # one event per change, both waiting to sync
    assert recorded.case_id == received.case_id == auth.auth_id
    assert {recorded.sync_state, received.sync_state} == {"pending"}
    assert not recorded.payload["authorisation"]["received_at"] and "scan_sha256" not in recorded.payload
    assert received.payload["scan_sha256"] == back.thumbprint and received.payload["scan_mime"] == "image/png"
    assert demo_ctx.agent_day.view(AGENT).register_waiting == 2
    demo_ctx.authorisations.revoke(auth.auth_id, "委托人收回委托")
    revoked = register_events(demo_ctx)[-1].payload
    assert revoked["authorisation"]["revoked_reason"] == "委托人收回委托"
    assert revoked["scan_sha256"] == back.thumbprint  # the scan stays named on every later copy


def test_a_pulled_entry_is_merged_and_never_taken_back(demo_ctx, tmp_path):
    """What another laptop of the agent wrote arrives in feed order; a copy lacking the
    receipt (an earlier one) does not clear it."""
    auth = record(demo_ctx)
    scan = tmp_path / "s.pdf"
    scan.write_bytes(PDF)
    demo_ctx.agent_day.receive(AGENT, auth.auth_id, scan)
    first, second = (row_event(r) for r in register_events(demo_ctx))
    with demo_ctx.Session.begin() as session:
        session.delete(session.get(AuthorisationRow, auth.auth_id))
    with demo_ctx.Session.begin() as session:  # as on the other laptop: the two copies in order
        assert apply_saved(session, first) and apply_saved(session, second)
        assert not apply_saved(session, first)  # an old copy again changes nothing
        row = session.get(AuthorisationRow, auth.auth_id)
        assert row.received_at and row.thumbprint == hashlib.sha256(PDF).hexdigest()
    with demo_ctx.Session.begin() as session:
        forged = row_event(register_events(demo_ctx)[0])
        other = type(forged)(**{**forged.__dict__, "case_id": "another-id"})
        assert not apply_saved(session, other)  # stream id and entry id must agree


def test_an_agents_pdfs_stay_inside_the_database(demo_ctx, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    pdf_dir = demo_ctx.settings.pdf_path
    auth = record(demo_ctx)
    where, error = demo_ctx.authorisations.print_blank(auth.auth_id)
    assert error is None and where.startswith("本机数据库（不留文件）：authorisation-")
    assert not list(pdf_dir.glob("**/*.pdf")) if pdf_dir.exists() else True
    assert list((tmp_path / "tmp").iterdir()) == []  # the private temp folder is gone
    [kept] = stored(demo_ctx, "pdf")
    assert kept.data.startswith(b"%PDF-") and kept.owner == auth.auth_id
    assert hashlib.sha256(kept.data).hexdigest() == kept.sha256

    # The rule is about who prints: a window clerk in the hall keeps the PDF in the folder.
    from hall_app.services.print_jobs import print_case_document

    case = demo_ctx.agent_day.start_for(AGENT, auth.auth_id, "newborn")
    agent_print = print_case_document(demo_ctx, "authorisation", case.case_id, "wangqiang")
    assert agent_print.pdf_path.startswith("本机数据库") and not list(pdf_dir.glob("**/*.pdf"))
    clerk_print = print_case_document(demo_ctx, "authorisation", case.case_id, "zhangli")
    assert clerk_print.pdf_path.endswith(".pdf") and list(pdf_dir.glob("**/*.pdf"))
    assert len(stored(demo_ctx, "pdf")) == 2 and list((tmp_path / "tmp").iterdir()) == []
    printed = demo_ctx.cases.get(case.case_id).documents
    assert printed[0]["path"].startswith("本机数据库")  # the case says where it went, not a path in /tmp


def test_on_an_encrypted_laptop_scans_and_pdfs_are_ciphertext(tmp_path, demo_template, clock, monkeypatch):
    """The scan and the printed PDF live in the SQLCipher database: the copied files show
    neither the scan's bytes nor a PDF, nor anyone's personal data (tests/test_cipher.py)."""
    import shutil
    from pathlib import Path

    pytest.importorskip("sqlcipher3")
    from hall_app.config import Settings
    from hall_app.services.context import HallContext
    from hall_app.store import cipher
    from tests.test_cipher import leaks

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    path = tmp_path / "laptop.db"
    shutil.copy(demo_template, path)
    cipher.encrypt_database(path, {"wangqiang": "demo123"})
    key = cipher.unlock(path, "wangqiang", "demo123")
    ctx = HallContext(Settings(db=str(path), pdf_dir=str(tmp_path / "pdf")), clock=clock, db_key=key)
    marker = b"SIGNED-BY-ZHOU-GUIYING-0611"
    try:
        auth = record(ctx)
        scan = tmp_path / "scan.png"
        scan.write_bytes(PNG + marker)
        ctx.agent_day.receive(AGENT, auth.auth_id, scan)
        where, error = ctx.authorisations.print_blank(auth.auth_id)
        assert error is None and where.startswith("本机数据库")
        assert [f.data for f in stored(ctx, "scan")] == [PNG + marker] and stored(ctx, "pdf")
        blob = b"".join(Path(str(path) + s).read_bytes() for s in ("", "-wal", "-shm")
                        if Path(str(path) + s).exists())
        assert marker not in blob and b"%PDF-" not in blob and b"\x89PNG" not in blob
        assert leaks(path) == []
        assert not (tmp_path / "pdf").exists() or not list((tmp_path / "pdf").glob("**/*.pdf"))
        assert list((tmp_path / "tmp").iterdir()) == []
    finally:
        ctx.close()
    scan.unlink()  # the agent's own copy of the photo is theirs to remove; the app keeps none
