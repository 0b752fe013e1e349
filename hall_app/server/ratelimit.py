"""Rate limits kept in the database, so every worker process (and every server
behind one load balancer) counts the same requests: one token bucket per kind of
request and client address, updated in one atomic statement.

The client address is the TCP peer, unless the peer is one of the configured
``trusted_proxies``: then ``X-Forwarded-For`` is read from the right, skipping
trusted proxies, and the first other address is the client. A header from anyone
else is ignored, so rotating it buys nothing.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine, text

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FORGET_AFTER = 3600.0  # seconds: an idle bucket is full again long before this


@dataclass(frozen=True)
class Rate:
    per_minute: float
    burst: int

    @property
    def per_second(self) -> float:
        return self.per_minute / 60.0


DEFAULT_RATES = {
    "track": Rate(30, 10),  # a citizen reloading the page; a scraper is slowed to a crawl
    "enroll": Rate(6, 5),  # an admin typing a code; guessing 58-bit codes at 6 a minute is hopeless
    "rate": Rate(6, 3),  # supervise (issue 11): a citizen rates once; retries after a typo are fine
}


def parse_proxies(spec: str | Iterable[str]) -> tuple[Network, ...]:
    """"10.0.0.5, 10.1.0.0/16" → networks; raises ValueError with the bad entry."""
    parts = spec.replace(",", " ").split() if isinstance(spec, str) else list(spec)
    out = []
    for part in parts:
        try:
            out.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            raise ValueError(f"可信代理地址“{part}”无效（应为 IP 地址或网段，如 10.0.0.5 或 10.0.0.0/24）") from None
    return tuple(out)


def _ip(value: str):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def client_address(peer: str | None, forwarded_for: list[str], trusted: tuple[Network, ...]) -> str:
    """The address a request is counted against (see the module docstring)."""
    peer = peer or "?"
    peer_ip = _ip(peer)
    if not trusted or peer_ip is None or not any(peer_ip in n for n in trusted):
        return peer
    hops = [h.strip() for header in forwarded_for for h in header.split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            return "invalid:" + hop[:60]  # counted as it is: a forged hop still gets one bucket
        if not any(ip in n for n in trusted):
            return str(ip)
    return str(_ip(hops[0])) if hops else peer


BUCKET_SQL = {
    "postgresql": ("GREATEST", "LEAST"),
    "sqlite": ("MAX", "MIN"),
}


def _bucket_sql(dialect: str) -> str:
    greatest, least = BUCKET_SQL.get(dialect, ("MAX", "MIN"))
    refill = (f"{least}(:burst, rate_limits.tokens + {greatest}(:now - rate_limits.updated, 0) * :rate)")
    return (
        "INSERT INTO rate_limits (bucket, tokens, updated, allowed) VALUES (:bucket, :burst - 1, :now, true) "
        "ON CONFLICT (bucket) DO UPDATE SET "
        f"tokens = CASE WHEN {refill} >= 1 THEN {refill} - 1 ELSE {refill} END, "
        f"updated = :now, allowed = ({refill} >= 1) "
        "RETURNING allowed")


@dataclass
class RateLimits:
    """The server's rate limits (shared through the database) and its trusted proxies."""

    rates: dict[str, Rate] = field(default_factory=lambda: dict(DEFAULT_RATES))
    trusted_proxies: tuple[Network, ...] = ()
    clock: Callable[[], float] = time.time
    _calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_settings(cls, settings) -> "RateLimits":
        rates = dict(DEFAULT_RATES)
        rates["track"] = Rate(float(settings.track_per_minute), DEFAULT_RATES["track"].burst)
        rates["enroll"] = Rate(float(settings.enroll_per_minute), DEFAULT_RATES["enroll"].burst)
        return cls(rates, parse_proxies(settings.trusted_proxies))

    def client(self, request) -> str:
        peer = request.client.host if request.client else None
        return client_address(peer, request.headers.getlist("x-forwarded-for"), self.trusted_proxies)

    def allow(self, engine: Engine, what: str, client: str) -> bool:
        """Take one token from the (``what``, ``client``) bucket; False when it is empty."""
        rate = self.rates[what]
        now = float(self.clock())
        with engine.begin() as conn:
            allowed = conn.execute(text(_bucket_sql(engine.dialect.name)), {
                "bucket": f"{what}:{client}"[:120], "burst": float(rate.burst), "now": now,
                "rate": rate.per_second}).scalar_one()
            with self._lock:
                self._calls += 1
                sweep = self._calls % 1000 == 0
            if sweep:
                conn.execute(text("DELETE FROM rate_limits WHERE updated < :cutoff"), {"cutoff": now - FORGET_AFTER})
        return bool(allowed)

    def refund(self, engine: Engine, what: str, client: str) -> None:
        """Give the token back (a successful enrollment: only failed guesses count)."""
        with engine.begin() as conn:
            conn.execute(text(f"UPDATE rate_limits SET tokens = {BUCKET_SQL.get(engine.dialect.name, ('', 'MIN'))[1]}"
                              "(:burst, tokens + 1) WHERE bucket = :bucket"),
                         {"burst": float(self.rates[what].burst), "bucket": f"{what}:{client}"[:120]})

    def allow_request(self, engine: Engine, what: str, request) -> bool:
        return self.allow(engine, what, self.client(request))
