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
      notes:                     # optional: shown before 法律依据 when the message says so
        - when: [结婚五年, 结婚5年]   # any phrase found in the normalised message
          text: 您说结婚已经五年……
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
class Note:
    """A fact that changes the answer, and what to add when the villager states it."""

    when: tuple[str, ...]  # as written in the YAML
    text: str
    keys: tuple[str, ...] = field(default=(), compare=False)  # `when`, normalised like the message

    def __post_init__(self):
        from .normalize import normalize

        object.__setattr__(self, "keys", tuple(k for k in (normalize(w) for w in self.when) if k))

    def applies(self, normalized_message: str) -> bool:
        return any(k in normalized_message for k in self.keys)


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
    notes: tuple[Note, ...] = field(default=(), compare=False)
    _reply: str = field(default="", init=False, compare=False, repr=False)
    _basis: str = field(default="", init=False, compare=False, repr=False)

    def __post_init__(self):
        # Built once when the entry is loaded, not per answer.
        basis = "、".join(c.label() for c in self.citations)
        object.__setattr__(self, "_basis", f"\n\n法律依据：{basis}" if basis else "")
        object.__setattr__(self, "_reply", self.answer.strip() + self._basis)

    def notes_for(self, normalized_message: str) -> tuple[int, ...]:
        """Which notes the message's facts call for (indexes into `notes`)."""
        return tuple(i for i, n in enumerate(self.notes) if n.applies(normalized_message))

    def reply_text(self, notes: tuple[int, ...] = ()) -> str:
        """The answer as the villager sees it, with the notes asked for (before
        the legal basis), ending with its legal basis. `flask kb check` makes sure
        the answer with any one note fits one WeChat reply; several notes at once
        may not, and are then paged (handlers/paging.py), never cut."""
        extra = [self.notes[i].text.strip() for i in notes if 0 <= i < len(self.notes)]
        if not extra:
            return self._reply
        return "\n\n".join([self.answer.strip(), *extra]) + self._basis


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
        notes=_notes(raw.get("notes")),
    )


def _notes(raw) -> tuple[Note, ...]:
    """The entry's notes as written; a malformed one is kept empty for the validator to report."""
    if not isinstance(raw, list):
        return () if raw is None else (Note((), ""),)
    out = []
    for item in raw:
        item = item if isinstance(item, dict) else {}
        when = item.get("when")
        when = [when] if isinstance(when, str) else when if isinstance(when, list) else []
        out.append(Note(tuple(str(w).strip() for w in when if str(w).strip()), str(item.get("text") or "").strip()))
    return tuple(out)


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
