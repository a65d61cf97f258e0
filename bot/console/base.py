"""The console blueprint and what every page shares: CSRF on every POST,
the forced password change, town-only pages, security headers."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from . import present

bp = Blueprint("console", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")


@dataclass
class Console:
    """app.extensions['pufa_console']."""

    staff: object  # StaffStore
    limiter: object  # flask_limiter.Limiter
    csrf: object  # flask_wtf.csrf.CSRFProtect
    login_limits: object  # auth.LoginLimits


def console() -> Console:
    return current_app.extensions["pufa_console"]


def pufa():
    return current_app.extensions["pufa"]


def town_required(view):
    """Pages for the town's judicial office only (403 for village mediators)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not current_user.is_town:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


@bp.before_request
def _protect():
    # Every POST of the console carries a CSRF token (the WeChat webhook is
    # signed instead, so the app-wide check is off and this one is on).
    if request.method not in ("GET", "HEAD", "OPTIONS") and current_app.config.get("WTF_CSRF_ENABLED", True):
        console().csrf.protect()
    if (current_user.is_authenticated and current_user.must_change
            and request.endpoint not in ("console.password", "console.logout", "console.static")):
        return redirect(url_for("console.password"))
    return None


@bp.after_request
def _headers(resp):
    if request.endpoint != "console.static":
        resp.headers["Cache-Control"] = "no-store"
    resp.headers.setdefault("X-Frame-Options", "DENY")
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    resp.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    return resp


@bp.errorhandler(CSRFError)
def _csrf_error(exc):
    return render_template("console/error.html", title="页面已过期",
                           message="这个页面已经过期（或表单不完整），请返回上一页，刷新后再试一次。"), 400


@bp.errorhandler(403)
def _forbidden(exc):
    return render_template("console/error.html", title="没有权限",
                           message="您的账号不能查看这个页面。村调解员只能办理本村的调解申请。"), 403


@bp.errorhandler(404)
def _not_found(exc):
    return render_template("console/error.html", title="没有找到",
                           message="没有这个页面或申请（也可能不属于您的队列）。"), 404


def nav_items():
    items = [("console.queue", "申请队列")]
    if current_user.is_authenticated and current_user.is_town:
        items += [("console.stats_page", "统计"), ("console.gaps", "知识缺口"), ("console.staff_list", "人员")]
    items.append(("console.password", "改密码"))
    return items


@bp.context_processor
def _helpers():
    return {"present": present, "nav_items": nav_items}
