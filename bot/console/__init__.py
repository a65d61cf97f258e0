"""The staff web console (/console/): judicial-office staff and village
mediators answer escalated requests from an office PC or a phone browser.

init_app(app) sets up Flask-Login (server-side sessions in Redis, see
staff.py), CSRF on every console POST (Flask-WTF), Flask-Limiter on the
app's Redis for the login limits, the blueprint, and the `flask staff` and
`flask report` commands.

Modules: base (blueprint, shared checks), auth (login, logout, password),
views (queue, ticket), pages (statistics, knowledge gaps, staff), staff
(accounts), stats, charts, gaps, present, forms, cli.
"""
from __future__ import annotations

import os

from flask import redirect, url_for


def limiter_storage_uri(pufa) -> str:
    """The app's own Redis, as a limits storage URI."""
    if pufa.settings.redis_url:
        return pufa.settings.redis_url
    path = pufa.redis.connection_pool.connection_kwargs.get("path")
    if not path:
        raise RuntimeError("console: cannot find the Redis socket for the rate limiter")
    return "redis+unix://" + os.path.abspath(path)


def init_app(app) -> None:
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address
    from flask_wtf.csrf import CSRFProtect

    from . import auth, base, cli, pages, views  # noqa: F401 - registers the routes
    from .staff import StaffStore

    pufa = app.extensions["pufa"]
    production = pufa.settings.production
    # The console checks CSRF itself on each of its POSTs (base._protect); the
    # WeChat webhook is authenticated by its signature instead.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 12 * 3600)
    app.config.setdefault("WTF_CSRF_SSL_STRICT", production)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax",
    )
    app.config.setdefault("SESSION_COOKIE_SECURE", production)
    app.config.setdefault("REMEMBER_COOKIE_SECURE", production)
    if production:
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True

    csrf = CSRFProtect(app)
    limiter = Limiter(
        get_remote_address, app=app, storage_uri=limiter_storage_uri(pufa),
        # Under the app's key prefix: isolated per deployment (and per test).
        storage_options={"key_prefix": pufa.keys("ratelimit")}, key_prefix=pufa.keys("ratelimit"),
        strategy="fixed-window",
    )
    staff = StaffStore(pufa.redis, pufa.keys, villages=pufa.settings.villages)
    login_limits = auth.LoginLimits(limiter, app.config.get("CONSOLE_LOGIN_LIMIT_ACCOUNT", auth.ACCOUNT_LIMIT),
                                    app.config.get("CONSOLE_LOGIN_LIMIT_ADDRESS", auth.ADDRESS_LIMIT))
    app.extensions["pufa_console"] = base.Console(staff=staff, limiter=limiter, csrf=csrf, login_limits=login_limits)
    auth.init_login(app, staff)
    app.register_blueprint(base.bp, url_prefix="/console")
    if not any(rule.rule == "/" for rule in app.url_map.iter_rules()):
        app.add_url_rule("/", "console_home", lambda: redirect(url_for("console.queue")))
    cli.init_cli(app)
