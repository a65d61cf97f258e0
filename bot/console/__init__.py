"""The staff web console (/console/): judicial-office staff and village
mediators answer escalated requests from an office PC or a phone browser.

init_app(app) sets up Flask-Login (server-side sessions in Redis, see
staff.py), CSRF on every console POST (Flask-WTF), Flask-Limiter on the
app's Redis for the login limits, the blueprint, and the `flask staff` and
`flask report` commands.

Modules: base (blueprint, shared checks, the console's error pages), auth
(login, logout, password, login limits), views (queue, ticket), pages
(statistics, knowledge gaps, staff), admin (adding staff accounts), activities
(the 普法 activity register, the annual report's download), staff
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


# Blueprints whose requests the limiter's hooks skip: the WeChat webhook (authenticated by
# its signature, with its own per-openid limit) and the monitoring endpoints.
LIMITER_SKIPS = frozenset({"wechat", "health", "metrics"})


def _limiter_skips_webhook(app, limiter) -> None:
    """Flask-Limiter registers request hooks for the whole app; its limits are the
    staff pages', so its hooks are wrapped to return at once for the blueprints in
    LIMITER_SKIPS (about 0.2 ms per WeChat message) and run unchanged for every
    other request (console, drafts, and any route added later)."""
    from functools import wraps

    from flask import request

    def skipping(f, passthrough):
        @wraps(f)
        def hook(*args):
            if request.blueprint in LIMITER_SKIPS:
                return args[0] if passthrough else None
            return f(*args)
        return hook

    for hooks, passthrough in ((app.before_request_funcs, False), (app.after_request_funcs, True),
                               (app.teardown_request_funcs, False)):
        funcs = hooks.get(None, [])
        for i, f in enumerate(funcs):
            bound = getattr(f, "__self__", None) or (getattr(f, "args", None) or (None,))[0]
            if bound is limiter:
                funcs[i] = skipping(f, passthrough)


def init_app(app) -> None:
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address
    from flask_wtf.csrf import CSRFProtect

    from . import activities, admin, auth, base, cli, pages, views  # noqa: F401 - registers the routes
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
    _limiter_skips_webhook(app, limiter)
    staff = StaffStore(pufa.redis, pufa.keys, villages=pufa.settings.villages)
    login_limits = auth.LoginLimits(limiter, app.config.get("CONSOLE_LOGIN_LIMIT_ACCOUNT", auth.ACCOUNT_LIMIT),
                                    app.config.get("CONSOLE_LOGIN_LIMIT_ADDRESS", auth.ADDRESS_LIMIT),
                                    app.config.get("CONSOLE_LOGIN_DELAY_ACCOUNT", auth.ACCOUNT_DELAY))
    app.extensions["pufa_console"] = base.Console(staff=staff, limiter=limiter, csrf=csrf, login_limits=login_limits)
    auth.init_login(app, staff)
    app.register_blueprint(base.bp, url_prefix="/console")
    base.init_errors(app)
    if not any(rule.rule == "/" for rule in app.url_map.iter_rules()):
        app.add_url_rule("/", "console_home", lambda: redirect(url_for("console.queue")))
    cli.init_cli(app)
