"""Rules of hall_app/sync/department_sim.py with a scripted department client (no
server, no HTTP): enrolment of one desk per department, paging, the delay, every
step an item takes, the supplement asked once, a rejection, the exact notes, document
numbers and result ids, a conflict swallowed, and the run loop."""

from __future__ import annotations

import hashlib
import random

import pytest

import hall_app.sync.department_sim as sim_module
from hall_app.sync.department_sim import InboxSimulator
from hall_app.sync.errors import SyncError


class World:
    """What the scripted desks see and what they were asked to do."""

    def __init__(self, pages: dict[str, list[dict]] | None = None):
        self.pages = pages or {}  # department → inbox pages in order
        self.log: list[tuple] = []
        self.fail: dict[tuple[str, str], SyncError] = {}  # (case, item) → error on result


class FakeDesk:
    world: World

    def __init__(self, url, token, department):
        self.url, self.token, self.department = url, token, department
        self.world.log.append(("open", url, token, department))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def enroll(self, code, device_id, name):
        self.world.log.append(("enroll", code, device_id, name))
        return {"token": f"tok-{code}"}

    def inbox(self, after, limit):
        self.world.log.append(("inbox", self.department, after, limit))
        pages = self.world.pages.get(self.department, [])
        index = 0 if after == 0 else next(n for n, p in enumerate(pages) if p.get("after") == after)
        return pages[index] if pages else {"packages": [], "more": False}

    def ack(self, case):
        self.world.log.append(("ack", self.department, case))

    def result(self, case_id, item, status, note, document, result_id):
        self.world.log.append(("result", self.department, case_id, item, status, note, document, result_id))
        if (case_id, item) in self.world.fail:
            raise self.world.fail[(case_id, item)]

    def close(self):
        self.world.log.append(("close", self.department, self.token))


class Rolls:
    """An RNG whose ``random()`` returns the given rolls in order."""

    def __init__(self, *rolls):
        self.rolls = list(rolls)

    def random(self):
        return self.rolls.pop(0)


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


@pytest.fixture
def world(monkeypatch):
    w = World()
    desk = type("Desk", (FakeDesk,), {"world": w})
    monkeypatch.setattr(sim_module, "DepartmentClient", desk)
    return w


def make(world, clock=None, **kw) -> InboxSimulator:
    return InboxSimulator("http://127.0.0.1:1", lambda dept: f"code-{dept}", lambda: sorted(world.pages),
                          clock=clock or Clock(), **kw)


def pkg(case, items, status="dispatched", code="TRK1"):
    return {"case_id": case, "case_status": status, "tracking_code": code,
            "items": [{"code": c, "name": f"名{c}", "status": s} for c, s in items]}


def key(case, item, step):
    return "sim-" + hashlib.sha256(f"{case}/{item}/{step}".encode()).hexdigest()[:40]


def results(world):
    return [entry[1:] for entry in world.log if entry[0] == "result"]


def test_one_desk_per_department_enrolled_once(world):
    sim = make(world)
    desk = sim.desk("民政局")
    assert sim.desk("民政局") is desk
    opened, enrolled, closed, kept = world.log
    assert opened == ("open", "http://127.0.0.1:1", "", "民政局")
    assert enrolled[:2] == ("enroll", "code-民政局") and enrolled[3] == "模拟民政局"
    assert enrolled[2].startswith("sim-民政局-") and len(enrolled[2]) == len("sim-民政局-") + 8
    int(enrolled[2][-8:], 16)  # eight hex digits
    assert closed == ("close", "民政局", "")  # the anonymous client is closed once enrolled
    assert kept == ("open", "http://127.0.0.1:1", "tok-code-民政局", "民政局")
    assert (desk.token, desk.department) == ("tok-code-民政局", "民政局")
    sim.desk("医保局")
    sim.close()
    assert world.log[-2:] == [("close", "民政局", "tok-code-民政局"), ("close", "医保局", "tok-code-医保局")]


def test_the_seed_decides_the_rolls(world):
    assert make(world, seed=7).rng.random() == random.Random(7).random()
    assert make(world).rng.random() == random.Random(0).random()


def test_every_page_of_an_inbox_is_read(world):
    world.pages["民政局"] = [
        {"packages": [pkg("c1", [("a", "approved")], status="refused")], "more": True, "next": 5},
        {"after": 5, "packages": [pkg("c2", [("a", "approved")])], "more": True, "next": 9},
        {"after": 9, "packages": [pkg("c3", [("a", "approved")], status="accepted_deferred")], "more": False},
    ]
    sim = make(world, delay=0)
    assert sim.step() == 2  # c1's case is refused: left alone
    assert [e[2:] for e in world.log if e[0] == "inbox"] == [(0, 200), (5, 200), (9, 200)]
    assert [r[1] for r in results(world)] == ["c2", "c3"]


def test_new_packages_are_acknowledged_after_the_delay(world):
    clock = Clock()
    world.pages["民政局"] = [{"packages": [pkg("c1", [("a", "dispatched"), ("b", "pending"), ("c", "received")])],
                            "more": False}]
    sim = make(world, clock, delay=5.0)
    assert sim.step() == 0  # first seen now
    clock.t += 4.9
    assert sim.step() == 0
    clock.t += 0.1
    assert sim.step() == 2  # two items waited for the acknowledgement; nothing else this round
    assert [e for e in world.log if e[0] in ("ack", "result")] == [("ack", "民政局", "c1")]


@pytest.mark.parametrize(("status", "target"), [
    ("received", "in_progress"), ("in_progress", "approved"), ("supplemented", "in_progress"),
    ("approved", "completed"),
])
def test_each_item_takes_one_step(world, status, target):
    world.pages["民政局"] = [{"packages": [pkg("c1", [("a", status)], status="accepted", code="K7P9")], "more": False}]
    sim = make(world, delay=0)
    assert sim.step() == 1
    document = "SIM-K7P9-a" if target == "completed" else ""
    assert results(world) == [("民政局", "c1", "a", target, "", document, key("c1", "a", f"{status}-{target}"))]


@pytest.mark.parametrize("status", ["needs_material", "rejected", "completed", "odd"])
def test_items_waiting_on_others_or_done_are_left(world, status):
    world.pages["民政局"] = [{"packages": [pkg("c1", [("a", status)])], "more": False}]
    assert make(world, delay=0).step() == 0
    assert results(world) == []


def test_each_item_waits_its_own_delay_per_step(world):
    clock = Clock()
    world.pages["民政局"] = [{"packages": [pkg("c1", [("a", "received"), ("b", "received")])], "more": False}]
    sim = make(world, clock, delay=2)
    assert sim.step() == 0
    clock.t += 2
    assert sim.step() == 2
    world.pages["民政局"] = [{"packages": [pkg("c1", [("a", "in_progress"), ("b", "received")])], "more": False}]
    assert sim.step() == 1  # b again (the script did not move it); a is new in progress: it waits
    clock.t += 2
    assert sim.step() == 2


def test_a_supplement_is_asked_once_per_item(world):
    world.pages["医保局"] = [{"packages": [pkg("c1", [("a", "in_progress")])], "more": False}]
    sim = make(world, delay=0, material_rate=0.5)
    sim.rng = Rolls(0.49, 0.0, 0.5)
    sim.step()
    sim.step()  # asked already: on
    world.pages["医保局"][0]["packages"][0]["case_id"] = "c2"
    sim.step()  # another case, a roll equal to the rate: on
    assert results(world) == [
        ("医保局", "c1", "a", "needs_material", "模拟医保局：请补交名a所需材料的原件", "",
         key("c1", "a", "in_progress-needs_material")),
        ("医保局", "c1", "a", "approved", "", "", key("c1", "a", "in_progress-approved")),
        ("医保局", "c2", "a", "approved", "", "", key("c2", "a", "in_progress-approved")),
    ]


def test_a_high_roll_rejects(world):
    world.pages["医保局"] = [{"packages": [pkg("c1", [("a", "in_progress"), ("b", "in_progress"),
                                                    ("c", "received")])], "more": False}]
    sim = make(world, delay=0, reject_rate=0.3)
    sim.rng = Rolls(0.71, 0.7, 0.99)
    assert sim.step() == 3
    assert results(world) == [
        ("医保局", "c1", "a", "rejected", "模拟医保局：材料与登记信息不符，不予批准", "",
         key("c1", "a", "in_progress-rejected")),
        ("医保局", "c1", "b", "approved", "", "", key("c1", "b", "in_progress-approved")),
        ("医保局", "c1", "c", "in_progress", "", "", key("c1", "c", "received-in_progress")),  # only in progress
    ]


def test_a_case_that_moved_on_is_skipped_and_other_errors_raise(world):
    world.pages["民政局"] = [{"packages": [pkg("c1", [("a", "received"), ("b", "received")])], "more": False}]
    world.fail[("c1", "a")] = SyncError("办件已作废", "refused", 409)
    sim = make(world, delay=0)
    assert sim.step() == 1
    world.fail[("c1", "a")] = SyncError("服务器错误", "server", 500)
    with pytest.raises(SyncError) as raised:
        sim.step()
    assert raised.value.status == 500
    world.fail[("c1", "a")] = SyncError("离线", "offline")
    with pytest.raises(SyncError):
        sim.step()


def test_run_rounds_and_sleeps_between(world, monkeypatch):
    slept = []
    monkeypatch.setattr(sim_module.time, "sleep", slept.append)
    world.pages["民政局"] = [{"packages": [pkg("c1", [("a", "received")])], "more": False}]
    sim = make(world, delay=0)
    assert sim.run(interval=0.25, rounds=3) == 3
    assert slept == [0.25, 0.25]
    assert sim.run(rounds=1) == 1 and slept == [0.25, 0.25]


def test_run_without_rounds_goes_on(world, monkeypatch):
    class Stop(Exception):
        pass

    slept = []

    def sleep(seconds):
        slept.append(seconds)
        if len(slept) == 3:
            raise Stop

    monkeypatch.setattr(sim_module.time, "sleep", sleep)
    with pytest.raises(Stop):
        make(world, delay=0).run()
    assert slept == [1.0, 1.0, 1.0]


def test_each_package_waits_its_own_delay_before_its_acknowledgement(world):
    clock = Clock()
    first = pkg("c1", [("a", "dispatched")])
    world.pages["民政局"] = [{"packages": [first], "more": False}]
    sim = make(world, clock, delay=5)
    assert sim.step() == 0
    clock.t += 5
    world.pages["民政局"] = [{"packages": [first, pkg("c2", [("a", "dispatched")])], "more": False}]
    assert sim.step() == 1  # c1 waited; c2 is seen for the first time
    assert [e for e in world.log if e[0] == "ack"] == [("ack", "民政局", "c1")]
    clock.t += 5
    assert sim.step() == 2
    assert [e for e in world.log if e[0] == "ack"][1:] == [("ack", "民政局", "c1"), ("ack", "民政局", "c2")]
