"""FAQ answers: match the question against the knowledge base and answer,
offer the closest three, or say honestly that the bot is not sure."""
from __future__ import annotations

from knowledge.categories import CATEGORIES

from .base import TEXT, VOICE, Context, Incoming
from .texts import EMPTY_TEXT

OFFERS = {
    "mediation": "如果需要村里的人民调解员帮您调解，回复 1，我把您的事转给调解员。",
    "litigation": "如果需要司法所帮您看看怎么起诉、代写文书，回复 1 把您的事转给司法所。",
    "legal_aid": "如果想申请免费的法律援助，回复 1 把您的事转给司法所。",
}
UNSURE = (
    "抱歉，这个问题我还没有把握回答准确，不想给您说错。\n"
    "您可以：\n"
    "1. 换个说法再问一次，说得具体些（比如“邻居盖房挡了我家窗户”）；\n"
    "2. 回复【菜单】按分类找问题；\n"
    "3. 回复【人工】把问题转给司法所工作人员，他们会通过公众号回复您；\n"
    "4. 拨打 12348 公共法律服务热线。"
)


def answer_entry(entry, ctx: Context) -> str:
    """The entry's answer with its legal basis and, where fitting, the offer of a person."""
    ctx.trace.update(intent="faq", category=entry.category, entry=entry.id)
    if ctx.services.usage is not None:
        ctx.write_later(ctx.services.usage.count, entry.id, entry.category)
    text = entry.reply_text()
    offer = OFFERS.get(entry.escalate)
    if offer:
        ctx.trace["escalate"] = True
        ctx.session["pick"] = {"type": "offer", "route": entry.escalate, "category": entry.category,
                               "entry": entry.id}
        return f"{text}\n\n{offer}"
    ctx.session.pop("pick", None)
    return text


def suggestion_list(entries, ctx: Context, title: str) -> str:
    ctx.session["pick"] = {"type": "entry", "ids": [e.id for e in entries]}
    lines = [title]
    lines += [f"{i}. {e.question}" for i, e in enumerate(entries, 1)]
    lines.append("回复数字看答案。都不是？请换个说法，或回复【人工】转司法所。")
    return "\n".join(lines)


class FaqHandler:
    """Takes any text (typed or recognised voice): the last handler in line."""

    name = "faq"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        return msg.kind in (TEXT, VOICE)

    def handle(self, msg: Incoming, ctx: Context) -> str:
        if not msg.text.strip():
            return EMPTY_TEXT
        return self.respond(ctx.services.kb.decide(msg.text), ctx)

    def respond(self, decision, ctx: Context) -> str:
        ctx.trace["confidence"] = decision.kind
        ctx.trace["matches"] = [
            {"id": m.entry.id, "category": m.entry.category, "score": m.score, "question": m.entry.question}
            for m in decision.matches
        ]
        if decision.kind == "answer":
            return answer_entry(decision.best.entry, ctx)
        if decision.kind == "suggest":
            ctx.trace.update(intent="faq", category=decision.best.entry.category)
            if ctx.services.gaps is not None and decision.normalized:  # not confident either
                ctx.write_later(ctx.services.gaps.record, decision.normalized, decision.best.score)
            return suggestion_list([m.entry for m in decision.matches], ctx, "您是不是想问：")
        record_gap(decision, ctx)
        ctx.trace["escalate"] = True
        ctx.session["pick"] = {"type": "category"}
        return UNSURE + "\n\n" + category_menu_lines()


def record_gap(decision, ctx: Context) -> None:
    """No confident answer: remembered (without openid) for the knowledge-gap view."""
    ctx.trace.update(intent="unknown", category=None)
    ctx.session.pop("pick", None)
    if ctx.services.gaps is not None and decision.normalized:
        ctx.write_later(ctx.services.gaps.record, decision.normalized,
                        decision.best.score if decision.best else 0.0)


def category_menu_lines() -> str:
    lines = ["常见问题分类（回复数字）："]
    lines += [f"{i}. {name}" for i, name in enumerate(CATEGORIES.values(), 1)]
    return "\n".join(lines)
