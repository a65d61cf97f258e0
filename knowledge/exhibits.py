"""法治文化游园 exhibits behind WeChat parametric QR codes: knowledge/exhibits.yaml.

A YAML list of exhibits:

    - scene: heshangling-oath        # the QR code's scene_str: ASCII, at most 64, unique
      title: 宪法宣誓誓词石刻
      village: 和尚岭村
      text: |                        # what the visitor reads (quotes exactly as in knowledge/laws/)
        ...
      explain: |                     # plain words
        ...
      citations: [{law: 宪法, article: 27}]
      quotes: [{law: 宪法, article: 27, paragraph: 3}]   # optional: must appear word for word in text
      faq: [admin-013]               # related FAQ entries, offered by number

`flask kb check` runs check(): schema, unique scenes, citations, quotes, FAQ ids.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from . import KNOWLEDGE_DIR
from .faq import Citation

EXHIBITS_FILE = KNOWLEDGE_DIR / "exhibits.yaml"
SCENE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")  # WeChat's scene_str: 1–64 characters
_FIELDS = {"scene", "title", "village", "text", "explain", "citations", "quotes", "faq", "review"}


@dataclass(frozen=True)
class Quote:
    law: str
    article: int
    paragraph: int = 0  # 1-based; 0 = the whole article


@dataclass(frozen=True)
class Exhibit:
    scene: str
    title: str
    village: str
    text: str
    explain: str
    citations: tuple[Citation, ...]
    quotes: tuple[Quote, ...] = ()
    faq: tuple[str, ...] = ()

    def basis(self) -> str:
        return "、".join(c.label() for c in self.citations)


def _citations(raw, where: str, problems: list[str], kind=Citation, extra=()) -> tuple:
    out = []
    for c in raw or []:
        if not isinstance(c, dict) or not c.get("law") or not isinstance(c.get("article"), int) \
                or any(not isinstance(c.get(k, 0), int) for k in extra):
            problems.append(f"{where}: needs law and article (a number): {c!r}")
            continue
        out.append(kind(str(c["law"]), int(c["article"]), *(int(c.get(k, 0)) for k in extra)))
    return tuple(out)


def _parse(raw, where_file: str) -> tuple[Exhibit | None, list[str]]:
    if not isinstance(raw, dict):
        return None, [f"{where_file}: an item that is not a mapping"]
    scene = raw.get("scene")
    where = f"{where_file}: {scene or '<no scene>'}"
    problems = [f"{where}: unknown field {k!r}" for k in raw if k not in _FIELDS]
    if not isinstance(scene, str) or not SCENE_RE.match(scene):
        problems.append(f"{where}: scene must be 1–64 ASCII letters, digits, '-', '_' or '.'")
    for key in ("title", "village", "text", "explain"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            problems.append(f"{where}: empty {key}")
    if not isinstance(raw.get("citations"), list) or not raw["citations"]:
        problems.append(f"{where}: no citations")
    citations = _citations(raw.get("citations"), f"{where}: citation", problems)
    quotes = _citations(raw.get("quotes"), f"{where}: quote", problems, kind=Quote, extra=("paragraph",))
    faq = raw.get("faq") or []
    if not isinstance(faq, list) or not all(isinstance(f, str) for f in faq):
        problems.append(f"{where}: faq must be a list of FAQ entry ids")
        faq = []
    if problems:
        return None, problems
    return Exhibit(scene, raw["title"].strip(), raw["village"].strip(), raw["text"].strip(),
                   raw["explain"].strip(), citations, quotes, tuple(faq)), []


def read(path: Path | None = None) -> tuple[list[Exhibit], list[str]]:
    path = Path(path or EXHIBITS_FILE)
    if not path.exists():
        return [], [f"{path.name}: missing"]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        return [], [f"{path.name}: cannot load: {exc}"]
    if not isinstance(data, list):
        return [], [f"{path.name}: expected a YAML list of exhibits"]
    exhibits, problems = [], []
    for raw in data:
        exhibit, why = _parse(raw, path.name)
        problems.extend(why)
        if exhibit is not None:
            exhibits.append(exhibit)
    return exhibits, problems


@lru_cache(maxsize=1)
def load_exhibits() -> dict[str, Exhibit]:
    """scene -> exhibit (those that pass the schema; `flask kb check` reports the rest)."""
    out: dict[str, Exhibit] = {}
    for exhibit in read()[0]:
        out.setdefault(exhibit.scene, exhibit)
    return out


def _paragraph(text: str, n: int) -> str | None:
    if not n:
        return text
    paragraphs = text.split("\n")
    return paragraphs[n - 1] if 1 <= n <= len(paragraphs) else None


def check(path: Path | None = None, statutes=None, faq_ids: set[str] | None = None) -> tuple[int, list[str]]:
    """(number of exhibits, problems)."""
    from .statutes import load_statutes

    if faq_ids is None:
        from .faq import load_entries

        faq_ids = {e.id for e in load_entries()}
    statutes = statutes or load_statutes()
    path = Path(path or EXHIBITS_FILE)
    exhibits, problems = read(path)
    seen: set[str] = set()
    for e in exhibits:
        where = f"{path.name}: {e.scene}"
        if e.scene in seen:
            problems.append(f"{where}: duplicate scene")
        seen.add(e.scene)
        problems.extend(statutes.citation_problems(where, e.citations))
        for q in e.quotes:
            article = statutes.get(q.law, q.article)
            quoted = _paragraph(article.text, q.paragraph) if article else None
            if quoted is None:
                problems.append(f"{where}: quote of {q.law} article {q.article} paragraph {q.paragraph}: no such text")
            elif Citation(q.law, q.article) not in e.citations:
                problems.append(f"{where}: quotes {q.law} article {q.article} without citing it")
            elif quoted not in e.text:
                problems.append(f"{where}: text does not quote {q.law} article {q.article}"
                                f"{f' paragraph {q.paragraph}' if q.paragraph else ''} word for word")
        for fid in e.faq:
            if fid not in faq_ids:
                problems.append(f"{where}: no FAQ entry {fid!r}")
    return len(exhibits), problems
