"""The case facts the intake asks a villager who wants to sue or asks for legal
aid, so the 司法所 can draft the complaint without calling them back.

The questions are data: the `ask:` fields of the complaint templates in
knowledge/complaints.yaml (a legal adviser reviews them there, beside the
claims they fill). This module reads them and understands the answers
("两万块", "去年三月五号", "2"), for handlers/intake.py; bot/drafts uses the
same parsing for what staff type.

An answer is stored as text: "" = not known (the draft marks it 【待补充】),
NONE = known not to exist ("没有约定还款日期"), anything else = the fact.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cn2an
import yaml

from .normalize import basic

TEMPLATES_FILE = Path(__file__).resolve().parent / "complaints.yaml"
NONE = "无"
ANSWER_KINDS = ("text", "amount", "date", "choice")
UNKNOWN_WORDS = {"不知道", "不清楚", "记不清", "记不清了", "不记得", "不记得了", "忘了", "跳过", "说不清", "不确定",
                 "不晓得"}
NONE_WORDS = {"没有", "无", "没", "没得", "没说", "没说好", "没约定", "没有约定", "没讲", "没定", "没说过"}

_AMOUNT_RE = re.compile(
    r"(\d[\d,，]*(?:\.\d+)?\s*万?|[零〇一二两三四五六七八九十百千万点]+)\s*(?:多)?\s*(元|块钱|块|圆|万元)")


def _light(text: str) -> str:
    """NFKC, no spaces, no closing punctuation: keeps the dots and dashes of 3.5万 and 2024-3-5."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    return text.strip("。.!！?？,，~～")


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
        t = basic(text)
        if t in UNKNOWN_WORDS:
            return ""
        if self.none and t in NONE_WORDS:
            return NONE
        if self.answer == "choice":
            return parse_choice(text, self.options)
        if self.answer == "amount":
            return parse_amount(text)
        if self.answer == "date":
            return parse_past_date(text, today)
        value = re.sub(r"\s+", " ", text).strip()
        return value[:60] if len(basic(value)) >= 1 else None


def parse_choice(text: str, options) -> str | None:
    t = basic(text)
    if t.isdigit() and 1 <= int(t) <= len(options):
        return options[int(t) - 1][1]
    for label, value in options:
        if t and (t in basic(label) or basic(label) in t or t == basic(value)):
            return value
    return None


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
    """An answer to "how much": the unit may be left out (两万, 20000, 2万5 is not guessed)."""
    t = _light(text).replace("块钱", "元")
    bare = re.sub(r"^(大概|大约|一共|总共|共)|(人民币)|(元|块|圆)?(多|左右|上下)?$", "", t).replace(",", "")
    try:  # the whole answer is a number: 3万6, 2万5千, 一千五, 20000
        value = float(cn2an.cn2an(bare, "smart")) if bare else 0
    except (ValueError, KeyError, TypeError, IndexError):
        value = 0
    if value > 0:
        value = round(value, 2)
        return str(int(value)) if value == int(value) else f"{value:.2f}"
    amount = extract_amount(t) or extract_amount(t + "元")
    return amount or None


def _cn_numbers(text: str) -> str:
    try:
        return cn2an.transform(text, "cn2an")
    except (ValueError, KeyError, TypeError, IndexError):
        return text


def parse_past_date(text: str, today: dt.date) -> str | None:
    """A day or month in the past, as a complaint writes it: 2024年3月5日 / 2024年3月.
    Understands 2024-3-5, 2024.3.5, 去年三月五号, 前年腊月 is not guessed."""
    t = _cn_numbers(_light(text).replace("号", "日"))
    for word, years in (("大前年", 3), ("前年", 2), ("去年", 1), ("今年", 0)):
        if t.startswith(word):
            t = f"{today.year - years}年" + t[len(word):]
            break
    m = re.fullmatch(r"(?:(\d{4})\s*[年\-./])?\s*(\d{1,2})\s*[月\-./]\s*(?:(\d{1,2})\s*日?)?(?:左右|前后|份)?", t)
    if not m:
        m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", t)
    if not m:
        return None
    year = int(m.group(1)) if m.group(1) else today.year
    month, day = int(m.group(2)), int(m.group(3)) if m.group(3) else 1
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    if not m.group(1) and date > today:
        date = date.replace(year=year - 1)  # "三月" said in November means this March; in January, last March
    if date > today or date.year < 1950:
        return None
    return f"{date.year}年{date.month}月{date.day}日" if m.group(3) else f"{date.year}年{date.month}月"


def stored_date(text: str) -> dt.date | None:
    """A stored full date (2024年3月5日) back as a date; None for a month only or other text."""
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", (text or "").strip())
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
