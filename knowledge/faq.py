"""FAQ entries: one YAML file per category under knowledge/faq/.

Each file is a YAML list of entries:

    - id: labor-001
      category: labor
      question: 老板拖欠工资不给怎么办？
      alternates: [...]          # at least 3 villager phrasings
      answer: |                  # plain language, <= 2048 bytes UTF-8
        ...
      citations:
        - {law: 劳动合同法, article: 30}
      escalate: mediation        # none | mediation | litigation | legal_aid
      updated: 2026-11-27
      review: 为什么要请法律顾问复核   # optional; listed by `flask kb check`
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import FAQ_DIR

ESCALATE_VALUES = ("none", "mediation", "litigation", "legal_aid")
ANSWER_MAX_BYTES = 2048
MIN_ALTERNATES = 3


@dataclass(frozen=True)
class Citation:
    law: str
    article: int

    def label(self) -> str:
        import cn2an

        return f"《{self.law}》第{cn2an.an2cn(self.article)}条"


@dataclass(frozen=True)
class Entry:
    id: str
    category: str
    question: str
    alternates: tuple[str, ...]
    answer: str
    citations: tuple[Citation, ...]
    escalate: str
    updated: dt.date | None
    source: str = field(default="", compare=False)  # file it came from
    # Why the legal adviser must re-check this entry ("" = not under review); `flask kb check` lists it.
    review: str = field(default="", compare=False)
    _reply: str = field(default="", init=False, compare=False, repr=False)

    def __post_init__(self):
        # Built once when the entry is loaded, not per answer.
        basis = "、".join(c.label() for c in self.citations)
        object.__setattr__(self, "_reply", f"{self.answer.strip()}\n\n法律依据：{basis}" if basis
                           else self.answer.strip())

    def reply_text(self) -> str:
        """The answer as the villager sees it, ending with its legal basis."""
        return self._reply


class FaqFormatError(ValueError):
    """A YAML file that is not a list of mappings."""


def _as_entry(raw: dict, source: str) -> Entry:
    citations = tuple(
        Citation(str(c.get("law", "")), int(c.get("article", 0)))
        for c in (raw.get("citations") or [])
        if isinstance(c, dict)
    )
    updated = raw.get("updated")
    if isinstance(updated, str):
        updated = dt.date.fromisoformat(updated)
    return Entry(
        id=str(raw.get("id", "")),
        category=str(raw.get("category", "")),
        question=str(raw.get("question", "")),
        alternates=tuple(str(a) for a in (raw.get("alternates") or [])),
        answer=str(raw.get("answer", "")),
        citations=citations,
        escalate=str(raw.get("escalate", "")),
        updated=updated,
        source=source,
        review=str(raw.get("review") or "").strip(),
    )


def load_file(path: Path) -> list[Entry]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise FaqFormatError(f"{path.name}: expected a YAML list of entries")
    return [_as_entry(item, path.name) for item in data]


def load_entries(faq_dir: Path = FAQ_DIR) -> list[Entry]:
    entries: list[Entry] = []
    for path in sorted(faq_dir.glob("*.yaml")):
        entries.extend(load_file(path))
    return entries
