"""Which route a message asks for, before FAQ matching: litigation,
legal aid, mediation — and whether it is an explicit request ("我要告他")
or an information question ("起诉要交多少钱").

Keywords are matched on the normalised characters and, for typo tolerance,
on toneless pinyin (起素/起诉, 法律缘助/法律援助 meet)."""
from __future__ import annotations

from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

from knowledge.normalize import basic

KEYWORDS = {
    "legal_aid": ("法律援助", "请不起律师", "免费律师", "免费的律师", "帮我写起诉状", "代写起诉状", "写诉状",
                  "没钱打官司", "没钱请律师", "援助律师"),
    "litigation": ("起诉", "告他", "告她", "告到", "告他们", "打官司", "法院", "传票", "判决", "上诉",
                   "强制执行", "立案", "仲裁", "律师", "开庭", "诉状"),
    "mediation": ("调解", "评评理", "评理", "说和", "劝劝", "调和", "吵架", "打架", "闹矛盾", "闹翻",
                  "纠纷", "管管"),
}
# Someone asking for the service now, not asking about it.
REQUEST_MARKERS = ("我要", "我想", "想要", "帮我", "帮帮我", "给我", "要去", "准备", "打算", "我得", "我们要",
                   "请帮", "申请", "找人", "找个人", "来人", "来个人", "派人", "替我", "能不能帮")
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
    return " ".join(lazy_pinyin(text, style=Style.NORMAL)) + " "


_PINYIN_KEYWORDS = {route: [(kw, " " + _pinyin(kw)) for kw in words] for route, words in KEYWORDS.items()}


def _has(route: str, text: str, text_py: str) -> bool:
    return any(kw in text or py in text_py for kw, py in _PINYIN_KEYWORDS[route])


def detect(text: str) -> Intent:
    plain = basic(text)
    if not plain:
        return Intent(None, False)
    text_py = " " + _pinyin(plain)
    routes = [r for r in ("legal_aid", "litigation", "mediation") if _has(r, plain, text_py)]
    if not routes:
        return Intent(None, False)
    route = routes[0]
    # "申请" is a request marker, but "怎么申请法律援助" is asked to be offered the intake too.
    request = any(m in plain for m in REQUEST_MARKERS)
    question = any(m in plain for m in QUESTION_MARKERS)
    explicit = request and (not question or route == "legal_aid" and "申请" in plain)
    return Intent(route, explicit)


def wants_human(text: str) -> bool:
    plain = basic(text)
    return any(w == plain or (w in plain and len(plain) <= 8) for w in HUMAN_WORDS)
