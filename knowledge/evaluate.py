"""Measuring the matcher on labelled questions (tests/data/heldout/*.yaml:
`- {q: 问题, id: entry-id, style: colloquial|typo|…}`), shared by the test
suite, bench/quality.py and bench/tune.py."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import KNOWLEDGE_DIR

HELDOUT_DIR = KNOWLEDGE_DIR.parent / "tests" / "data" / "heldout"


def load_heldout(directory: Path = HELDOUT_DIR) -> list[dict]:
    rows = []
    for path in sorted(directory.glob("*.yaml")):
        rows.extend(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return rows


@dataclass
class Report:
    total: int = 0
    top1: int = 0
    top3: int = 0
    by_style: Counter = field(default_factory=Counter)
    by_style_total: Counter = field(default_factory=Counter)
    misses: list = field(default_factory=list)

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0


def accuracy(kb, rows: list[dict]) -> Report:
    report = Report()
    for row in rows:
        ids = [m.entry.id for m in kb.search(row["q"], limit=3)]
        report.total += 1
        report.by_style_total[row.get("style", "")] += 1
        if ids[:1] == [row["id"]]:
            report.top1 += 1
            report.by_style[row.get("style", "")] += 1
        else:
            report.misses.append((row["q"], row["id"], ids))
        if row["id"] in ids:
            report.top3 += 1
    return report
