"""Question matching: a villager's question → the FAQ entries it most likely means.

Every FAQ question and alternate is normalised (knowledge.normalize) and kept
in three forms: characters, jieba tokens, and toneless pinyin (so homophone
typos such as 离昏/离婚 still meet). A query is scored against all of them at
once with rapidfuzz's vectorised `process.cdist`, the three scores are
blended, and each entry keeps its best-scoring text.

`KnowledgeBase.decide()` turns scores into one of three outcomes:
  answer  – a confident best match with a clear gap to the runner-up;
  suggest – a middle band or a close runner-up: offer the top three;
  none    – nothing good: say so honestly.
The thresholds are tuned on tests/data/heldout.yaml (see bench/tune.py).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import jieba
import numpy as np
from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz, process

from .categories import CATEGORIES
from .faq import Entry, load_entries
from .normalize import load_synonyms, normalize

jieba.setLogLevel(logging.WARNING)
log = logging.getLogger(__name__)

# Blend weights for the three views and the decision thresholds, from bench/tune.py.
WEIGHTS = (0.4, 0.3, 0.3)  # characters, tokens, pinyin
ANSWER_AT = 72.0  # best score needed to answer directly
GAP = 4.0  # … and its lead over the best other entry
SUGGEST_AT = 52.0  # below this, nothing is offered
STOP_TOKENS = frozenset("我 的 了 是 在 有 和 就 都 也 要 会 能 可以 怎么 怎么办 什么 吗 不 他 她 它 们 这 那 个".split())


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float


@dataclass(frozen=True)
class Decision:
    kind: str  # answer | suggest | none
    matches: list[Match]
    normalized: str

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


_jieba_ready = False


def _prepare_jieba() -> None:
    global _jieba_ready
    if not _jieba_ready:
        for variant, canonical in load_synonyms():
            jieba.add_word(canonical)
        for word in ("宅基地", "承包地", "抚养权", "赡养费", "抚养费", "法律援助", "起诉状", "彩礼",
                     "劳动仲裁", "工伤", "诉讼时效", "人身安全保护令", "冷静期", "司法所"):
            jieba.add_word(word)
        _jieba_ready = True


def tokens(text: str) -> str:
    _prepare_jieba()
    return " ".join(t for t in jieba.lcut(text) if t.strip() and t not in STOP_TOKENS)


def pinyin(text: str) -> str:
    return " ".join(lazy_pinyin(text, style=Style.NORMAL, errors="default"))


def views(text: str) -> tuple[str, str, str]:
    norm = normalize(text)
    return norm, tokens(norm), pinyin(norm)


class KnowledgeBase:
    """The FAQ entries with their search index, built once at start-up."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self.by_id = {e.id: e for e in entries}
        self.by_category: dict[str, list[Entry]] = {c: [] for c in CATEGORIES}
        for e in entries:
            self.by_category.setdefault(e.category, []).append(e)
        owner: list[int] = []
        chars: list[str] = []
        toks: list[str] = []
        pys: list[str] = []
        for i, e in enumerate(entries):
            for text in (e.question, *e.alternates):
                c, t, p = views(text)
                owner.append(i)
                chars.append(c)
                toks.append(t)
                pys.append(p)
        self._owner = np.asarray(owner, dtype=np.int64)
        self._chars, self._toks, self._pys = chars, toks, pys

    def __len__(self) -> int:
        return len(self.entries)

    def scores(self, query: str) -> tuple[np.ndarray, str]:
        """Best blended score per entry (0–100), and the normalised query."""
        qc, qt, qp = views(query)
        if not qc:
            return np.zeros(len(self.entries)), qc
        w_c, w_t, w_p = WEIGHTS
        # processor=None: every text is already normalised by views().
        s = w_c * process.cdist([qc], self._chars, scorer=fuzz.WRatio, processor=None, dtype=np.float32)[0]
        s += w_t * process.cdist([qt], self._toks, scorer=fuzz.token_set_ratio, processor=None, dtype=np.float32)[0]
        s += w_p * process.cdist([qp], self._pys, scorer=fuzz.WRatio, processor=None, dtype=np.float32)[0]
        per_entry = np.zeros(len(self.entries), dtype=np.float32)
        np.maximum.at(per_entry, self._owner, s)
        return per_entry, qc

    def search(self, query: str, limit: int = 3) -> list[Match]:
        per_entry, _ = self.scores(query)
        return self._top(per_entry, limit)

    def _top(self, per_entry: np.ndarray, limit: int) -> list[Match]:
        if not len(per_entry):
            return []
        k = min(limit, len(per_entry))
        idx = np.argpartition(-per_entry, k - 1)[:k]
        idx = idx[np.argsort(-per_entry[idx], kind="stable")]
        return [Match(self.entries[i], round(float(per_entry[i]), 1)) for i in idx]

    def decide(self, query: str) -> Decision:
        per_entry, norm = self.scores(query)
        matches = self._top(per_entry, 3)
        if not norm or not matches or matches[0].score < SUGGEST_AT:
            return Decision("none", matches, norm)
        best = matches[0].score
        runner = matches[1].score if len(matches) > 1 else 0.0
        if best >= ANSWER_AT and best - runner >= GAP:
            return Decision("answer", matches, norm)
        return Decision("suggest", [m for m in matches if m.score >= SUGGEST_AT], norm)


@lru_cache(maxsize=1)
def load_knowledge_base() -> KnowledgeBase:
    return KnowledgeBase(load_entries())
