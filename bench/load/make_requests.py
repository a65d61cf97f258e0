"""Pre-generate signed WeChat text messages for the load benchmark (bench/load/run.sh).

Each request is exactly what WeChat POSTs in plain mode: the XML the chat
simulator builds (bot.chat.WeChatSimulator), signed with sha1(sorted(token,
timestamp, nonce)) in the query string. Every request has its own nonce and
MsgId (the dispatcher answers a repeated MsgId from its dedup cache, and the
webhook will refuse a reused (timestamp, nonce, signature) triple), and the
load is spread over many openids (request i comes from o_bench_<i mod N>, so at
a total rate R an openid sends about 60*R/N messages a minute: under the
coming 20/min limit while R < N/3 per second).

The texts are FAQ questions and alternates and the held-out questions
(tests/data/heldout/*.yaml `q`), kept only when the bot's own router sends
them to the FAQ handler with an answer or a "您是不是想问" suggestion, so every
request runs the full FAQ path (not the intake, statute or menu handlers).

Output: one request per line, `<path?query>\\t<body>`, read by wrk.lua.

    python bench/load/make_requests.py --out bench/out/req-main.txt --start 20000 --count 120000
    python bench/load/make_requests.py --spot http://127.0.0.1:8000/wechat --expect faq --count 5
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DEMO_TOKEN = "pufa-demo-token"
NONCE_STRIDE = 7919  # coprime with 10**10: index -> nonce is one-to-one
FAQ_MARKERS = ("法律依据", "您是不是想问", "回复【更多】")


def token() -> str:
    return os.environ.get("WECHAT_TOKEN", "").strip() or DEMO_TOKEN


def faq_texts() -> tuple[list[str], dict]:
    """The texts that the router hands to the FAQ handler and that get an answer or suggestions."""
    import yaml

    from handlers.base import TEXT, Context, Incoming, Services
    from handlers.router import build_router
    from knowledge.faq import load_entries
    from knowledge.search import load_knowledge_base
    from knowledge.statutes import load_statutes

    candidates: list[str] = []
    for e in load_entries():
        candidates += [e.question, *e.alternates]
    for path in sorted((ROOT / "tests" / "data" / "heldout").glob("*.yaml")):
        candidates += [str(row["q"]) for row in yaml.safe_load(path.read_text(encoding="utf-8")) or []
                       if isinstance(row, dict) and row.get("q")]
    kb = load_knowledge_base()
    services = Services(kb=kb, statutes=load_statutes())
    router = build_router()
    kept, stats, seen = [], {"candidates": 0, "answer": 0, "suggest": 0, "other_handler": 0, "none": 0}, set()
    for text in candidates:
        text = text.strip()
        if not text or text in seen or any(c in text for c in "\t\r\n") or "]]>" in text:
            continue
        seen.add(text)
        stats["candidates"] += 1
        msg = Incoming(openid="o_bench_check", kind=TEXT, text=text)
        ctx = Context(openid=msg.openid, session={}, services=services)
        first = next((h for h in router.handlers if h.match(msg, ctx)), None)
        if first is None or first.name != "faq":
            stats["other_handler"] += 1
            continue
        kind = kb.decide(text).kind
        stats[kind] += 1
        if kind in ("answer", "suggest"):
            kept.append(text)
    return kept, stats


def signed(index: int, run_id: int, text: str, openids: int, tok: str, now: int) -> tuple[str, str]:
    """Path with query and body of request `index` of run `run_id`."""
    openid = f"o_bench_{index % openids:05d}"
    timestamp = str(now)
    nonce = f"{(index * NONCE_STRIDE + run_id) % 10**10:010d}"
    signature = hashlib.sha1("".join(sorted([tok, timestamp, nonce])).encode()).hexdigest()
    msg_id = run_id * 10**7 + index  # 17 digits, like WeChat's 64-bit MsgId; unique per run
    body = (f"<xml><ToUserName><![CDATA[gh_pufa_demo]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>")
    query = urllib.parse.urlencode({"signature": signature, "timestamp": timestamp, "nonce": nonce,
                                    "openid": openid})
    return f"/wechat?{query}", body


def requests_for(start: int, count: int, run_id: int, openids: int, texts: list[str]):
    tok, now = token(), int(time.time())
    rng = random.Random(run_id * 1_000_003 + start)
    for index in range(start, start + count):
        text = texts[rng.randrange(len(texts))]
        yield text, *signed(index, run_id, text, openids, tok, now)


def write(out: Path, start: int, count: int, run_id: int, openids: int, texts: list[str]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as f:
        for _text, path, body in requests_for(start, count, run_id, openids, texts):
            f.write(f"{path}\t{body}\n")
    tmp.replace(out)


def spot(url: str, expect: str, start: int, count: int, run_id: int, openids: int, texts: list[str]) -> bool:
    """POST a few requests and check the replies: the FAQ path, or WeRoBot's echo."""
    import xmltodict

    base = url.split("/wechat")[0]
    ok = True
    for text, path, body in requests_for(start, count, run_id, openids, texts):
        req = urllib.request.Request(base + path, data=body.encode(), method="POST",
                                     headers={"Content-Type": "text/xml"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            status, raw = resp.status, resp.read().decode().strip()
        content = ""
        if raw.startswith("<xml>"):
            content = xmltodict.parse(raw)["xml"].get("Content") or ""
        good = status == 200 and (any(m in content for m in FAQ_MARKERS) if expect == "faq" else content == text)
        ok &= good
        first_line = content.replace("\n", " ")[:48]
        marker = next((m for m in FAQ_MARKERS if m in content), "echo" if content == text else "-")
        print(f"  {'ok ' if good else 'BAD'} {status} [{marker}] {text[:24]} -> {first_line}…")
    return ok


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, help="request file to write")
    ap.add_argument("--start", type=int, default=0, help="index of the first request (ranges must not overlap)")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--run-id", type=int, default=int(time.time()), help="makes MsgIds unique across runs")
    ap.add_argument("--openids", type=int, default=10000, help="o_bench_00000 … o_bench_<N-1>")
    ap.add_argument("--spot", metavar="URL", help="instead of writing: POST --count requests and check the replies")
    ap.add_argument("--expect", choices=("faq", "echo"), default="faq")
    ap.add_argument("--texts-json", type=Path, help="cache of the FAQ-path texts (written when missing)")
    args = ap.parse_args(argv)
    if not args.out and not args.spot:
        ap.error("--out or --spot is required")
    if args.texts_json and args.texts_json.exists():
        data = json.loads(args.texts_json.read_text(encoding="utf-8"))
        texts, stats = data["texts"], data["stats"]
    else:
        texts, stats = faq_texts()
        if args.texts_json:
            args.texts_json.parent.mkdir(parents=True, exist_ok=True)
            args.texts_json.write_text(json.dumps({"texts": texts, "stats": stats}, ensure_ascii=False),
                                       encoding="utf-8")
    if not texts:
        print("no FAQ-path texts found", file=sys.stderr)
        return 1
    if args.spot:
        return 0 if spot(args.spot, args.expect, args.start, args.count, args.run_id, args.openids, texts) else 1
    t0 = time.perf_counter()
    write(args.out, args.start, args.count, args.run_id, args.openids, texts)
    print(f"{args.out}: {args.count} signed requests (#{args.start}…#{args.start + args.count - 1}), "
          f"{min(args.count, args.openids)} openids, {len(texts)} FAQ-path texts "
          f"({stats['answer']} answer / {stats['suggest']} suggest of {stats['candidates']} candidates), "
          f"{time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
