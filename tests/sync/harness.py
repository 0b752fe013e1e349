"""Test harness for the server and sync suites: a PostgreSQL schema per test, real
uvicorn servers (in a thread, or in a subprocess that can be killed), enrolled
devices, and a loopback TCP proxy that cuts connections."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text

from hall_app.config import Settings
from hall_app.server import auth
from hall_app.server.app import create_app
from hall_app.server.db import open_engine
from hall_app.server.feed import Hooks
from hall_app.server.models import feed
from hall_app.services.context import HallContext
from hall_app.store.models import CaseRow, EventRow

PG_ENV = "HALL_TEST_PG_URL"
ROOT = Path(__file__).resolve().parents[2]


def pg_base_url() -> str:
    url = os.environ.get(PG_ENV, "")
    if not url:
        pytest.skip(f"needs PostgreSQL: set {PG_ENV}=postgresql+psycopg://postgres@127.0.0.1:5432/test")
    return url if "+psycopg" in url else url.replace("postgresql://", "postgresql+psycopg://", 1)


@contextmanager
def pg_schema() -> Iterator[str]:
    """A fresh schema for one test; yields a URL whose search_path points at it."""
    base = pg_base_url()
    name = "hall_t_" + secrets.token_hex(5)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server at {url} did not start")


class ServerThread:
    """A real uvicorn server on a loopback port, in a thread of the test process."""

    def __init__(self, engine, hooks: Hooks | None = None, limiter=None, port: int | None = None,
                 max_body: int | None = None):
        import uvicorn

        self.engine = engine
        self.hooks = hooks or Hooks()
        self.port = port or free_port()
        options = {"max_body": max_body} if max_body else {}
        config = uvicorn.Config(create_app(engine, self.hooks, limiter, **options), host="127.0.0.1",
                                port=self.port, log_level="warning", lifespan="on", timeout_keep_alive=5,
                                timeout_graceful_shutdown=5,
                                proxy_headers=False)  # as `hall-app server`: the app decides (trusted_proxies)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "ServerThread":
        self.thread.start()
        wait_http(self.url)
        return self

    def __exit__(self, *_exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class ServerProcess:
    """``python -m hall_app server`` in a subprocess: it can be killed like a real one."""

    def __init__(self, db_url: str, port: int | None = None, failpoint: str = "", args: tuple[str, ...] = ()):
        self.db_url, self.port, self.failpoint = db_url, port or free_port(), failpoint
        self.args = args
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ServerProcess":
        env = {**os.environ, "HALL_FAILPOINT": self.failpoint}
        self.proc = subprocess.Popen([sys.executable, "-m", "hall_app", "server", "--db", self.db_url,
                                      "--port", str(self.port), "--log-level", "warning", *self.args],
                                     cwd=ROOT, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_http(self.url)
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait(10)

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.kill()


def make_device(tmp_path: Path, name: str, hall: str = "JJ01", window: str = "W03", clock=None) -> HallContext:
    settings = Settings(db=str(tmp_path / f"{name}.db"), hall=hall, window=window, device_name=name,
                        pdf_dir=str(tmp_path / f"{name}-pdf"))
    ctx = HallContext(settings, clock=clock) if clock else HallContext(settings)
    reference_data(ctx)
    return ctx


def reference_data(ctx: HallContext) -> None:
    """The demo hall's people, firms and e-licences (what intake needs), without users."""
    from hall_app.services import demo
    from hall_app.store.models import Firm, Hall, Person

    seeder = demo.DemoSeeder(ctx)
    with ctx.Session.begin() as session:
        session.add(Hall(code=demo.HALL[0], name=demo.HALL[1], address=demo.HALL[2], phone=demo.HALL[3]))
        for pid, name, sex, birth, phone, address, local, dishonest, lics in demo.PEOPLE:
            session.add(Person(id_number=pid, name=name, sex=sex, birth_date=birth, phone=phone,
                               address=address, local_hukou=local, dishonest=dishonest))
            seeder._licences(session, pid, lics)
        for code, name, rep, address, phone, lics in demo.FIRMS:
            session.add(Firm(uscc=code, name=name, legal_rep=rep, address=address, phone=phone))
            seeder._licences(session, code, lics)


def enroll(ctx: HallContext, engine, url: str, scope: str = "hall:JJ01", rebind: bool = False) -> None:
    """Enroll ``ctx``; ``rebind``: the admin confirms binding this known device again."""
    from hall_app.sync.core import enroll_device

    enroll_device(ctx, url, auth.make_enrollment_code(engine, scope, rebind=ctx.device_id if rebind else ""))


def local_events(ctx: HallContext, **where) -> list[EventRow]:
    with ctx.read() as session:
        query = select(EventRow)
        for key, value in where.items():
            query = query.where(getattr(EventRow, key) == value)
        return list(session.scalars(query.order_by(EventRow.local_seq)))


def pending(ctx: HallContext) -> int:
    return len(local_events(ctx, sync_state="pending"))


def server_counts(engine) -> dict[str, int]:
    """event_id → number of rows on the server (must always be 1)."""
    with engine.connect() as conn:
        rows = conn.execute(select(feed.c.event_id, func.count()).where(feed.c.kind == "event")
                            .group_by(feed.c.event_id)).all()
    return {r[0]: r[1] for r in rows}


def projections(ctx: HallContext) -> dict[str, dict]:
    with ctx.read() as session:
        return {r.case_id: r.state for r in session.scalars(select(CaseRow))}


def sync_until_ok(ctx: HallContext, attempts: int = 10, **kwargs):
    from hall_app.sync.client import SyncError
    from hall_app.sync.core import sync_once

    last = None
    for _ in range(attempts):
        try:
            return sync_once(ctx, **kwargs)
        except SyncError as exc:
            last = exc
            time.sleep(0.05)
    raise AssertionError(f"sync never succeeded: {last}")


def new_case(ctx: HallContext, actor: str = "zhangli", name: str = "刘洋") -> str:
    from hall_app.services.demo import LIU_YANG

    state = ctx.cases.start("newborn", actor)
    ctx.cases.set_applicant_id(state.case_id, actor, LIU_YANG)
    if name != "刘洋":
        ctx.cases.set_applicant(state.case_id, actor, "name", name)
    return state.case_id


FULL_ANSWERS = {"born_locally": "是", "both_local": "是", "follow": "随父", "parents_married": "是",
                "mother_employee_insured": "是", "want_medical_insurance": "是", "pay_now": "是",
                "want_ss_card": "是"}
FORM = {"baby_name": "刘思远", "baby_sex": "男", "baby_birth_date": "2026-11-15",
        "birth_place": "江津区妇幼保健院", "delivery": "邮政寄递", "insurance_grade": "一档"}
ALL_IN = {"birth_medical_info": "handed_in", "maternity_bill": "handed_in", "baby_photo": "handed_in",
          "bank_card": "handed_in"}


def dispatched_case(ctx: HallContext, actor: str = "zhangli") -> str:
    """A newborn case accepted and dispatched to the departments."""
    case_id = new_case(ctx, actor)
    for q, v in FULL_ANSWERS.items():
        ctx.cases.answer(case_id, actor, q, v)
    for m, s in ALL_IN.items():
        ctx.cases.mark_material(case_id, actor, m, s)
    for k, v in FORM.items():
        ctx.cases.set_field(case_id, actor, k, v)
    ctx.cases.accept(case_id, actor)
    ctx.cases.dispatch(case_id, actor)
    return case_id


def bulk_outbox(ctx: HallContext, count: int, per_case: int = 100, rebuild: bool = False) -> list[str]:
    """Write ``count`` pending events fast (one transaction): cases with many field edits.
    The projection is left alone unless ``rebuild`` (push and pull do not read it)."""
    from sqlalchemy import insert, update

    from hall_app.domain.events import Event
    from hall_app.domain.identifiers import uuid7
    from hall_app.domain.tracking import new_tracking_code
    from hall_app.store.models import Device
    from hall_app.store.repository import CaseRepository, event_row

    rows, case_ids = [], []
    with ctx.Session.begin() as session:
        seq = session.get(Device, ctx.device_id).last_seq
        for n in range(count):
            if n % per_case == 0:
                case_ids.append(uuid7())
                kind, payload = "case.started", {"bundle_code": "newborn", "bundle_version": 1, "bundle_hash": "",
                                                 "tracking_code": new_tracking_code(), "hall": ctx.settings.hall,
                                                 "window": ctx.settings.window, "channel": "window"}
            else:
                kind, payload = "case.field_set", {"key": f"note_{n}", "value": f"备注 {n}", "base": ""}
            seq += 1
            event = Event(uuid7(), case_ids[-1], ctx.device_id, seq, "zhangli", kind, payload, ctx.now_iso())
            row = event_row(event)
            values = {c.key: getattr(row, c.key) for c in EventRow.__table__.columns if c.key != "local_seq"}
            rows.append(values | {"sync_error": "", "sync_state": "pending"})
        session.execute(insert(EventRow), rows)
        session.execute(update(Device).where(Device.device_id == ctx.device_id).values(last_seq=seq))
        if rebuild:
            repo = CaseRepository(session)
            for case_id in case_ids:
                repo.rebuild(case_id, "新生儿出生")
    return [r["event_id"] for r in rows]


class CuttingProxy:
    """A loopback TCP proxy that cuts chosen requests. ``cut(prefix, mode)`` arms a rule
    for the next request whose first line starts with ``prefix`` (e.g. "POST /v1/push"):
    ``after_request``: the server gets the request and answers; the client never hears it.
    ``mid_response``: the client gets the first ``cut_at`` bytes of the answer, then a reset."""

    def __init__(self, target_port: int, cut_at: int = 200):
        self.target_port = target_port
        self.port = free_port()
        self.rules: list[tuple[bytes, str]] = []
        self.cut_at = cut_at
        self.cuts = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._server = None

    def cut(self, prefix: str, mode: str) -> None:
        self.rules.append((prefix.encode(), mode))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "CuttingProxy":
        self.thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", self.port), self.loop).result(5)
        return self

    def __exit__(self, *_exc) -> None:
        async def close():
            self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    def _arm(self, state: dict, data: bytes) -> None:
        if data[:8].split(b" ")[0] not in (b"GET", b"POST", b"PUT", b"DELETE"):
            return  # the rest of a request body
        state["mode"], state["sent"] = "pass", 0
        for i, (prefix, mode) in enumerate(self.rules):
            if data.startswith(prefix):
                state["mode"] = mode
                del self.rules[i]
                return

    async def _handle(self, client_r, client_w) -> None:
        state = {"mode": "pass", "sent": 0}
        server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)

        async def upstream():
            try:
                while data := await client_r.read(65536):
                    self._arm(state, data)
                    server_w.write(data)
                    await server_w.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass

        async def downstream():
            try:
                while data := await server_r.read(65536):
                    if state["mode"] == "after_request":
                        self.cuts += 1
                        return  # the answer is here, and dropped
                    if state["mode"] == "mid_response" and state["sent"] + len(data) >= self.cut_at:
                        client_w.write(data[: max(1, self.cut_at - state["sent"])])
                        await client_w.drain()
                        self.cuts += 1
                        return
                    client_w.write(data)
                    await client_w.drain()
                    state["sent"] += len(data)
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                _abort(client_w)
                server_w.close()

        up = asyncio.ensure_future(upstream())
        await downstream()
        up.cancel()


def _abort(writer) -> None:
    transport = writer.transport
    try:
        transport.abort()  # an RST, as a dropped link looks to the client
    except Exception:
        pass


# -- fixtures (imported by tests/sync/conftest.py and tests/server/conftest.py) -------------
@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema() as url:
        yield url


@pytest.fixture
def server_engine(pg_url):
    engine = open_engine(pg_url, pool_size=10)
    yield engine
    engine.dispose()


@pytest.fixture
def server(server_engine) -> Iterator[ServerThread]:
    with ServerThread(server_engine) as running:
        yield running
