"""Checks the knowledge base: one problem per line, with file and id.

Run as `flask kb check` (or `python -m knowledge.validate`); exits non-zero
when any problem is found.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from rapidfuzz import fuzz, process

from . import FAQ_DIR
from .categories import CATEGORIES
from .faq import ANSWER_MAX_BYTES, ESCALATE_VALUES, MIN_ALTERNATES, FaqFormatError, load_file
from .statutes import Statutes, load_statutes

NEAR_DUPLICATE = 92  # fuzz.ratio on punctuation-stripped questions
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_ID_RE = re.compile(r"^([a-z]+)-(\d{3})$")


def _plain(text: str) -> str:
    return _PUNCT.sub("", text)


def check(faq_dir: Path = FAQ_DIR, statutes: Statutes | None = None) -> tuple[int, list[str]]:
    """Returns (number of entries, list of problems)."""
    statutes = statutes or load_statutes()
    problems: list[str] = []
    entries = []
    for path in sorted(faq_dir.glob("*.yaml")):
        try:
            entries.extend(load_file(path))
        except (FaqFormatError, ValueError, TypeError) as exc:
            problems.append(f"{path.name}: cannot load: {exc}")

    seen: dict[str, str] = {}
    for e in entries:
        where = f"{e.source}: {e.id or '<no id>'}"
        if e.id in seen:
            problems.append(f"{where}: duplicate id (also in {seen[e.id]})")
        seen.setdefault(e.id, e.source)
        m = _ID_RE.match(e.id)
        if not m:
            problems.append(f"{where}: id must look like category-NNN")
        if e.category not in CATEGORIES:
            problems.append(f"{where}: unknown category {e.category!r}")
        elif m and m.group(1) != e.category:
            problems.append(f"{where}: id prefix does not match category {e.category}")
        if e.source != f"{e.category}.yaml":
            problems.append(f"{where}: entry of category {e.category!r} belongs in {e.category}.yaml")
        if not e.question.strip():
            problems.append(f"{where}: empty question")
        if len([a for a in e.alternates if a.strip()]) < MIN_ALTERNATES:
            problems.append(f"{where}: needs at least {MIN_ALTERNATES} alternates, has {len(e.alternates)}")
        if not e.answer.strip():
            problems.append(f"{where}: empty answer")
        size = len(e.reply_text().encode("utf-8"))
        if size > ANSWER_MAX_BYTES:
            problems.append(f"{where}: answer with its citations is {size} bytes, over {ANSWER_MAX_BYTES}")
        for n, note in enumerate(e.notes, 1):
            if not note.keys:
                problems.append(f"{where}: note {n} needs a non-empty `when` list of phrases")
            if not note.text:
                problems.append(f"{where}: note {n} has no text")
        if e.notes:
            longest = max(range(len(e.notes)), key=lambda i: len(e.notes[i].text.encode("utf-8")))
            size = len(f"{e.answer.strip()}\n\n{e.notes[longest].text}".encode("utf-8")) + \
                len(e.reply_text().encode("utf-8")) - len(e.answer.strip().encode("utf-8"))
            if size > ANSWER_MAX_BYTES:
                problems.append(f"{where}: answer with note {longest + 1} and its citations is {size} bytes, "
                                f"over {ANSWER_MAX_BYTES}")
        if e.escalate not in ESCALATE_VALUES:
            problems.append(f"{where}: escalate must be one of {', '.join(ESCALATE_VALUES)}")
        if e.updated is None:
            problems.append(f"{where}: missing updated date")
        if not e.citations:
            problems.append(f"{where}: no citations")
        problems.extend(statutes.citation_problems(where, e.citations))

    questions = [_plain(e.question) for e in entries]
    if len(questions) > 1:
        scores = process.cdist(questions, questions, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE)
        for i in range(len(entries)):
            for j in range(i + 1, len(entries)):
                if scores[i][j]:
                    a, b = entries[i], entries[j]
                    kind = "duplicate" if questions[i] == questions[j] else "near-duplicate"
                    problems.append(
                        f"{b.source}: {b.id}: {kind} question of {a.id} ({a.source}): {b.question}"
                    )
    return len(entries), problems


def notices(faq_dir: Path = FAQ_DIR, statutes: Statutes | None = None) -> list[str]:
    """What `flask kb check` reports without failing: citations of statute texts marked
    superseded in knowledge/laws/versions.yaml, and entries marked for the legal adviser's review."""
    statutes = statutes or load_statutes()
    lines = [f"warning: knowledge/laws/versions.yaml names {law!r}, which has no text"
             for law in statutes.unknown_superseded]
    for path in sorted(faq_dir.glob("*.yaml")):
        try:
            entries = load_file(path)
        except (FaqFormatError, ValueError, TypeError):
            continue  # reported by check()
        for e in entries:
            for c in e.citations:
                sup = statutes.superseded(c.law)
                if sup:
                    lines.append(f"warning: {e.source}: {e.id}: cites {c.label()} of a superseded text "
                                 f"(revised, in force {sup.in_force.isoformat()})")
            cited = {c.law for c in e.citations}
            for law in statutes.superseded_names():
                if law in e.answer and law not in cited:
                    lines.append(f"warning: {e.source}: {e.id}: its answer names {law} (superseded text): "
                                 f"check that the wording holds under the new version")
            if e.review:
                lines.append(f"review: {e.source}: {e.id}: {e.review}")
    return lines


def main() -> int:
    count, problems = check()
    for line in notices() + problems:
        print(line)
    print(f"{count} entries, {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
