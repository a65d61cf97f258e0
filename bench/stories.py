"""Villagers' stories through the bot: long messages about everyday problems
(a story of 3–6 sentences, the question at the end or in the middle, a third
of them voice-style), each labelled with the FAQ entry that answers it.

  tests/data/stories/dev.yaml     130 stories; its misses may be looked at, the
                                  test suite guards its figures
  bench/data/stories_heldout.yaml 130 stories by another writer; only counted,
                                  never looked at row by row

Both were written by people who first wrote every message without seeing the
knowledge base, and only then labelled each with the entry that answers the
question asked (`fit: partly` when it answers only part of it, `also:` for an
equally good entry, `id: none` when no entry does). Each message goes through
the same router as `flask kb ask --json` (bench/consult.py's ask), and the
matcher's own top 3 is read as well.
Run: python bench/stories.py [FILE ...]"""
from __future__ import annotations

import argparse
import logging
from collections import Counter
from pathlib import Path

import yaml

from common import ROOT
from consult import ask, quiet_bot

FILES = (ROOT / "tests" / "data" / "stories" / "dev.yaml", ROOT / "bench" / "data" / "stories_heldout.yaml")


def load(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def tally(pufa, kb, rows: list[dict]) -> tuple[Counter, Counter]:
    """Counts of what the bot did with labelled stories (rows with id: none are
    counted apart: for them the right reply is not sure or a person), and the
    labelled stories' replies by band."""
    c: Counter = Counter()
    bands: Counter = Counter()
    for r in rows:
        result = ask(pufa, r["q"])
        band, offered = result["band"], result["entries"]
        if r["id"] == "none":
            c["no entry"] += 1
            c["no entry, answered anyway"] += band == "answer"
            continue
        right = {r["id"], *(r.get("also") or [])}
        top = [m.entry.id for m in kb.search(r["q"], 3)]
        c["stories"] += 1
        c["top-1"] += top[:1] != [] and top[0] in right
        c["top-3"] += bool(right & set(top))
        bands[band] += 1
        if band == "answer" and offered[0] in right:
            c["answer, right entry"] += 1
            c["answer, right entry, full fit"] += r.get("fit", "full") == "full"
        elif band == "suggest":
            c["list holds the right entry"] += bool(right & set(offered))
    return c, bands


def report(name: str, c: Counter, bands: Counter) -> str:
    n = c["stories"] or 1
    ans, sug = bands["answer"], bands["suggest"]
    lines = [f"{name}: {c['stories']} labelled stories (+{c['no entry']} with no entry, "
             f"{c['no entry, answered anyway']} of them answered anyway)",
             f"  matcher top-1 {c['top-1'] / n:.1%}, top-3 {c['top-3'] / n:.1%}",
             f"  answered directly {ans} ({ans / n:.0%}); right entry {c['answer, right entry']} "
             f"({c['answer, right entry'] / (ans or 1):.0%}), of which full fit {c['answer, right entry, full fit']}",
             f"  did-you-mean lists {sug}; holding the right entry {c['list holds the right entry']} "
             f"({c['list holds the right entry'] / (sug or 1):.0%})",
             "  other replies: " + ", ".join(f"{b} {bands[b]}" for b in sorted(bands)
                                            if b not in ("answer", "suggest"))]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=list(FILES))
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.WARNING)

    from knowledge.search import load_knowledge_base

    with quiet_bot() as pufa:
        kb = load_knowledge_base()
        for path in args.files:
            print(report(str(path.resolve().relative_to(ROOT)), *tally(pufa, kb, load(path))))


if __name__ == "__main__":
    main()
