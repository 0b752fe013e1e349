"""Devices, one-time enrollment codes and bearer tokens.

Codes and tokens are random (60 and 256 bits) and only their SHA-256 is stored, so
a copy of the database does not let anyone act as a device. A token is bound to one
device id and its scope; revoking the device refuses the token from then on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Engine, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from hall_app.server.models import devices, enrollment_codes

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRTUWXY"
CODE_LENGTH = 12  # 29 ** 12 ≈ 3.5e17 codes (58 bits); guesses are rate-limited per address too
_ID = r"[A-Za-z0-9_-]{1,32}"
_NAME = r"[^\s/@*?%]{1,64}"
SCOPE_RE = re.compile(rf"^(hall:{_ID}|window:{_ID}/{_ID}|agent:{_NAME}@{_ID}|dept:{_NAME}(@{_ID})?"
                      rf"|kiosk:{_ID}(/{_ID})?|display:{_ID}(/{_ID})?|pad:{_ID}/{_ID}|admin:{_NAME}"
                      rf"|supervisor:{_ID}/{_NAME})$")  # supervise (issue 11): a hall's 值班长
WILDCARDS = ("*", "?", "%")
SCOPE_FORMS = ("hall:大厅 / window:大厅/窗口 / agent:帮代办员@大厅 / dept:部门[@大厅] / kiosk:大厅[/取号机] / "
               "display:大厅[/叫号屏] / pad:大厅/窗口 / admin:姓名 / supervisor:大厅/姓名；"
               "大厅、窗口和设备用编号（字母、数字、-、_），如 kiosk:JJ01/K1")


class AuthError(Exception):
    """Refused: the message is shown to the device or the admin as is."""


@dataclass(frozen=True)
class DeviceInfo:
    device_id: str
    scope: str
    hall: str = ""
    window: str = ""
    agent: str = ""
    dept: str = ""
    last_seen: str = ""

    @cached_property
    def kind(self) -> str:  # asked several times per event on a push: worked out once
        return self.scope.split(":", 1)[0]


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scope(scope: str) -> dict[str, str]:
    """A scope string → device columns (hall, window, agent, dept). See SCOPE_FORMS."""
    scope = scope.strip()
    if any(w in scope for w in WILDCARDS):
        raise AuthError(f"范围“{scope}”含通配符：一个登记码只能对应一个具体的大厅、窗口、帮代办员或部门")
    if not SCOPE_RE.match(scope):
        raise AuthError(f"范围“{scope}”无效；应为 {SCOPE_FORMS}")
    kind, value = scope.split(":", 1)
    if kind == "hall":
        return {"hall": value}
    if kind in ("window", "kiosk", "display", "pad"):
        hall, _, window = value.partition("/")
        return {"hall": hall, "window": window}
    if kind == "agent":
        agent, _, hall = value.partition("@")
        return {"agent": agent, "hall": hall}
    if kind == "admin":
        return {}
    if kind == "supervisor":  # supervise (issue 11): reads its hall's figures
        return {"hall": value.partition("/")[0]}
    dept, _, hall = value.partition("@")
    return {"dept": dept, "hall": hall}


def _normal_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def make_enrollment_code(engine: Engine, scope: str | None, hours: float = 72.0, rebind: str = "") -> str:
    """A one-time code for a new device of ``scope``; with ``rebind``, the admin's
    confirmation that this existing device may be bound again (new token; scope
    defaults to the device's current one)."""
    rebind = rebind.strip()
    if rebind:
        with engine.connect() as conn:
            current = conn.execute(select(devices.c.scope, devices.c.token_hash)
                                   .where(devices.c.device_id == rebind)).first()
        if current is None or current.token_hash is None:
            raise AuthError(f"没有已登记的设备 {rebind}；新设备不需要 --rebind")
        scope = scope or current.scope
    if not scope:
        raise AuthError(f"请用 --scope 指定范围：{SCOPE_FORMS}")
    parse_scope(scope)
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(insert(enrollment_codes).values(
            code_hash=digest(raw), scope=scope.strip(), created_at=now.isoformat(timespec="seconds"),
            expires_at=(now + dt.timedelta(hours=hours)).isoformat(timespec="seconds"), used_at="", device_id="",
            rebind=rebind))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def enroll(engine: Engine, code: str, device_id: str, name: str = "") -> tuple[DeviceInfo, str]:
    """Spend a one-time code: bind a new ``device_id`` to the code's scope, return a token.

    A device id the server already knows is bound again only with a code the admin
    made for it (``enroll-code --rebind DEVICE``): a valid code and another device's
    id (visible in every pulled event) must not take that device over. The old token
    stops working.
    """
    device_id = device_id.strip()
    if not device_id or len(device_id) > 64 or device_id == "server" \
            or device_id.startswith(("dept:", "server:")) \
            or any(w in device_id for w in WILDCARDS) or not device_id.isprintable():
        raise AuthError("设备编号无效")
    token = "hat_" + secrets.token_urlsafe(32)
    now = utc_now()
    try:
        return _enroll(engine, code, device_id, name, token, now)
    except IntegrityError:  # the same new id enrolled at the same moment with another code
        raise AuthError(f"设备编号 {device_id} 已经登记过") from None
    finally:
        forget_tokens()  # a re-enrolled device's old token stops working here at once


def _enroll(engine: Engine, code: str, device_id: str, name: str, token: str, now: str
            ) -> tuple[DeviceInfo, str]:
    with engine.begin() as conn:
        row = conn.execute(select(enrollment_codes).where(enrollment_codes.c.code_hash == digest(_normal_code(code)))
                           .with_for_update()).mappings().first()
        if row is None or row["used_at"] or row["expires_at"][:19] < now[:19]:
            raise AuthError("登记码无效、已使用或已过期，请向管理员重新申请")
        existing = conn.execute(select(devices.c.device_id).where(devices.c.device_id == device_id)
                                .with_for_update()).first()
        if row["rebind"] and row["rebind"] != device_id:
            raise AuthError(f"该登记码只能用于重新登记设备 {row['rebind']}")
        if existing and row["rebind"] != device_id:
            raise AuthError(f"设备编号 {device_id} 已经登记过；同一设备重新登记须由管理员确认："
                            f"hall-app server enroll-code --rebind {device_id}")
        cols = parse_scope(row["scope"])
        conn.execute(update(enrollment_codes).where(enrollment_codes.c.code_hash == row["code_hash"])
                     .values(used_at=now, device_id=device_id))
        values = {"name": name[:100], "scope": row["scope"], "hall": cols.get("hall", ""),
                  "window": cols.get("window", ""), "agent": cols.get("agent", ""), "dept": cols.get("dept", ""),
                  "token_hash": digest(token), "enrolled_at": now, "revoked_at": ""}
        if existing:
            conn.execute(update(devices).where(devices.c.device_id == device_id).values(**values))
        else:
            conn.execute(insert(devices).values(device_id=device_id, last_seen="", last_seq=0, **values))
    return DeviceInfo(device_id, row["scope"], values["hall"], values["window"], values["agent"], values["dept"]), token


def reader(engine: Engine) -> Engine:
    """``engine`` for one read outside a transaction: on PostgreSQL in autocommit, so a
    look-up is one statement, without the BEGIN and ROLLBACK round trips around it (the
    token check runs on every request). SQLite keeps its own BEGIN IMMEDIATE (db.py)."""
    if engine.dialect.name != "postgresql":
        return engine
    cached = engine.__dict__.get("_hall_reader")
    if cached is None:
        cached = engine.__dict__["_hall_reader"] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return cached


# The token check on PostgreSQL, where it is a round trip on every request, remembers a
# valid token's device for CACHE_SECONDS: a device revoked (or re-enrolled) by another
# process — the ``hall-app server revoke`` command, another worker — is refused at the
# latest CACHE_SECONDS later; revoked or re-enrolled through this process, at once.
# Refusals are never remembered. SQLite (one machine) always reads the row.
CACHE_SECONDS = 2.0
_cache: dict[tuple[int, str], tuple[float, DeviceInfo]] = {}
_generation = [0]  # bumped by every revoke/enroll in this process: a read begun before is not cached


def _clock() -> float:
    import time

    return time.monotonic()


def cached_device(engine: Engine, header: str | None) -> DeviceInfo | None:
    """The device of a token checked less than CACHE_SECONDS ago, without any I/O (None: ask the database)."""
    if not header or engine.dialect.name != "postgresql":
        return None
    hit = _cache.get((id(engine), header))
    if hit is None or hit[0] <= _clock():
        return None
    return hit[1]


def forget_tokens() -> None:
    _generation[0] += 1
    _cache.clear()


def token_of(header: str | None) -> str:
    """The token of an ``Authorization: Bearer …`` header (AuthError when there is none)."""
    if not header or not header.lower().startswith("bearer "):
        raise AuthError("缺少设备令牌，请先登记设备")
    return header[7:].strip()


# the device row of a token (its hash): run by authenticate, and by the queue's async
# pool on the event loop (queue_fast.FastQueue.authenticate)
DEVICE_BY_TOKEN = select(devices).where(devices.c.token_hash == bindparam("token_hash"))


def check_begins() -> tuple[int, float]:
    """What a token check notes before it reads the row: (generation, expiry)."""
    return _generation[0], _clock() + CACHE_SECONDS


def device_from_row(engine: Engine, header: str, row: Any, begun: tuple[int, float]) -> DeviceInfo:
    """The device of a token's row (a mapping; None: no such token), refused when it is
    unknown or revoked; remembered for CACHE_SECONDS on PostgreSQL unless a revoke or an
    enrolment in this process came while the row was read."""
    if row is None:
        raise AuthError("设备令牌无效，请重新登记设备")
    if row["revoked_at"]:
        raise AuthError("本设备的授权已被吊销，请联系管理员")
    device = DeviceInfo(row["device_id"], row["scope"], row["hall"], row["window"], row["agent"], row["dept"],
                        row["last_seen"])
    generation, expires = begun
    if engine.dialect.name == "postgresql" and generation == _generation[0]:
        if len(_cache) > 10_000:  # tokens of devices gone quiet
            _cache.clear()
        _cache[(id(engine), header)] = (expires, device)
    return device


def authenticate(engine: Engine, header: str | None) -> DeviceInfo:
    hit = cached_device(engine, header)
    if hit is not None:
        return hit
    token = token_of(header)
    begun = check_begins()
    with reader(engine).connect() as conn:
        row = conn.execute(DEVICE_BY_TOKEN, {"token_hash": digest(token)}).mappings().first()
    return device_from_row(engine, header or "", row, begun)


def revoke(engine: Engine, device_id: str) -> bool:
    with engine.begin() as conn:
        result = conn.execute(update(devices).where(devices.c.device_id == device_id, devices.c.revoked_at == "")
                              .values(revoked_at=utc_now()))
    forget_tokens()
    return result.rowcount > 0


def service_device(engine: Engine, device_id: str, scope: str) -> DeviceInfo:
    """A device the server itself acts as (the department simulator): no token."""
    from hall_app.server.writes import insert_for

    cols = parse_scope(scope)
    with engine.begin() as conn:
        if conn.execute(select(devices.c.device_id).where(devices.c.device_id == device_id)).first() is None:
            # Two requests may get here at once (two halls' pushes both flagging duplicates):
            # the second insert is a no-op, not a unique violation answered with 503.
            conn.execute(insert_for(conn)(devices).values(
                device_id=device_id, name=device_id, scope=scope, hall=cols.get("hall", ""), window="", agent="",
                dept=cols.get("dept", ""), token_hash=None, enrolled_at=utc_now(), revoked_at="", last_seen="",
                last_seq=0).on_conflict_do_nothing(index_elements=[devices.c.device_id]))
    return DeviceInfo(device_id, scope, hall=cols.get("hall", ""), dept=cols.get("dept", ""))


def list_devices(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(devices).order_by(devices.c.enrolled_at)).mappings().all()
    return [{k: v for k, v in r.items() if k != "token_hash"} for r in rows]
