"""Question matching: a villager's question → the FAQ entries it most likely means.

Every FAQ question and alternate is normalised (knowledge.normalize) and kept
in three forms: characters, jieba tokens, and toneless pinyin (so homophone
typos such as 离昏/离婚 still meet).

Scoring has two stages, both vectorised:
1. Recall: a TF-IDF index (scikit-learn, sparse) over character uni/bigrams,
   jieba tokens and pinyin syllables/bigrams; one sparse product scores the
   query against every text at once, so 30,000 entries stay fast.
2. Precision: rapidfuzz (`process.cdist`, explicit `processor=None` since every
   text is already normalised) re-scores the best candidates on characters
   (WRatio), tokens (token_set_ratio) and pinyin (WRatio), blended with the
   TF-IDF cosine. Each entry keeps its best-scoring text.

`KnowledgeBase.decide()` turns scores into one of three outcomes:
  answer  – a confident best match with a clear gap to the runner-up;
  suggest – a middle band or a close runner-up: offer the top three;
  none    – nothing good: say so honestly.
Weights and thresholds are tuned on the labelled set in tests/data/heldout/
by bench/tune.py.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import jieba
import numpy as np
from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer

from .categories import CATEGORIES
from .faq import Entry, load_entries
from .normalize import load_synonyms, normalize

jieba.setLogLevel(logging.WARNING)
log = logging.getLogger(__name__)

# Blend weights (TF-IDF cosine, characters, tokens, pinyin) and decision
# thresholds, from bench/tune.py on tests/data/heldout/.
WEIGHTS = (0.4, 0.2, 0.2, 0.2)
ANSWER_AT = 60.0  # best score needed to answer directly
GAP = 4.0  # … and its lead over the best other entry
SUGGEST_AT = 40.0  # below this, nothing is offered
CANDIDATES = 48  # texts re-scored by rapidfuzz
STOP_TOKENS = frozenset("我 的 了 是 在 有 和 就 都 也 要 会 能 可以 怎么 怎么办 什么 吗 不 他 她 它 们 这 那 个 吧 呢 啊".split())


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


def features(view: tuple[str, str, str]) -> list[str]:
    """Sparse features of one text: character uni/bigrams, tokens, pinyin syllables and bigrams."""
    chars, toks, py = view
    out = list(chars) + [chars[i:i + 2] for i in range(len(chars) - 1)]
    out += ["w:" + t for t in toks.split()]
    syl = py.split()
    out += ["p:" + s for s in syl] + ["p:" + a + "_" + b for a, b in zip(syl, syl[1:])]
    return out


class KnowledgeBase:
    """The FAQ entries with their search index, built once at start-up."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self.by_id = {e.id: e for e in entries}
        self.by_category: dict[str, list[Entry]] = {c: [] for c in CATEGORIES}
        for e in entries:
            self.by_category.setdefault(e.category, []).append(e)
        owner: list[int] = []
        all_views: list[tuple[str, str, str]] = []
        for i, e in enumerate(entries):
            for text in (e.question, *e.alternates):
                owner.append(i)
                all_views.append(views(text))
        self._owner = np.asarray(owner, dtype=np.int64)
        self._chars = [v[0] for v in all_views]
        self._toks = [v[1] for v in all_views]
        self._pys = [v[2] for v in all_views]
        self._tfidf = TfidfVectorizer(analyzer=features, sublinear_tf=True, dtype=np.float32)
        self._matrix = self._tfidf.fit_transform(all_views) if all_views else None

    def __len__(self) -> int:
        return len(self.entries)

    def scores(self, query: str) -> tuple[np.ndarray, str]:
        """Best blended score per entry (0–100), and the normalised query."""
        per_entry = np.zeros(len(self.entries), dtype=np.float32)
        view = views(query)
        qc, qt, qp = view
        if not qc or self._matrix is None:
            return per_entry, qc
        cosine = (self._matrix @ self._tfidf.transform([view]).T).toarray().ravel() * 100
        k = min(CANDIDATES, len(cosine))
        cand = np.argpartition(-cosine, k - 1)[:k]
        w_tfidf, w_c, w_t, w_p = WEIGHTS
        score = w_tfidf * cosine[cand]
        score += w_c * process.cdist([qc], [self._chars[i] for i in cand], scorer=fuzz.WRatio,
                                     processor=None, dtype=np.float32)[0]
        score += w_t * process.cdist([qt], [self._toks[i] for i in cand], scorer=fuzz.token_set_ratio,
                                     processor=None, dtype=np.float32)[0]
        score += w_p * process.cdist([qp], [self._pys[i] for i in cand], scorer=fuzz.WRatio,
                                     processor=None, dtype=np.float32)[0]
        np.maximum.at(per_entry, self._owner[cand], score)
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
        return [Match(self.entries[i], round(float(per_entry[i]), 1)) for i in idx if per_entry[i] > 0]

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
