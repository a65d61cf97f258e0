"""The case facts the intake asks a villager who wants to sue or asks for legal
aid, so the 司法所 can draft the complaint without calling them back.

The questions are data: the `ask:` fields of the complaint templates in
knowledge/complaints.yaml (a legal adviser reviews them there, beside the
claims they fill). This module reads them and turns an answer into the stored
value ("两万块" → 20000, "去年三月五号" → 2025年3月5日, "微信转的" → 微信转账), for
handlers/intake.py; what an answer means is decided in one place,
handlers/answers.py. bot/drafts reads the stored values back (stored_date).

An answer is stored as text: "" = not known (the draft marks it 【待补充】),
NONE = known not to exist ("没有约定还款日期"), anything else = the fact.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cn2an
import yaml

from handlers import answers

from .normalize import basic

TEMPLATES_FILE = Path(__file__).resolve().parent / "complaints.yaml"
NONE = "无"
ANSWER_KINDS = ("text", "amount", "date", "choice")

_AMOUNT_RE = re.compile(
    r"(\d[\d,，]*(?:\.\d+)?\s*万?|[零〇一二两三四五六七八九十百千万点]+)\s*(?:多)?\s*(元|块钱|块|圆|万元)")
PER_NAMES = {"day": "每天", "month": "每月", "year": "每年"}


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    ask: str
    answer: str = "text"  # text | amount | date | choice
    options: tuple[tuple[str, str], ...] = ()  # (what the villager is shown, what the draft says)
    none: bool = False  # "没有" is a real answer (stored as NONE)

    def prompt(self) -> str:
        lines = [self.ask]
        if self.options:
            lines += [f"{i}. {label}" for i, (label, _) in enumerate(self.options, 1)]
        lines.append("记不清的回复【不知道】，工作人员会再问您。")
        return "\n".join(lines)

    def shown(self, value: str) -> str:
        """A stored answer as people read it: 没有, the option's label, or the value."""
        if value == NONE:
            return "没有"
        return next((label for label, v in self.options if v == value), value)

    def parse(self, text: str, today: dt.date) -> str | None:
        """The stored value of an answer; None when it is not understood."""
        return self.understand(text, today)[0]

    def understand(self, text: str, today: dt.date) -> tuple[str | None, str]:
        """(the stored value, "") or (None, why it is asked again: "" when simply not understood).
        The answer is read by handlers/answers.py: 微信转的, 三万六, 去年腊月, 没说哪天还, 记不清了."""
        if self.answer == "text":
            if answers.is_unknown(text):
                return "", ""
            if self.none and answers.is_none(text):
                return NONE, ""
            value = re.sub(r"\s+", " ", text).strip()
            return (value[:60], "") if basic(value) else (None, "")
        value, error = self._typed(text, today)
        if value is not None or error:
            return value, error
        if answers.is_unknown(text):
            return "", ""
        if self.none and answers.is_none(text):
            return NONE, ""
        return None, ""

    def _typed(self, text: str, today: dt.date) -> tuple[str | None, str]:
        if self.answer == "choice":
            labels = [label for label, _ in self.options]
            choice = answers.choose(text, labels)
            if choice.index is not None:
                return self.options[choice.index][1], ""
            return None, answers.which(text, labels, choice.ambiguous) if choice.ambiguous else ""
        if self.answer == "amount":
            amount = answers.parse_amount(text)
            if amount is None:
                return None, ""
            if amount.per:
                return None, (f"您说的是{PER_NAMES[amount.per]}{amount.yuan}元。这里问的是一共多少钱，比如“3万6”；"
                              "算不出一共多少的，回复【不知道】。")
            return str(amount.yuan), ""
        date = answers.parse_date(text, today, past=True)
        return (answers.describe(date) or None), date.error


def parse_choice(text: str, options) -> str | None:
    """The value of the option the answer means (None when unclear or ambiguous)."""
    choice = answers.choose(text, [label for label, _ in options])
    return options[choice.index][1] if choice.index is not None else None


def extract_amount(text: str) -> str:
    """The first sum of money in the villager's words: 两万块钱 → 20000, 3.5万元 → 35000."""
    for m in _AMOUNT_RE.finditer(text or ""):
        number, unit = re.sub(r"[\s,，]", "", m.group(1)), m.group(2)
        if unit == "万元" and not number.endswith("万"):
            number += "万"
        value = None
        for start in range(len(number)):  # 王五两万块: the longest tail that is a number (两万)
            try:
                value = cn2an.cn2an(number[start:], "smart")
                break
            except (ValueError, KeyError, TypeError, IndexError):
                continue
        if value and value > 0:
            value = round(float(value), 2)
            return str(int(value)) if value == int(value) else f"{value:.2f}"
    return ""


def parse_amount(text: str) -> str | None:
    """An answer to "how much", in whole yuan: 两万 → 20000, 3万6 → 36000 (a rate like 一天200 is not a sum)."""
    amount = answers.parse_amount(text)
    return str(amount.yuan) if amount and not amount.per else None


def parse_past_date(text: str, today: dt.date) -> str | None:
    """A day, month or year in the past, as a complaint writes it: 2024年3月5日 / 2024年3月 /
    2025年农历腊月（公历…）; None when not understood or in the future."""
    return answers.describe(answers.parse_date(text, today, past=True)) or None


def stored_date(text: str) -> dt.date | None:
    """A stored full date (2024年3月5日, or 2026年3月3日（农历正月十五）) back as a date; None for a month only or other text."""
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日(?:（农历[^）]*）)?", (text or "").strip())
    if not m:
        return None
    try:
        return dt.date(*(int(g) for g in m.groups()))
    except ValueError:
        return None


def _question(raw: dict) -> Question | None:
    if not raw.get("ask"):
        return None
    answer = raw.get("answer", "text")
    if answer not in ANSWER_KINDS:
        raise ValueError(f"complaints.yaml: field {raw.get('key')}: answer must be one of {ANSWER_KINDS}")
    options = tuple((str(o["label"]), str(o["value"])) for o in raw.get("options") or ())
    if answer == "choice" and not options:
        raise ValueError(f"complaints.yaml: field {raw.get('key')}: a choice needs options")
    return Question(key=raw["key"], label=raw["label"], ask=raw["ask"], answer=answer, options=options,
                    none=bool(raw.get("none")))


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, tuple[Question, ...]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    by_category: dict[str, tuple[Question, ...]] = {}
    for template in data.get("templates") or []:
        questions = tuple(q for q in (_question(f) for f in template.get("fields") or []) if q)
        for category in template.get("categories") or []:
            by_category.setdefault(category, questions)
    return by_category


def questions_for(category: str | None, path: Path = TEMPLATES_FILE) -> tuple[Question, ...]:
    """What the intake asks about a matter of this category (may be none)."""
    return _load(path).get(category or "", ())


def facts_of(ticket: dict) -> dict[str, str]:
    """The answers stored on a ticket (its `facts` field, JSON), by question key."""
    try:
        facts = json.loads((ticket or {}).get("facts") or "{}")
    except (TypeError, ValueError):
        return {}
    return {str(k): str(v) for k, v in facts.items()} if isinstance(facts, dict) else {}


def answered(category: str | None, facts: dict) -> list[tuple[Question, str]]:
    """The questions of this category that have an answer, in the order they are asked."""
    return [(q, facts[q.key]) for q in questions_for(category) if facts.get(q.key)]
