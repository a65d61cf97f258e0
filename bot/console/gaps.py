"""Knowledge gaps: the questions the bot had no confident answer for,
grouped by similarity, and a YAML skeleton of an FAQ entry for a group.

Grouping is on the normalised text (GapLog's `text`); what staff see is the
question as the villager wrote it (`orig`, punctuation and wording kept; the
newest wording of each normalised text; older records have only `text`).
Identical texts are counted once; the distinct texts are scored
pairwise with rapidfuzz (`process.cdist`, the larger of a character ratio and
a jieba-token set ratio), then joined by a simple agglomeration: most-asked
first, each text joins the group whose leading text it is most similar to
(at or above THRESHOLD), or starts a new group.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from dataclasses import dataclass, field

import jieba
import numpy as np
import yaml
from rapidfuzz import fuzz, process

jieba.setLogLevel(logging.WARNING)

THRESHOLD = 60
MAX_DISTINCT = 1500  # distinct texts scored pairwise (1500² bytes)
STOP = frozenset("我 的 了 是 在 有 和 就 都 也 要 会 能 可以 怎么 怎么办 咋办 咋 什么 吗 不 他 她 们 这 那 个 吧 呢 啊 俺".split())
ANSWER_TODO = ("（待法律顾问填写：用村民听得懂的话写，分“法律规定 / 怎么办 / 要带 / 期限 / 注意”几段，"
               "不超过2048字节；写完删掉这句。）\n")


@dataclass
class Group:
    question: str  # the most-asked text, as asked
    count: int  # occurrences, duplicates included
    examples: list[str] = field(default_factory=list)  # distinct texts as asked, most asked first
    last_ts: int = 0
    best_score: float = 0.0  # the best FAQ score any of them got


def _tokens(text: str) -> str:
    return " ".join(w for w in jieba.lcut(text) if w.strip() and w not in STOP)


def group_gaps(items: list[dict], threshold: float = THRESHOLD) -> list[Group]:
    """items: GapLog.recent() dicts {text, orig, score, ts}, newest first. Groups, largest first."""
    counts: Counter = Counter()
    last: dict[str, int] = {}
    best: dict[str, float] = {}
    shown: dict[str, str] = {}  # normalised text -> its newest wording as asked
    for it in items:
        text = (it.get("text") or "").strip()
        if not text:
            continue
        counts[text] += 1
        shown.setdefault(text, (it.get("orig") or "").strip() or text)
        last[text] = max(last.get(text, 0), int(it.get("ts") or 0))
        best[text] = max(best.get(text, 0.0), float(it.get("score") or 0))
    distinct = [t for t, _ in counts.most_common(MAX_DISTINCT)]
    if not distinct:
        return []
    toks = [_tokens(t) for t in distinct]
    sim = np.maximum(
        process.cdist(distinct, distinct, scorer=fuzz.ratio, processor=None, dtype=np.uint8),
        process.cdist(toks, toks, scorer=fuzz.token_set_ratio, processor=None, dtype=np.uint8),
    )
    leaders: list[int] = []
    members: dict[int, list[int]] = {}
    for i in range(len(distinct)):
        if leaders:
            scores = sim[i, leaders]
            j = int(np.argmax(scores))
            if scores[j] >= threshold:
                members[leaders[j]].append(i)
                continue
        leaders.append(i)
        members[i] = [i]
    groups = []
    for lead in leaders:
        texts = [distinct[i] for i in members[lead]]
        groups.append(Group(question=shown[distinct[lead]], count=sum(counts[t] for t in texts),
                            examples=[shown[t] for t in texts],
                            last_ts=max(last[t] for t in texts), best_score=max(best[t] for t in texts)))
    groups.sort(key=lambda g: (-g.count, -g.last_ts))
    return groups


def guess_category(kb, text: str) -> str:
    try:
        matches = kb.search(text, limit=1)
    except Exception:  # noqa: BLE001 - a guess only
        return "procedure"
    return matches[0].entry.category if matches and matches[0].score > 0 else "procedure"


def next_id(kb, category: str) -> str:
    numbers = [int(m.group(1)) for e in getattr(kb, "entries", [])
               if (m := re.fullmatch(rf"{re.escape(category)}-(\d+)", e.id))]
    return f"{category}-{max(numbers, default=0) + 1:03d}"


class _Literal(str):
    """A string YAML writes as a | block."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Literal, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|"))


class _Flow(dict):
    """A mapping YAML writes on one line: {law: …, article: …}."""


_Dumper.add_representer(_Flow, lambda d, m: d.represent_mapping("tag:yaml.org,2002:map", m.items(),
                                                                  flow_style=True))


def draft_yaml(kb, question: str, examples: list[str], category: str, today: dt.date | None = None) -> str:
    """An FAQ entry skeleton in the knowledge base's format (knowledge/faq.py),
    for a legal adviser to complete, then `flask kb check`."""
    question = question.strip()
    if question and question[-1] not in "？?。":
        question += "？"
    alternates = [e.strip() for e in examples if e.strip() and e.strip() != question.rstrip("？?")][:8]
    while len(alternates) < 3:
        alternates.append(f"（待补充：村民的另一种问法 {len(alternates) + 1}）")
    entry = {
        "id": next_id(kb, category),
        "category": category,
        "question": question,
        "alternates": alternates,
        "answer": _Literal(ANSWER_TODO),
        "citations": [_Flow(law="（待填写：法律名称，如 民法典）", article=0)],
        "escalate": "none",
        "updated": today or dt.date.today(),
    }
    head = (f"# 草稿：来自知识缺口（{len(examples)} 种问法）。请法律顾问补全 answer 和 citations，\n"
            f"# 核对 escalate（none | mediation | litigation | legal_aid），放进 knowledge/faq/{category}.yaml，"
            "再运行 flask kb check。\n")
    body = yaml.dump([entry], Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000,
                     default_flow_style=False)
    return head + body
