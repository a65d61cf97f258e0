"""Signing in and out, changing the password, and the login rate limits.

Failed logins are counted per account and per address with Flask-Limiter's
Redis-backed storage; past either limit, logins are refused (with a clear
message saying how long) even with the right password.
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
from limits import parse

from ..privacy import mask_name
from .base import bp, console
from .forms import ActionForm, LoginForm, PasswordForm
from .staff import StaffError

log = logging.getLogger(__name__)

ACCOUNT_LIMIT = "5 per 15 minutes"
ADDRESS_LIMIT = "20 per 15 minutes"


class LoginLimits:
    """Failed-login counters on a flask_limiter.Limiter's storage."""

    def __init__(self, limiter, per_account: str = ACCOUNT_LIMIT, per_address: str = ADDRESS_LIMIT):
        self.limiter = limiter
        self.account, self.address = parse(per_account), parse(per_address)

    @staticmethod
    def _acct(username: str) -> str:
        # Usernames are typed by anyone: hashed so the storage key stays plain.
        return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:24]

    def _checks(self, username: str, address: str):
        return ((self.account, "console-login-account", self._acct(username)),
                (self.address, "console-login-address", address or "-"))

    def locked_for(self, username: str, address: str) -> int:
        """Seconds until the next attempt is allowed; 0 when it is allowed now."""
        wait = 0
        for item, *ids in self._checks(username, address):
            if not self.limiter.limiter.test(item, *ids):
                reset = self.limiter.limiter.get_window_stats(item, *ids).reset_time
                wait = max(wait, math.ceil(reset - time.time()), 1)
        return wait

    def failed(self, username: str, address: str) -> None:
        for item, *ids in self._checks(username, address):
            self.limiter.limiter.hit(item, *ids)

    def succeeded(self, username: str) -> None:
        item, *ids = self._checks(username, "")[0]
        self.limiter.limiter.clear(item, *ids)


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
            wait = c.login_limits.locked_for(username, address)
            if wait:
                minutes = max(1, math.ceil(wait / 60))
                flash(f"登录失败次数太多，已暂时锁定。请 {minutes} 分钟后再试；"
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
                c.login_limits.succeeded(username)
                _start_session(user)
                log.info("console login", extra={"staff": mask_name(user.username)})
                if user.must_change:
                    flash("您的密码是管理员重置的临时密码，请先改成自己的新密码。", "info")
                    return redirect(url_for("console.password"))
                return redirect(_safe_next(request.args.get("next")))
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
    if ActionForm().validate_on_submit():
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
