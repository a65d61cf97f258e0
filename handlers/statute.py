"""Statute look-up: "民法典第1079条", "法律援助法第三十一条", "劳动合同法 82条"
→ the article's text (paged by the reply layer when long)."""
from __future__ import annotations

import cn2an

from knowledge.statutes import parse_reference

from .base import EVENT, Context, Incoming


class StatuteHandler:
    name = "statute"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        if msg.kind == EVENT or len(msg.text) > 40:
            return False
        return parse_reference(msg.text, ctx.services.statutes) is not None

    def handle(self, msg: Incoming, ctx: Context) -> str:
        law, number = parse_reference(msg.text, ctx.services.statutes)
        ctx.trace.update(intent="statute", category=None)
        article = ctx.services.statutes.get(law, number)
        if article is None:
            count = ctx.services.statutes.article_count(law)
            return (f"《{law}》里没有第{cn2an.an2cn(number)}条（我们收录的文本共{count}条）。"
                    f"请核对条号，比如回复“{law}第1条”。")
        statutes = ctx.services.statutes
        version = statutes.version(law)
        label, name = (version.label, f"，{version.name}") if version and version.name else ("", "")
        superseded = statutes.superseded(law)
        warning = f"\n\n{superseded.notice(law)}" if superseded else ""
        return (f"{article.label}{label}\n{article.text}{warning}\n\n"
                f"（以上为法律原文{name}。看不懂可以直接打字问我，或回复【人工】。）")
