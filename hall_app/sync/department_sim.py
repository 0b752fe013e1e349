"""``hall-app server simulate-departments --url``: department systems as real clients
of the server's inbox (docs/dispatch.md). One enrolled ``dept:NAME`` device per
department; each round every department fetches its packages, acknowledges new ones
and moves each item one step after ``delay`` seconds:

    已分发 → 部门已接收 → 办理中 → 已批准 → 已办结

sometimes asking for a supplement (需补正, once per item, ``material_rate``) or
rejecting with a reason (不予批准, ``reject_rate``), decided by a seeded random
generator so a demo can be replayed. An item waiting for the applicant's supplement
is left alone until the window records it (已补正), then handled on.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hall_app.sync.department import DepartmentClient
from hall_app.sync.errors import SyncError

NEXT = {"received": "in_progress", "in_progress": "approved", "supplemented": "in_progress", "approved": "completed"}
OPEN_CASES = ("accepted", "accepted_deferred", "dispatched")


@dataclass
class InboxSimulator:
    url: str
    enroll: Callable[[str], str]  # department → a one-time enrollment code for ``dept:NAME``
    departments: Callable[[], list[str]]  # the departments that have packages
    delay: float = 5.0
    reject_rate: float = 0.0
    material_rate: float = 0.0
    seed: int = 0
    clock: Callable[[], float] = time.monotonic
    _desks: dict[str, DepartmentClient] = field(default_factory=dict)
    _since: dict[tuple[str, str, str], float] = field(default_factory=dict)
    _asked: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def desk(self, department: str) -> DepartmentClient:
        if department not in self._desks:
            device_id = f"sim-{department}-{random.Random().getrandbits(32):08x}"
            with DepartmentClient(self.url, "", department) as anonymous:
                token = anonymous.enroll(self.enroll(department), device_id, f"模拟{department}")["token"]
            self._desks[department] = DepartmentClient(self.url, token, department)
        return self._desks[department]

    def _packages(self, desk: DepartmentClient) -> list[dict[str, Any]]:
        out, after = [], 0
        while True:
            page = desk.inbox(after, 200)
            out += page["packages"]
            if not page["more"]:
                return out
            after = page["next"]

    def step(self) -> int:
        """One round over every department's inbox; returns the reports posted."""
        posted, now = 0, self.clock()
        for department in self.departments():
            desk = self.desk(department)
            for pkg in self._packages(desk):
                if pkg.get("case_status") not in OPEN_CASES:
                    continue
                posted += self._package(desk, pkg, now)
        return posted

    def _waited(self, key: tuple[str, str, str], now: float) -> bool:
        return now - self._since.setdefault(key, now) >= self.delay

    def _package(self, desk: DepartmentClient, pkg: dict[str, Any], now: float) -> int:
        case_id, posted = pkg["case_id"], 0
        waiting = [i for i in pkg["items"] if i["status"] in ("pending", "dispatched")]
        if waiting and self._waited((case_id, desk.department, "ack"), now):
            desk.ack(case_id)
            return len(waiting)
        for item in pkg["items"]:
            status = item["status"]
            if status not in NEXT or not self._waited((case_id, item["code"], status), now):
                continue
            target, note = NEXT[status], ""
            roll = self.rng.random()
            if status == "in_progress" and (case_id, item["code"]) not in self._asked and roll < self.material_rate:
                target, note = "needs_material", f"模拟{desk.department}：请补交{item['name']}所需材料的原件"
                self._asked.add((case_id, item["code"]))
            elif status == "in_progress" and roll > 1 - self.reject_rate:
                target, note = "rejected", f"模拟{desk.department}：材料与登记信息不符，不予批准"
            document = f"SIM-{pkg['tracking_code']}-{item['code']}" if target == "completed" else ""
            key = hashlib.sha256(f"{case_id}/{item['code']}/{status}-{target}".encode()).hexdigest()[:40]
            try:
                desk.result(case_id, item["code"], target, note, document, f"sim-{key}")
                posted += 1
            except SyncError as exc:
                if exc.status != 409:
                    raise
                # the case moved on meanwhile (voided, terminated…)
        return posted

    def run(self, interval: float = 1.0, rounds: int | None = None) -> int:
        total, n = 0, 0
        while rounds is None or n < rounds:
            total += self.step()
            n += 1
            if rounds is None or n < rounds:
                time.sleep(interval)
        return total

    def close(self) -> None:
        for desk in self._desks.values():
            desk.close()
