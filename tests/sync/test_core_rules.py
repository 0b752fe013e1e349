"""One sync round and enrollment, driven against a scripted server (no HTTP, no
PostgreSQL): the round's order and decisions, what it remembers, its summary."""

from __future__ import annotations

import json
import types

import httpx
import pytest
from local_kit import ScriptedServer, device, one_case, states
from sqlalchemy.exc import DatabaseError

from hall_app.store.models import Device
from hall_app.sync import core
from hall_app.sync.client import SyncError
from hall_app.sync.core import (
    SyncReport,
    check_database,
    enroll_device,
    local_behind,
    remember_outcome,
    server_of,
    sync_once,
)
from hall_app.sync.pull import cursor, set_cursor
from hall_app.sync.status import SyncMonitor


def report(**changes) -> SyncReport:
    r = SyncReport()
    r.push.sent, r.push.duplicates, r.pull.applied = 3, 1, 4
    for key, value in changes.items():
        part, _, name = key.partition("__")
        setattr(getattr(r, part) if name else r, name or part, value)
    return r


EXTRACTS = types.SimpleNamespace(summary=lambda: "委托人档案 2 份")


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, "上传 3 条，重复 1 条，接收 4 条"),
    ({"push__quarantined": 2}, "上传 3 条，重复 1 条，接收 4 条，隔离 2 条"),
    ({"pull__bundles": 1}, "上传 3 条，重复 1 条，接收 4 条，套餐更新 1 个"),
    ({"reopened": 5}, "上传 3 条，重复 1 条，接收 4 条，服务器数据缺失，重新上传 5 条"),
    ({"pull__skipped": ["a", "b"]}, "上传 3 条，重复 1 条，接收 4 条，无法读取而跳过 2 条"),
    ({"scans_sent": 2}, "上传 3 条，重复 1 条，接收 4 条，授权委托书扫描件上传 2 份"),
    ({"scans_refused": 1},
     "上传 3 条，重复 1 条，接收 4 条，授权委托书扫描件上传 0 份，被拒 1 份（原因见 hall-app sync --status）"),
    ({"extracts": EXTRACTS}, "上传 3 条，重复 1 条，接收 4 条，委托人档案 2 份"),
    ({"push__quarantined": 1, "pull__bundles": 2, "reopened": 3, "pull__skipped": ["a"], "scans_sent": 1,
      "scans_refused": 2, "extracts": EXTRACTS},
     "上传 3 条，重复 1 条，接收 4 条，隔离 1 条，套餐更新 2 个，服务器数据缺失，重新上传 3 条，无法读取而跳过 1 条，"
     "授权委托书扫描件上传 1 份，被拒 2 份（原因见 hall-app sync --status），委托人档案 2 份"),
])
def test_the_round_summary(changes, expected):
    assert report(**changes).summary() == expected
    assert SyncReport().extracts is None and SyncReport().push is not SyncReport().push


def enrolled(ctx, url="http://127.0.0.1:8840", token="tok"):
    with ctx.Session.begin() as session:
        row = session.get(Device, ctx.device_id)
        row.server_url, row.token = url, token


class Server(ScriptedServer):
    def __init__(self, state=None, feed=None):
        super().__init__()
        self.state_answer = {"head": 0, "device_seq_high": 0} | (state or {})
        self.feed = feed or []
        self.pulls: list[tuple] = []
        self.closed = 0

    def state(self):
        return self.state_answer

    def pull(self, after, limit, *own):
        self.pulls.append((after, limit, *own))
        return {"items": self.feed, "next": max(after, 0), "more": False}

    def close(self):
        self.closed += 1


@pytest.fixture
def quiet(monkeypatch):
    """No scans or extracts to send: record that the round asked."""
    asked = []

    def ask(what, answer):
        def call(ctx, client):
            assert hasattr(ctx, "device_id") and hasattr(client, "push")  # this device, the round's client
            asked.append(what)
            return answer
        return call

    monkeypatch.setattr(core, "upload_scans", ask("scans", (2, 1)))
    monkeypatch.setattr(core, "refresh_extracts", ask("extracts", EXTRACTS))
    return asked


def test_a_round_pushes_then_pulls_and_remembers_its_success(ctx, quiet):
    enrolled(ctx)
    one_case(ctx, 2)
    from local_kit import started

    server, monitor = Server(feed=[{"seq": 1, "kind": "event", "event": started("r1", "c9", "B", 1).to_dict()}]), \
        SyncMonitor()
    got = sync_once(ctx, server, monitor, batch_size=7, page_size=9)
    assert (got.pull.received, got.pull.applied, got.pull.pages) == (1, 1, 1)
    assert server.batches == [["c1-e1", "c1-e2"]] and server.pulls == [(0, 9)]
    assert (got.push.sent, got.reopened, got.repulled, got.scans_sent, got.scans_refused) == (2, 0, False, 2, 1)
    assert got.extracts is None and quiet == ["scans"] and server.closed == 0
    assert (monitor.online, monitor.last_success) == (True, ctx.now_iso())
    assert (device(ctx).last_sync_ok, device(ctx).last_sync_error) == (ctx.now_iso(), "")


def test_a_failed_round_is_told_to_the_monitor_and_kept_on_the_device(ctx, quiet, monkeypatch):
    enrolled(ctx)
    server, monitor = Server(), SyncMonitor()
    server.state = lambda: (_ for _ in ()).throw(SyncError("连接中心服务器超时", "offline"))
    with pytest.raises(SyncError):
        sync_once(ctx, server, monitor)
    assert (monitor.online, monitor.last_error) == (False, "连接中心服务器超时")
    assert (device(ctx).last_sync_error, device(ctx).last_sync_ok) == ("连接中心服务器超时", "")
    server.state = lambda: {"head": "x"}
    with pytest.raises(ValueError):
        sync_once(ctx, server, monitor)
    message = "同步出错：ValueError: invalid literal for int() with base 10: 'x'"
    assert monitor.last_error == message and device(ctx).last_sync_error == message
    remember_outcome(ctx, "错" * 2100)
    assert device(ctx).last_sync_error == "错" * 2000
    monkeypatch.setattr(ctx, "Session", None)
    remember_outcome(ctx, "")  # a broken database: the round's own error says more


@pytest.mark.parametrize(("url", "token"), [("", ""), ("http://x", ""), ("", "tok")])
def test_an_unenrolled_device_does_not_sync(ctx, url, token):
    enrolled(ctx, url, token)
    assert server_of(ctx) == (url, token)
    with pytest.raises(SyncError) as caught:
        sync_once(ctx, Server(), SyncMonitor())
    assert str(caught.value) == "本设备尚未登记到中心服务器（hall-app enroll 服务器地址 登记码）"
    assert caught.value.kind == "config"


def test_the_round_closes_only_the_client_it_opened(ctx, quiet, monkeypatch):
    enrolled(ctx, "http://127.0.0.1:8841", "t0k")
    opened = []

    def open_client(url, token):
        opened.append((url, token))
        return server

    server = Server()
    monkeypatch.setattr(core, "ServerClient", open_client)
    sync_once(ctx, None, SyncMonitor())
    assert opened == [("http://127.0.0.1:8841", "t0k")] and server.closed == 1
    passed = Server({"device_seq_high": 5})  # the local file is behind: the round fetches its own events
    sync_once(ctx, passed, SyncMonitor())
    assert passed.closed == 0 and passed.pulls == [(0, 500, True)] and len(opened) == 1


def test_a_feed_that_went_back_is_read_again_from_the_start(ctx, quiet):
    enrolled(ctx)
    set_cursor(ctx, 30)
    server = Server({"head": 30})
    assert sync_once(ctx, server, SyncMonitor()).repulled is False and server.pulls == [(30, 500)]
    server = Server({"head": 29})
    assert sync_once(ctx, server, SyncMonitor()).repulled is True and server.pulls == [(0, 500)]
    assert cursor(ctx) == 0
    set_cursor(ctx, 1)
    server = Server()
    del server.state_answer["head"]  # a server that does not say: its feed is empty
    assert sync_once(ctx, server, SyncMonitor()).repulled is True and server.pulls == [(0, 500)]


def test_a_server_restored_from_an_older_backup_gets_the_later_events_again(ctx, quiet):
    enrolled(ctx)
    one_case(ctx, 4)
    server = Server()
    sync_once(ctx, server, SyncMonitor())
    again = Server({"device_seq_high": 2})
    got = sync_once(ctx, again, SyncMonitor())
    assert got.reopened == 2 and again.batches == [["c1-e3", "c1-e4"]] and got.repulled is False
    assert states(ctx) == {"c1-e1": ("sent", 101), "c1-e2": ("sent", 102), "c1-e3": ("sent", 101),
                           "c1-e4": ("sent", 102)}  # the restored server numbers its feed again


def test_a_local_file_older_than_the_server_raises_the_counter_and_fetches_its_own_events(ctx, quiet):
    enrolled(ctx)
    one_case(ctx, 3)
    assert local_behind(ctx, 3) is False and ctx._server_device_seq_high == 3 and device(ctx).last_seq == 3
    assert local_behind(ctx, 2) is False and device(ctx).last_seq == 3
    with ctx.Session.begin() as session:
        session.get(Device, ctx.device_id).last_seq = 9
    assert local_behind(ctx, 5) is True and device(ctx).last_seq == 9 and ctx._server_device_seq_high == 5
    assert local_behind(ctx, 12) is True and device(ctx).last_seq == 12


def test_the_server_body_limit_sizes_the_batches(ctx, quiet, monkeypatch):
    enrolled(ctx)
    seen = []
    monkeypatch.setattr(core, "push_outbox", lambda ctx, client, size, report, max_bytes: seen.append(
        (size, max_bytes)))
    sync_once(ctx, Server({"max_body": 100_000}), SyncMonitor(), batch_size=3)
    sync_once(ctx, Server(), SyncMonitor())
    assert seen == [(3, 75_000), (500, 1_572_864)]


def test_renumbered_events_fetch_the_devices_own_events_back(ctx, quiet):
    enrolled(ctx)
    one_case(ctx, 2)
    set_cursor(ctx, 4)
    server = Server({"head": 10})
    calls = []

    def answer(events):
        if calls:
            return server.store_all(events)
        calls.append(1)
        return {"results": [{"event_id": e["event_id"], "status": "rejected", "code": "seq_taken"} for e in events]}

    server.answer = answer
    got = sync_once(ctx, server, SyncMonitor())
    assert got.push.renumbered == 2 and got.repulled is True and server.pulls == [(0, 500, True)]


@pytest.mark.parametrize(("scope", "asked"), [("agent:A1", ["scans", "extracts"]), ("hall:JJ01", ["scans"]),
                                              ("", ["scans"]), ("x agent:", ["scans"])])
def test_an_agent_device_refreshes_its_principals_extracts_after_the_push(ctx, quiet, scope, asked):
    enrolled(ctx)
    got = sync_once(ctx, Server({"scope": scope}), SyncMonitor())
    assert quiet == asked and (got.extracts is EXTRACTS) == ("extracts" in asked)


def test_a_gap_fails_the_round_after_the_pull(ctx, quiet):
    enrolled(ctx)
    one_case(ctx, 2)
    server = Server()
    server.answer = lambda events: {"results": [
        {"event_id": e["event_id"], "status": "rejected", "code": "seq_gap", "error": "缺少 1 号"} for e in events]}
    with pytest.raises(SyncError) as caught:
        sync_once(ctx, server, SyncMonitor())
    assert (str(caught.value), caught.value.kind) == ("服务器拒收 2 条事件（留在本机待上传）：缺少 1 号", "refused")
    assert server.pulls == [(0, 500)] and quiet == ["scans"]


class Rows:
    def __init__(self, rows):
        self.rows = rows

    def all(self):
        return self.rows


class Engine:
    def __init__(self, rows=None, error=None):
        self.rows, self.error, self.checks = rows, error, 0

    def connect(self):
        if self.error:
            raise self.error
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, statement):
        self.checks += 1
        assert str(statement) == "PRAGMA quick_check"
        return Rows(self.rows)


@pytest.mark.parametrize(("engine", "message"), [
    (Engine([("page 3: btree",), ("page 4",), ("page 5",), ("page 6",)]), "page 3: btree；page 4；page 5"),
    (Engine([("ok",), ("ok",)]), "ok；ok"),
    (Engine(error=DatabaseError("PRAGMA", {}, Exception("file is not a database"))), "file is not a database"),
])
def test_a_damaged_database_stops_sync(engine, message):
    ctx = types.SimpleNamespace(engine=engine)
    with pytest.raises(SyncError) as caught:
        check_database(ctx)
    assert str(caught.value) == f"本地数据库已损坏，已停止同步：{message}。请联系管理员，勿删除数据库文件。"
    assert caught.value.kind == "database" and not getattr(ctx, "_sync_db_checked", False)


def test_the_database_is_checked_once_per_process():
    ctx = types.SimpleNamespace(engine=Engine([("ok",)]))
    check_database(ctx)
    check_database(ctx)
    assert ctx.engine.checks == 1 and ctx._sync_db_checked is True


def enroll_with(ctx, answer, url="http://127.0.0.1:8842", code="ABC", name=""):
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, json=answer(request))

    got = enroll_device(ctx, url, code, name, transport=httpx.MockTransport(handler))
    return got, seen


def test_enrollment_stores_the_server_the_token_and_the_place(ctx):
    me = ctx.device_id
    answer = {"device_id": me, "token": "t1", "hall": "JJ02", "window": "W07"}
    got, seen = enroll_with(ctx, lambda r: answer, url="  http://127.0.0.1:8842/ ", code=" ABC \n")
    assert got == answer and str(seen[0].url) == "http://127.0.0.1:8842/v1/enroll"
    assert json.loads(seen[0].content) == {"code": "ABC", "device_id": me, "name": ctx.settings.device_name}
    row = device(ctx)
    assert (row.server_url, row.token, row.hall, row.window) == ("http://127.0.0.1:8842", "t1", "JJ02", "W07")
    set_cursor(ctx, 9)
    _, seen = enroll_with(ctx, lambda r: {"device_id": me, "token": "t2"}, name="三号窗")
    assert json.loads(seen[0].content)["name"] == "三号窗"
    row = device(ctx)
    assert (row.token, row.hall, row.window, row.pull_cursor) == ("t2", "JJ02", "W07", 9)  # same server
    enroll_with(ctx, lambda r: {"device_id": me, "token": "t3", "hall": "", "window": ""},
                url="https://hall.example")
    row = device(ctx)
    assert (row.server_url, row.token, row.hall, row.pull_cursor) == ("https://hall.example", "t3", "JJ02", 0)


@pytest.mark.parametrize("url", ["127.0.0.1:8842", "ftp://x", "", "  "])
def test_enrollment_needs_an_http_address(ctx, url):
    with pytest.raises(SyncError) as caught:
        enroll_with(ctx, lambda r: {}, url=url)
    assert (str(caught.value), caught.value.kind) == ("服务器地址应以 http:// 或 https:// 开头", "config")


@pytest.mark.parametrize("answer", [{"token": "t"}, {"device_id": "someone-else", "token": "t"},
                                    {"device_id": None, "token": ""}, {}])
def test_an_enrollment_answer_for_another_device_or_without_a_token_is_refused(ctx, answer):
    answer = {k: (ctx.device_id if v is None else v) for k, v in answer.items()}
    with pytest.raises(SyncError) as caught:
        enroll_with(ctx, lambda r: answer)
    assert (str(caught.value), caught.value.kind) == ("服务器的登记回答无法识别", "server")
    assert (device(ctx).server_url, device(ctx).token) == ("", "")


def test_a_device_row_missing_reads_as_not_enrolled():
    import contextlib

    session = types.SimpleNamespace(get=lambda model, key: None)
    ctx = types.SimpleNamespace(device_id="d", read=lambda: contextlib.nullcontext(session))
    assert server_of(ctx) == ("", "")


def test_a_server_that_does_not_say_what_it_holds_holds_nothing_of_this_device(ctx, quiet):
    enrolled(ctx)
    one_case(ctx, 2)
    sync_once(ctx, Server(), SyncMonitor())
    server = Server()
    del server.state_answer["device_seq_high"]
    assert sync_once(ctx, server, SyncMonitor()).reopened == 2


def test_a_new_device_is_behind_a_server_that_holds_its_first_event(ctx):
    assert local_behind(ctx, 1) is True and device(ctx).last_seq == 1
    assert local_behind(ctx, 0) is False


def test_enrollment_names_the_device_from_the_settings_and_keeps_a_path_prefix(ctx):
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, json={"device_id": ctx.device_id, "token": "t"})

    enroll_device(ctx, "http://127.0.0.1:8842/PFX/", "C", transport=httpx.MockTransport(handler))
    assert json.loads(seen[0].content)["name"] == ctx.settings.device_name
    assert str(seen[0].url) == "http://127.0.0.1:8842/PFX/v1/enroll"
    assert device(ctx).server_url == "http://127.0.0.1:8842/PFX"
