"""The villager's own requests: 我的申请 / 进度 lists them; 补充 … adds to the open one."""
from __future__ import annotations

import datetime as dt

from knowledge.categories import CATEGORIES

from .base import EVENT, TEXT, VOICE, Context, Incoming

STATUS_WORDS = {"我的申请", "进度", "查进度", "申请进度", "办理进度", "我的进度", "查询进度", "查看进度"}
SUPPLEMENT = ("补充", "补充材料", "补充说明")


def _when(ts: str) -> str:
    return dt.datetime.fromtimestamp(float(ts)).strftime("%m月%d日")


class MyTicketsHandler:
    name = "my_tickets"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        if msg.kind == EVENT:
            return msg.event == "click" and msg.event_key == "MY_TICKETS"
        return msg.text.strip() in STATUS_WORDS

    def handle(self, msg: Incoming, ctx: Context) -> str:
        ctx.trace.update(intent="tickets")
        tickets = ctx.services.queue.for_openid(ctx.openid)
        if not tickets:
            return "您还没有提交过申请。需要司法所或调解员帮忙，回复【人工】。"
        lines = ["您的申请："]
        for t in tickets[-10:]:
            d = t.data
            line = f"{t.number}（{_when(d['created'])}，{t.kind_name}，{CATEGORIES.get(d.get('category'), '')}）：{t.status_name}"
            if d.get("outcome"):
                line += f"，{t.villager_outcome}"
            if d.get("draft_status") == "drafted":
                line += "。起诉状已起草，请到司法所核对签字"
            lines.append(line)
        if any(t.data.get("draft_status") == "drafted" for t in tickets[-10:]):
            lines.append("起诉状签字后要交到法院：回复“网上立案”看怎么在手机上立案，回复“诉讼费”看交多少钱、交不起怎么办。")
        lines.append("想补充情况，回复“补充”加上内容，比如“补充 对方电话是……”。")
        return "\n".join(lines)


class SupplementHandler:
    name = "supplement"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        return msg.kind in (TEXT, VOICE) and msg.text.strip().startswith(SUPPLEMENT)

    def handle(self, msg: Incoming, ctx: Context) -> str:
        text = msg.text.strip()
        for word in sorted(SUPPLEMENT, key=len, reverse=True):
            if text.startswith(word):
                text = text[len(word):].lstrip(" ：:，,")
                break
        open_tickets = [t for t in ctx.services.queue.for_openid(ctx.openid) if t.is_open]
        if not open_tickets:
            return "您现在没有正在办理的申请，补充的内容没有地方放。需要帮忙请回复【人工】。"
        if not text:
            return "请在“补充”后面写上要补充的内容，比如“补充 对方住在林庄村”。"
        ticket = open_tickets[-1]
        ctx.services.queue.append(ticket.number, ctx.openid, text[:1000])
        ctx.trace.update(intent="tickets", ticket=ticket.number)
        return f"已补充到 {ticket.number}，工作人员会看到。"
