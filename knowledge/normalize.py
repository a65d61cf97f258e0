"""Text normalisation shared by the index and the query side.

NFKC (full-width → half-width), traditional → simplified (OpenCC),
lower-case, strip punctuation and filler words, then map colloquialisms to
the knowledge base's words (knowledge/synonyms.yaml).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import yaml
from opencc import OpenCC

from . import KNOWLEDGE_DIR
from .memo import per_message

FILLERS = (
    "我想问一下", "我想咨询一下", "我想咨询", "想问一下", "请问一下", "我想问", "请问", "问一下",
    "你好", "您好", "在吗", "那个", "这个事", "谢谢", "麻烦", "帮我看看",
)
# Modal particles, dropped where a clause ends (not inside words like 怎么/什么).
_FINAL_PARTICLES = re.compile(r"[呢啊吗吧呀哦嗯啦哈么]+(?=[\W_]|$)", re.UNICODE)
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
_t2s = OpenCC("t2s")


@lru_cache(maxsize=1)
def load_synonyms() -> list[tuple[str, str]]:
    """(variant, canonical) pairs, longest variant first."""
    data = yaml.safe_load((KNOWLEDGE_DIR / "synonyms.yaml").read_text(encoding="utf-8")) or {}
    pairs = [(v, canon) for canon, variants in data.items() for v in variants if v != canon]
    return sorted(pairs, key=lambda p: len(p[0]), reverse=True)


_synonym_re: re.Pattern | None = None
_synonym_map: dict[str, str] = {}


def _synonyms() -> tuple[re.Pattern, dict[str, str]]:
    global _synonym_re, _synonym_map
    if _synonym_re is None:
        pairs = load_synonyms()
        _synonym_map = dict(pairs)
        _synonym_re = re.compile("|".join(re.escape(v) for v, _ in pairs))
    return _synonym_re, _synonym_map


def _simplified(text: str) -> str:
    return _t2s.convert(unicodedata.normalize("NFKC", text or "")).lower()


@per_message  # the intent check and the FAQ match share one normalisation per message
def basic(text: str) -> str:
    """NFKC, simplified characters, lower case, no punctuation or spaces."""
    return _PUNCT.sub("", _simplified(text))


@per_message
def normalize(text: str) -> str:
    text = _PUNCT.sub("", _FINAL_PARTICLES.sub("", _simplified(text)))
    for filler in FILLERS:
        text = text.replace(filler, "")
    pattern, mapping = _synonyms()
    return pattern.sub(lambda m: mapping[m.group(0)], text)
