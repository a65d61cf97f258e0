"""Question matching: a villager's question → the FAQ entries it most likely means.

Every text is normalised (knowledge.normalize) and seen three ways:
characters, jieba tokens, and toneless pinyin (so homophone typos such as
离昏/离婚 still meet).

Scoring has two stages, both vectorised:
1. Recall, over every entry at once: TF-IDF (scikit-learn, sparse) over
   character uni/bigrams, jieba tokens and pinyin syllables/bigrams, of two
   documents per entry — its question with all alternates, and its question
   with its answer. One sparse product per document kind scores the query
   against the whole knowledge base, so 30,000 entries stay fast.
2. Precision, over the best CANDIDATES entries: rapidfuzz (`process.cdist`,
   explicit `processor=None` since every text is already normalised) compares
   the query with each question/alternate on characters (ratio) and on tokens
   (token_sort_ratio); each entry keeps its best text.

The blend is a weighted sum scaled to 0–100. A long message (knowledge.clauses:
several clauses, the question at the end) is scored twice — as it is, and as
its question clauses with the story's key facts — and the two scores are
averaged, so the question is not drowned by the story; a short or
single-clause message is scored once, as before. `KnowledgeBase.decide()`
turns the score into one of three outcomes:
  answer  – a confident best match with a clear gap to the runner-up;
  suggest – a middle band or a close runner-up: offer the top three;
  none    – nothing good: say so honestly.
A message that asks two questions, each matching a different entry
confidently on its own, is answered with the first and offers the second
(Decision.also).
Weights and thresholds come from bench/tune.py on tests/data/heldout/ (and on
questions from outside our categories, which must not be answered).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import jieba
import jieba.posseg
import numpy as np
from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer

from .categories import CATEGORIES
from .clauses import CONNECTIVES, LONG_AT, focus, without_repeated_tail
from .faq import Entry, load_entries
from .memo import per_message
from .normalize import load_synonyms, normalize

jieba.setLogLevel(logging.WARNING)
log = logging.getLogger(__name__)

# Blend weights: entry TF-IDF, answer TF-IDF, character ratio, token sort ratio.
WEIGHTS = (1.0, 1.0, 0.25, 0.5)
ANSWER_AT = 24.0  # best score needed to answer directly
GAP = 2.0  # … and its lead over the best other entry
SUGGEST_AT = 19.0  # below this, nothing is offered
CANDIDATES = 32  # entries re-scored by rapidfuzz
SPECIFIC_DF = 20  # a story word in at most this many entries' phrasings is a key fact
FOCUS_SHARE = 0.3  # a long message's score: this much from its question and key facts, the rest from all of it
# jieba's dictionary word classes that carry no topic (conjunctions, prepositions, pronouns,
# particles, interjections, onomatopoeia): a story word of these is no key fact. Time, place and
# number words (去年, 里面, 一半) may be one.
FUNCTION_TAGS = ("c", "p", "r", "u", "y", "e", "o")
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
    also: Match | None = None  # a second question's confident answer, offered by number
    asked: str = ""  # the message as the villager wrote it (the knowledge-gap view shows it)

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


@lru_cache(maxsize=20000)
def _char_pinyin(ch: str) -> str:
    return lazy_pinyin(ch, style=Style.NORMAL, errors="default")[0]


def pinyin(text: str) -> str:
    """Toneless pinyin, one syllable per character (each character's default
    reading, the same on both sides, so homophone typos meet)."""
    return " ".join(_char_pinyin(ch) for ch in text)


def _sort_tokens(text: str) -> str:
    """What rapidfuzz's token_sort_ratio compares: the whitespace tokens, sorted, joined by spaces."""
    return " ".join(sorted(text.split()))


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


class SparseIndex:
    """TF-IDF vectors of documents (fitted by scikit-learn), kept as a
    feature → documents matrix so a query touches only its own features.
    A query touching few stored values (the real knowledge base) is scored with
    numpy (a gather of its rows and one weighted bincount), without scipy's
    per-call overhead; one touching many (a knowledge base of tens of thousands
    of entries) with scipy's row slicing and sparse product, which stream through
    them in C. Both give the same cosines."""

    NUMPY_MAX_VALUES = 20000  # stored values a query touches, up to which numpy is faster

    def __init__(self, docs: list[tuple[str, str, str]]):
        vec = TfidfVectorizer(analyzer=features, sublinear_tf=True, dtype=np.float32)
        self._by_feature = vec.fit_transform(docs).T.tocsr()  # features × documents
        self._by_feature.sort_indices()
        self._indptr = self._by_feature.indptr  # the matrix's own arrays, not copies
        self._indices = self._by_feature.indices
        self._data = self._by_feature.data
        self._vocab = vec.vocabulary_
        self._idf = vec.idf_.astype(np.float32)
        self._size = len(docs)

    def cosine(self, feats: list[str]) -> np.ndarray:
        """Cosine similarity of the query's features to every document."""
        counts: dict[int, int] = {}
        vocab = self._vocab
        for f in feats:
            col = vocab.get(f)
            if col is not None:
                counts[col] = counts.get(col, 0) + 1
        if not counts:
            return np.zeros(self._size, dtype=np.float32)
        cols = np.fromiter(counts, dtype=np.int64, count=len(counts))
        weights = (1 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * self._idf[cols]
        weights /= np.linalg.norm(weights)  # the same sublinear tf·idf, l2-normalised, as the documents
        starts = self._indptr[cols].astype(np.int64)
        lens = self._indptr[cols + 1] - starts
        ends = np.cumsum(lens)
        if ends[-1] > self.NUMPY_MAX_VALUES:
            return self._by_feature[cols].T @ weights
        # positions of every stored value of the query's rows, row after row
        pos = np.arange(ends[-1], dtype=np.int64) + np.repeat(starts - (ends - lens), lens)
        values = self._data[pos] * np.repeat(weights, lens)
        return np.bincount(self._indices[pos], weights=values, minlength=self._size).astype(np.float32)


class KnowledgeBase:
    """The FAQ entries with their search index, built once at start-up."""

    def __init__(self, entries: list[Entry], weights=WEIGHTS):
        self.entries = entries
        self.weights = weights
        self.by_id = {e.id: e for e in entries}
        self._position = {e.id: i for i, e in enumerate(entries)}
        self.by_category: dict[str, list[Entry]] = {c: [] for c in CATEGORIES}
        for e in entries:
            self.by_category.setdefault(e.category, []).append(e)
        starts: list[int] = []
        text_views: list[tuple[str, str, str]] = []
        for e in entries:
            starts.append(len(text_views))
            text_views.extend(views(t) for t in (e.question, *e.alternates))
        self._starts = np.asarray(starts + [len(text_views)], dtype=np.int64)
        self._start_list = self._starts.tolist()
        self._text_counts = np.diff(self._starts)
        self._chars = [v[0] for v in text_views]
        self._toks = [v[1] for v in text_views]
        # token_sort_ratio(a, b) is ratio() of the texts with their tokens sorted: the
        # alternates are sorted once here, the query once per message.
        self._sorted_toks = [_sort_tokens(t) for t in self._toks]
        self._pys = [v[2] for v in text_views]
        # words of two characters or more in the phrasings of at most SPECIFIC_DF entries
        df: dict[str, int] = {}
        for i in range(len(entries)):
            for t in {t for toks in self._toks[starts[i]:self._starts[i + 1]] for t in toks.split()}:
                df[t] = df.get(t, 0) + 1
        self._specific = frozenset(t for t, n in df.items() if len(t) >= 2 and n <= SPECIFIC_DF and _topical(t))
        if entries:
            self._entry_index = SparseIndex(
                [self._merge(text_views[starts[i]:self._starts[i + 1]]) for i in range(len(entries))])
            self._answer_index = SparseIndex([views(f"{e.question} {e.answer}") for e in entries])

    @staticmethod
    def _merge(vs: list[tuple[str, str, str]]) -> tuple[str, str, str]:
        # One document from several texts; the space keeps bigrams from crossing texts.
        return " ".join(v[0] for v in vs), " ".join(v[1] for v in vs), " ".join(v[2] for v in vs)

    def __len__(self) -> int:
        return len(self.entries)

    def scores(self, query: str) -> tuple[np.ndarray, str]:
        """Blended score per entry (0–100), and the normalised query; a long
        message's score also weighs its question and key facts."""
        f = focus(query)
        # a long message is matched without the words its voice input repeated at the end
        long = len(normalize(query)) >= LONG_AT
        per_entry, norm = self._scores(without_repeated_tail(query) if long else query)
        if f is not None and len(self.entries):
            focused, _ = self._scores(f.text(self._story_facts(f)))
            per_entry = (1 - FOCUS_SHARE) * per_entry + FOCUS_SHARE * focused
        return per_entry, norm

    def _story_facts(self, f) -> list[str]:
        """The story's words that only a few entries' phrasings use (化肥, 砖厂, 房檐 …):
        what the story is about, kept next to the question."""
        asked = normalize("".join(f.questions))
        out: list[str] = []
        for t in tokens(f.story).split():
            if t in self._specific and t not in asked and t not in f.facts and t not in out:
                out.append(t)
        return out

    def _scores(self, query: str) -> tuple[np.ndarray, str]:
        view = views(query)
        qc, qt, _ = view
        if not qc or not self.entries:
            return np.zeros(len(self.entries), dtype=np.float32), qc
        w_e, w_a, w_r, w_s = self.weights
        feats = features(view)
        score = w_e * self._entry_index.cosine(feats) + w_a * self._answer_index.cosine(feats)
        k = min(CANDIDATES, len(score))
        cand = np.argpartition(-score, k - 1)[:k]
        # the candidates' texts (each entry's question and alternates, in a row)
        st, chars, toks = self._start_list, self._chars, self._sorted_toks
        cand_chars: list[str] = []
        cand_toks: list[str] = []
        for i in cand.tolist():
            cand_chars += chars[st[i]:st[i + 1]]
            cand_toks += toks[st[i]:st[i + 1]]
        counts = self._text_counts[cand]
        first = np.cumsum(counts) - counts  # where each candidate's texts begin (every entry has ≥ 1)
        ratio = process.cdist([qc], cand_chars, scorer=fuzz.ratio, processor=None, dtype=np.float32)[0]
        tsort = process.cdist([_sort_tokens(qt)], cand_toks, scorer=fuzz.ratio, processor=None,
                              dtype=np.float32)[0]  # = token_sort_ratio of the unsorted texts
        best_ratio = np.maximum.reduceat(ratio, first) / 100  # each entry keeps its best text
        best_tsort = np.maximum.reduceat(tsort, first) / 100
        score[cand] += w_r * best_ratio + w_s * best_tsort
        return (score * (100.0 / sum(self.weights))).astype(np.float32), qc

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

    @per_message  # several handlers may ask about the same message: matched once per message
    def decide(self, query: str) -> Decision:
        per_entry, norm = self.scores(query)
        matches = self._top(per_entry, 3)
        if not norm or not matches or matches[0].score < SUGGEST_AT:
            return Decision("none", matches, norm, asked=query)
        two = self._two_questions(query)
        if two is not None:  # each question's entry, with the whole message's score
            first, second = (Match(m.entry, round(float(per_entry[self._position[m.entry.id]]), 1)) for m in two)
            return Decision("answer", [first] + [m for m in matches if m.entry != first.entry][:2], norm,
                            also=second, asked=query)
        if _confident(matches):
            return Decision("answer", matches, norm, asked=query)
        return Decision("suggest", [m for m in matches if m.score >= SUGGEST_AT], norm, asked=query)

    def _two_questions(self, query: str) -> tuple[Match, Match] | None:
        """The first two questions of a message that each match a different
        entry confidently on their own, or None."""
        f = focus(query)
        if f is None or len(f.questions) < 2:
            return None
        found: list[Match] = []
        for q in f.questions:
            top = self._top(self._scores(q)[0], 2)
            if _confident(top) and all(m.entry != top[0].entry for m in found):
                found.append(top[0])
                if len(found) == 2:
                    return found[0], found[1]
        return None


def _topical(word: str) -> bool:
    """Whether a word may be a key fact of a story: not a connective (但是/然后/因为),
    not a number or date, not of a function word class in jieba's dictionary."""
    if word in CONNECTIVES or any(ch.isdigit() for ch in word):
        return False
    tag = jieba.posseg.dt.word_tag_tab.get(word, "x")
    return not tag.startswith(FUNCTION_TAGS)


def _confident(matches: list[Match]) -> bool:
    """A clear lead: good enough to answer without asking back."""
    if not matches or matches[0].score < ANSWER_AT:
        return False
    runner = matches[1].score if len(matches) > 1 else 0.0
    return matches[0].score - runner >= GAP


@lru_cache(maxsize=1)
def load_knowledge_base() -> KnowledgeBase:
    return KnowledgeBase(load_entries())
