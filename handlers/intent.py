"""Which route a message asks for, before FAQ matching: litigation,
legal aid, mediation — and whether it is an explicit request ("我要告他")
or an information question ("起诉要交多少钱").

Keywords are matched on the normalised characters and, for typo tolerance,
on toneless pinyin (起素/起诉, 法律缘助/法律援助 meet)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import RE_HANS
from pypinyin.core import _default_pinyin

_segment = _default_pinyin.seg  # the segmentation lazy_pinyin() uses

from knowledge.memo import per_message
from knowledge.normalize import basic, normalize

KEYWORDS = {
    "legal_aid": ("法律援助", "请不起律师", "免费律师", "免费的律师", "写起诉状", "写个起诉状", "代写", "写诉状", "状子", "不要钱的律师", "不花钱的律师",
                  "没钱打官司", "没钱请律师", "援助律师"),
    "litigation": ("起诉", "告他", "告她", "告到", "告他们", "要告", "去告", "告状", "打官司", "法院", "传票", "判决", "上诉",
                   "强制执行", "立案", "仲裁", "律师", "开庭", "诉状"),
    "mediation": ("调解", "评评理", "评理", "说和", "劝劝", "调和", "吵架", "打架", "闹矛盾", "闹翻",
                  "纠纷", "管管", "协调", "调一下", "调一调", "出面"),
}
# Someone asking for the service now, not asking about it.
REQUEST_MARKERS = ("我要", "我想", "想要", "帮我", "帮帮我", "给我", "要去", "准备", "打算", "我得", "我们要",
                   "请帮", "申请", "找人", "找个人", "想找", "想请", "来人", "来个人", "派人", "替我", "能不能帮", "帮忙")
# A plea for help is a request even when phrased as a question ("能帮帮我吗").
PLEAS = ("帮我", "帮帮我", "帮忙", "能不能帮", "请帮", "给我派", "替我", "帮我们", "想请", "请人来", "派个人",
         "来个人", "来一趟", "快来", "叫调解员", "找个人来", "想让")
# Words of the mediation route proper; with these and no word of suing, mediation wins.
MEDIATE = ("调解", "说和", "评理", "协调", "调一下")
SUE = ("起诉", "告", "打官司", "上诉", "立案", "强制执行")
# Asking someone to write a court document, or for a lawyer without money: legal aid.
WRITE_DOC = re.compile(r"写.{0,10}(状|文书)")
POOR_LAWYER = re.compile(r"(没钱|不要钱|不花钱|免费|请不起|穷).*律师|律师.*(没钱|不要钱|不花钱|免费|请不起)")
# Asking how to apply for legal aid is answered with the intake itself.
HOW_TO_APPLY = ("怎么申请", "如何申请", "咋申请", "怎样申请")
# An information question about a route (answered from the FAQ).
QUESTION_MARKERS = ("多少钱", "多少", "怎么", "如何", "什么", "啥", "哪些", "哪里", "哪个", "多久", "多长",
                    "要不要", "需不需要", "需要什么", "能不能", "可不可以", "可以吗", "是不是", "有没有",
                    "吗", "么", "条件", "流程", "程序", "费用", "期限", "时效")
HUMAN_WORDS = ("人工", "转人工", "找人工", "找司法所", "转司法所", "司法所的人", "工作人员", "真人", "找调解员")


@dataclass(frozen=True)
class Intent:
    route: str | None  # legal_aid | litigation | mediation | None
    explicit: bool  # an explicit request: start the intake


def _pinyin(text: str) -> str:
    """lazy_pinyin(text) joined by spaces. pypinyin segments the text into dictionary
    words and converts each word on its own, so the same is done here with each Chinese
    word's pinyin looked up once (a static dictionary fact, like a character's reading)."""
    out = []
    for word in _segment(text):
        out += _word_pinyin(word) if RE_HANS.match(word) else lazy_pinyin(word, style=Style.NORMAL)
    return " ".join(out) + " "


@lru_cache(maxsize=65536)
def _word_pinyin(word: str) -> list[str]:
    return lazy_pinyin(word, style=Style.NORMAL)


def _any_of(words) -> re.Pattern:
    """One regex finding any of the words (built once: a search per text instead of a loop per word)."""
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))


_ROUTE_WORDS = {route: _any_of(words) for route, words in KEYWORDS.items()}
_ROUTE_PINYIN = {route: _any_of(" " + _pinyin(kw) for kw in words) for route, words in KEYWORDS.items()}
_SUE, _SUE_PINYIN = _any_of(SUE), _any_of(" " + _pinyin(w) for w in SUE if len(w) > 1)
_MEDIATE, _QUESTION, _PLEAS = _any_of(MEDIATE), _any_of(QUESTION_MARKERS), _any_of(PLEAS)
_REQUEST, _HOW_TO_APPLY, _TELL_HIM = _any_of(REQUEST_MARKERS), _any_of(HOW_TO_APPLY), _any_of(("告他", "告她", "告他们"))


@per_message
def detect(text: str) -> Intent:
    """The route a message asks for. Pure, so memoised for the message being
    answered (the router's match() and the handler both ask); never across messages."""
    # Both the plain text and the synonym-mapped one (俺要 → 我要, 打官司 → 起诉).
    plain = basic(text)
    if not plain:
        return Intent(None, False)
    forms = (plain, normalize(text))
    text_py = " " + _pinyin(plain)

    def has(pattern: re.Pattern) -> bool:
        return any(pattern.search(form) for form in forms)

    routes = [r for r in ("legal_aid", "litigation", "mediation")
              if has(_ROUTE_WORDS[r]) or _ROUTE_PINYIN[r].search(text_py)]
    if any(WRITE_DOC.search(f) or POOR_LAWYER.search(f) for f in forms):
        routes.insert(0, "legal_aid")
    if not routes:
        return Intent(None, False)
    route = routes[0]
    sue = has(_SUE) or bool(_SUE_PINYIN.search(text_py))
    if route == "litigation" and "mediation" in routes and has(_MEDIATE) and not sue:
        route = "mediation"
    if route == "litigation" and has(_TELL_HIM) and not has(_QUESTION):
        return Intent(route, True)  # "上法院告他": nobody says that to ask about it

    question = has(_QUESTION)
    explicit = (has(_PLEAS) or has(_REQUEST) and not question
                or route == "legal_aid" and has(_HOW_TO_APPLY))
    return Intent(route, explicit)


def wants_human(text: str) -> bool:
    plain = basic(text)
    return any(w == plain or (w in plain and len(plain) <= 8) for w in HUMAN_WORDS)
