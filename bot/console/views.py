"""The queue and one ticket: read, claim, reply, note, refer, close, reopen, assign, show contact.

Who may do what on a ticket:
- town staff: every ticket, every action (assign only to a town colleague);
- a village mediator: their village's mediation queue; a case they referred up to
  the town stays readable for them (read-only: no claim, reply, note or close).
Hard-to-undo actions (办结, 转司法所) need confirm=1 (confirm.py).
"""
from __future__ import annotations

import functools
import logging
import time

from flask import abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from knowledge.categories import CATEGORIES

from ..privacy import hash_openid
from ..queue import TicketError, outcomes_for, person_match, villager_outcome
from . import present
from .base import bp, console, pufa
from .confirm import ask, confirmed
from .forms import ActionForm, NoteForm, ReplyForm

log = logging.getLogger(__name__)

CANNED = (
    "您好，您的申请我们已经收到，工作人员会尽快打电话联系您，请保持手机畅通。",
    "请您带上身份证和这件事的证据（借条、转账记录、聊天记录、照片、合同等），工作日到镇司法所来，我们当面帮您看。",
    "您的情况可以申请法律援助。我们会帮您把材料转给县法律援助中心，法律援助机构收到申请后七日内决定是否给予法律援助。",
    "这件事建议先调解，人民调解不收费。村调解员会联系双方，约时间一起谈。",
    "您也可以拨打 12348 公共法律服务热线咨询。",
)
STATUS_FILTERS = {"open": "未办结", "new": "待处理", "claimed": "处理中", "answered": "已答复", "closed": "已办结",
                  "referred": "已转司法所", "all": "全部"}
REVEAL_SECONDS = 30 * 60  # a shown phone stays shown on this ticket's page for this long
REVEALS_KEPT = 20
ACTIONS = ("claim", "reply", "note", "refer", "close", "reveal", "reopen", "assign")
SEARCH_AUDIT = {"phone": "按手机号搜索", "name": "按姓名搜索"}


def role() -> str:
    return "town" if current_user.is_town else "village"


# -- access ---------------------------------------------------------------------------------
def visible_ticket(number: str):
    """The ticket if this staff member may work on it; 404 otherwise (not even whether it exists)."""
    t, read_only = readable_ticket(number)
    if read_only:
        log.warning("console: action on a referred ticket by the referring mediator", extra={"ticket": t.number})
        abort(404)
    return t


def readable_ticket(number: str):
    """(ticket, read_only): the referring mediator may still read a case they sent to the town."""
    try:
        t = pufa().services.queue.get(number)
    except TicketError:
        abort(404)
    if current_user.can_see(t.data):
        return t, False
    if not current_user.is_town and t.data.get("referred_from") == current_user.own_queue:
        return t, True
    log.warning("console: ticket outside the staff member's queue", extra={"ticket": t.number})
    abort(404)


def staff_post(view):
    """A ticket POST whose session has ended goes to the login page, which comes back
    to the ticket page (GET) afterwards; the page's script refills the reply box."""

    @functools.wraps(view)
    def wrapper(number, *args, **kwargs):
        if not current_user.is_authenticated:
            log.info("console: ticket action after the session ended, sent to login")
            flash("登录已过期，请重新登录。您写的回复保存在这个浏览器里，登录后会自动填回。", "info")
            return redirect(url_for("console.login", next=url_for("console.ticket", number=number)))
        return view(number, *args, **kwargs)

    return wrapper


# -- the queue -------------------------------------------------------------------------------
def _scope_args() -> dict:
    """The queue or village this staff member may list (from the URL for town staff)."""
    queue_arg, village_arg = request.values.get("queue", ""), request.values.get("village", "")
    if current_user.is_town:
        return {"queue": queue_arg or None, "village": village_arg or None}
    if queue_arg and queue_arg != current_user.own_queue or village_arg and village_arg != current_user.village:
        abort(403)
    return {"queue": current_user.own_queue, "village": None}


def _in_tab(t, tab: str) -> bool:
    d = t.data
    if tab == "referred":
        return bool(d.get("referred_from")) and (current_user.is_town or d["referred_from"] == current_user.own_queue)
    if tab == "all":
        return True
    if not current_user.can_see(d):  # a mediator's case now at the town: only under 已转司法所 and 全部
        return False
    if tab == "open":
        return t.is_open
    if tab == "new":  # a referred case waits for the town like a new one
        return d.get("status") in ("new", "referred")
    return d.get("status") == tab


def _audit_person_search(tickets, text: str) -> None:
    """A search that found tickets by the villager's phone or name shows who they
    belong to: written to each ticket's audit history like 查看联系方式 (never the query)."""
    q = pufa().services.queue
    found = [(t, person_match(t.data, text)) for t in tickets]
    found = [(t, how) for t, how in found if how]
    for t, how in found:
        q.audit(t.number, current_user.username, "按联系方式搜索", SEARCH_AUDIT[how])
    if found:
        log.info("console: queue search matched personal data",
                 extra={"tickets": len(found), "matched_on": sorted({how for _, how in found})})


def _arrival_queues() -> list[str]:
    if current_user.is_town:
        return ["town"] + [f"village:{v}" for v in pufa().settings.villages]
    return [current_user.own_queue]


@bp.route("/", methods=["GET", "POST"])
@login_required
def queue():
    """The queue with its tabs and filters. The search box is POSTed (its words may be a
    villager's name or phone: never in a URL) and then also finds tickets by the
    villager's phone (full or last 4 digits) or name, audited like a reveal; a GET ?q=
    searches the case fields only."""
    values = request.values
    scope = _scope_args()
    status = values.get("status", "open")
    if status not in STATUS_FILTERS:
        status = "open"
    kind = values.get("kind") or None
    category = values.get("category") or None
    posted = request.method == "POST"
    text = ((request.form if posted else request.args).get("q") or "").strip()[:50] or None
    q = pufa().services.queue
    filters = {"kind": kind, "category": category, "text": text, "person": bool(text) and posted, "limit": 100000}
    pool = q.list(queue=scope["queue"], village=scope["village"], **filters)
    if not current_user.is_town:  # and the cases this village sent up to the town
        have = {t.number for t in pool}
        pool += [t for t in q.list(referred_from=current_user.own_queue, **filters) if t.number not in have]
    counts = {tab: sum(1 for t in pool if _in_tab(t, tab)) for tab in STATUS_FILTERS}
    tickets = [t for t in pool if _in_tab(t, status)]
    now = time.time()
    shown = tickets[:300]
    if text and posted:
        _audit_person_search(shown, text)
    rows = [{"t": t, "sla": present.sla(t.data, now), "age": present.age(t.data.get("created"), now),
             "snippet": present.snippet(t.data), "referral": present.referral_mark(t.data),
             "away": not current_user.can_see(t.data)} for t in shown]
    args = {"kind": kind or "", "category": category or "", "q": text or "",
            "queue": values.get("queue", ""), "village": values.get("village", "")}
    villages = pufa().settings.villages
    queues = [("town", "司法所队列")] + [(f"village:{v}", f"{v}调解") for v in villages]
    return render_template("console/queue.html", rows=rows, total=len(tickets), counts=counts,
                           status=status, statuses=STATUS_FILTERS, kinds=present.KIND_NAMES,
                           categories=CATEGORIES, villages=villages, queues=queues, since=f"{now:.3f}",
                           args=args, link_args={k: v for k, v in args.items() if v and not (k == "q" and posted)})


@bp.get("/queue.json")
def queue_poll():
    """How many tickets arrived in this staff member's queues since `since` (the
    queue page's load time): new filings and, for the town, referrals."""
    if not current_user.is_authenticated:
        return jsonify(error="login"), 401
    since = request.args.get("since", type=float)
    if since is None:
        return jsonify(error="since"), 400
    return jsonify(arrived=pufa().services.queue.arrived_since(_arrival_queues(), since))


@bp.get("/faq.json")
def faq_search():
    """FAQ answers for the reply box (the ticket page searches without a reload)."""
    if not current_user.is_authenticated:
        return jsonify(error="login"), 401
    query = (request.args.get("q") or "").strip()[:100]
    return jsonify(results=[{"question": e.question, "text": e.reply_text()} for e in _faq(query)] if query else [])


def _faq(query: str, limit: int = 5) -> list:
    try:
        return [m.entry for m in pufa().services.kb.search(query, limit=limit) if m.score > 0]
    except Exception:  # noqa: BLE001 - suggestions are a convenience; the page works without them
        log.exception("faq suggestions failed")
        return []


# -- one ticket ------------------------------------------------------------------------------
def _revealed(number: str) -> bool:
    return float((session.get("revealed") or {}).get(number, 0)) > time.time()


def _remember_reveal(number: str) -> None:
    now = time.time()
    kept = {n: ts for n, ts in (session.get("revealed") or {}).items() if float(ts) > now}
    kept[number] = now + REVEAL_SECONDS
    session["revealed"] = dict(sorted(kept.items(), key=lambda kv: kv[1])[-REVEALS_KEPT:])


def _render_ticket(t, read_only: bool = False, reply_text: str = "", status: int = 200):
    q = pufa().services.queue
    d = t.data
    revealed = not read_only and _revealed(t.number)
    shown = present.masked_fields(d, revealed)
    faq_query = (request.args.get("faq") or "").strip()[:100]
    suggestions = _faq(faq_query or d.get("story", "") or CATEGORIES.get(d.get("category"), ""))
    deliveries = q.deliveries(t.number) if q.outbox is not None else None
    timeline = present.timeline(q.history(t.number), deliveries, q.messages(t.number), q.context(t.number),
                                shown["text"])
    colleagues = []
    if current_user.is_town and t.is_open and not read_only:
        colleagues = [u.username for u in console().staff.all()
                      if u.is_town and not u.disabled and u.username != d.get("assignee")]
    return render_template(
        "console/ticket.html", t=t, d=d, shown=shown, revealed=revealed, read_only=read_only,
        timeline=timeline, sla=present.sla(d), suggestions=suggestions, canned=CANNED, faq_query=faq_query,
        reply_form=ReplyForm(formdata=None, text=reply_text), note_form=NoteForm(formdata=None),
        action_form=ActionForm(formdata=None), outcomes=outcomes_for(d.get("kind", ""), role()),
        colleagues=colleagues, sent_draft=session.pop("sent_draft", ""),
        referral=present.referral_mark(d), reveal_minutes=REVEAL_SECONDS // 60,
        can_claim=not read_only and d.get("status") in ("new", "referred"),
        can_refer=not read_only and d.get("queue", "").startswith("village:")
        and d.get("status") in ("new", "claimed", "answered"),
        is_open=t.is_open,
    ), status


@bp.get("/t/<number>")
@login_required
def ticket(number):
    t, read_only = readable_ticket(number)
    return _render_ticket(t, read_only=read_only)


@bp.get(f"/t/<number>/<any({', '.join(ACTIONS)}):action>")
@login_required
def action_get(number, action):
    """An action's URL opened as a page (a bookmark, an old login link): the ticket."""
    return redirect(url_for("console.ticket", number=number))


@bp.post("/t/<number>/reveal")
@staff_post
def reveal(number):
    """Show the full name and phone on this ticket's page for REVEAL_SECONDS: remembered
    in the (signed) session cookie, never in the URL; audited once per showing."""
    t = visible_ticket(number)
    if not _revealed(t.number):
        pufa().services.queue.audit(t.number, current_user.username, "查看联系方式", "显示完整姓名和手机号")
        log.info("console: contact details shown", extra={"ticket": t.number})
    _remember_reveal(t.number)
    return redirect(url_for("console.ticket", number=t.number), 303)


def _act(t, action, done_message):
    try:
        action(t)
    except TicketError as exc:
        flash(str(exc), "error")
    else:
        flash(done_message, "info")
    return redirect(url_for("console.ticket", number=t.number))


def _refused(what: str, message: str):
    return render_template("console/error.html", title=what, message=message), 400


@bp.post("/t/<number>/claim")
@staff_post
def claim(number):
    t = visible_ticket(number)
    return _act(t, lambda t: pufa().services.queue.claim(t.number, current_user.username), "已认领，这件事由您来办。")


@bp.post("/t/<number>/reply")
@staff_post
def reply(number):
    t = visible_ticket(number)
    form = ReplyForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for e in errors:
                flash(e, "error")
        return _render_ticket(t, reply_text=form.text.data or "", status=400)
    q = pufa().services.queue
    try:
        q.reply(t.number, current_user.username, form.text.data)
    except TicketError as exc:
        flash(str(exc), "error")
        return _render_ticket(t, reply_text=form.text.data, status=409)
    item = (q.deliveries(t.number) or [{}])[-1]
    label, css = present.delivery_state(item)
    flash(f"回复已提交：{label}。", "info" if css == "ok" else "warn")
    session["sent_draft"] = (request.form.get("draft_id") or "")[:64]  # the page's script forgets this draft
    log.info("console reply", extra={"ticket": t.number, "openid_hash": hash_openid(t.data.get("openid", "")),
                                     "delivery": item.get("state")})
    return redirect(url_for("console.ticket", number=t.number))


@bp.post("/t/<number>/note")
@staff_post
def note(number):
    t = visible_ticket(number)
    form = NoteForm()
    if not form.validate_on_submit():
        flash("备注是空的。", "error")
    else:
        pufa().services.queue.note(t.number, current_user.username, form.text.data.strip())
        flash("备注已记下（村民看不到）。", "info")
    return redirect(url_for("console.ticket", number=t.number))


@bp.post("/t/<number>/refer")
@staff_post
def refer(number):
    t = visible_ticket(number)
    if not confirmed():
        return ask(f"确定把 {t.number} 转到镇司法所吗？转过去以后由司法所办理，您只能查看进度。", "确定转司法所",
                   url_for("console.ticket", number=t.number))
    return _act(t, lambda t: pufa().services.queue.refer(t.number, current_user.username),
                "已转到镇司法所。您还能在“已转司法所”里看到它的进度。")


@bp.post("/t/<number>/close")
@staff_post
def close(number):
    t = visible_ticket(number)
    name = request.form.get("outcome", "")
    fitting = [o.name for o in outcomes_for(t.data.get("kind", ""), role())]
    if not name:
        flash("请先选择办结结果。", "error")
        return redirect(url_for("console.ticket", number=t.number))
    if name not in fitting:
        log.warning("console: close refused, outcome does not fit the ticket",
                    extra={"ticket": t.number, "kind": t.data.get("kind"), "role": role()})
        return _refused("办结结果不对", f"这件事只能办结为：{'、'.join(fitting)}。请返回上一页重新选择。")
    if not confirmed():
        return ask(f"确定把 {t.number} 办结为“{name}”吗？村民查进度时会看到：已办结，{villager_outcome(name)}。",
                   "确定办结", url_for("console.ticket", number=t.number))
    return _act(t, lambda t: pufa().services.queue.close(t.number, current_user.username, name, role=role()),
                f"已办结：{name}。")


@bp.post("/t/<number>/reopen")
@staff_post
def reopen(number):
    t = visible_ticket(number)
    reason = " ".join((request.form.get("reason") or "").split())[:200]
    return _act(t, lambda t: pufa().services.queue.reopen(t.number, current_user.username, reason),
                "已重新打开，由您接着办。")


@bp.post("/t/<number>/assign")
@staff_post
def assign(number):
    t = visible_ticket(number)
    to = request.form.get("to", "")
    user = console().staff.get(to) if current_user.is_town else None
    if user is None or not user.is_town or user.disabled:
        log.warning("console: assign refused", extra={"ticket": t.number})
        return _refused("不能转交", "只能转交给司法所的在岗同事。请返回上一页重新选择。")
    return _act(t, lambda t: pufa().services.queue.assign(t.number, current_user.username, user.username),
                f"已转交给 {user.username}。")
