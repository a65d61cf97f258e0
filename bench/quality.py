"""Matching quality, ours side by side with two baselines on the same rows and
the same knowledge base:
  bm25    – rank_bm25's BM25Okapi over jieba tokens of each entry's question + alternates
  wratio  – plain rapidfuzz WRatio of the raw question against each raw question/alternate
Reports held-out top-1/top-3 (tests/data/heldout/), LawBench 2-4 category
accuracy on the rows whose label maps to one of our categories, and the
routing accuracy on tests/data/routing*.yaml.
Run: python bench/quality.py"""
from __future__ import annotations

import tempfile
from collections import Counter

import jieba
import numpy as np
import yaml
from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process

from common import LAWBENCH_MAP, ROOT, lawbench_rows
from knowledge.evaluate import load_heldout
from knowledge.faq import load_entries
from knowledge.search import KnowledgeBase


class Bm25:
    def __init__(self, entries):
        self.entries = entries
        self.index = BM25Okapi([jieba.lcut(" ".join((e.question, *e.alternates))) for e in entries])

    def top(self, q, k=3):
        scores = self.index.get_scores(jieba.lcut(q))
        return [self.entries[i] for i in np.argsort(-scores)[:k]]


class WRatio:
    def __init__(self, entries):
        self.texts, self.owner = [], []
        for e in entries:
            for t in (e.question, *e.alternates):
                self.texts.append(t)
                self.owner.append(e)

    def top(self, q, k=3):
        out = []
        for _, _, i in process.extract(q, self.texts, scorer=fuzz.WRatio, limit=k * 6):
            if self.owner[i] not in out:
                out.append(self.owner[i])
        return out[:k]


class Ours:
    def __init__(self, entries):
        self.kb = KnowledgeBase(entries)

    def top(self, q, k=3):
        return [m.entry for m in self.kb.search(q, k)]


def main() -> None:
    entries = load_entries()
    systems = {"ours": Ours(entries), "bm25": Bm25(entries), "wratio": WRatio(entries)}
    heldout = load_heldout()
    law = [r for r in lawbench_rows() if r["label"] in LAWBENCH_MAP]
    print(f"knowledge base: {len(entries)} entries; held-out: {len(heldout)} questions; "
          f"LawBench 2-4 rows with a matching category: {len(law)}")
    print(f"{'system':<8}{'held-out top-1':>15}{'top-3':>8}{'LawBench category':>19}")
    for name, system in systems.items():
        t1 = t3 = 0
        for r in heldout:
            ids = [e.id for e in system.top(r["q"])]
            t1 += ids[:1] == [r["id"]]
            t3 += r["id"] in ids
        cat = sum(system.top(r["question"], 1)[0].category == LAWBENCH_MAP[r["label"]] for r in law)
        print(f"{name:<8}{t1 / len(heldout):>15.1%}{t3 / len(heldout):>8.1%}{cat / len(law):>19.1%}")

    by_style = Counter(r["style"] for r in heldout)
    hits = Counter(r["style"] for r in heldout if systems["ours"].top(r["q"], 1)[0].id == r["id"])
    print("ours, top-1 by style: " + ", ".join(f"{s} {hits[s] / n:.0%} ({n})" for s, n in sorted(by_style.items())))
    # The set as it was before issue 13 (577 questions) and the fresh questions on its new topics.
    for label, rows in (("original set", [r for r in heldout if not r.get("topic")]),
                        ("issue-13 new topics", [r for r in heldout if r.get("topic")])):
        if rows:
            t1 = sum(systems["ours"].top(r["q"], 1)[0].id == r["id"] for r in rows)
            t3 = sum(r["id"] in [e.id for e in systems["ours"].top(r["q"])] for r in rows)
            print(f"ours, {label} ({len(rows)}): top-1 {t1 / len(rows):.1%}, top-3 {t3 / len(rows):.1%}")

    from bot import create_app
    from handlers.router import route_for

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "INSTANCE_PATH": tmp, "ENVIRON": {}})
        pufa = app.extensions["pufa"]
        pufa.services.usage = pufa.services.gaps = None
        for name in ("routing.yaml", "routing_heldout.yaml"):
            path = ROOT / "tests" / "data" / name
            if not path.exists():
                continue
            rows = yaml.safe_load(path.read_text(encoding="utf-8"))
            ok = Counter()
            total = Counter(r["route"] for r in rows)
            for r in rows:
                ok[r["route"]] += route_for(r["q"], pufa.responder.router, pufa.services) == r["route"]
            detail = ", ".join(f"{k} {ok[k]}/{total[k]}" for k in ("faq", "litigation", "legal_aid", "mediation"))
            print(f"routing {name}: {sum(ok.values()) / len(rows):.1%} of {len(rows)} ({detail})")


if __name__ == "__main__":
    main()
