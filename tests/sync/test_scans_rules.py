"""Rules of hall_app/sync/scans.py on a plain device database (no demo hall, no
server): which stored files go, in which order, what each answer writes on its row,
and an error that ends the round."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hall_app.store.models import StoredFile
from hall_app.sync.errors import SyncError
from hall_app.sync.scans import unsent, upload_scans

NOW = "2026-11-21T10:00:00+08:00"  # tests/conftest.py's clock


class FakeServer:
    def __init__(self, errors: dict[str, SyncError] | None = None):
        self.errors, self.calls = errors or {}, []

    def attach(self, sha256, auth_id, data):
        self.calls.append((sha256, auth_id, data))
        if sha256 in self.errors:
            raise self.errors[sha256]


def _file(file_id, kind="scan", created="2026-11-20T09:00:00+08:00", sent="", error="", owner=None):
    return StoredFile(file_id=file_id, kind=kind, owner=owner or f"auth-{file_id}", name=f"{file_id}.png",
                      mime="image/png", size=3, sha256=f"sha-{file_id}", data=f"<{file_id}>".encode(),
                      created_at=created, sent_at=sent, send_error=error)


def _seed(ctx) -> None:
    with ctx.Session.begin() as session:
        session.add_all([
            _file("late", created="2026-11-20T11:00:00+08:00", error="上次被拒"),
            _file("early", created="2026-11-20T08:00:00+08:00"),
            _file("middle", created="2026-11-20T10:00:00+08:00"),
            _file("printed", kind="pdf", created="2026-11-20T07:00:00+08:00"),
            _file("done", created="2026-11-20T06:00:00+08:00", sent="2026-11-20T12:00:00+08:00"),
        ])


def _rows(ctx) -> dict:
    with ctx.read() as session:
        return {f.file_id: (f.sent_at, f.send_error) for f in session.scalars(select(StoredFile))}


def test_unsent_are_the_scans_not_on_the_server_oldest_first(ctx):
    assert unsent(ctx) == []
    _seed(ctx)
    assert unsent(ctx) == [("early", "auth-early", "sha-early"), ("middle", "auth-middle", "sha-middle"),
                           ("late", "auth-late", "sha-late")]


def test_each_answer_is_written_on_its_scan(ctx):
    _seed(ctx)
    server = FakeServer({"sha-middle": SyncError("不" * 2500, "refused", 422)})
    assert upload_scans(ctx, server) == (2, 1)
    assert server.calls == [("sha-early", "auth-early", b"<early>"), ("sha-middle", "auth-middle", b"<middle>"),
                            ("sha-late", "auth-late", b"<late>")]
    assert _rows(ctx) == {
        "early": (NOW, ""),
        "middle": ("", "不" * 2000),  # kept, tried again next time
        "late": (NOW, ""),  # sent: the earlier refusal is cleared
        "printed": ("", ""),
        "done": ("2026-11-20T12:00:00+08:00", ""),
    }
    assert unsent(ctx) == [("middle", "auth-middle", "sha-middle")]
    assert upload_scans(ctx, FakeServer()) == (1, 0)
    assert unsent(ctx) == []
    assert upload_scans(ctx, FakeServer()) == (0, 0)


@pytest.mark.parametrize("kind", ["offline", "auth", "server"])
def test_any_other_error_ends_the_round_and_keeps_what_was_sent(ctx, kind):
    _seed(ctx)
    server = FakeServer({"sha-middle": SyncError("无法连接", kind)})
    with pytest.raises(SyncError) as raised:
        upload_scans(ctx, server)
    assert raised.value.kind == kind
    assert [c[0] for c in server.calls] == ["sha-early", "sha-middle"]
    assert _rows(ctx)["early"] == (NOW, "") and _rows(ctx)["middle"] == ("", "")
    assert _rows(ctx)["late"] == ("", "上次被拒")


def test_a_scan_gone_before_it_is_read_is_skipped(ctx, monkeypatch):
    _seed(ctx)
    import hall_app.sync.scans as scans

    listed = scans.unsent(ctx)
    with ctx.Session.begin() as session:
        session.delete(session.get(StoredFile, "early"))
    monkeypatch.setattr(scans, "unsent", lambda _ctx: listed)
    server = FakeServer()
    assert upload_scans(ctx, server) == (2, 0)
    assert [c[0] for c in server.calls] == ["sha-middle", "sha-late"]


def test_every_refusal_is_counted(ctx):
    _seed(ctx)
    refused = SyncError("格式不对", "refused", 422)
    assert upload_scans(ctx, FakeServer({"sha-early": refused, "sha-late": refused})) == (1, 2)
    assert _rows(ctx)["early"] == ("", "格式不对") and _rows(ctx)["late"] == ("", "格式不对")
