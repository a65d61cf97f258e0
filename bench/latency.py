"""Matching speed and memory: index build time, resident memory, and
per-question latency p50/p99 on one core, at the real knowledge base
(~300 entries) and at a synthetic 30,000 (entries replicated with perturbed
text), for short questions and for long messages (three phrasings as one story:
the clause-weighted path). Run: python bench/latency.py [--scale 30000] [--queries 2000]"""
from __future__ import annotations

import argparse
import dataclasses
import os
import random
import resource
import sys
import time
import gc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("OMP_NUM_THREADS", "1")

from knowledge.faq import load_entries  # noqa: E402
from knowledge.search import KnowledgeBase  # noqa: E402

FILLERS = ["请问", "俺想问", "那个", "咋办啊", "怎么弄", "谁能告诉我", "急", "在线等"]


def perturb(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(max(1, len(chars) // 8)):
        i = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.4 and len(chars) > 3:
            del chars[i]
        elif op < 0.7:
            j = rng.randrange(len(chars))
            chars[i], chars[j] = chars[j], chars[i]
        else:
            chars.insert(i, rng.choice("的了是在我他有个这那就也"))
    return rng.choice(FILLERS) + "".join(chars)


def synthetic(entries, size: int, rng: random.Random):
    out = list(entries)
    n = 0
    while len(out) < size:
        e = entries[n % len(entries)]
        n += 1
        out.append(dataclasses.replace(
            e, id=f"{e.id}-s{n}", question=perturb(e.question, rng),
            alternates=tuple(perturb(a, rng) for a in e.alternates)))
    return out


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(entries, queries: list[str]) -> dict:
    gc.collect()
    before = rss_mb()
    t0 = time.perf_counter()
    kb = KnowledgeBase(entries)
    build = time.perf_counter() - t0
    gc.collect()
    grown = rss_mb() - before
    kb.decide(queries[0])  # warm caches (jieba, pinyin)
    times = []
    for q in queries:
        t = time.perf_counter()
        kb.decide(q)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    result = {"entries": len(entries), "texts": len(kb._chars), "build_s": build, "index_mb": grown,
              "p50_ms": times[len(times) // 2], "p99_ms": times[int(len(times) * 0.99) - 1]}
    del kb
    return result


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=int, default=30000)
    ap.add_argument("--queries", type=int, default=2000)
    args = ap.parse_args(argv)
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    except (AttributeError, OSError):
        pass
    rng = random.Random(7)
    entries = load_entries()
    texts = [t for e in entries for t in (e.question, *e.alternates)]
    queries = [perturb(rng.choice(texts), rng) for _ in range(args.queries)]
    from knowledge.search import views

    views("预热")  # load jieba's dictionary before measuring
    # long messages: three phrasings told as one story, the last one the question (clause weighting)
    stories = ["，".join(perturb(rng.choice(texts), rng) for _ in range(3)) + "？" for _ in range(args.queries // 2)]
    rows = [("short", measure(entries, queries)), ("long", measure(entries, stories)),
            ("short", measure(synthetic(entries, args.scale, rng), queries[: max(200, args.queries // 4)]))]
    print(f"{'messages':>8} {'entries':>8} {'texts':>8} {'build s':>8} {'index MB (RSS growth)':>22} "
          f"{'p50 ms':>7} {'p99 ms':>7}")
    for kind, r in rows:
        print(f"{kind:>8} {r['entries']:>8} {r['texts']:>8} {r['build_s']:>8.2f} {r['index_mb']:>22.1f} "
              f"{r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f}")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
