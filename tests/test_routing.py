"""The routing table: information questions are answered; explicit requests
start the intake for the right route."""
from __future__ import annotations

from pathlib import Path

import yaml

from handlers.router import route_for

DATA = Path(__file__).parent / "data"


def _accuracy(app, name):
    pufa = app.extensions["pufa"]
    pufa.services.usage = pufa.services.gaps = None
    rows = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    wrong = [(r["q"], r["route"], got) for r in rows
             if (got := route_for(r["q"], pufa.responder.router, pufa.services)) != r["route"]]
    return rows, wrong


def test_routing_table(app):
    rows, wrong = _accuracy(app, "routing.yaml")
    assert len(rows) >= 60 and {r["route"] for r in rows} == {"faq", "litigation", "legal_aid", "mediation"}
    assert len(wrong) / len(rows) <= 0.05, wrong


def test_routing_heldout_table(app):
    """Written independently of the rules; a lower bar, reported by bench/quality.py."""
    if not (DATA / "routing_heldout.yaml").exists():
        return
    rows, wrong = _accuracy(app, "routing_heldout.yaml")
    assert 1 - len(wrong) / len(rows) >= 0.75, wrong
