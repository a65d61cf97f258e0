"""Command-line tools on `flask`: chat, kb, tickets, outbox."""
from __future__ import annotations

import datetime as dt
import json
import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from knowledge.categories import CATEGORIES

kb_cli = AppGroup("kb", help="The knowledge base: check, stats, ask.")
tickets_cli = AppGroup("tickets", help="The judicial-office queue from the terminal.")
outbox_cli = AppGroup("outbox", help="Staff replies waiting for delivery.")


def _pufa():
    return current_app.extensions["pufa"]


# -- chat ------------------------------------------------------------------------
@click.command("chat")
@with_appcontext
@click.option("--openid", default="o_demo_villager", show_default=True, help="The villager's openid.")
@click.option("--aes", is_flag=True, help="Safe mode: encrypt each message as WeChat does.")
@click.option("--url", default="", help="A running server's webhook URL (default: the app in-process).")
def chat_command(openid, aes, url):
    """Talk to the bot as a villager would, through the real webhook."""
    import logging

    logging.getLogger().setLevel(logging.WARNING)  # keep the conversation readable
    from .chat import WeChatSimulator
    from .config import DEMO_AES_KEY

    settings = _pufa().settings
    aes_key = settings.wechat_aes_key or (DEMO_AES_KEY if aes else "")
    if aes and not settings.wechat_aes_key:
        if url:
            raise click.UsageError("--aes with --url needs WECHAT_ENCODING_AES_KEY set to the server's key")
        settings.wechat_aes_key = aes_key
    sim = WeChatSimulator(settings.wechat_token, settings.wechat_app_id, openid, aes_key if aes else "")
    client = None if url else current_app.test_client()

    def post(xml: str) -> str | None:
        params, body = sim.sign(xml)
        if client is not None:
            resp = client.post("/wechat", query_string=params, data=body, content_type="text/xml")
            status, text = resp.status_code, resp.get_data(as_text=True)
        else:
            import requests

            resp = requests.post(url, params=params, data=body, headers={"Content-Type": "text/xml"}, timeout=10)
            status, text = resp.status_code, resp.text
        if status != 200:
            return f"[HTTP {status}] {text}"
        return sim.unwrap(params, text)

    click.echo(f"普法助手模拟聊天（openid={openid}{'，安全模式' if aes else ''}）。直接输入问题；"
               "“/关注” 模拟关注，“/语音 文字” 模拟语音，“/点击 KEY” 模拟菜单，"
               "“/扫码 SCENE” 模拟扫展点二维码（“/关注 SCENE” 为新用户扫码关注），Ctrl-D 退出。")
    first = post(sim.event("subscribe"))
    if first:
        click.echo(f"\n助手> {first}\n")
    while True:
        try:
            line = input("村民> ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            break
        line = line.strip()
        if not line:
            continue
        if line.startswith("/关注"):  # "/关注 SCENE": a new follower who scanned an exhibit's code
            scene = line[3:].strip()
            xml = sim.event("subscribe", key=f"qrscene_{scene}" if scene else "")
        elif line.startswith("/扫码"):
            xml = sim.event("SCAN", key=line[3:].strip())
        elif line.startswith("/语音"):
            xml = sim.voice(line[3:].strip() or None)
        elif line.startswith("/点击"):
            xml = sim.event("CLICK", key=line[3:].strip())
        else:
            xml = sim.text(line)
        reply = post(xml)
        click.echo(f"\n助手> {reply if reply is not None else '（没有回复）'}\n")


# -- kb ------------------------------------------------------------------------------
@kb_cli.command("check")
def kb_check():
    """Validate the knowledge base; non-zero exit with one line per problem."""
    from knowledge.validate import check, notices

    from knowledge import exhibits, quiz

    count, problems = check()
    questions, quiz_problems = quiz.check()
    scenes, exhibit_problems = exhibits.check()
    problems = [*problems, *quiz_problems, *exhibit_problems]
    for line in notices():  # superseded texts cited, entries under review: reported, not failed
        click.echo(line)
    for line in problems:
        click.echo(line)
    click.echo(f"{count} entries, {questions} quiz questions, {scenes} exhibits, {len(problems)} problem(s)",
               err=True)
    sys.exit(1 if problems else 0)


@kb_cli.command("stats")
def kb_stats():
    """Entries, alternates and citations per category."""
    from knowledge.faq import load_entries

    entries = load_entries()
    click.echo(f"{'category':<12}{'名称':<14}{'entries':>8}{'alternates':>12}{'citations':>11}")
    for code, name in CATEGORIES.items():
        es = [e for e in entries if e.category == code]
        click.echo(f"{code:<12}{name:<14}{len(es):>8}{sum(len(e.alternates) for e in es):>12}"
                   f"{sum(len(e.citations) for e in es):>11}")
    laws = sorted({c.law for e in entries for c in e.citations})
    click.echo(f"{'total':<26}{len(entries):>8}{sum(len(e.alternates) for e in entries):>12}"
               f"{sum(len(e.citations) for e in entries):>11}")
    click.echo(f"laws cited: {len(laws)} ({'、'.join(laws)})")


def ask_one(question: str) -> dict:
    """Run a question through the same router the webhook uses, with a throw-away session."""
    from handlers.base import TEXT, Context, Incoming

    pufa = _pufa()
    ctx = Context(openid="kb-ask", session={}, services=pufa.services)
    reply = pufa.responder.router.dispatch(Incoming(openid="kb-ask", kind=TEXT, text=question), ctx)
    if ctx.session.get("conv", {}).get("name") == "intake":  # an intake started: nothing is filed from here
        ctx.trace.setdefault("escalate", True)
    trace = ctx.trace
    return {
        "question": question,
        "intent": trace.get("intent", "unknown"),
        "escalate": bool(trace.get("escalate", False)),
        "category": trace.get("category"),
        "matches": trace.get("matches", []),
        "reply": reply,
    }


@kb_cli.command("ask")
@click.argument("question", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question.")
def kb_ask(question, as_json):
    """Ask questions (arguments, or one per stdin line) without touching any villager's data."""
    pufa = _pufa()
    pufa.services.usage = pufa.services.gaps = None  # asking from the terminal records nothing
    questions = [" ".join(question)] if question else (line.strip() for line in sys.stdin)
    for q in questions:
        if not q:
            continue
        result = ask_one(q)
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            click.echo(f"问：{q}\n[{result['intent']}] "
                       + ", ".join(f"{m['id']}({m['score']})" for m in result["matches"]))
            click.echo(f"答：{result['reply']}\n")


# -- tickets ---------------------------------------------------------------------------
def _fmt_time(ts: str) -> str:
    return dt.datetime.fromtimestamp(float(ts)).strftime("%Y-%m-%d %H:%M") if ts else ""


@tickets_cli.command("list")
@click.option("--status", type=click.Choice(["new", "claimed", "answered", "closed", "referred"]))
def tickets_list(status):
    """Open tickets, urgent first (closed only with --status closed)."""
    from .privacy import mask_name

    q = _pufa().services.queue
    tickets = q.list(status=status)
    if not status:
        tickets = [t for t in tickets if t.is_open]
    if not tickets:
        click.echo("没有申请。")
    for t in tickets:
        d = t.data
        click.echo(f"{t.number}  {'加急 ' if d.get('urgent') == '1' else ''}{t.kind_name}  {t.status_name}  "
                   f"{CATEGORIES.get(d.get('category'), '')}  {d.get('village', '')}  {mask_name(d.get('name'))}  "
                   f"{_fmt_time(d.get('created'))}")


@tickets_cli.command("show")
@click.argument("number")
def tickets_show(number):
    """One ticket with its conversation, deliveries and audit history."""
    from .console.present import case_facts
    from .privacy import mask_phone
    from .queue import TicketError

    q = _pufa().services.queue
    try:
        t = q.get(number)
    except TicketError as exc:
        raise click.ClickException(str(exc))
    d = t.data
    click.echo(f"{t.number}  {t.kind_name}  {t.status_name}  队列：{d['queue']}")
    for label, key in (("姓名", "name"), ("村", "village"), ("经过", "story"), ("对方", "other_party"),
                       ("对方是", "other_kind"), ("对方住址", "other_address"), ("经济情况", "hardship"),
                       ("期限", "deadline")):
        if d.get(key):
            click.echo(f"{label}：{d[key]}")
    for label, value in case_facts(d):
        click.echo(f"{label}：{value}")
    click.echo(f"手机：{mask_phone(d.get('phone'))}（控制台中可查看完整号码，查看会记录）")
    click.echo(f"类别：{CATEGORIES.get(d.get('category'), '')}  提交：{_fmt_time(d['created'])}  "
               f"应答复：{_fmt_time(d['due'])}")
    click.echo("对话：")
    for line in q.context(t.number):
        click.echo(f"  {line}")
    for item in q.deliveries(t.number):
        click.echo(f"答复（{item.get('state')}）：{item.get('text')}")
    click.echo("记录：")
    for h in q.history(t.number):
        click.echo(f"  {_fmt_time(h['ts'])} {h['who']} {h['what']} {h.get('detail', '')}")


@tickets_cli.command("reply")
@click.argument("number")
@click.argument("text", nargs=-1, required=True)
@click.option("--as", "who", default="司法所", show_default=True, help="Who replies (for the audit log).")
def tickets_reply(number, text, who):
    """Reply to the villager through WeChat (or the outbox when WeChat refuses)."""
    from .queue import TicketError

    q = _pufa().services.queue
    try:
        q.reply(number, who, " ".join(text))
    except TicketError as exc:
        raise click.ClickException(str(exc))
    item = q.deliveries(number)[-1]
    state = {"sent": "已通过微信客服消息发出", "waiting": "微信暂不能发送，已放入待发送队列，村民下次发消息时会先收到"}
    click.echo(f"{number}：{state.get(item['state'], item['state'])}")


@tickets_cli.command("notify")
@click.option("--consumer", default="cli", show_default=True)
@click.option("--once", is_flag=True, help="Handle what is there and stop.")
def tickets_notify(consumer, once):
    """Read new tickets from the stream (consumer group "notify") and announce them."""
    q = _pufa().services.queue
    while True:
        for entry_id, fields in q.read_new(consumer, block_ms=None if once else 5000):
            click.echo(f"新申请 {fields.get('number')}（{fields.get('kind')}，{fields.get('queue')}）")
            q.ack(entry_id)
        if once:
            break


# -- outbox -----------------------------------------------------------------------------
@outbox_cli.command("run")
@click.option("--once", is_flag=True, help="One pass, then stop.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
def outbox_run(once, interval):
    """Deliver waiting staff replies, with backoff, until stopped."""
    outbox = _pufa().services.queue.outbox
    while True:
        sent = outbox.run_once()
        if sent or once:
            click.echo(f"delivered {sent}, waiting {outbox.depth()}")
        if once:
            break
        time.sleep(interval)


# -- data retention ------------------------------------------------------------------
def parse_age(text: str) -> float:
    """'3y', '18m', '90d' → seconds."""
    units = {"y": 365 * 86400, "m": 30 * 86400, "d": 86400}
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise click.BadParameter("use a number and y/m/d, e.g. 3y, 18m, 90d")
    return int(text[:-1]) * units[text[-1]]


@click.command("purge")
@with_appcontext
@click.option("--older-than", "older_than", required=True, help="e.g. 3y: tickets closed longer ago than this.")
def purge_command(older_than):
    """Remove closed tickets' personal data (names, phones, case details) after the retention period."""
    seconds = parse_age(older_than)
    purged = _pufa().services.queue.purge_personal(seconds)
    from .queue import TicketQueue

    fields = "、".join(TicketQueue.PERSONAL_FIELDS)
    if purged:
        click.echo(f"已清除 {len(purged)} 件办结超过 {older_than} 的申请的个人信息"
                   f"（{fields}、对话记录、答复正文、openid）：{', '.join(purged)}")
    else:
        click.echo(f"没有办结超过 {older_than} 的申请需要清除。")


def init_app(app):
    app.cli.add_command(chat_command)
    app.cli.add_command(kb_cli)
    app.cli.add_command(tickets_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(purge_command)
    from .exhibits_cli import exhibits_cli

    app.cli.add_command(exhibits_cli)
