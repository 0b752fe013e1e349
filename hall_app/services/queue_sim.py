"""A simulated hall day (``hall-app queue simulate``) run through the real queue code on
a real server: the server's FastAPI app (every request through its token check,
scopes and queue endpoints) on a real database, with the queue's clock set to the
simulated time. simpy moves the time; nothing else is faked.

What the simulation assumes (docs/queue.md, "The simulated day"):

- the hall is open 09:00–17:00; arrivals follow a day curve peaking 09–11 and 14–16
  (weights per half hour below), the given number of tickets in all;
- lines and their share of visitors: 个人 45 %, 企业 20 %, 不动产 10 %, 社保医保 20 %,
  办不成事反映 5 %; 10 % priority (绿色通道); 10 % come by appointment (booked the day
  before for the half hour they arrive in, most arrive within the grace, some late);
- service time per line is log-normal around the line's default (8, 15, 20, 6, 10
  minutes; σ = 0.5); 5 % have left when called: the window recalls once after a
  minute, then marks a no-show;
- the windows are the demo hall's six with their skills and tidal schedules (or N
  windows cycling through those skill lists); each calls the next ticket as soon as
  it is free and waits for the next arrival when nobody waits;
- with tidal switching a supervisor looks at the server's suggestions every 10
  minutes and applies the first one; a switched window goes back to its schedule
  when nothing waits in the line it was switched to.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from hall_app.domain.queue import QueueError
from hall_app.domain.queue_schedule import CHINA

# half-hour weights from 09:00 to 17:00 (16 slots): peaks 09–11 and 14–16
DAY_CURVE = [8, 10, 10, 8, 5, 4, 3, 2, 3, 4, 8, 10, 10, 8, 4, 3]
LINE_MIX = [("personal", 0.45), ("firm", 0.20), ("estate", 0.10), ("social", 0.20), ("complaint", 0.05)]
SERVICE_MEAN = {"personal": 8.0, "firm": 15.0, "estate": 20.0, "social": 6.0, "complaint": 10.0}
OPEN_MINUTE, CLOSE_MINUTE = 9 * 60, 17 * 60


@dataclass(frozen=True)
class SimConfig:
    day: str = "2026-12-01"
    tickets: int = 400
    windows: int = 0  # 0: the demo hall's six
    tidal: bool = True
    seed: int = 20261201
    server_db: str = ""  # a server database URL or file; default a new SQLite file in a temp folder
    priority_share: float = 0.10
    appointment_share: float = 0.10
    no_show_share: float = 0.05


@dataclass
class LineReport:
    line: str
    name: str
    issued: int = 0
    finished: int = 0
    no_show: int = 0
    mean_wait: float | None = None
    p90_wait: float | None = None
    mae: float | None = None


@dataclass
class SimReport:
    config: SimConfig
    lines: list[LineReport] = field(default_factory=list)
    tickets: int = 0
    mean_wait: float | None = None
    p90_wait: float | None = None
    estimate_mae: float | None = None
    estimates: int = 0
    switches: int = 0
    expired: int = 0
    events: int = 0
    requests: int = 0
    seconds: float = 0.0
    server_db: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        def m(v: float | None) -> str:
            return "—" if v is None else f"{v:.1f}"

        out = [f"模拟 {self.config.day}：{self.tickets} 张号，{'有' if self.config.tidal else '无'}潮汐切换"
               f"（切换 {self.switches} 次），闭厅未办 {self.expired}",
               f"平均等候 {m(self.mean_wait)} 分钟，90% 分位 {m(self.p90_wait)} 分钟；"
               f"预计等候的平均绝对误差 {m(self.estimate_mae)} 分钟（{self.estimates} 张号）",
               f"{'类别':<10}{'取号':>6}{'办结':>6}{'过号':>6}{'平均等候':>10}{'P90':>8}{'误差':>8}"]
        for r in self.lines:
            out.append(f"{r.name:<10}{r.issued:>6}{r.finished:>6}{r.no_show:>6}{m(r.mean_wait):>10}"
                       f"{m(r.p90_wait):>8}{m(r.mae):>8}")
        out.append(f"事件 {self.events} 条，请求 {self.requests} 次，用时 {self.seconds:.1f} 秒；"
                   f"服务器数据库 {self.server_db}")
        return "\n".join(out)


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)]


class _Counting:
    """Counts the requests the simulation makes (each goes through the whole app)."""

    def __init__(self) -> None:
        self.n = 0


def run_simulation(config: SimConfig) -> SimReport:
    try:
        import simpy
    except ImportError:  # pragma: no cover - simpy is a dependency
        raise ValueError("模拟需要 simpy：pip install simpy") from None
    try:
        day = dt.date.fromisoformat(config.day)
    except ValueError:
        raise ValueError(f"日期“{config.day[:20]}”格式不对，应为 2026-12-01") from None
    if not 1 <= config.tickets <= 20_000:
        raise ValueError("--tickets 应在 1–20000 之间")
    if not 0 <= config.windows <= 60:
        raise ValueError("--windows 应在 1–60 之间")
    started = time.monotonic()
    env = simpy.Environment(initial_time=8 * 60 + 30)
    midnight = dt.datetime.combine(day, dt.time(0, 0), CHINA)

    def clock() -> dt.datetime:
        return midnight + dt.timedelta(minutes=env.now)

    sim = _Hall(config, env, clock)
    sim.run()
    report = sim.report()
    report.seconds = time.monotonic() - started
    return report


class _Hall:
    def __init__(self, config: SimConfig, env: Any, clock: Any):
        from fastapi.testclient import TestClient

        from hall_app.server import auth
        from hall_app.server.app import create_app
        from hall_app.server.db import open_engine
        from hall_app.services.queue_demo import LINES, WINDOWS
        from hall_app.services.queue_http import HttpQueue

        self.config, self.env, self.clock = config, env, clock
        self.rng = random.Random(config.seed)
        self.db = config.server_db or str(Path(tempfile.mkdtemp(prefix="hall-sim-")) / "server.db")
        self.engine = open_engine(self.db)
        self.app = create_app(self.engine, queue_clock=clock)
        self.counter = _Counting()
        hall_id = f"SIM{config.seed % 100000}{'T' if config.tidal else 'F'}{int(time.time()) % 100000}"

        def device(scope: str, window: str = "") -> Any:
            code = auth.make_enrollment_code(self.engine, scope)
            _info, token = auth.enroll(self.engine, code, f"sim-{scope.replace(':', '-').replace('/', '-')}")
            client = TestClient(self.app)
            client.event_hooks["request"] = [lambda _r: setattr(self.counter, "n", self.counter.n + 1)]
            return HttpQueue("http://testserver", token, hall=hall_id, window=window, client=client)

        self.hall = device(f"hall:{hall_id}")
        self.kiosk = device(f"kiosk:{hall_id}/K1")
        for line, name, prefix, sort, minutes, capacity, _stages in LINES:
            self.hall.set_line(line, name, prefix, sort=sort, service_minutes=minutes, slot_capacity=max(capacity, 8))
        self.names = {line: name for line, name, *_ in LINES}
        windows = WINDOWS if not config.windows else [
            (f"W{n + 1:02d}", f"{n + 1}号窗口", WINDOWS[n % len(WINDOWS)][2], WINDOWS[n % len(WINDOWS)][3])
            for n in range(config.windows)]
        self.windows = {}
        for window, name, skills, schedule in windows:
            self.hall.set_window(window, name, skills, schedule)
            self.windows[window] = device(f"window:{hall_id}/{window}", window)
        self.arrived = env.event()
        self.issued: dict[str, dict[str, Any]] = {}  # ticket id -> line, estimate, no_show, service
        self.switches = 0
        self.expired = 0

    # -- people -------------------------------------------------------------------------------------
    def arrivals(self) -> list[tuple[float, str, str, bool]]:
        """(minute, line, priority, by appointment) for each visitor, in time order."""
        total = sum(DAY_CURVE)
        out = []
        for _ in range(self.config.tickets):
            slot = self.rng.choices(range(len(DAY_CURVE)), weights=[w / total for w in DAY_CURVE])[0]
            minute = OPEN_MINUTE + 30 * slot + self.rng.random() * 30
            line = self.rng.choices([x for x, _ in LINE_MIX], weights=[w for _, w in LINE_MIX])[0]
            priority = "老年人" if self.rng.random() < self.config.priority_share else ""
            appointment = self.rng.random() < self.config.appointment_share
            out.append((minute, line, priority, appointment))
        return sorted(out)

    def visitor(self, minute: float, line: str, priority: str, appointment: bool):
        code = ""
        if appointment:
            slot_minute = int(minute // 30 * 30)
            slot = f"{slot_minute // 60:02d}:{slot_minute % 60:02d}"
            try:
                code = self.hall.book_appointment(line, self.config.day, slot, name="模拟").code
            except QueueError:
                code = ""
        yield self.env.timeout(max(0.0, minute - self.env.now))
        try:
            ticket = self.kiosk.check_in(code) if code else self.kiosk.issue_ticket(line, priority=priority)
        except QueueError:
            ticket = self.kiosk.issue_ticket(line, priority=priority)  # too early: an ordinary ticket
        mean = SERVICE_MEAN[line]
        sigma = 0.5
        service = self.rng.lognormvariate(math.log(mean) - sigma ** 2 / 2, sigma)
        self.issued[ticket.ticket] = {"line": line, "estimate": ticket.estimate_minutes, "issued": self.env.now,
                                      "no_show": self.rng.random() < self.config.no_show_share,
                                      "service": service}
        self.arrived.succeed(line)
        self.arrived = self.env.event()

    # -- windows -------------------------------------------------------------------------------------
    def window(self, name: str, queue: Any):
        yield self.env.timeout(OPEN_MINUTE - self.env.now)
        queue.open_window()
        while self.env.now < CLOSE_MINUTE:
            try:
                ticket = queue.call_next()
            except QueueError:
                # nobody waits for this window: sleep until someone arrives for a line it
                # serves now (or ten minutes: a schedule or a switch may change its lines)
                serves = set(queue.window_view().skills)
                until = self.env.now + 10
                while self.env.now < until:
                    arrival = self.arrived
                    yield arrival | self.env.timeout(until - self.env.now)
                    if arrival.triggered and arrival.value in serves:
                        break
                continue
            person = self.issued.get(ticket.ticket, {"no_show": False, "service": 8.0})
            person["called"] = self.env.now
            if person["no_show"]:
                yield self.env.timeout(1)
                queue.recall()
                yield self.env.timeout(1)
                queue.no_show()
                continue
            yield self.env.timeout(0.5)
            queue.start_serving()
            yield self.env.timeout(person["service"])
            queue.finish()

    def supervisor(self):
        yield self.env.timeout(OPEN_MINUTE + 10 - self.env.now)
        while self.env.now < CLOSE_MINUTE:
            suggestions = self.hall.suggestions()
            if suggestions:
                s = suggestions[0]
                self.hall.switch_window(s.skills, window=s.window)
                self.switches += 1
            waiting = {line.line: line.waiting for line in self.hall.lines()}
            for w in self.hall.windows():
                if w.manual and all(waiting.get(line, 0) == 0 for line in w.manual if w.manual[line] == 1):
                    self.hall.switch_window(None, window=w.window)
            yield self.env.timeout(10)

    def run(self) -> None:
        for minute, line, priority, appointment in self.arrivals():
            self.env.process(self.visitor(minute, line, priority, appointment))
        for name, queue in self.windows.items():
            self.env.process(self.window(name, queue))
        if self.config.tidal:
            self.env.process(self.supervisor())
        self.env.run(until=CLOSE_MINUTE + 1)
        self.expired = self.hall.close_day(self.config.day)["expired"]

    def report(self) -> SimReport:
        from hall_app.domain.queue_replay import replay, wait_minutes

        events = self.hall.events(self.config.day, limit=100_000)
        state = replay(events)
        report = SimReport(self.config, tickets=len(state.tickets), switches=self.switches, expired=self.expired,
                           events=len(events), requests=self.counter.n, server_db=self.db)
        waits_all: list[float] = []
        errors_all: list[float] = []
        for line, name in self.names.items():
            tickets = [t for t in state.tickets.values() if t.line == line]
            waits = [w for w in (wait_minutes(t) for t in tickets) if w is not None]
            errors = []
            for t in tickets:
                est = self.issued.get(t.ticket, {}).get("estimate")
                actual = wait_minutes(t)
                if est is not None and actual is not None and not t.appointment:
                    errors.append(abs(est - actual))
            waits_all += waits
            errors_all += errors
            report.lines.append(LineReport(
                line, name, len(tickets), sum(1 for t in tickets if t.state == "finished"),
                sum(1 for t in tickets if t.state == "no_show"), statistics.fmean(waits) if waits else None,
                _p90(waits), statistics.fmean(errors) if errors else None))
        report.mean_wait = statistics.fmean(waits_all) if waits_all else None
        report.p90_wait = _p90(waits_all)
        report.estimate_mae = statistics.fmean(errors_all) if errors_all else None
        report.estimates = len(errors_all)
        self.engine.dispose()
        return report
