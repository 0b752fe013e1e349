"""A cheap load generator for bursts: N windows send one request each at the same moment.

Fifty windows are fifty machines. Fifty Python threads with httpx in one process share
one interpreter lock and, here, the server's two cores: a burst to an endpoint that does
nothing took 150 ms at p99 that way, which is the client's own cost, not the server's.
This client keeps one HTTP/1.1 keep-alive connection per window, written and read with
asyncio streams (no HTTP library: a request is a few bytes, an answer is parsed by its
Content-Length), in one or more client processes. Each burst is started on a shared
clock (``time.perf_counter`` is CLOCK_MONOTONIC on Linux, the same in every process):
the parent names a moment a few milliseconds ahead and every process writes all its
requests then. A window's latency is from just before its request is written to the
last byte of its answer; ``send_skew_ms`` says how late the last request of a burst was
written after the named moment, so a reader sees whether the burst was really at once.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import time
from dataclasses import dataclass
from typing import Any

START_AHEAD = 0.02  # seconds between naming a burst's moment and the moment


@dataclass(frozen=True)
class Answer:
    window: str
    status: int
    ms: float
    body: bytes
    late_ms: float  # when the request was written after the burst's moment


class _Conn:
    def __init__(self, host: str, port: int, name: str, token: str):
        self.host, self.port, self.name = host, port, name
        self.auth = f"Authorization: Bearer {token}\r\n".encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def request(self, method: str, path: str, body: dict[str, Any] | None) -> bytes:
        raw = json.dumps(body).encode() if body is not None else b""
        head = (f"{method} {path.format(window=self.name)} HTTP/1.1\r\nHost: {self.host}\r\n"
                f"Content-Length: {len(raw)}\r\n").encode()
        if body is not None:
            head += b"Content-Type: application/json\r\n"
        return head + self.auth + b"\r\n" + raw

    async def answer(self) -> tuple[int, bytes]:
        assert self.reader is not None
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if "content-length" not in headers:
            raise RuntimeError(f"answer without Content-Length: {lines[0]}")
        body = await self.reader.readexactly(int(headers["content-length"]))
        if headers.get("connection", "").lower() == "close":
            assert self.writer is not None
            self.writer.close()
            await self.open()
        return status, body


async def _burst(conns: list[_Conn], method: str, path: str, body: dict[str, Any] | None,
                 at: float) -> list[Answer]:
    requests = [c.request(method, path, body) for c in conns]
    wait = at - time.perf_counter()
    if wait > 0.002:
        await asyncio.sleep(wait - 0.002)
    while time.perf_counter() < at:
        pass
    sent: list[float] = []
    for conn, raw in zip(conns, requests, strict=True):
        sent.append(time.perf_counter())
        assert conn.writer is not None
        conn.writer.write(raw)

    async def one(i: int) -> Answer:
        status, answer = await conns[i].answer()
        return Answer(conns[i].name, status, (time.perf_counter() - sent[i]) * 1000, answer,
                      (sent[i] - at) * 1000)

    return list(await asyncio.gather(*(one(i) for i in range(len(conns)))))


def _child(host: str, port: int, windows: list[tuple[str, str]], pipe: Any) -> None:
    async def main() -> None:
        conns = [_Conn(host, port, name, token) for name, token in windows]
        for conn in conns:
            await conn.open()
        pipe.send("ready")
        loop = asyncio.get_running_loop()
        while True:
            order = await loop.run_in_executor(None, pipe.recv)
            if order is None:
                break
            method, path, body, at = order
            answers = await _burst(conns, method, path, body, at)
            pipe.send([(a.window, a.status, a.ms, a.body, a.late_ms) for a in answers])
        for conn in conns:
            assert conn.writer is not None
            conn.writer.close()

    asyncio.run(main())


class BurstClient:
    """``processes`` client processes holding ``windows`` (name → token) between them."""

    def __init__(self, base: str, windows: dict[str, str], processes: int = 1):
        host, port = base.removeprefix("http://").split(":")
        items = list(windows.items())
        context = mp.get_context("spawn")  # a fresh interpreter: nothing of the parent's threads
        self.pipes = []
        self.procs = []
        for n in range(processes):
            mine = items[n::processes]
            parent, child = context.Pipe()
            proc = context.Process(target=_child, args=(host, int(port), mine, child), daemon=True)
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)
        for pipe in self.pipes:
            assert pipe.recv() == "ready"

    def burst(self, method: str, path: str, body: dict[str, Any] | None = None) -> list[Answer]:
        """Every window sends ``method path`` (``{window}`` is its name) at one moment."""
        at = time.perf_counter() + START_AHEAD
        for pipe in self.pipes:
            pipe.send((method, path, body, at))
        answers: list[Answer] = []
        for pipe in self.pipes:
            answers.extend(Answer(*row) for row in pipe.recv())
        return answers

    def close(self) -> None:
        for pipe in self.pipes:
            pipe.send(None)
        for proc in self.procs:
            proc.join(10)

    def __enter__(self) -> BurstClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
