"""In-process cost of one WeChat text message on the full FAQ path.

The same signed requests as the load benchmark (bench/load/make_requests.py:
distinct MsgIds and nonces, 10,000 openids, FAQ-path texts chosen at random),
POSTed through Flask's test client — no HTTP server, no network — to an app on
its own embedded Redis in a temporary instance. Reports ms per message, a
breakdown by part (each part timed around its real call while the loop runs),
Redis round trips per message, and optionally a cProfile listing.

    .venv/bin/python bench/load/inprocess.py                # 3000 messages after 500 warm-up
    .venv/bin/python bench/load/inprocess.py --cprofile 30  # … and the top 30 functions by own time
    .venv/bin/python bench/load/inprocess.py --echo         # the WeRoBot echo robot's request, for scale
    .venv/bin/python bench/load/inprocess.py --flask-echo   # the smallest Flask + wechatpy echo robot
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "load"))

TEXTS_CACHE = ROOT / "bench" / "out" / "load" / "profile-texts.json"


def texts() -> list[str]:
    import make_requests

    if TEXTS_CACHE.exists():
        return json.loads(TEXTS_CACHE.read_text(encoding="utf-8"))["texts"]
    kept, stats = make_requests.faq_texts()
    TEXTS_CACHE.parent.mkdir(parents=True, exist_ok=True)
    TEXTS_CACHE.write_text(json.dumps({"texts": kept, "stats": stats}, ensure_ascii=False), encoding="utf-8")
    return kept


class Timers:
    """Wall time spent inside wrapped callables, outermost call only per part."""

    def __init__(self):
        self.total = defaultdict(float)
        self.calls = defaultdict(int)
        self.depth = defaultdict(int)

    def wrap(self, name, fn):
        def timed(*a, **kw):
            if self.depth[name]:
                return fn(*a, **kw)
            self.depth[name] += 1
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                self.total[name] += time.perf_counter() - t0
                self.calls[name] += 1
                self.depth[name] -= 1
        return timed

    def patch(self, obj, attr, name):
        setattr(obj, attr, self.wrap(name, getattr(obj, attr)))

    def reset(self):
        self.total.clear()
        self.calls.clear()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--warmup", type=int, default=500)
    ap.add_argument("--cprofile", type=int, default=0, metavar="N", help="print the top N functions by own time")
    ap.add_argument("--echo", action="store_true", help="time the WeRoBot echo robot instead")
    ap.add_argument("--flask-echo", action="store_true",
                    help="time the smallest Flask + wechatpy echo robot instead (bench/load/flask_echo.py)")
    ap.add_argument("--no-breakdown", action="store_true", help="no timing wrappers (the plain figure)")
    args = ap.parse_args(argv)

    import make_requests

    all_texts = texts()
    run_id = int(time.time())
    reqs = list(make_requests.requests_for(0, args.warmup + args.count, run_id, 10000, all_texts))

    if args.flask_echo:
        import flask_echo

        args.echo = True
        client = flask_echo.app.test_client()
        post = lambda path, body: client.post(path, data=body.encode(), content_type="text/xml")  # noqa: E731
    elif args.echo:
        import werobot_echo
        from werkzeug.test import Client

        client = Client(werobot_echo.app)
        post = lambda path, body: client.post(path, data=body.encode(), content_type="text/xml")  # noqa: E731
    else:
        os.environ.setdefault("PUFA_LOG_LEVEL", "INFO")  # the JSON line per message, as in production…
        instance = tempfile.mkdtemp(prefix="pufa-profile-")
        os.environ["PUFA_SIGNATURE_WINDOW"] = "3600"
        from bot import create_app

        environ = {"WECHAT_TOKEN": make_requests.token(), "REDIS_URL": ""}
        app = create_app({"ENVIRON": environ, "INSTANCE_PATH": instance})
        client = app.test_client()
        post = lambda path, body: client.post(path, data=body.encode(), content_type="text/xml")  # noqa: E731
        import logging

        for handler in logging.getLogger().handlers:  # … written to /dev/null instead of the terminal
            if getattr(handler, "_pufa", False):
                handler.setStream(open(os.devnull, "w"))

    timers = Timers()
    redis_calls = [0]
    if not args.echo and not args.no_breakdown:
        import redis.client

        import handlers.intent as intent
        import knowledge.search as search
        from bot import dispatch, webhook
        from handlers import faq

        kb = app.extensions["pufa"].services.kb
        timers.patch(kb, "decide", "FAQ match (kb.decide)")
        timers.patch(intent, "detect", "intent detection")
        import handlers.intake as intake
        intake.detect = intent.detect
        timers.patch(faq, "answer_entry", "answer bookkeeping (answer_entry)")
        timers.patch(dispatch.Responder, "respond", "Responder.respond (all)")
        timers.patch(webhook, "receive", "webhook view (all)")
        timers.patch(app, "wsgi_app", "whole request (Flask wsgi_app)")
        timers.patch(app, "preprocess_request", "Flask before_request hooks")
        timers.patch(webhook, "render", "reply XML (render)")
        timers.patch(webhook, "_parse", "XML checks + parse (_parse)")
        orig_exec = redis.client.Redis.execute_command
        orig_pipe = redis.client.Pipeline.execute

        def count_exec(self, *a, **kw):
            redis_calls[0] += 1
            return orig_exec(self, *a, **kw)

        def count_pipe(self, *a, **kw):
            redis_calls[0] += 1
            return orig_pipe(self, *a, **kw)

        redis.client.Redis.execute_command = timers.wrap("Redis round trips", count_exec)
        redis.client.Pipeline.execute = timers.wrap("Redis round trips", count_pipe)
        del search

    for _text, path, body in reqs[:args.warmup]:
        post(path, body)
    timers.reset()
    redis_calls[0] = 0
    profiler = None
    if args.cprofile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    bad = 0
    c0 = time.process_time()
    t0 = time.perf_counter()
    for text, path, body in reqs[args.warmup:]:
        resp = post(path, body)
        if resp.status_code != 200:
            bad += 1
        elif args.echo and text not in resp.get_data(as_text=True):
            bad += 1
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    if profiler:
        profiler.disable()
    n = args.count
    print(f"{'Flask + wechatpy echo' if args.flask_echo else 'WeRoBot echo' if args.echo else 'our bot'}: {n} messages, {1000 * elapsed / n:.2f} ms per message "
          f"wall, {1000 * cpu / n:.2f} ms CPU of this process (bad replies: {bad}; machine load "
          f"{os.getloadavg()[0]:.2f})")
    if timers.total:
        print("breakdown, ms per message (nested parts are included in their parents):")
        for name, total in sorted(timers.total.items(), key=lambda kv: -kv[1]):
            print(f"  {1000 * total / n:6.2f}  {name}  ({timers.calls[name] / n:.2f} calls/message)")
        print(f"  Redis round trips per message: {redis_calls[0] / n:.2f}")
    if profiler:
        import pstats

        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.cprofile)
    if not args.echo:  # stop the embedded Redis this run started, and remove its instance
        import shutil

        from bot import store

        for server in list(store._embedded.values()):
            server.shutdown(nosave=True)
        store._embedded.clear()
        shutil.rmtree(instance, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
