"""The queue and one ticket: read, claim, reply, note, refer, close, show contact."""
from __future__ import annotations

import logging
import time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from knowledge.categories import CATEGORIES

from ..privacy import hash_openid
from ..queue import OUTCOMES, STATUSES, TicketError
from . import present
from .base import bp, pufa
from .forms import ActionForm, CloseForm, NoteForm, ReplyForm

log = logging.getLogger(__name__)

CANNED = (
    "您好，您的申请我们已经收到，工作人员会尽快打电话联系您，请保持手机畅通。",
    "请您带上身份证和这件事的证据（借条、转账记录、聊天记录、照片、合同等），工作日到镇司法所来，我们当面帮您看。",
    "您的情况可以申请法律援助。我们会帮您把材料转给县法律援助中心，法律援助机构收到申请后七日内决定是否给予法律援助。",
    "这件事建议先调解，人民调解不收费。村调解员会联系双方，约时间一起谈。",
    "您也可以拨打 12348 公共法律服务热线咨询。",
)
STATUS_FILTERS = {"open": "未办结", **STATUSES, "all": "全部"}


def visible_ticket(number: str):
    """The ticket if this staff member may see it; 404 otherwise (not even whether it exists)."""
    try:
        t = pufa().services.queue.get(number)
    except TicketError:
        abort(404)
    if not current_user.can_see(t.data):
        log.warning("console: ticket outside the staff member's queue", extra={"ticket": t.number})
        abort(404)
    return t


def _scope_args() -> dict:
    """The queue or village this staff member may list (from the URL for town staff)."""
    queue_arg, village_arg = request.args.get("queue", ""), request.args.get("village", "")
    if current_user.is_town:
        return {"queue": queue_arg or None, "village": village_arg or None}
    if queue_arg and queue_arg != current_user.own_queue or village_arg and village_arg != current_user.village:
        abort(403)
    return {"queue": current_user.own_queue, "village": None}


@bp.get("/")
@login_required
def queue():
    scope = _scope_args()
    status = request.args.get("status", "open")
    if status not in STATUS_FILTERS:
        status = "open"
    kind = request.args.get("kind") or None
    category = request.args.get("category") or None
    text = (request.args.get("q") or "").strip()[:50] or None
    q = pufa().services.queue
    tickets = q.list(queue=scope["queue"], village=scope["village"], kind=kind, category=category, text=text,
                     limit=100000)
    counts = {s: 0 for s in STATUSES}
    for t in tickets:
        counts[t.data.get("status")] = counts.get(t.data.get("status"), 0) + 1
    if status == "open":
        tickets = [t for t in tickets if t.is_open]
    elif status != "all":
        tickets = [t for t in tickets if t.data.get("status") == status]
    counts_all = {"open": sum(v for k, v in counts.items() if k != "closed"), **counts, "all": sum(counts.values())}
    now = time.time()
    rows = [{"t": t, "sla": present.sla(t.data, now), "age": present.age(t.data.get("created"), now)}
            for t in tickets[:300]]
    args = {"kind": kind or "", "category": category or "", "q": text or "",
            "queue": request.args.get("queue", ""), "village": request.args.get("village", "")}
    villages = pufa().settings.villages
    queues = [("town", "司法所队列")] + [(f"village:{v}", f"{v}调解") for v in villages]
    return render_template("console/queue.html", rows=rows, total=len(tickets), counts=counts_all,
                           status=status, statuses=STATUS_FILTERS, kinds=present.KIND_NAMES,
                           categories=CATEGORIES, villages=villages, queues=queues,
                           args=args, link_args={k: v for k, v in args.items() if v})


def _render_ticket(t, revealed: bool = False, reply_text: str = "", status: int = 200):
    q = pufa().services.queue
    kb = pufa().services.kb
    d = t.data
    shown = present.masked_fields(d, revealed)
    faq_query = (request.args.get("faq") or "").strip()[:100]
    suggestions = []
    try:
        matches = kb.search(faq_query or d.get("story", "") or CATEGORIES.get(d.get("category"), ""), limit=5)
        suggestions = [m.entry for m in matches if m.score > 0]
    except Exception:  # noqa: BLE001 - suggestions are a convenience; the page works without them
        log.exception("faq suggestions failed")
    deliveries = []
    for item in q.deliveries(t.number):
        label, css = present.DELIVERY_STATES.get(item.get("state", ""), (item.get("state", ""), "warn"))
        deliveries.append({**item, "label": label, "css": css})
    reply_form = ReplyForm(formdata=None, text=reply_text)
    return render_template(
        "console/ticket.html", t=t, d=d, shown=shown, revealed=revealed,
        context=[shown["text"](line) for line in q.context(t.number)],
        history=list(reversed(q.history(t.number))), deliveries=deliveries, sla=present.sla(d),
        suggestions=suggestions, canned=CANNED, faq_query=faq_query,
        reply_form=reply_form, note_form=NoteForm(formdata=None), close_form=CloseForm(formdata=None),
        action_form=ActionForm(formdata=None), outcomes=OUTCOMES,
        can_claim=d.get("status") in ("new", "referred"),
        can_refer=d.get("queue", "").startswith("village:") and d.get("status") in ("new", "claimed", "answered"),
        is_open=t.is_open,
    ), status


@bp.get("/t/<number>")
@login_required
def ticket(number):
    return _render_ticket(visible_ticket(number))


@bp.post("/t/<number>/reveal")
@login_required
def reveal(number):
    """Show the full name and phone: answered in the POST response itself (nothing in the URL),
    and written to the ticket's audit history."""
    t = visible_ticket(number)
    pufa().services.queue.audit(t.number, current_user.username, "查看联系方式", "显示完整姓名和手机号")
    log.info("console: contact details shown", extra={"ticket": t.number})
    return _render_ticket(t, revealed=True)


def _act(number, action, done_message):
    t = visible_ticket(number)
    try:
        after = action(t)
    except TicketError as exc:
        flash(str(exc), "error")
    else:
        flash(done_message, "info")
        if after is not None and not current_user.can_see(after.data):  # a mediator's case went up to the town
            return redirect(url_for("console.queue"))
    return redirect(url_for("console.ticket", number=t.number))


@bp.post("/t/<number>/claim")
@login_required
def claim(number):
    return _act(number, lambda t: pufa().services.queue.claim(t.number, current_user.username),
                "已认领，这件事由您来办。")


@bp.post("/t/<number>/reply")
@login_required
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
    label, css = present.DELIVERY_STATES.get(item.get("state", ""), (item.get("state", ""), "warn"))
    flash(f"回复已提交：{label}。", "info" if css == "ok" else "warn")
    log.info("console reply", extra={"ticket": t.number, "openid_hash": hash_openid(t.data.get("openid", "")),
                                     "delivery": item.get("state")})
    return redirect(url_for("console.ticket", number=t.number))


@bp.post("/t/<number>/note")
@login_required
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
@login_required
def refer(number):
    return _act(number, lambda t: pufa().services.queue.refer(t.number, current_user.username),
                "已转到镇司法所。")


@bp.post("/t/<number>/close")
@login_required
def close(number):
    t = visible_ticket(number)
    form = CloseForm()
    if not form.validate_on_submit():
        flash("请先选择办结结果。", "error")
        return redirect(url_for("console.ticket", number=t.number))
    return _act(number, lambda t: pufa().services.queue.close(t.number, current_user.username, form.outcome.data),
                f"已办结：{form.outcome.data}。")
