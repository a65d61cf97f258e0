"""今日普法: one short FAQ entry a day, the same for everyone that day."""
from __future__ import annotations

import datetime as dt

from .base import EVENT, Context, Incoming

WORDS = {"今日普法", "普法", "每日普法", "今天普法"}
SHORT_BYTES = 1200


class DailyHandler:
    name = "daily"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        if msg.kind == EVENT:
            return msg.event == "click" and msg.event_key == "DAILY"
        return msg.text.strip() in WORDS

    def handle(self, msg: Incoming, ctx: Context) -> str:
        ctx.trace.update(intent="faq")
        entries = [e for e in ctx.services.kb.entries if len(e.reply_text().encode()) <= SHORT_BYTES]
        entries = entries or ctx.services.kb.entries
        if not entries:
            return "今天的普法内容还在准备中。"
        day = dt.date.fromtimestamp(ctx.now).toordinal()
        # Step through the list with a stride coprime to its length, so
        # consecutive days visit different categories.
        stride = 7 if len(entries) % 7 else 11
        entry = entries[(day * stride) % len(entries)]
        ctx.trace.update(category=entry.category, entry=entry.id)
        return f"【今日普法】{entry.question}\n\n{entry.reply_text()}"
