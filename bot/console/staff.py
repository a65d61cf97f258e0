"""Staff accounts and their server-side sessions, in Redis.

  {prefix}staff:{username}            hash: username, role (town | village), village,
                                       pw (werkzeug hash), disabled, must_change, admin
                                       (town staff who may add accounts, disable, reset),
                                       created, last_login
  {prefix}staff-index                 set of usernames
  {prefix}staff-session:{sha256(sid)} the username, with a sliding expiry
  {prefix}staff-sessions:{username}   set of that user's session hashes

The browser's (signed) Flask cookie holds only the random session id; the
session exists only while its Redis key does, so logout, a password change
or disabling an account ends it at once on every device.

Passwords (ASVS 2.1.1, 2.1.7): at least MIN_PASSWORD characters, not made of one
repeated piece, and not in data/common-passwords.txt.gz, the 20,000 most common
passwords of the Pwned Passwords breach corpus as Django ships it
(django/contrib/auth/common-passwords.txt.gz in the Django 5.2.8 wheel, BSD
licence; Django's source is Royce Williams' list from Pwned Passwords v2).
"""
from __future__ import annotations

import gzip
import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import redis
from werkzeug.security import check_password_hash, generate_password_hash

ROLES = {"town": "司法所工作人员", "village": "村调解员"}
SESSION_TTL = 12 * 3600  # idle time after which a session ends
MIN_PASSWORD = 12
BREACHED_LIST = Path(__file__).with_name("data") / "common-passwords.txt.gz"
TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read out over the phone
TEMP_LENGTH = 14
USERNAME_RE = re.compile(r"^[\w.\-]{2,32}$")
# Checked against when the account does not exist, so both paths take as long.
_DUMMY_HASH = generate_password_hash("not-a-password-" + secrets.token_hex(8))


class StaffError(Exception):
    """A refused account operation; the message is for the person at the keyboard."""


@dataclass
class Staff:
    """A staff member as Flask-Login sees it: get_id() is the session id."""

    username: str
    role: str
    village: str = ""
    disabled: bool = False
    must_change: bool = False
    admin: bool = False
    created: float = 0.0
    last_login: float = 0.0
    sid: str = ""

    # -- Flask-Login ------------------------------------------------------------
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return not self.disabled

    def get_id(self) -> str:
        return self.sid

    # -- roles ------------------------------------------------------------------------
    @property
    def is_town(self) -> bool:
        return self.role == "town"

    @property
    def is_admin(self) -> bool:
        """Town staff with the admin flag: add accounts, disable them, reset passwords."""
        return self.admin and self.is_town

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def own_queue(self) -> str:
        return "town" if self.is_town else f"village:{self.village}"

    def can_see(self, ticket_data: dict) -> bool:
        """Town staff see every ticket; a mediator only their village's mediation queue."""
        return self.is_town or ticket_data.get("queue") == self.own_queue


@lru_cache(maxsize=1)
def breached_passwords() -> frozenset[str]:
    with gzip.open(BREACHED_LIST, "rt", encoding="utf-8") as f:
        return frozenset(line.strip().lower() for line in f if line.strip())


def check_password_rules(password: str, username: str = "") -> None:
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"密码至少要 {MIN_PASSWORD} 位")
    # One piece repeated ("abcabcabcabc", "111111111111") or too few different characters.
    if len(set(password)) < 4 or re.fullmatch(r"(.+?)\1+", password):
        raise StaffError("密码太简单了，请换一个")
    if password.strip().lower() in breached_passwords():
        raise StaffError("这个密码在泄露过的常用密码名单里，别人很容易猜到，请换一个")
    if username and len(username) >= 3 and username.lower() in password.lower():
        raise StaffError("密码里不要包含用户名，请换一个")


def temporary_password() -> str:
    """A random temporary password (shown once; must be changed at the next login)."""
    while True:
        temp = "".join(secrets.choice(TEMP_ALPHABET) for _ in range(TEMP_LENGTH))
        try:
            check_password_rules(temp)
        except StaffError:
            continue
        return temp


def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class StaffStore:
    def __init__(self, r: redis.Redis, keys, villages: list[str] | None = None, clock=time.time):
        self.r, self.k, self.villages, self.clock = r, keys, list(villages or []), clock

    def _key(self, username: str) -> str:
        return self.k("staff", username)

    def _sessions(self, username: str) -> str:
        return self.k("staff-sessions", username)

    def _session(self, sid: str) -> str:
        return self.k("staff-session", _sid_hash(sid))

    # -- accounts -------------------------------------------------------------------------
    def add(self, username: str, role: str, password: str, village: str = "", admin: bool = False,
            must_change: bool = False) -> Staff:
        username = (username or "").strip()
        if not USERNAME_RE.match(username):
            raise StaffError("用户名要 2 到 32 个字，只能用汉字、字母、数字、点、横线、下划线")
        if role not in ROLES:
            raise StaffError("角色只能是 town（司法所）或 village（村调解员）")
        village = (village or "").strip()
        if role == "village":
            if not village:
                raise StaffError("村调解员要用 --village 指定所在村")
            if self.villages and village not in self.villages:
                raise StaffError(f"没有这个村：{village}。可选：{'、'.join(self.villages)}")
        else:
            village = ""
        if admin and role != "town":
            raise StaffError("只有司法所工作人员（town）可以当管理员")
        check_password_rules(password, username)
        data = {"username": username, "role": role, "village": village, "pw": generate_password_hash(password),
                "disabled": "0", "must_change": "1" if must_change else "0", "admin": "1" if admin else "0",
                "created": str(self.clock()), "last_login": ""}
        if not self.r.hsetnx(self._key(username), "username", username):
            raise StaffError(f"用户 {username} 已经存在")
        pipe = self.r.pipeline()
        pipe.hset(self._key(username), mapping=data)
        pipe.sadd(self.k("staff-index"), username)
        pipe.execute()
        return self.get(username)

    def add_with_temporary(self, username: str, role: str, village: str = "", admin: bool = False
                           ) -> tuple[Staff, str]:
        """A new account with a temporary password (shown once), to be changed at the first login."""
        temp = temporary_password()
        return self.add(username, role, temp, village=village, admin=admin, must_change=True), temp

    def set_admin(self, username: str, admin: bool) -> None:
        user = self.get(username)
        if not user:
            raise StaffError(f"没有用户 {username}")
        if admin and not user.is_town:
            raise StaffError("只有司法所工作人员（town）可以当管理员")
        self.r.hset(self._key(username), "admin", "1" if admin else "0")

    def get(self, username: str) -> Staff | None:
        d = self.r.hgetall(self._key(username)) if username else {}
        if not d or "role" not in d:
            return None
        return Staff(username=d["username"], role=d["role"], village=d.get("village", ""),
                     disabled=d.get("disabled") == "1", must_change=d.get("must_change") == "1",
                     admin=d.get("admin") == "1", created=float(d.get("created") or 0),
                     last_login=float(d.get("last_login") or 0))

    def all(self) -> list[Staff]:
        users = [self.get(u) for u in sorted(self.r.smembers(self.k("staff-index")))]
        return [u for u in users if u]

    def verify(self, username: str, password: str) -> Staff | None:
        """The account when the password is right and it is enabled; None otherwise."""
        stored = self.r.hget(self._key(username), "pw") if username else None
        ok = check_password_hash(stored or _DUMMY_HASH, password or "")
        user = self.get(username) if ok and stored else None
        return user if user and user.is_active else None

    def set_password(self, username: str, password: str, must_change: bool = False) -> None:
        """New password; every session of the account ends."""
        if not self.get(username):
            raise StaffError(f"没有用户 {username}")
        check_password_rules(password, username)
        self.r.hset(self._key(username), mapping={"pw": generate_password_hash(password),
                                                   "must_change": "1" if must_change else "0"})
        self.revoke_all(username)

    def reset_password(self, username: str) -> str:
        """A temporary password (shown once) that must be changed at the next login."""
        temp = temporary_password()
        self.set_password(username, temp, must_change=True)
        return temp

    def require_change(self, username: str) -> None:
        """The password must be changed at once (it no longer meets the rules)."""
        self.r.hset(self._key(username), "must_change", "1")

    def set_disabled(self, username: str, disabled: bool) -> None:
        if not self.get(username):
            raise StaffError(f"没有用户 {username}")
        self.r.hset(self._key(username), "disabled", "1" if disabled else "0")
        if disabled:
            self.revoke_all(username)

    # -- sessions -------------------------------------------------------------------------
    def open_session(self, username: str) -> str:
        sid = secrets.token_urlsafe(32)
        pipe = self.r.pipeline()
        pipe.set(self._session(sid), username, ex=SESSION_TTL)
        pipe.sadd(self._sessions(username), _sid_hash(sid))
        pipe.expire(self._sessions(username), SESSION_TTL * 2)
        pipe.hset(self._key(username), "last_login", str(self.clock()))
        pipe.execute()
        return sid

    def load_session(self, sid: str) -> Staff | None:
        """The signed-in staff member for this session id, or None when it has ended."""
        if not sid:
            return None
        username = self.r.get(self._session(sid))
        user = self.get(username) if username else None
        if not user or not user.is_active:
            return None
        self.r.expire(self._session(sid), SESSION_TTL)  # sliding: ends after SESSION_TTL idle
        user.sid = sid
        return user

    def close_session(self, sid: str) -> None:
        username = self.r.get(self._session(sid))
        pipe = self.r.pipeline()
        pipe.delete(self._session(sid))
        if username:
            pipe.srem(self._sessions(username), _sid_hash(sid))
        pipe.execute()

    def revoke_all(self, username: str) -> None:
        hashes = self.r.smembers(self._sessions(username))
        pipe = self.r.pipeline()
        for h in hashes:
            pipe.delete(self.k("staff-session", h))
        pipe.delete(self._sessions(username))
        pipe.execute()
