"""Encryption at rest for an agent's laptop (issue 13): a lost laptop reveals nothing.

The device database is encrypted whole with SQLCipher (AES-256, through the
maintained ``sqlcipher3`` binding; its pages, the WAL and the journal are all
ciphertext). The database key is random (256 bits) and never stored as such: the
key file beside the database (``hall.db.keys``) holds one *slot* per user, the key
wrapped with a key derived from that user's password (scrypt, memory-hard), plus a
check value. Signing in with a user's password unwraps the key; no password, no data.

- ``hall-app db encrypt --user NAME`` turns a plain database into an encrypted one
  (the plain file is overwritten and removed) and makes the first slots;
- a user created later on an encrypted database gets a slot of their own;
- the command line unlocks with ``HALL_DB_USER`` / ``HALL_DB_PASSWORD``.

The slot is wrapped by XOR with a scrypt output of the same length: the key is
uniformly random and each slot has its own salt, so the pad is never reused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from pathlib import Path

from hall_app.store.keyfile import KEYS_SUFFIX, is_encrypted, keys_path  # noqa: F401  (re-exported)

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_CHECK = b"hall-app database key v1"
ENV_USER, ENV_PASSWORD = "HALL_DB_USER", "HALL_DB_PASSWORD"


class CipherError(Exception):
    """The encrypted database cannot be opened or made; the message says why."""


def available() -> bool:
    try:
        import sqlcipher3  # noqa: F401
    except ImportError:
        return False
    return True


def require_module():
    try:
        import sqlcipher3
    except ImportError:
        raise CipherError("本机数据库已加密，但未安装 SQLCipher 组件（pip install sqlcipher3）") from None
    return sqlcipher3


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _pad(password: str, username: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt + username.encode(), dklen=32, **_SCRYPT)


def _check(key: bytes) -> str:
    return _b64(hmac.new(key, _CHECK, hashlib.sha256).digest()[:16])


def _slot(key: bytes, username: str, password: str) -> dict[str, str]:
    salt = os.urandom(16)
    wrapped = bytes(a ^ b for a, b in zip(key, _pad(password, username, salt)))
    return {"salt": _b64(salt), "wrapped": _b64(wrapped), "check": _check(key)}


def _read(db_path: Path) -> dict:
    try:
        data = json.loads(keys_path(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CipherError(f"加密数据库的密钥文件 {keys_path(db_path)} 无法读取：{exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("slots"), dict):
        raise CipherError(f"加密数据库的密钥文件 {keys_path(db_path)} 已损坏")
    return data


def _write(db_path: Path, data: dict) -> None:
    path = keys_path(db_path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def unlock(db_path: Path, username: str, password: str) -> bytes:
    """The database key, unwrapped with this user's password (or CipherError)."""
    slot = _read(db_path)["slots"].get(username.strip())
    if slot is None:
        hashlib.scrypt(password.encode(), salt=b"x" * 16, dklen=32, **_SCRYPT)  # same cost: no user enumeration
        raise CipherError("用户名或密码错误，无法解开本机加密数据")
    try:
        salt, wrapped = base64.b64decode(slot["salt"]), base64.b64decode(slot["wrapped"])
    except (KeyError, ValueError):
        raise CipherError("密钥文件中的该用户条目已损坏") from None
    key = bytes(a ^ b for a, b in zip(wrapped, _pad(password, username.strip(), salt)))
    if not hmac.compare_digest(_check(key), str(slot.get("check", ""))):
        raise CipherError("用户名或密码错误，无法解开本机加密数据")
    return key


def add_slot(db_path: Path, key: bytes, username: str, password: str) -> None:
    """Let ``username`` unlock the database with ``password`` (replaces their old slot)."""
    data = _read(db_path)
    data["slots"][username.strip()] = _slot(key, username.strip(), password)
    _write(db_path, data)


def key_pragma(key: bytes) -> str:
    return f"PRAGMA key = \"x'{key.hex()}'\""


def env_key(db_path: Path) -> bytes | None:
    """The key from HALL_DB_USER / HALL_DB_PASSWORD (the command line, a sync job)."""
    user, password = os.environ.get(ENV_USER, ""), os.environ.get(ENV_PASSWORD, "")
    return unlock(db_path, user, password) if user and password else None


def encrypt_database(db_path: Path, users: dict[str, str]) -> bytes:
    """Encrypt the plain database at ``db_path`` in place (sqlcipher_export into a new
    file, which then replaces it; the plain pages are overwritten before removal) and
    write a slot for each user → password. Returns the key."""
    sqlcipher3 = require_module()
    if is_encrypted(db_path):
        raise CipherError(f"{db_path} 已经加密")
    if not users:
        raise CipherError("请至少指定一个用户（其密码用于解锁）")
    key = os.urandom(32)
    target = db_path.with_name(db_path.name + ".encrypting")
    target.unlink(missing_ok=True)
    conn = sqlcipher3.connect(str(db_path))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute(f"ATTACH DATABASE ? AS enc KEY \"x'{key.hex()}'\"", (str(target),))
        conn.execute("SELECT sqlcipher_export('enc')")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA enc.user_version = {int(version)}")
        conn.execute("DETACH DATABASE enc")
    finally:
        conn.close()
    _write(db_path, {"version": 1, "cipher": "sqlcipher4", "slots": {
        name.strip(): _slot(key, name.strip(), password) for name, password in users.items()}})
    for suffix in ("-wal", "-shm", ""):
        plain = db_path.with_name(db_path.name + suffix)
        if plain.exists():
            overwrite_and_remove(plain)
    target.replace(db_path)
    return key


def overwrite_and_remove(path: Path) -> None:
    """Zero a plain file before removing it (best effort: a journaling disk may keep copies)."""
    try:
        size = path.stat().st_size
        with path.open("r+b") as f:
            f.write(b"\0" * size)
            f.flush()
            os.fsync(f.fileno())
    except OSError:
        pass
    path.unlink(missing_ok=True)
