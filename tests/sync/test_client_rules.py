"""The device's HTTP client against a scripted transport (no server): what each call
sends, and which SyncError (message, kind, status) each kind of answer becomes."""

from __future__ import annotations

import json
import ssl

import httpx
import pytest

from hall_app.sync.client import USER_AGENT, RawJSON, ServerClient, SyncError, push_body, tls_context


def client_answering(respond, token="tok", base="http://hall.test/"):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        result = respond(request)
        if isinstance(result, Exception):
            raise result
        return result

    return ServerClient(base, token, transport=httpx.MockTransport(handler)), seen


def test_the_client_names_itself_and_sends_its_token_only_if_it_has_one():
    client, seen = client_answering(lambda r: httpx.Response(200, json={"head": 3}))
    assert client.base_url == "http://hall.test"
    assert client.state() == {"head": 3}
    assert seen[0].headers["User-Agent"] == USER_AGENT == "hall-app-sync/1"
    assert seen[0].headers["Authorization"] == "Bearer tok"
    assert (seen[0].method, str(seen[0].url)) == ("GET", "http://hall.test/v1/state")
    anonymous, seen = client_answering(lambda r: httpx.Response(200, json={}), token="")
    anonymous.state()
    assert "Authorization" not in seen[0].headers
    assert "Authorization" not in ServerClient("http://x")._http.headers  # no token given at all
    assert ServerClient("http://127.0.0.1:8840/PFX/").base_url == "http://127.0.0.1:8840/PFX"
    assert ServerClient("https://x")._http._transport._pool._ssl_context is tls_context()
    assert ServerClient("http://x", timeout=7.5)._http.timeout == httpx.Timeout(7.5)
    assert ServerClient("http://x")._http.timeout == httpx.Timeout(30.0)
    with client as same:
        assert same is client
    assert client._http.is_closed


def refusal(respond) -> SyncError:
    client, _ = client_answering(respond)
    with pytest.raises(SyncError) as caught:
        client.state()
    return caught.value


@pytest.mark.parametrize(("answer", "message", "kind", "status"), [
    (httpx.Response(401, json={"detail": "令牌已吊销"}), "令牌已吊销", "auth", 401),
    (httpx.Response(401), "设备令牌无效，请重新登记设备", "auth", 401),
    *[(httpx.Response(s, json={"detail": "不行"}), "不行", "refused", s) for s in (400, 403, 404, 409, 413, 422)],
    *[(httpx.Response(s, json={}), f"服务器拒绝了请求（{s}）", "refused", s) for s in (400, 403, 404, 409, 413, 422)],
    (httpx.Response(422, json={"detail": [{"loc": ["body"], "msg": "x"}]}),
     str([{"loc": ["body"], "msg": "x"}]), "refused", 422),
    (httpx.Response(413, text="x" * 300), "x" * 200, "refused", 413),
    (httpx.Response(400, json=["a", "b"]), '["a","b"]', "refused", 400),
    (httpx.Response(422, json={"detail": "y" * 300}), "y" * 300, "refused", 422),
    (httpx.Response(422, json={"detail": {"k": "z" * 300}}), str({"k": "z" * 300})[:200], "refused", 422),
    (httpx.Response(500, text="数据库不可用"), "中心服务器出错（500）：数据库不可用", "server", 500),
    (httpx.Response(503, json={"detail": "忙"}), "中心服务器出错（503）：忙", "server", 503),
    (httpx.Response(402), "中心服务器出错（402）：", "server", 402),
    (httpx.Response(300), "中心服务器出错（300）：", "server", 300),
])
def test_each_refusal_becomes_a_sync_error_with_its_kind_and_status(answer, message, kind, status):
    error = refusal(lambda r: answer)
    assert (str(error), error.kind, error.status) == (message, kind, status)


@pytest.mark.parametrize(("exc", "message"), [
    (httpx.ConnectTimeout("t"), "连接中心服务器超时"),
    (httpx.ReadTimeout("t"), "连接中心服务器超时"),
    (httpx.ConnectError("refused"), "无法连接中心服务器（ConnectError）"),
    (httpx.RemoteProtocolError("cut"), "无法连接中心服务器（RemoteProtocolError）"),
])
def test_a_network_failure_is_offline(exc, message):
    error = refusal(lambda r: exc)
    assert (str(error), error.kind, error.status) == (message, "offline", None)


@pytest.mark.parametrize("status", [200, 201, 299])
def test_an_answer_that_is_not_json_is_a_server_error(status):
    error = refusal(lambda r: httpx.Response(status, text="<html>"))
    assert (str(error), error.kind, error.status) == ("中心服务器的回答无法识别", "server", None)


def test_what_each_call_sends():
    client, seen = client_answering(lambda r: httpx.Response(200, json={"ok": 1}, content=None)
                                    if r.url.path != "/v1/attachments/abc" or r.method == "POST"
                                    else httpx.Response(200, content=b"\x00scan"))
    assert client.enroll("CODE", "dev-1", "窗口3") == {"ok": 1}
    assert client.pull(5, 100) == {"ok": 1}
    client.pull(0, 7, own=True)
    client.person_files()
    client.attach("abc", "auth-9", b"\x89PNG")
    assert client.fetch_attachment("abc") == b"\x00scan"
    got = [(r.method, r.url.path, dict(r.url.params)) for r in seen]
    assert got == [("POST", "/v1/enroll", {}), ("GET", "/v1/pull", {"after": "5", "limit": "100"}),
                   ("GET", "/v1/pull", {"after": "0", "limit": "7", "own": "true"}),
                   ("GET", "/v1/person-files", {}), ("POST", "/v1/attachments/abc", {"auth_id": "auth-9"}),
                   ("GET", "/v1/attachments/abc", {})]
    assert json.loads(seen[0].content) == {"code": "CODE", "device_id": "dev-1", "name": "窗口3"}
    client.enroll("CODE", "dev-1")
    assert json.loads(seen[-1].content)["name"] == ""
    assert seen[4].content == b"\x89PNG" and seen[4].headers["Content-Type"] == "application/octet-stream"
    error = refusal(lambda r: httpx.Response(404, json={"detail": "没有这个文件"}))
    assert error.kind == "refused"
    missing, _ = client_answering(lambda r: httpx.Response(404, json={"detail": "没有这个文件"}))
    with pytest.raises(SyncError, match="没有这个文件"):
        missing.fetch_attachment("abc")


def test_a_push_sends_stored_payloads_as_they_are_and_decoded_ones_as_json():
    client, seen = client_answering(lambda r: httpx.Response(200, json={"results": []}))
    decoded = [{"event_id": "e1", "payload": {"name": "刘洋"}}]
    assert client.push(decoded) == {"results": []}
    assert seen[0].content == '{"events":[{"event_id":"e1","payload":{"name":"刘洋"}}]}'.encode()
    raw = [{"event_id": "e1", "payload": RawJSON('{"name":  "刘洋"}')}]
    client.push(raw)
    assert seen[1].content == '{"events":[{"event_id":"e1","payload":{"name":  "刘洋"}}]}'.encode()
    assert seen[1].headers["Content-Type"] == "application/json"
    assert (seen[0].method, seen[0].url.path, seen[1].method, seen[1].url.path) == (
        "POST", "/v1/push", "POST", "/v1/push")
    client.push([])
    assert json.loads(seen[2].content) == {"events": []}


def test_push_body_is_the_json_of_the_events_with_raw_payloads_spliced_in():
    events = [{"event_id": 'a"b\\c', "device_seq": 3, "schema_version": None, "payload": RawJSON('{"k":[1,2]}')},
              {"event_id": "e2", "actor": "张丽", "payload": {"名": "值", "n": [1.5, True]}}]
    body = push_body(events)
    assert json.loads(body) == {"events": [{**events[0], "payload": {"k": [1, 2]}}, events[1]]}
    assert body.startswith(b'{"events":[{"event_id":"a\\"b\\\\c","device_seq":3,"schema_version":null,'
                           b'"payload":{"k":[1,2]}},{')
    assert "张丽".encode() in body and "名".encode() in body  # UTF-8, not \u escapes
    assert push_body([]) == b'{"events":[]}'


def test_one_tls_context_per_process():
    assert isinstance(tls_context(), ssl.SSLContext) and tls_context() is tls_context()
    assert tls_context().verify_mode == ssl.CERT_REQUIRED


def test_what_a_department_client_sends():
    from hall_app.sync.department import DepartmentClient

    seen: list[httpx.Request] = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, json={"n": len(seen)})

    client = DepartmentClient("http://hall.test/", "dtok", "公安/户籍", transport=httpx.MockTransport(handler))
    assert client.department == "公安/户籍" and client.base_url == "http://hall.test"
    assert client.inbox() == {"n": 1}
    client.inbox(5, 10, pending=True)
    client.package("c 1/2")
    client.ack("c 1/2")
    client.result("c1", "hukou", "done")
    client.result("c1", "hukou", "rejected", "缺材料", "D1", "r1")
    client.check("c1", "hukou", "ok")
    client.check("c1", "hukou", "bad", "不符", "k1")
    base = "/v1/departments/%E5%85%AC%E5%AE%89%2F%E6%88%B7%E7%B1%8D"
    assert [(r.method, r.url.raw_path.decode()) for r in seen] == [
        ("GET", base + "/inbox?after=0&limit=50"), ("GET", base + "/inbox?after=5&limit=10&pending=true"),
        ("GET", base + "/packages/c%201%2F2"), ("POST", base + "/packages/c%201%2F2/ack"),
        ("POST", "/v1/results"), ("POST", "/v1/results"), ("POST", base + "/checks"), ("POST", base + "/checks")]
    assert [json.loads(r.content) for r in seen[4:]] == [
        {"case_id": "c1", "item": "hukou", "status": "done", "note": "", "document": "", "result_id": ""},
        {"case_id": "c1", "item": "hukou", "status": "rejected", "note": "缺材料", "document": "D1", "result_id": "r1"},
        {"case_id": "c1", "item": "hukou", "result": "ok", "note": "", "check_id": ""},
        {"case_id": "c1", "item": "hukou", "result": "bad", "note": "不符", "check_id": "k1"}]
    assert seen[0].headers["Authorization"] == "Bearer dtok"


def test_sync_error_says_its_message_kind_and_status():
    from hall_app.sync import errors

    assert SyncError is errors.SyncError  # one class, importable without the HTTP client
    plain = SyncError("服务器错误")
    assert (str(plain), plain.args, plain.kind, plain.status) == ("服务器错误", ("服务器错误",), "server", None)
    refused = SyncError("办件已作废", "refused", 409)
    assert (str(refused), refused.kind, refused.status) == ("办件已作废", "refused", 409)
    assert isinstance(refused, Exception)
