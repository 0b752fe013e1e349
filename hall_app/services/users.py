"""Users, roles and sign-in. Passwords are hashed with scrypt (a slow, memory-hard KDF)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from hall_app.store.models import User

if TYPE_CHECKING:
    from hall_app.services.context import HallContext

ROLES = {"clerk": "窗口人员", "agent": "帮代办员", "supervisor": "值班长", "admin": "管理员"}
MAX_FAILURES = 5
LOCK_SECONDS = 60
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class AuthError(Exception):
    """Sign-in refused; the message is for the person at the keyboard."""


@dataclass(frozen=True)
class SignedIn:
    username: str
    display_name: str
    role: str
    hall: str
    window: str
    township: str = ""  # an agent's 乡镇/街道: whom they may file for (domain/authorisation.py)

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str) -> bool:
    try:
        _, salt_b64, digest_b64 = stored.split("$")
        salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    except ValueError:
        return False
    candidate = hashlib.scrypt(password.encode(), salt=salt, dklen=len(digest), **_SCRYPT)
    return hmac.compare_digest(candidate, digest)


class UserService:
    def __init__(self, ctx: "HallContext"):
        self.ctx = ctx

    def count(self) -> int:
        with self.ctx.read() as session:
            return int(session.scalar(select(func.count()).select_from(User)) or 0)

    def create(self, username: str, password: str, role: str, display_name: str = "",
               hall: str = "", window: str = "", township: str = "") -> SignedIn:
        username = username.strip()
        if not username:
            raise AuthError("请输入用户名")
        if role not in ROLES:
            raise AuthError(f"角色应为：{'、'.join(ROLES)}")
        if len(password) < 6:
            raise AuthError("密码至少6位")
        with self.ctx.Session.begin() as session:
            if session.get(User, username) is not None:
                raise AuthError(f"用户 {username} 已存在")
            user = User(username=username, display_name=display_name or username, role=role,
                        password_hash=hash_password(password), hall=hall or self.ctx.settings.hall,
                        window=window or self.ctx.settings.window, township=township.strip()[:32])
            session.add(user)
            signed = self._signed(user)
        if self.ctx.db_key is not None:  # an encrypted laptop database: the new user may unlock it too
            from hall_app.store.cipher import add_slot

            add_slot(self.ctx.settings.db_path, self.ctx.db_key, signed.username, password)
        return signed

    @staticmethod
    def _signed(user: User) -> SignedIn:
        return SignedIn(user.username, user.display_name, user.role, user.hall, user.window, user.township or "")

    def authenticate(self, username: str, password: str) -> SignedIn:
        """Sign in, or raise AuthError. Repeated failures lock the account for a minute."""
        now = self.ctx.now()
        with self.ctx.Session.begin() as session:
            user = session.get(User, username.strip())
            if user is None or not user.active:
                verify_password(password, hash_password("x"))  # same cost: no user enumeration
                raise AuthError("用户名或密码错误")
            if user.locked_until and dt.datetime.fromisoformat(user.locked_until) > now:
                wait = int((dt.datetime.fromisoformat(user.locked_until) - now).total_seconds()) + 1
                raise AuthError(f"密码错误次数过多，请{wait}秒后再试")
            if not verify_password(password, user.password_hash):
                user.failed_logins += 1
                if user.failed_logins >= MAX_FAILURES:
                    user.locked_until = (now + dt.timedelta(seconds=LOCK_SECONDS)).isoformat()
                    user.failed_logins = 0
                    raise AuthError(f"密码错误次数过多，账户锁定{LOCK_SECONDS}秒")
                left = MAX_FAILURES - user.failed_logins
                raise AuthError(f"用户名或密码错误（再错{left}次将锁定）")
            user.failed_logins = 0
            user.locked_until = ""
            return self._signed(user)
