"""The console blueprint and what every page shares: CSRF on every POST,
the forced password change, town-only and admin-only pages, security headers,
and the console's own Chinese error pages (init_errors: every 4xx/5xx under
/console/, matched route or not; the WeChat webhook keeps its own answers)."""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from . import present

log = logging.getLogger(__name__)

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


def _allowed_only(who):
    """A view decorator: sign-in first, then 403 unless who(current_user)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not who(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


# Pages for the town's judicial office only (403 for village mediators).
town_required = _allowed_only(lambda user: user.is_town)
# Staff management: town staff with the admin flag only (403 for everyone else).
admin_required = _allowed_only(lambda user: user.is_admin)


# POSTs without the CSRF check: signing out must work from a page whose token has expired.
CSRF_EXEMPT = frozenset({"console.logout"})


@bp.before_request
def _protect():
    # Every POST of the console carries a CSRF token (the WeChat webhook is
    # signed instead, so the app-wide check is off and this one is on).
    if (request.method not in ("GET", "HEAD", "OPTIONS") and request.endpoint not in CSRF_EXEMPT
            and current_app.config.get("WTF_CSRF_ENABLED", True)):
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


ERRORS = {  # status: (title, message) for staff; anything else gets the 400 or 500 wording
    400: ("请求不完整", "提交的内容不完整或格式不对，没有保存。请返回上一页检查后再试。"),
    403: ("没有权限", "您的账号不能查看这个页面或做这个操作。村调解员只能办理本村的调解申请；"
                      "添加、停用账号和重置密码要由司法所管理员来做。"),
    404: ("没有找到", "没有这个页面或申请（也可能不属于您的队列）。"),
    405: ("不能这样打开", "这个地址不能直接打开（可能是登录过期后跳到了这里）。请回到申请队列，重新打开要办的申请。"),
    413: ("内容太长", "提交的内容太长，超过了系统的上限，没有保存。请删减一些后再提交。"),
    429: ("操作太频繁", "操作太频繁了，请稍等一会儿再试。"),
    500: ("系统出错了", "系统出了点问题，刚才的操作可能没有完成。请稍后再试；一直这样的话，请联系管理员。"),
    503: ("系统暂时不可用", "系统暂时连不上数据库或正在维护，请稍后再试。"),
}
CSRF_ERROR = ("页面已过期", "这个页面已经过期（或表单不完整），请返回上一页，刷新后再试一次。")


def is_console_request() -> bool:
    return request.path == "/console" or request.path.startswith("/console/")


def error_page(exc):
    """The console's page for an HTTP error, with its security headers."""
    code = exc.code if isinstance(exc, HTTPException) and exc.code else 500
    if isinstance(exc, CSRFError):
        title, message = CSRF_ERROR
    else:
        title, message = ERRORS.get(code) or ERRORS[500 if code >= 500 else 400]
    if code >= 500:
        log.error("console error page", extra={"status": code, "path": request.path})
    elif code != 404:
        log.info("console error page", extra={"status": code, "path": request.path,
                                               "reason": str(getattr(exc, "description", "") or "")[:120]})
    try:  # outside the blueprint (no route matched) its context processor has not run
        body = render_template("console/error.html", title=title, message=message, **_helpers())
    except Exception:  # noqa: BLE001 - the error page itself must not fail (e.g. Redis is down)
        log.exception("console error page could not be rendered")
        body = (f"<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>{title}</title>"
                f"<h1>{title}</h1><p>{message}</p><p><a href=\"/console/\">回到申请队列</a></p></html>")
    resp = current_app.make_response((body, code))
    if isinstance(exc, HTTPException):
        for name, value in exc.get_headers():  # e.g. Allow on a 405, Retry-After on a 429
            if name.lower() != "content-type":
                resp.headers[name] = value
    return _headers(resp)


# The console blueprint's (and the drafts blueprint's) own handlers.
_csrf_error = _forbidden = _not_found = error_page
bp.register_error_handler(HTTPException, error_page)


def init_errors(app) -> None:
    """App-wide: every HTTP error of a /console/ path gets the console's page (also when no
    route matched: /console/nonexistent, a wrong method); other paths keep Flask's default."""

    def handler(exc):
        if not is_console_request():
            return exc
        return error_page(exc)

    app.register_error_handler(HTTPException, handler)
    app.register_error_handler(InternalServerError, handler)


def nav_items():
    items = [("console.queue", "申请队列")]
    if current_user.is_authenticated and current_user.is_town:
        items += [("console.stats_page", "统计"), ("console.gaps", "知识缺口"), ("console.staff_list", "人员")]
    items.append(("console.password", "改密码"))
    return items


@bp.context_processor
def _helpers():
    return {"present": present, "nav_items": nav_items}
