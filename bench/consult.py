"""Real consultations through the bot: every row of
bench/data/lawbench_3-8_consult_500.jsonl goes through the same router as
`flask kb ask --json` (bot/cli.py ask_one: a throw-away session, nothing
recorded), and one JSON line per row is written to bench/out/consult_<split>.jsonl:

  {id, split: heldout|dev, question, band, entries, reply}

band: answer (a direct answer), suggest ("您是不是想问"), unsure (not sure, the
offer of a person), or the route taken instead of the FAQ (litigation,
legal_aid, mediation, human, statute, …); entries: the entry ids offered, the
direct answer first (and a second question's entry after it).

The 150 held-out rows (bench/data/consult_holdout_ids.txt) are for judging
only: this script never prints their text, only counts. Judge the output file,
not the terminal.
Run: python bench/consult.py [--split heldout|dev|all]"""
from __future__ import annotations

import argparse
import json
import logging
import tempfile
from collections import Counter
from contextlib import contextmanager

from common import EVAL_DIR, ROOT, lawbench_rows

OUT_DIR = ROOT / "bench" / "out"


def holdout_ids() -> set[str]:
    lines = (EVAL_DIR / "consult_holdout_ids.txt").read_text(encoding="utf-8").splitlines()
    return {x.strip() for x in lines if x.strip() and not x.startswith("#")}


@contextmanager
def quiet_bot():
    """The bot's services on a throw-away instance folder (its own embedded Redis),
    inside an app context, recording no usage and no knowledge gaps."""
    from bot import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "INSTANCE_PATH": tmp, "ENVIRON": {}})
        pufa = app.extensions["pufa"]
        pufa.services.usage = pufa.services.gaps = None  # nothing recorded
        with app.app_context():
            yield pufa


def ask(pufa, question: str) -> dict:
    """What `flask kb ask --json` runs (ask_one), keeping the handler's trace for the band."""
    from handlers.base import TEXT, Context, Incoming

    ctx = Context(openid="kb-ask", session={}, services=pufa.services)
    reply = pufa.responder.router.dispatch(Incoming(openid="kb-ask", kind=TEXT, text=question), ctx)
    trace = ctx.trace
    intent = trace.get("intent", "unknown")
    if "conv" in ctx.session:  # an intake started (a route, not an FAQ answer)
        band = (ctx.session["conv"].get("data") or {}).get("kind") or "human"
    elif intent == "faq" and "entry" in trace:
        band = "answer"
    elif intent == "faq" and trace.get("confidence") == "suggest":
        band = "suggest"
    elif intent == "unknown":
        band = "unsure"
    else:
        band = intent
    if band == "answer":
        entries = [trace["entry"]] + ([trace["also"]] if trace.get("also") else [])
    elif band == "suggest":
        entries = [m["id"] for m in trace.get("matches", [])]
    else:
        entries = []
    return {"band": band, "entries": entries, "reply": reply}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("heldout", "dev", "all"), default="all")
    args = parser.parse_args()
    held = holdout_ids()
    rows = lawbench_rows("lawbench_3-8_consult_500.jsonl")
    splits = ("heldout", "dev") if args.split == "all" else (args.split,)
    logging.getLogger().setLevel(logging.WARNING)

    OUT_DIR.mkdir(exist_ok=True)
    with quiet_bot() as pufa:
        for split in splits:
            chosen = [r for r in rows if (r["id"] in held) == (split == "heldout")]
            bands: Counter = Counter()
            path = OUT_DIR / f"consult_{split}.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for r in chosen:
                    result = ask(pufa, r["question"])
                    bands[result["band"]] += 1
                    out.write(json.dumps({"id": r["id"], "split": split, "question": r["question"],
                                          **result}, ensure_ascii=False) + "\n")
            print(f"{split}: {len(chosen)} rows → {path.relative_to(ROOT)}; "
                  + ", ".join(f"{b} {n}" for b, n in bands.most_common()))


if __name__ == "__main__":
    main()
