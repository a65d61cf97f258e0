"""Statute texts: parse the official Markdown files under knowledge/laws/
into articles, keyed by the law's short name and the article number.

A law's short name is its title without the "中华人民共和国" prefix
("民法典", "劳动合同法", "保障农民工工资支付条例"). The Civil Code is split
into one file per book; its articles are numbered through, so all books
share one name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cn2an

from . import LAWS_DIR

_ARTICLE_RE = re.compile(r"^第([零〇一二两三四五六七八九十百千]+)条(?:\s+|$)(.*)$")
_PREFIX = "中华人民共和国"


@dataclass(frozen=True)
class Article:
    law: str
    number: int
    text: str

    @property
    def label(self) -> str:
        return f"《{self.law}》第{cn2an.an2cn(self.number)}条"


def short_name(title: str) -> str:
    title = title.strip().lstrip("#").strip()
    return title[len(_PREFIX):] if title.startswith(_PREFIX) else title


def cn_to_int(numeral: str) -> int:
    return int(cn2an.cn2an(numeral, "smart"))


def parse_law_file(path: Path) -> tuple[str, dict[int, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    name = short_name(lines[0])
    articles: dict[int, list[str]] = {}
    current: int | None = None
    body_started = False
    for line in lines[1:]:
        if not body_started:
            body_started = "<!-- INFO END -->" in line
            continue
        if line.startswith("#"):
            current = None
            continue
        match = _ARTICLE_RE.match(line.strip())
        if match:
            current = cn_to_int(match.group(1))
            articles[current] = [match.group(2).strip()] if match.group(2).strip() else []
        elif current is not None and line.strip():
            articles[current].append(line.strip())
    return name, {n: "\n".join(parts) for n, parts in articles.items()}


class Statutes:
    """All statute texts, indexed by short name and article number."""

    def __init__(self, laws_dir: Path = LAWS_DIR):
        self._laws: dict[str, dict[int, str]] = {}
        for path in sorted(laws_dir.rglob("*.md")):
            if path.name == "README.md":
                continue
            name, articles = parse_law_file(path)
            self._laws.setdefault(name, {}).update(articles)

    @property
    def names(self) -> list[str]:
        return sorted(self._laws, key=len, reverse=True)

    def has_law(self, law: str) -> bool:
        return law in self._laws

    def get(self, law: str, number: int) -> Article | None:
        text = self._laws.get(law, {}).get(number)
        return Article(law, number, text) if text is not None else None

    def article_count(self, law: str) -> int:
        return len(self._laws.get(law, {}))


@lru_cache(maxsize=1)
def load_statutes() -> Statutes:
    return Statutes()


_REF_RE = re.compile(
    r"第?\s*([0-9]+|[零〇一二两三四五六七八九十百千]+)\s*条?"
)


def parse_reference(text: str, statutes: Statutes) -> tuple[str, int] | None:
    """'民法典第1079条', '民法典1079', '法律援助法第三十一条', '劳动合同法 82条'
    -> (law, number). None when the text names no known law followed by a number."""
    compact = re.sub(r"\s+", "", text.replace("中华人民共和国", ""))
    compact = compact.strip("《》<>“”\"'。？?！!，,")
    compact = compact.replace("《", "").replace("》", "")
    for name in statutes.names:  # longest names first: 劳动合同法 before 劳动法
        if compact.startswith(name):
            rest = compact[len(name):]
            match = _REF_RE.fullmatch(rest)
            if not match:
                return None
            numeral = match.group(1)
            number = int(numeral) if numeral.isdigit() else cn_to_int(numeral)
            return name, number
    return None
