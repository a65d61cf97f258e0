"""How tickets look in the console: names, ages, SLA badges, masking."""
from __future__ import annotations

import datetime as dt
import re
import time

from knowledge.case_facts import answered, facts_of
from knowledge.categories import CATEGORIES

from ..privacy import mask_name, mask_phone
from ..queue import KINDS, STATUSES

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
