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
    # courtesy and asking phrases of real consultations: they say "this is a question", not what about
    "我想问的是", "想问的是", "我想问一下", "我想咨询一下", "我想咨询", "想咨询一下", "想问一下", "请问一下",
    "律师您好", "律师你好", "谢谢律师", "请问您", "我想问", "请问", "问一下",
    "你好", "您好", "在吗", "那个", "这个事", "非常感谢", "谢谢您", "谢谢", "麻烦了", "麻烦", "帮我看看",
    "帮忙看看", "在线等", "急急急", "求解答",
)
# A word said twice in a row by voice input or a stutter ("双方双方", "还有一个还有一个"): said once.
_STUTTER = re.compile(r"([\u4e00-\u9fff]{2,6})\1+")
# Calendar dates in digits (2019年2月份, 8月30日, 3.10日): when something happened, not what it is about.
# Durations (30天, 三年, 20年) are kept: they change the answer.
_DATES = re.compile(r"\d{4}年(?:\d{1,2}月份?(?:\d{1,2}[日号])?)?|\d{1,2}月(?:份|\d{1,2}[日号])|"
                    r"\d{1,2}[.．]\d{1,2}[日号]")
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
    text = _PUNCT.sub("", _FINAL_PARTICLES.sub("", _DATES.sub(" ", _simplified(text))))
    for filler in FILLERS:
        text = text.replace(filler, "")
    text = _STUTTER.sub(r"\1", text)
    pattern, mapping = _synonyms()
    return pattern.sub(lambda m: mapping[m.group(0)], text)
