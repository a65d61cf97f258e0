"""FAQ answers: match the question against the knowledge base and answer,
offer the closest three, or say honestly that the bot is not sure. A message
that asks two things gets the first answer and the second offered by number;
an entry's conditional notes are added when the message states their fact."""
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


def answer_entry(entry, ctx: Context, notes: tuple[int, ...] = ()) -> str:
    """The entry's answer (with the notes the villager's facts call for) and its
    legal basis and, where fitting, the offer of a person."""
    ctx.trace.update(intent="faq", category=entry.category, entry=entry.id)
    if notes:
        ctx.trace["notes"] = list(notes)
    if ctx.services.usage is not None:
        ctx.write_later(ctx.services.usage.count, entry.id, entry.category)
    text = entry.reply_text(tuple(notes))
    offer = OFFERS.get(entry.escalate)
    if offer:
        ctx.trace["escalate"] = True
        ctx.session["pick"] = {"type": "offer", "route": entry.escalate, "category": entry.category,
                               "entry": entry.id}
        return f"{text}\n\n{offer}"
    ctx.session.pop("pick", None)
    return text


def notes_of(pick: dict, entry_id: str) -> tuple[int, ...]:
    """The notes the message that made this list called for, for the entry picked from it."""
    return tuple((pick.get("notes") or {}).get(entry_id, ()))


def _notes_by_entry(entries, normalized: str) -> dict[str, list[int]]:
    """Note indexes only (no words of the message) are kept in the session."""
    out = {}
    for e in entries:
        found = e.notes_for(normalized) if normalized else ()
        if found:
            out[e.id] = list(found)
    return out


def suggestion_list(entries, ctx: Context, title: str, normalized: str = "") -> str:
    ctx.session["pick"] = {"type": "entry", "ids": [e.id for e in entries]}
    notes = _notes_by_entry(entries, normalized)
    if notes:
        ctx.session["pick"]["notes"] = notes
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
            entry = decision.best.entry
            text = answer_entry(entry, ctx, entry.notes_for(decision.normalized))
            if decision.also is not None:
                text = self.offer_second(text, entry, decision.also.entry, decision.normalized, ctx)
            return text
        if decision.kind == "suggest":
            ctx.trace.update(intent="faq", category=decision.best.entry.category)
            if ctx.services.gaps is not None and decision.normalized:  # not confident either
                ctx.write_later(ctx.services.gaps.record, decision.normalized, decision.best.score,
                                decision.asked)
            return suggestion_list([m.entry for m in decision.matches], ctx, "您是不是想问：", decision.normalized)
        record_gap(decision, ctx)
        ctx.trace["escalate"] = True
        ctx.session["pick"] = {"type": "category"}
        return UNSURE + "\n\n" + category_menu_lines()


    @staticmethod
    def offer_second(text: str, first, second, normalized: str, ctx: Context) -> str:
        """"您还问到：2. …": the second question's entry, picked with 2 from the same
        numbered-choice state as the did-you-mean list (1 shows the first answer again,
        or, after an offer of a person, still hands the case over)."""
        ctx.trace["also"] = second.id
        pick = ctx.session.get("pick")
        if pick and pick.get("type") == "offer":
            pick["also"] = second.id
        else:
            pick = ctx.session["pick"] = {"type": "entry", "ids": [first.id, second.id]}
        notes = _notes_by_entry([first, second], normalized)
        if notes:
            pick["notes"] = notes
        return f"{text}\n\n您还问到：2. {second.question}（回复2看答案）"


def record_gap(decision, ctx: Context) -> None:
    """No confident answer: remembered (without openid) for the knowledge-gap view."""
    ctx.trace.update(intent="unknown", category=None)
    ctx.session.pop("pick", None)
    if ctx.services.gaps is not None and decision.normalized:
        ctx.write_later(ctx.services.gaps.record, decision.normalized,
                        decision.best.score if decision.best else 0.0, decision.asked)


def category_menu_lines() -> str:
    lines = ["常见问题分类（回复数字）："]
    lines += [f"{i}. {name}" for i, name in enumerate(CATEGORIES.values(), 1)]
    return "\n".join(lines)
