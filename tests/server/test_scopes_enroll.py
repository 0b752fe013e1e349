"""Issue 9, enrollment: a code binds a new device id only; the same device is bound
again only with the admin's --rebind; wildcard scopes are refused; failed attempts
are rate-limited per client address in the database."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from harness import ROOT, ServerThread
from sqlalchemy import select

from hall_app.server.auth import AuthError, make_enrollment_code, parse_scope
from hall_app.server.models import enrollment_codes
from hall_app.server.ratelimit import Rate, RateLimits


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hall_app", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def post_enroll(url: str, code: str, device_id: str) -> httpx.Response:
    return httpx.post(f"{url}/v1/enroll", json={"code": code, "device_id": device_id})


@pytest.mark.parametrize("scope", ["agent:*", "agent:*@JJ01", "window:*/W03", "hall:*", "dept:*", "kiosk:*",
                                   "agent:王?@JJ01", "dept:%"])
def test_wildcard_scopes_are_refused(scope):
    with pytest.raises(AuthError, match="通配符"):
        parse_scope(scope)


@pytest.mark.parametrize("scope, columns", [
    ("hall:JJ01", {"hall": "JJ01"}), ("window:JJ01/W03", {"hall": "JJ01", "window": "W03"}),
    ("agent:王强@JJ01", {"agent": "王强", "hall": "JJ01"}), ("dept:市公安局", {"dept": "市公安局", "hall": ""}),
    ("dept:市公安局@JJ01", {"dept": "市公安局", "hall": "JJ01"}), ("kiosk:JJ01/K1", {"hall": "JJ01", "window": "K1"}),
    ("display:JJ01", {"hall": "JJ01", "window": ""}), ("admin:李华", {}),
])
def test_scope_forms(scope, columns):
    assert parse_scope(scope) == columns


def test_an_agent_needs_a_hall():
    with pytest.raises(AuthError, match="无效"):
        parse_scope("agent:王强")


@pytest.mark.postgres
def test_enroll_code_refuses_wildcards_on_the_command_line(pg_url):
    for scope in ("agent:*", "window:*/W03"):
        done = cli("server", "enroll-code", "--scope", scope, "--db", pg_url)
        assert done.returncode != 0 and "通配符" in done.stderr and "Traceback" not in done.stderr
    none = cli("server", "enroll-code", "--db", pg_url)
    assert none.returncode != 0 and "--scope" in none.stderr and "Traceback" not in none.stderr


@pytest.mark.postgres
def test_a_valid_code_cannot_take_over_another_device_id(server_engine, server):
    first = post_enroll(server.url, make_enrollment_code(server_engine, "hall:JJ01"), "victim")
    assert first.status_code == 200
    spare = make_enrollment_code(server_engine, "hall:JJ01")
    taken = post_enroll(server.url, spare, "victim")  # its id is in every event it pushed
    assert taken.status_code == 400 and "已经登记过" in taken.json()["detail"]
    assert "--rebind victim" in taken.json()["detail"]
    victim = httpx.get(f"{server.url}/v1/state", headers={"Authorization": f"Bearer {first.json()['token']}"})
    assert victim.status_code == 200  # the victim's token still works
    assert post_enroll(server.url, spare, "newcomer").status_code == 200  # the code was not spent


@pytest.mark.postgres
def test_rebinding_the_same_device_needs_the_admins_code(pg_url, server_engine, server):
    old = post_enroll(server.url, make_enrollment_code(server_engine, "window:JJ01/W03"), "laptop").json()["token"]
    made = cli("server", "enroll-code", "--rebind", "laptop", "--db", pg_url)
    assert made.returncode == 0, made.stderr
    assert "window:JJ01/W03" in made.stdout and "重新登记设备 laptop" in made.stdout  # scope kept by default
    code = made.stdout.split()[0]
    wrong = post_enroll(server.url, code, "someone-else")
    assert wrong.status_code == 400 and "只能用于重新登记设备 laptop" in wrong.json()["detail"]
    again = post_enroll(server.url, code, "laptop")
    assert again.status_code == 200 and again.json()["scope"] == "window:JJ01/W03"

    def state(token: str) -> httpx.Response:
        return httpx.get(f"{server.url}/v1/state", headers={"Authorization": f"Bearer {token}"})

    assert state(old).status_code == 401 and state(again.json()["token"]).status_code == 200
    unknown = cli("server", "enroll-code", "--rebind", "no-such-device", "--db", pg_url)
    assert unknown.returncode != 0 and "没有已登记的设备" in unknown.stderr and "Traceback" not in unknown.stderr
    with server_engine.connect() as conn:
        assert conn.execute(select(enrollment_codes.c.rebind).where(enrollment_codes.c.used_at != "")
                            .order_by(enrollment_codes.c.used_at.desc())).scalars().first() == "laptop"


@pytest.mark.postgres
def test_failed_enrollments_are_rate_limited_across_workers(server_engine):
    rates = {"track": Rate(30, 10), "enroll": Rate(6, 3)}
    with ServerThread(server_engine, limiter=RateLimits(dict(rates))) as one, \
            ServerThread(server_engine, limiter=RateLimits(dict(rates))) as two:
        good = make_enrollment_code(server_engine, "hall:JJ01")
        ok = [post_enroll(one.url, good, "d-ok").status_code]
        ok += [post_enroll(one.url, make_enrollment_code(server_engine, "hall:JJ01"), f"d-{n}").status_code
               for n in range(4)]
        assert ok == [200] * 5  # successful enrollments do not use up the allowance
        guesses = [post_enroll((one, two)[n % 2].url, f"AAAA-BBBB-{n:04d}", f"g-{n}").status_code
                   for n in range(5)]
        blocked = post_enroll(one.url, make_enrollment_code(server_engine, "hall:JJ01"), "d-late")
    assert guesses == [400, 400, 400, 429, 429]  # one bucket for both workers
    assert blocked.status_code == 429 and "频繁" in blocked.json()["detail"]


@pytest.mark.postgres
def test_two_codes_racing_for_one_new_device_id_give_a_clear_refusal(server_engine):
    import threading

    from sqlalchemy import insert

    from hall_app.server.auth import enroll
    from hall_app.server.models import devices

    code = make_enrollment_code(server_engine, "hall:JJ01")
    outcome: list = []
    with server_engine.connect() as first:  # the other enrollment, not yet committed
        first.execute(insert(devices).values(device_id="racer", name="", scope="hall:JJ01", hall="JJ01", window="",
                                             agent="", dept="", token_hash="x" * 64, enrolled_at="", revoked_at="",
                                             last_seen="", last_seq=0))

        def second():
            try:
                outcome.append(enroll(server_engine, code, "racer"))
            except AuthError as exc:
                outcome.append(exc)

        racer = threading.Thread(target=second)
        racer.start()
        racer.join(1.0)
        assert racer.is_alive()  # waiting on the first one's row
        first.commit()
        racer.join(10)
    assert isinstance(outcome[0], AuthError) and "已经登记过" in str(outcome[0])
