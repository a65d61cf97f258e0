"""How tickets look in the console: names, ages, SLA badges, masking."""
from __future__ import annotations

import datetime as dt
import re
import time

from handlers.tickets import SUPPLEMENT
from knowledge.case_facts import answered, facts_of
from knowledge.categories import CATEGORIES

from ..privacy import mask_name, mask_phone
from ..queue import KINDS, STATUSES, SUPPLEMENT_LINE

KIND_NAMES = {**KINDS, "consult": "法律咨询"}
OPEN_STATUSES = ("new", "claimed", "answered", "referred")
DELIVERY_STATES = {
    "sent": ("已发到村民微信", "ok"),
    "passive": ("已随机器人下一条回复送达", "ok"),
    "waiting": ("暂未送达，排队等待重发（村民下次发消息时一定会收到）", "warn"),
    "sending": ("正在发送", "warn"),
}
PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind or "", kind or "")


def case_facts(d: dict) -> list[tuple[str, str]]:
    """The case facts the villager gave in the intake, as (question label, answer)."""
    return [(q.label, q.shown(value)) for q, value in answered(d.get("category"), facts_of(d))]


def category_name(code: str) -> str:
    return CATEGORIES.get(code or "", "其他" if code == "other" else (code or "未分类"))


def status_name(status: str) -> str:
    return STATUSES.get(status or "", status or "")


def fmt_time(ts, with_year: bool = False) -> str:
    try:
        t = dt.datetime.fromtimestamp(float(ts))
    except (TypeError, ValueError):
        return ""
    return t.strftime("%Y-%m-%d %H:%M" if with_year else "%m-%d %H:%M")


def age(ts, now: float | None = None) -> str:
    try:
        seconds = max(0, (now or time.time()) - float(ts))
    except (TypeError, ValueError):
        return ""
    if seconds < 3600:
        return f"{int(seconds // 60)}分钟"
    if seconds < 48 * 3600:
        return f"{int(seconds // 3600)}小时"
    return f"{int(seconds // 86400)}天"


def sla(d: dict, now: float | None = None) -> tuple[str, str]:
    """(label, css class): red when overdue, orange when the reply is due."""
    now = now or time.time()
    if d.get("status") in ("closed", "answered"):  # answered in time or not: the status badge says it
        return "", ""
    try:
        due, overdue = float(d.get("due") or 0), float(d.get("overdue_at") or 0)
    except ValueError:
        return "", ""
    if overdue and now >= overdue:
        return f"超时 {age(overdue, now)}", "overdue"
    if due and now >= due:
        return "已到答复时限", "due"
    if due:
        left = due - now
        return (f"剩 {int(left // 3600)} 小时" if left >= 3600 else f"剩 {int(left // 60)} 分钟"), "ok"
    return "", ""


def mask_text(text: str, name: str = "") -> str:
    """Free text with phone numbers and the villager's own name masked."""
    text = PHONE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(3), text or "")
    if name and len(name) >= 2:
        text = text.replace(name, mask_name(name))
    return text


def masked_fields(d: dict, revealed: bool) -> dict:
    """The ticket's personal data as the page may show it."""
    if revealed:
        return {"name": d.get("name", ""), "phone": d.get("phone", ""),
                "story": d.get("story", ""), "text": lambda s: s}
    name = d.get("name", "")
    return {"name": mask_name(name), "phone": mask_phone(d.get("phone", "")),
            "story": mask_text(d.get("story", ""), name), "text": lambda s: mask_text(s, name)}


# -- queue rows and the ticket's timeline -------------------------------------------------
SNIPPET = 40
ACTION_NAMES = {"filed": "提交申请", "supplement": "补充情况", "note": "内部备注", "purge": "清除个人信息"}


def snippet(d: dict, length: int = SNIPPET) -> str:
    """The first words of the story, masked (for a queue row)."""
    story = mask_text(" ".join((d.get("story") or "").split()), d.get("name", ""))
    return story if len(story) <= length else story[:length] + "…"


def referral_mark(d: dict) -> str:
    """"由和尚岭村调解员李调解转来" for a case a village mediator referred to the town."""
    source = d.get("referred_from", "")
    if not source.startswith("village:"):
        return ""
    return f"由{source.split(':', 1)[1]}调解员{d.get('referred_by', '')}转来"


def delivery_state(item: dict) -> tuple[str, str]:
    state = item.get("state", "")
    return DELIVERY_STATES.get(state, (state, "warn"))


def timeline(history: list[dict], deliveries: list[dict] | None, messages: list[dict], context: list[str],
             show) -> list[dict]:
    """One chronological list of what happened on a ticket: the villager's messages
    (after filing, and 补充), staff replies with their delivery state, notes and actions.

    history: the audit stream; deliveries: the outbox items of the replies (None when
    replies are not sent through an outbox: then the audit's 答复 entries stand for
    them); messages: TicketQueue.messages(); context: the conversation before filing
    (shown with 提交申请); show: the page's masking function for free text.
    Each item: {ts, side (villager | staff | system), what, who, text, lines, delivery}."""
    items = []
    for h in history:
        what, who, detail = h.get("what", ""), h.get("who", ""), h.get("detail", "")
        if what == "答复" and deliveries is not None:
            continue
        item = {"ts": h.get("ts"), "who": "村民" if who == "villager" else who, "text": show(detail),
                "what": ACTION_NAMES.get(what, what), "lines": [], "delivery": None,
                "side": "villager" if who == "villager" else ("system" if who == "system" else "staff"),
                "kind": {"note": "note", "supplement": "message", "答复": "reply"}.get(what, "action")}
        if what == "filed":  # the conversation before filing (补充 are appended to it: they have their own entries)
            item["lines"] = [show(line) for line in context if not line.startswith(SUPPLEMENT_LINE)]
        items.append(item)
    for m in messages:
        text = (m.get("text") or "").strip()
        if not text or text.startswith(SUPPLEMENT):  # a 补充 is its ticket's 补充情况 entry
            continue
        items.append({"ts": m.get("ts"), "who": "村民", "what": "发来消息", "text": show(text), "lines": [],
                      "delivery": None, "side": "villager", "kind": "message"})
    repliers = [h.get("who", "") for h in history if h.get("what") == "答复"]  # one per delivery, in order
    for i, d in enumerate(deliveries or ()):
        label, css = delivery_state(d)
        who = repliers[i] if i < len(repliers) else "工作人员"
        items.append({"ts": d.get("created"), "who": who, "what": "回复村民",
                      "text": d.get("text", ""), "lines": [], "side": "staff", "kind": "reply",
                      "delivery": {"label": label, "css": css, "error": d.get("error", ""),
                                   "attempts": d.get("attempts", "")}})

    def when(item):
        try:
            return float(item["ts"])
        except (TypeError, ValueError):
            return 0.0

    return sorted(items, key=when)
