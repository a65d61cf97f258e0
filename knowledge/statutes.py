"""Statute texts: parse the official Markdown files under knowledge/laws/
into articles, keyed by the law's short name and the article number.

A law's short name is its title without the "中华人民共和国" prefix
("民法典", "劳动合同法", "保障农民工工资支付条例"). The Civil Code is split
into one file per book; its articles are numbered through, so all books
share one name.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cn2an
import yaml

from . import LAWS_DIR

_ARTICLE_RE = re.compile(r"^第([零〇一二两三四五六七八九十百千]+)条(?:\s+|$)(.*)$")
_PREFIX = "中华人民共和国"
# An info-block line such as "2012年10月26日 第十一届……《关于修改……的决定》修正" or "2021年1月1日 施行".
_INFO_DATE_RE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日")
_INFO_KINDS = ("修订", "修正", "通过", "公布", "发布")
_FILE_DATE_RE = re.compile(r"\((\d{4})-(\d{2})-(\d{2})\)$")
VERSIONS_FILE = "versions.yaml"
CURRENT_TEXT_SOURCE = "国家法律法规数据库（flk.npc.gov.cn）"


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


@dataclass(frozen=True)
class Superseded:
    """A newer official version exists but is not in knowledge/laws/ yet."""

    revised: str  # e.g. "已修订（国务院令第804号）"
    in_force: dt.date
    note: str

    def notice(self, law: str) -> str:
        d = self.in_force
        extra = f"{self.note}。" if self.note else ""
        return (f"注意：《{law}》{self.revised}，新文本自{d.year}年{d.month}月{d.day}日起施行，"
                f"上面这一条的内容和条号可能已经变了。{extra}"
                f"现行文本请查{CURRENT_TEXT_SOURCE}，或回复【人工】问镇司法所。")


@dataclass(frozen=True)
class Version:
    """Which version of a law a text in knowledge/laws/ is."""

    date: dt.date | None  # the last adoption/amendment/revision/promulgation
    kind: str  # 通过 | 修正 | 修订 | 公布 | 发布 | "" (date known only from the file name)
    in_force: dt.date | None = None  # when the info block states it
    superseded: Superseded | None = None

    @property
    def name(self) -> str:
        """"2012年10月26日修正版本" ("" when the text carries no date)."""
        if self.date is None:
            return ""
        d = self.date
        return f"{d.year}年{d.month}月{d.day}日{self.kind}版本"

    @property
    def label(self) -> str:
        """"（2012年10月26日修正版本）"."""
        return f"（{self.name}）" if self.name else ""


def _info_lines(info: list[str]) -> list[str]:
    """Info-block lines, a line broken inside a long title joined to its dated line."""
    joined: list[str] = []
    for line in (part.strip() for part in info):
        if not line or line.startswith("<!--"):
            continue
        if joined and not _INFO_DATE_RE.match(line) and _INFO_DATE_RE.match(joined[-1]):
            joined[-1] += line
        else:
            joined.append(line)
    return joined


def _info_version(info: list[str], path: Path) -> Version:
    date, kind, in_force = None, "", None
    for line in _info_lines(info):
        m = _INFO_DATE_RE.match(line.strip())
        if not m:
            continue
        day = dt.date(*map(int, m.groups()))
        if "施行" in line and not any(k in line for k in _INFO_KINDS):
            in_force = day
            continue
        found = [k for k in _INFO_KINDS if k in line]
        if found and (date is None or day >= date):
            # "修正"/"修订" win over "通过" of the same line (…会议通过的…修正案)
            date, kind = day, next((k for k in ("修订", "修正") if k in found), found[0])
    m = _FILE_DATE_RE.search(path.stem)
    if m:
        named = dt.date(*map(int, m.groups()))
        if date is None or named > date:  # an info block that stops before the latest revision
            date, kind = named, ""
    return Version(date=date, kind=kind, in_force=in_force)


def parse_law(path: Path) -> tuple[str, dict[int, str], Version]:
    """The law's short name, its articles, and which version the text is."""
    lines = path.read_text(encoding="utf-8").splitlines()
    name = short_name(lines[0])
    articles: dict[int, list[str]] = {}
    current: int | None = None
    body_started = False
    info: list[str] = []
    for line in lines[1:]:
        if not body_started:
            body_started = "<!-- INFO END -->" in line
            info.append(line)
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
    return name, {n: "\n".join(parts) for n, parts in articles.items()}, _info_version(info, path)


def load_superseded(laws_dir: Path) -> dict[str, Superseded]:
    path = laws_dir / VERSIONS_FILE
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    out: dict[str, Superseded] = {}
    for law, meta in (raw or {}).items():
        sup = (meta or {}).get("superseded")
        if sup:
            in_force = sup["in_force"]
            if isinstance(in_force, str):
                in_force = dt.date.fromisoformat(in_force)
            out[str(law)] = Superseded(str(sup["revised"]), in_force, str(sup["note"]).rstrip("。"))
    return out


class Statutes:
    """All statute texts, indexed by short name and article number."""

    def __init__(self, laws_dir: Path = LAWS_DIR):
        self._laws: dict[str, dict[int, str]] = {}
        self._versions: dict[str, Version] = {}
        superseded = load_superseded(laws_dir)
        for path in sorted(laws_dir.rglob("*.md")):
            if path.name == "README.md":
                continue
            name, articles, version = parse_law(path)
            self._laws.setdefault(name, {}).update(articles)
            # The Civil Code's books share one version (the same info block in each file).
            self._versions.setdefault(name, version)
        for name, sup in superseded.items():
            if name in self._versions:
                v = self._versions[name]
                self._versions[name] = Version(v.date, v.kind, v.in_force, sup)
        self.unknown_superseded = sorted(set(superseded) - set(self._laws))

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

    def version(self, law: str) -> Version | None:
        return self._versions.get(law)

    def superseded(self, law: str) -> Superseded | None:
        v = self._versions.get(law)
        return v.superseded if v else None

    def citation_problems(self, where: str, citations) -> list[str]:
        """One line per citation (anything with .law and .article) that does not resolve here:
        the check shared by the FAQ, the quiz and the exhibits."""
        problems = []
        for c in citations:
            if not self.has_law(c.law):
                problems.append(f"{where}: unknown law {c.law!r}")
            elif self.get(c.law, c.article) is None:
                problems.append(f"{where}: {c.law} has no article {c.article}")
        return problems

    def superseded_names(self) -> list[str]:
        return sorted(name for name, v in self._versions.items() if v.superseded)


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
