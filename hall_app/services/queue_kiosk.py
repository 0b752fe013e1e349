"""The ticket kiosk's side of the queue: online it asks the queue; when the server
cannot be reached it issues numbers from blocks it reserved in advance, keeps what it
issued in a local file (written before the ticket is shown), and uploads them when the
server is back. The server accepts a number only inside a block this kiosk reserved,
and answers a re-upload as a duplicate, so numbers never collide and none is counted
twice (hall_app/server/queue_days.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hall_app.domain import queue as q
from hall_app.domain.queue import QueueError, QueueOffline
from hall_app.domain.queue_schedule import CHINA, hall_day
from hall_app.domain.queue_views import TicketView
from hall_app.services.queue import HallQueue

OFFLINE_MESSAGE = "排队系统暂时连不上，本号为离线号，请留意叫号；恢复后自动登记"


def _now() -> dt.datetime:
    return dt.datetime.now(CHINA)


class KioskQueue:
    """A kiosk's queue: ``issue_ticket`` works offline from reserved blocks; every other
    method is the wrapped queue's."""

    def __init__(self, queue: HallQueue, path: Path | str, clock: Callable[[], dt.datetime] = _now):
        self.queue = queue
        self.path = Path(path)
        self.clock = clock
        self.state = self._load()
        # the start page's worker, a retry and an offline issue may run in different
        # threads: one at a time, so a line gets one block and the file one writer
        self._lock = threading.RLock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.queue, name)

    # -- the local file ---------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                return {"blocks": list(data.get("blocks", [])), "pending": list(data.get("pending", [])),
                        "rejected": list(data.get("rejected", []))}
        except (OSError, ValueError):
            pass
        return {"blocks": [], "pending": [], "rejected": []}

    def _save(self) -> None:
        """Write the whole state to a new file, flush it to disk, then rename it over the old."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.state, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    # -- blocks -------------------------------------------------------------------------------
    def prepare(self, lines: list[str], size: int = 0, day: str = "") -> int:
        """Reserve a block for each line that has none left for ``day`` (today). Returns how
        many blocks were reserved; offline it reserves nothing (QueueOffline)."""
        with self._lock:
            return self._prepare(lines, size, day)

    def _prepare(self, lines: list[str], size: int, day: str) -> int:
        day = day or hall_day(self.clock())
        made = 0
        for line in lines:
            if any(b["day"] == day and (b["line"] == line or b["prefix"] == line.upper()) and b["next"] <= b["end"]
                   for b in self.state["blocks"]):
                continue
            block = self.queue.reserve_block(line, day, size)
            self.state["blocks"].append({"line": block.line, "prefix": block.prefix, "day": block.day,
                                         "start": block.start, "end": block.end, "next": block.start})
            self._save()
            made += 1
        return made

    def ready(self, lines: list[str]) -> bool:
        """Whether every one of ``lines`` has offline numbers left today."""
        return all(self.numbers_left(line) > 0 for line in lines)

    def numbers_left(self, line: str) -> int:
        day = hall_day(self.clock())
        return sum(b["end"] - b["next"] + 1 for b in self.state["blocks"]
                   if b["day"] == day and (b["line"] == line or b["prefix"] == line.upper()))

    # -- tickets -------------------------------------------------------------------------------
    def issue_ticket(self, line: str, priority: str = "", id_number: str = "", name: str = "") -> TicketView:
        try:
            return self.queue.issue_ticket(line, priority=priority, id_number=id_number, name=name)
        except QueueOffline:
            with self._lock:
                return self._issue_offline(line, priority)

    def _issue_offline(self, line: str, priority: str) -> TicketView:
        from hall_app.domain.event_types import EventInvalid, validate_event
        from hall_app.server.queue_store import new_id

        now = self.clock()
        day = hall_day(now)
        key = line.strip()
        block = next((b for b in self.state["blocks"] if b["day"] == day and b["next"] <= b["end"]
                      and (b["line"] == key or b["prefix"] == key.upper())), None)
        if block is None:
            raise QueueOffline("排队系统暂时连不上，本机也没有可用的离线号段，请到服务台人工取号")
        if priority and priority not in q.PRIORITY_KINDS:
            raise QueueError(f"优先类别“{priority[:10]}”无效", "invalid", 422)
        at = now.isoformat(timespec="milliseconds")
        ticket = {"ticket": new_id(), "line": block["line"], "prefix": block["prefix"], "number": block["next"],
                  "priority": priority, "sort_at": at, "issued_at": at, "day": day}
        try:
            payload = {k: v for k, v in ticket.items() if k != "day"} | {"source": "offline"}
            validate_event("queue.ticket_issued", payload)  # what the server will check on upload
        except EventInvalid as exc:
            raise QueueError(f"离线号不合格：{exc}", "invalid", 422) from None
        block["next"] += 1
        self.state["pending"].append(ticket)
        self._save()  # on disk before the ticket is shown or printed
        return TicketView(ticket=ticket["ticket"], label=q.ticket_label(block["prefix"], ticket["number"]),
                          line=block["line"], line_name=block["line"], state=q.WAITING,
                          state_label=q.STATE_LABELS[q.WAITING], day=day, priority=priority, issued_at=at,
                          source="offline", estimate_minutes=None, message=OFFLINE_MESSAGE)

    def pending(self) -> int:
        return len(self.state["pending"])

    def upload(self) -> list[dict[str, str]]:
        """Send the offline tickets; those the server stored (or already had) leave the
        file, a rejected one is kept aside with its reason. QueueOffline if still away."""
        with self._lock:
            return self._upload()

    def _upload(self) -> list[dict[str, str]]:
        if not self.state["pending"]:
            return []
        results = self.queue.upload_offline(list(self.state["pending"]))
        done = {r["ticket"] for r in results if r["status"] in ("stored", "duplicate")}
        rejected = {r["ticket"]: r.get("error", "") for r in results if r["status"] == "rejected"}
        self.state["rejected"] += [t | {"error": rejected[t["ticket"]]} for t in self.state["pending"]
                                   if t["ticket"] in rejected]
        self.state["pending"] = [t for t in self.state["pending"] if t["ticket"] not in done | set(rejected)]
        self._save()
        return results
