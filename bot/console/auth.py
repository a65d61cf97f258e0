"""Signing in and out, changing the password, and the login rate limits.

Failed logins are counted with Flask-Limiter's Redis-backed storage, in this
order (LoginLimits): per address first, then per account and address, then a
short per-account pace. Nobody can lock an account for long by guessing its
name: an attacker's failures lock out their own address; failures from many
addresses only slow the account down to one attempt per ACCOUNT_DELAY (and not
at all for a browser that has signed in to it before: the device cookie).
"""
from __future__ import annotations

import hashlib
import logging
import math
import os
import time
from urllib.parse import urlsplit

import redis
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse

from ..privacy import mask_name
from .base import bp, console
from .forms import ActionForm, LoginForm, PasswordForm
from .staff import StaffError, check_password_rules

log = logging.getLogger(__name__)

ACCOUNT_LIMIT = "5 per 15 minutes"  # failures for one account from one address; also when the pace starts
ADDRESS_LIMIT = "20 per 15 minutes"  # failures from one address, whatever the account
ACCOUNT_DELAY = "1 per 10 seconds"  # an account past ACCOUNT_LIMIT failures (from anywhere): its pace
DEVICE_COOKIE = "pufa_device"
DEVICE_MAX_AGE = 90 * 24 * 3600
DEVICE_ACCOUNTS = 5  # accounts remembered per browser (a shared office PC)


class LoginLimits:
    """Failed-login counters on a flask_limiter.Limiter's storage.

    1. per address (any account): past `per_address` failures that address waits;
    2. per account and address: past `per_account` failures that address waits for that account;
    3. per account from anywhere: past `per_account` failures in the window, one attempt per
       `delay` (a wait of seconds, never a lock-out); a browser that has signed in to the
       account before skips it. Attempts refused by the pace count against the address (1),
       so hammering an account from a few addresses soon locks out those addresses.
    """

    def __init__(self, limiter, per_account: str = ACCOUNT_LIMIT, per_address: str = ADDRESS_LIMIT,
                 delay: str = ACCOUNT_DELAY):
        self.limiter = limiter
        self.account, self.address, self.delay = parse(per_account), parse(per_address), parse(delay)

    @staticmethod
    def account_id(username: str) -> str:
        # Usernames are typed by anyone: hashed so the storage key stays plain.
        return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:24]

    def _wait(self, item, *ids) -> int:
        strategy = self.limiter.limiter
        if strategy.test(item, *ids):
            return 0
        return max(math.ceil(strategy.get_window_stats(item, *ids).reset_time - time.time()), 1)

    def locked_for(self, username: str, address: str, known_device: bool = False) -> int:
        """Seconds until the next attempt is allowed; 0 when it is allowed now (which, for an
        account under attack, uses up the pace's one attempt)."""
        acct, addr = self.account_id(username), address or "-"
        wait = max(self._wait(self.address, "console-login-address", addr),
                   self._wait(self.account, "console-login-pair", acct, addr))
        if wait or known_device:
            return wait
        strategy = self.limiter.limiter
        if not strategy.test(self.account, "console-login-account", acct):
            if not strategy.hit(self.delay, "console-login-delay", acct):
                strategy.hit(self.address, "console-login-address", addr)
                return self._wait(self.delay, "console-login-delay", acct)
        return 0

    def failed(self, username: str, address: str) -> None:
        acct, addr = self.account_id(username), address or "-"
        strategy = self.limiter.limiter
        strategy.hit(self.address, "console-login-address", addr)
        strategy.hit(self.account, "console-login-pair", acct, addr)
        strategy.hit(self.account, "console-login-account", acct)

    def succeeded(self, username: str, address: str) -> None:
        # Only this address's count for the account: the account-wide one keeps pacing an attacker.
        self.limiter.limiter.clear(self.account, "console-login-pair", self.account_id(username), address or "-")


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="pufa-console-device")


def _known_accounts() -> list[str]:
    """Accounts this browser has signed in to (the signed device cookie), newest first."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        ids = _device_serializer().loads(raw, max_age=DEVICE_MAX_AGE)
    except BadSignature:  # also SignatureExpired
        return []
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def _remember_device(resp, username: str):
    acct = LoginLimits.account_id(username)
    ids = [acct] + [i for i in _known_accounts() if i != acct]
    resp.set_cookie(DEVICE_COOKIE, _device_serializer().dumps(ids[:DEVICE_ACCOUNTS]), max_age=DEVICE_MAX_AGE,
                    path="/console/", httponly=True, samesite="Lax",
                    secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return resp


def client_address() -> str:
    """The browser's address for the per-address limit. Behind nginx every request
    comes from 127.0.0.1: set PUFA_TRUSTED_PROXIES=1 (the number of proxies in front
    of the app) to take it from X-Forwarded-For instead."""
    hops = current_app.config.get("CONSOLE_TRUSTED_PROXIES")
    if hops is None:
        hops = int(os.environ.get("PUFA_TRUSTED_PROXIES", "0") or 0)
    if hops > 0:
        chain = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.remote_addr or ""


def _safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/console/") and "\\" not in target:
            return target
    return url_for("console.queue")


def _meets_rules(password: str, username: str) -> bool:
    try:
        check_password_rules(password, username)
    except StaffError:
        return False
    return True


def _start_session(user) -> None:
    """A fresh server-side session for this browser (and a fresh cookie session)."""
    user.sid = console().staff.open_session(user.username)
    session.clear()
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("console.queue"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        c = console()
        username, address = form.username.data.strip(), client_address()
        try:
            known = LoginLimits.account_id(username) in _known_accounts()
            wait = c.login_limits.locked_for(username, address, known_device=known)
            if wait:
                after = f"{wait} 秒" if wait < 60 else f"{math.ceil(wait / 60)} 分钟"
                flash(f"登录失败次数太多，已暂时锁定。请 {after}后再试；"
                      "忘记密码请找司法所管理员重置。", "error")
                log.warning("console login locked out", extra={"staff": mask_name(username)})
                return render_template("console/login.html", form=form), 429
            user = c.staff.verify(username, form.password.data)
            if user is None:
                c.login_limits.failed(username, address)
                flash("用户名或密码不对（账号停用了也不能登录）。", "error")
                log.info("console login failed", extra={"staff": mask_name(username)})
                status = 401
            else:
                c.login_limits.succeeded(username, address)
                weak = not user.must_change and not _meets_rules(form.password.data, user.username)
                if weak:  # set before the rules were stricter: changed first, like a temporary one
                    c.staff.require_change(user.username)
                    user.must_change = True
                _start_session(user)
                log.info("console login", extra={"staff": mask_name(user.username)})
                if user.must_change:
                    flash("您的密码不符合现在的要求（至少12位，不能是常见密码），请先改一个新密码。" if weak
                          else "您的密码是管理员给的临时密码，请先改成自己的新密码。", "info")
                    return _remember_device(redirect(url_for("console.password")), user.username)
                return _remember_device(redirect(_safe_next(request.args.get("next"))), user.username)
        except redis.RedisError:
            log.exception("console login: redis unavailable")
            flash("系统暂时连不上数据库，请稍后再试。", "error")
            status = 503
    elif request.method == "POST":
        status = 400
    return render_template("console/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    # Exempt from the CSRF check (base._protect): a page left open past its token's
    # lifetime must still sign out. A forged cross-site POST carries no session cookie
    # (SameSite=Lax), and the worst it could do is sign someone out.
    if not ActionForm().validate_on_submit():
        log.info("console logout with a stale form", extra={"staff": mask_name(current_user.username)})
    console().staff.close_session(current_user.sid)
    logout_user()
    session.clear()
    flash("已退出登录。", "info")
    return redirect(url_for("console.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        staff = console().staff
        if not staff.verify(current_user.username, form.current.data):
            form.current.errors.append("现在的密码不对")
        elif form.new.data == form.current.data:
            form.new.errors.append("新密码不能和现在的一样")
        else:
            try:
                staff.set_password(current_user.username, form.new.data)  # ends every session
            except StaffError as exc:
                form.new.errors.append(str(exc))
            else:
                _start_session(staff.get(current_user.username))
                flash("密码已修改。其他手机、电脑上的登录都已退出。", "info")
                return redirect(url_for("console.queue"))
    return render_template("console/password.html", form=form), 400 if form.errors else 200


def init_login(app, staff_store) -> None:
    from flask_login import LoginManager

    lm = LoginManager()
    lm.login_view = "console.login"
    lm.login_message = "请先登录。"
    lm.login_message_category = "info"
    lm.session_protection = "basic"

    @lm.user_loader
    def _load(sid: str):
        try:
            return staff_store.load_session(sid)
        except redis.RedisError:
            log.warning("console session check skipped: redis unavailable")
            return None

    lm.init_app(app)
