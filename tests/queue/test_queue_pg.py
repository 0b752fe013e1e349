"""The queue on real PostgreSQL: fifty windows calling at once over real HTTP (uvicorn),
a server restart mid-day, and the kiosk's offline numbers uploaded after the server
comes back."""

from __future__ import annotations

import threading

import httpx
import pytest
from harness import ServerProcess, pg_schema

from hall_app.server import auth
from hall_app.server.db import open_engine
from hall_app.services.queue_http import HttpQueue

pytestmark = pytest.mark.postgres


def token(engine, scope: str, device_id: str) -> str:
    _info, raw = auth.enroll(engine, auth.make_enrollment_code(engine, scope), device_id)
    return raw


def hall_queue(engine, url: str) -> HttpQueue:
    return HttpQueue(url, token(engine, "hall:JJ01", "hall-1"), hall="JJ01")


def set_up(hall: HttpQueue, windows: int) -> None:
    hall.set_line("personal", "综合窗口·个人", "A", sort=1)
    hall.set_line("firm", "综合窗口·企业", "B", sort=2)
    for n in range(1, windows + 1):
        name = f"W{n:02d}"
        hall.set_window(name, f"{n}号窗口", {"personal": 1, "firm": 2})
        hall.open_window(name)


def call_at_once(url: str, tokens: dict[str, str]) -> dict[str, httpx.Response]:
    """Every window presses "call next" at the same moment, each on its own connection."""
    import ssl

    barrier = threading.Barrier(len(tokens))
    answers: dict[str, httpx.Response] = {}
    plain = ssl.create_default_context()  # one for all (plain HTTP here; each new one reads the CA file)

    def press(window: str, raw: str) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {raw}"}, timeout=60,
                          verify=plain) as client:
            client.get("/healthz")  # connected before the barrier
            barrier.wait()
            answers[window] = client.post(f"/v1/queue/windows/{window}/call-next")

    threads = [threading.Thread(target=press, args=item) for item in tokens.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return answers


def set_up_direct(engine, windows: int) -> None:
    """The hall set up straight in the database (fast); the calls below go over HTTP."""
    from hall_app.server.queue_store import Actor, QueueStore

    store, hall = QueueStore(engine), Actor("hall", "JJ01")
    store.put_line(hall, "personal", "综合窗口·个人", "A", sort=1)
    store.put_line(hall, "firm", "综合窗口·企业", "B", sort=2)
    for n in range(1, windows + 1):
        store.put_window(hall, f"W{n:02d}", f"{n}号窗口", {"personal": 1, "firm": 2})
        store.window_action(hall, f"W{n:02d}", "open")


def test_fifty_windows_call_next_at_once(server_engine, server):
    """One ticket waiting, fifty windows press at once: exactly one gets it. Then fifty
    tickets, fifty windows at once: each ticket is called once."""
    hall = hall_queue(server_engine, server.url)
    set_up_direct(server_engine, 50)
    tokens = {f"W{n:02d}": token(server_engine, f"window:JJ01/W{n:02d}", f"win-{n}") for n in range(1, 51)}
    ticket = hall.issue_ticket("A")
    answers = call_at_once(server.url, tokens)
    assert len(answers) == 50
    won = [w for w, r in answers.items() if r.status_code == 200]
    assert len(won) == 1, {w: r.text for w, r in answers.items() if r.status_code != 409}
    assert answers[won[0]].json()["ticket"] == ticket.ticket
    lost = [r for r in answers.values() if r.status_code != 200]
    assert all(r.status_code == 409 and r.json()["detail"] == "当前没有等候的号" for r in lost)
    calls = [e for e in hall.events() if e.type == "queue.ticket_called"]
    assert [e.payload["window"] for e in calls] == won
    assert [w.window for w in hall.windows() if w.current] == won

    hall.start_serving(window=won[0])
    hall.finish(window=won[0])
    for n in range(50):
        hall.issue_ticket("A" if n % 2 else "B", priority="老年人" if n % 5 == 0 else "")
    answers = call_at_once(server.url, tokens)
    assert all(r.status_code == 200 for r in answers.values()), [r.text for r in answers.values()]
    called = [r.json()["ticket"] for r in answers.values()]
    assert len(set(called)) == 50 and hall.waiting() == []
    assert len([e for e in hall.events() if e.type == "queue.ticket_called"]) == 51


def test_a_window_device_calls_for_its_own_window_only(server_engine, server):
    set_up_direct(server_engine, 2)
    w1 = HttpQueue(server.url, token(server_engine, "window:JJ01/W01", "w1"), window="W01")
    kiosk = HttpQueue(server.url, token(server_engine, "kiosk:JJ01/K1", "k1"))
    display = HttpQueue(server.url, token(server_engine, "display:JJ01/D1", "d1"))
    other_hall = HttpQueue(server.url, token(server_engine, "window:JJ02/W01", "w-jj02"), window="W01")
    kiosk.issue_ticket("A")
    from hall_app.domain.queue import QueueError

    for call, status, words in [
        (lambda: w1.call_next("W02"), 403, "只能为自己的窗口"),
        (lambda: kiosk.call_next("W01"), 403, "取号机"),
        (lambda: display.issue_ticket("A"), 403, "叫号屏"),
        (lambda: display.call_next("W01"), 403, "叫号屏"),
        (lambda: other_hall.call_next(), 404, "没有窗口"),  # the hall comes from the token: JJ02 has no W01
        (lambda: w1.set_line("x", "x", "X"), 403, "窗口设备"),
    ]:
        with pytest.raises(QueueError, match=words) as refused:
            call()
        assert refused.value.status == status
    assert display.board().lines[0].waiting == 1
    called = w1.call_next()
    assert called.label == "A001"
    page = httpx.get(f"{server.url}/q/{called.ticket}")
    assert page.status_code == 200 and "A001" in page.text and "1号窗口" in page.text
    as_json = httpx.get(f"{server.url}/q/{called.ticket}.json").json()
    assert set(as_json) == {"label", "line_name", "state", "state_label", "day", "ahead", "estimate_minutes",
                            "window_name"}  # nothing personal
    assert httpx.get(f"{server.url}/q/NOSUCHTICKET").status_code == 404


def test_server_restart_mid_day_loses_nothing():
    with pg_schema() as url:
        engine = open_engine(url, pool_size=2)
        hall_token = token(engine, "hall:JJ01", "hall-1")
        window_token = token(engine, "window:JJ01/W01", "w1")
        with ServerProcess(url) as first:
            hall = HttpQueue(first.url, hall_token)
            set_up(hall, 2)
            issued = [hall.issue_ticket("A").label for _ in range(4)]
            w1 = HttpQueue(first.url, window_token, window="W01")
            w1.call_next()
            w1.start_serving()
            before = ([(t.label, t.state) for t in hall.waiting()], w1.window_view().current.label,
                      len(hall.events()))
            port = first.port
            first.kill()  # no goodbye: SIGKILL mid-day
            from hall_app.domain.queue import QueueOffline

            with pytest.raises(QueueOffline):
                w1.finish()
        with ServerProcess(url, port=port) as second:
            hall = HttpQueue(second.url, hall_token)
            w1 = HttpQueue(second.url, window_token, window="W01")
            after = ([(t.label, t.state) for t in hall.waiting()], w1.window_view().current.label,
                     len(hall.events()))
            assert after == before and issued == ["A001", "A002", "A003", "A004"]
            assert w1.finish().state == "finished"
            assert hall.issue_ticket("A").label == "A005"  # numbering goes on, nothing renumbered
        engine.dispose()


def test_kiosk_offline_block_then_rejoin_no_duplicates(server_engine, tmp_path):
    from harness import ServerThread

    from hall_app.services.queue_kiosk import KioskQueue

    kiosk_token = token(server_engine, "kiosk:JJ01/K1", "kiosk-1")
    hall_token = token(server_engine, "hall:JJ01", "hall-1")
    with ServerThread(server_engine) as running:
        hall = HttpQueue(running.url, hall_token)
        set_up(hall, 1)
        kiosk = KioskQueue(HttpQueue(running.url, kiosk_token), tmp_path / "kiosk.json")
        assert kiosk.issue_ticket("A").label == "A001"  # online
        kiosk.prepare(["A", "B"], size=10)  # blocks reserved in advance
        port = running.port
    # the server is gone: the kiosk issues from its blocks
    offline = [kiosk.issue_ticket("A"), kiosk.issue_ticket("A"), kiosk.issue_ticket("B", priority="孕妇")]
    assert [t.label for t in offline] == ["A990", "A991", "B990"]
    assert all(t.source == "offline" and "离线" in t.message for t in offline)
    assert kiosk.pending() == 3
    with ServerThread(server_engine, port=port) as again:
        hall = HttpQueue(again.url, hall_token)
        online = [hall.issue_ticket("A").label for _ in range(2)]
        results = kiosk.upload()
        assert [r["status"] for r in results] == ["stored"] * 3 and kiosk.pending() == 0
        assert kiosk.upload() == []
        labels = [t.label for t in hall.waiting()]
        assert sorted(labels) == sorted(["A001", *online, "A990", "A991", "B990"])
        assert len(labels) == len(set(labels))


def test_a_rate_pad_reads_and_rates_only_its_own_windows_visit(server_engine, server):
    """Issue 11: a pad (``pad:JJ01/W01``) reads its window's last finished visit and rates
    it once; another window's pad, a kiosk and a display are refused; the rating is one
    ``queue.visit_rated`` event on the server."""
    from hall_app.domain.queue import QueueError

    set_up_direct(server_engine, 2)
    hall = hall_queue(server_engine, server.url)
    w1 = HttpQueue(server.url, token(server_engine, "window:JJ01/W01", "w1"), window="W01")
    pad = HttpQueue(server.url, token(server_engine, "pad:JJ01/W01", "pad-w1"), window="W01")
    other_pad = HttpQueue(server.url, token(server_engine, "pad:JJ01/W02", "pad-w2"), window="W02")
    kiosk = HttpQueue(server.url, token(server_engine, "kiosk:JJ01/K1", "k1"))
    assert pad.last_visit() is None
    kiosk.issue_ticket("A")
    w1.call_next()
    w1.start_serving()
    ticket = w1.finish().ticket
    visit = pad.last_visit()
    assert (visit.ticket, visit.label, visit.rated) == (ticket, "A001", False)
    for call, status in [(lambda: other_pad.last_visit("W01"), 403),
                         (lambda: other_pad.rate_visit(ticket, 5, window="W01"), 403),
                         (lambda: kiosk.rate_visit(ticket, 5, window="W01"), 403),
                         (lambda: pad.call_next(), 403), (lambda: pad.board(), 403),
                         (lambda: pad.rate_visit(ticket, 7), 422)]:
        with pytest.raises(QueueError) as refused:
            call()
        assert refused.value.status == status
    assert pad.rate_visit(ticket, None, how="timeout").rating == "未评价"
    with pytest.raises(QueueError, match="只评价一次") as twice:
        w1.rate_visit(ticket, 5)
    assert twice.value.status == 409
    rated = [e.payload for e in hall.events() if e.type == "queue.visit_rated"]
    assert len(rated) == 1 and rated[0]["level"] is None and rated[0]["window"] == "W01"


def test_a_supervisor_device_follows_up_a_bad_visit_rating(server_engine, server):
    """Issue 11: a visit rated 非常不满意 on the pad is listed to the supervisor's device
    (``supervisor:JJ01/chenjing``) among the bad visit ratings (the JSON level filter on
    PostgreSQL), stepped in order; the pad and a window may not step it; good ones not listed."""
    from hall_app.domain.queue import QueueError

    set_up_direct(server_engine, 2)
    w1 = HttpQueue(server.url, token(server_engine, "window:JJ01/W01", "w1"), window="W01")
    pad = HttpQueue(server.url, token(server_engine, "pad:JJ01/W01", "pad-w1"), window="W01")
    boss = HttpQueue(server.url, token(server_engine, "supervisor:JJ01/chenjing", "sup"))
    tickets = []
    for level in (1, 5):
        w1.issue_ticket("A")
        w1.call_next()
        w1.start_serving()
        tickets.append(w1.finish(cases=["0190a3c4-0000-7000-8000-000000000001"]).ticket)
        pad.rate_visit(tickets[-1], level)
    [record] = boss.bad_visits()
    assert record["rated"]["payload"]["ticket"] == tickets[0] and record["steps"] == []
    for who in (pad, w1):
        with pytest.raises(QueueError) as refused:
            who.follow_up_visit(tickets[0], "verified", "属实", "chenjing")
        assert refused.value.status == 403
    with pytest.raises(QueueError, match="下一步应为：核实") as early:
        boss.follow_up_visit(tickets[0], "closed", "已处理", "chenjing")
    assert early.value.status == 409
    record = boss.follow_up_visit(tickets[0], "verified", "查看录像，属实", "chenjing")
    assert [(s["payload"]["step"], s["payload"]["by"], s["payload"]["cases"]) for s in record["steps"]] == [
        ("verified", "chenjing", ["0190a3c4-0000-7000-8000-000000000001"])]


def test_a_malicious_device_cannot_step_a_visit_follow_up_in_another_name(server_engine, server):
    """Issue 11: who records a bad visit rating's follow-up step is checked on the server as
    a case's follow-up is: a person, never a device; a supervisor's device (its token names
    one supervisor) only in that supervisor's name; a window or a pad not at all; a step
    cannot open a follow-up. Each refusal is a clear message and records nothing."""
    import httpx

    from hall_app.domain.queue import QueueError

    set_up_direct(server_engine, 1)
    w1 = HttpQueue(server.url, token(server_engine, "window:JJ01/W01", "w1"), window="W01")
    pad = HttpQueue(server.url, token(server_engine, "pad:JJ01/W01", "pad-w1"), window="W01")
    hall = hall_queue(server_engine, server.url)
    boss_token = token(server_engine, "supervisor:JJ01/chenjing", "sup")
    boss = HttpQueue(server.url, boss_token)
    w1.issue_ticket("A")
    w1.call_next()
    w1.start_serving()
    ticket = w1.finish().ticket
    pad.rate_visit(ticket, 2, reasons=["态度生硬"])

    def steps() -> int:
        return len([e for e in hall.events() if e.type == "queue.visit_follow_up"])

    for who, step, by, status, words in (
            (boss, "verified", "zhangli", 403, "本设备登记给值班长“chenjing”，不能代“zhangli”"),
            (boss, "verified", "陈静", 403, "不能代“陈静”"),
            (boss, "verified", "", 422, "请写明登记整改回访的值班长"),
            (boss, "verified", "supervisor", 422, "是设备，不是人"),
            (hall, "verified", "pad", 422, "是设备，不是人"),
            (hall, "verified", "  ", 422, "请写明"),
            (boss, "opened", "chenjing", 422, "未知的整改步骤"),
            (w1, "verified", "chenjing", 403, ""),
            (pad, "verified", "chenjing", 403, "")):
        with pytest.raises(QueueError) as refused:
            who.follow_up_visit(ticket, step, "属实", by)
        assert refused.value.status == status and words in str(refused.value), (by, str(refused.value))
    # the same over raw HTTP, as a device that skips the client would send it
    raw = httpx.post(f"{server.url}/v1/queue/visit-follow-ups/{ticket}", json={"step": "verified", "note": "属实"},
                     headers={"Authorization": f"Bearer {boss_token}"})
    assert raw.status_code == 422 and "请写明登记整改回访的值班长" in raw.json()["detail"]
    assert steps() == 0
    record = boss.follow_up_visit(ticket, "verified", "调取录像，属实", "chenjing")
    hall.follow_up_visit(ticket, "explained", "已向群众解释", "chenjing")  # a hall device: its signed-in user
    assert [(s["payload"]["step"], s["payload"]["by"]) for s in record["steps"]] == [("verified", "chenjing")]
    assert steps() == 2
