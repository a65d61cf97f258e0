"""Villagers' stories about everyday problems (tests/data/stories/dev.yaml: 130
long messages, a third voice-style, written before their writer saw the
knowledge base, then labelled with the entry that answers the question).

The floors sit a few points under the figures of the first run, 2026-12-07 at
563 entries (top-1 76.6%, top-3 92.2%, 67% answered directly, 93% of those
with the labelled entry; at 570 entries 79.1%, 94.6%, 71%, 93%), so a new
entry that takes everyday stories from the older entry answering them fails
here — unless the story's label is moved to it on purpose (`first:` keeps the
old one). bench/stories.py prints the same figures, and those of a second
writer's 130 stories that nobody looks at row by row."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.search import load_knowledge_base

STORIES = Path(__file__).parent / "data" / "stories" / "dev.yaml"


@pytest.fixture(scope="module")
def decided():
    kb = load_knowledge_base()
    rows = yaml.safe_load(STORIES.read_text(encoding="utf-8"))
    return [(r, kb.decide(r["q"]), [m.entry.id for m in kb.search(r["q"], 3)]) for r in rows]


def _right(row) -> set[str]:
    return {row["id"], *(row.get("also") or [])}


def test_the_set_is_what_the_figures_describe(decided):
    kb = load_knowledge_base()
    assert len(decided) == 130
    for row, _, _ in decided:
        assert row["id"] == "none" or row["id"] in kb.by_id, row["id"]
        assert all(i in kb.by_id for i in row.get("also") or [])
        assert len(row["q"]) >= 40, row["q"]


def test_stories_find_the_entry_that_answers_them(decided):
    labelled = [(r, top) for r, _, top in decided if r["id"] != "none"]
    top1 = sum(top[:1] != [] and top[0] in _right(r) for r, top in labelled)
    top3 = sum(bool(_right(r) & set(top)) for r, top in labelled)
    assert top1 / len(labelled) >= 0.73, f"top-1 {top1}/{len(labelled)}"
    assert top3 / len(labelled) >= 0.90, f"top-3 {top3}/{len(labelled)}"


def test_direct_answers_to_stories_are_mostly_given_and_right(decided):
    labelled = [(r, d) for r, d, _ in decided if r["id"] != "none"]
    answered = [(r, d) for r, d in labelled if d.kind == "answer"]
    wrong = [(r["q"], d.best.entry.id) for r, d in answered if d.best.entry.id not in _right(r)]
    assert len(answered) / len(labelled) >= 0.60, f"{len(answered)}/{len(labelled)} answered directly"
    assert len(wrong) / len(answered) <= 0.10, wrong


def test_a_story_no_entry_answers_is_not_answered_with_another_entry(decided):
    for row, d, _ in decided:
        if row["id"] == "none":
            assert d.kind != "answer", (row["q"], d.best.entry.id)
