"""Tune the matcher's blend weights and decision thresholds on labelled data.

Weights: a grid over (entry TF-IDF, answer TF-IDF, char ratio, token ratio),
scored by top-1 on one half of tests/data/heldout/ and checked on the other
half (and the reverse), so a choice that only fits one half shows.
Thresholds: with the chosen weights, ANSWER_AT/GAP are picked to maximise
    right answers − 3 × wrong answers
where "wrong" includes answering a question from outside our categories
(LawBench rows labelled 刑事辩护/公司法/知识产权/海事海商/涉外法律).
Run: python bench/tune.py   (prints its choice; copy it into knowledge/search.py)
"""
from __future__ import annotations

import itertools

import numpy as np

from common import OUTSIDE, lawbench_rows  # noqa: F401  (sets sys.path)
from knowledge.evaluate import load_heldout
from knowledge.faq import load_entries
from knowledge.search import KnowledgeBase


def top1(kb, rows) -> float:
    return float(np.mean([kb.search(r["q"], 1)[0].entry.id == r["id"] for r in rows]))


def main() -> None:
    entries = load_entries()
    rows = load_heldout()
    rng = np.random.default_rng(3)
    order = rng.permutation(len(rows))
    halves = [[rows[i] for i in order[: len(rows) // 2]], [rows[i] for i in order[len(rows) // 2:]]]
    kb = KnowledgeBase(entries)
    grid = list(itertools.product([0.5, 1.0], [0.5, 1.0], [0.0, 0.25, 0.5], [0.0, 0.25, 0.5]))
    print("weights (entry, answer, ratio, tsort): top-1 on half A, half B")
    results = []
    for w in grid:
        kb.weights = w
        a, b = top1(kb, halves[0]), top1(kb, halves[1])
        results.append((a + b, w, a, b))
    results.sort(reverse=True)
    for total, w, a, b in results[:5]:
        print(f"  {w}: {a:.3f} {b:.3f}")
    best = results[0][1]
    kb.weights = best
    print(f"chosen weights {best}")

    outside = [r["question"] for r in lawbench_rows() if r["label"] in OUTSIDE]
    pos = []
    for r in rows:
        m = kb.search(r["q"], 2)
        pos.append((m[0].score, m[0].score - m[1].score, m[0].entry.id == r["id"]))
    neg = []
    for q in outside:
        m = kb.search(q, 2)
        neg.append((m[0].score, m[0].score - m[1].score) if len(m) > 1 else (0.0, 0.0))
    best_t = None
    for at, gap in itertools.product(np.arange(20, 70, 1.0), np.arange(0, 12, 1.0)):
        right = sum(1 for s, g, ok in pos if s >= at and g >= gap and ok)
        wrong = sum(1 for s, g, ok in pos if s >= at and g >= gap and not ok)
        wrong += sum(1 for s, g in neg if s >= at and g >= gap)
        utility = right - 3 * wrong
        if best_t is None or utility > best_t[0]:
            best_t = (utility, at, gap, right, wrong)
    utility, at, gap, right, wrong = best_t
    correct_scores = sorted(s for s, g, ok in pos if ok)
    suggest_at = float(np.floor(np.percentile(correct_scores, 1)))
    answered_outside = sum(1 for s, g in neg if s >= at and g >= gap)
    print(f"chosen ANSWER_AT={at:.0f} GAP={gap:.0f}: held-out answered right {right}/{len(pos)}, "
          f"answered wrong {wrong - answered_outside}; outside questions answered {answered_outside}/{len(neg)}")
    print(f"SUGGEST_AT={suggest_at:.0f} (1st percentile of the right matches' scores); outside questions "
          f"below it: {sum(1 for s, g in neg if s < suggest_at)}/{len(neg)}")


if __name__ == "__main__":
    main()
