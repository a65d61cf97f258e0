"""The cost-trimmed message path keeps its behaviour: two Redis round trips per
FAQ message, no cross-message caching of text functions, concurrent retries of a
question answered and counted once, the limiter's hooks skipped only for the
webhook and the monitoring endpoints."""
from __future__ import annotations

import threading

import flask_limiter
import redis.client

from knowledge.search import KnowledgeBase
from tests.conftest import Villager


class RoundTrips:
    """Counts commands sent on their own and pipelines sent as one."""

    def __init__(self, monkeypatch):
        self.n = 0
        orig_exec, orig_pipe = redis.client.Redis.execute_command, redis.client.Pipeline.execute

        def execute_command(client, *a, **kw):
            self.n += 1
            return orig_exec(client, *a, **kw)

        def execute(pipe, *a, **kw):
            self.n += 1
            return orig_pipe(pipe, *a, **kw)

        monkeypatch.setattr(redis.client.Redis, "execute_command", execute_command)
        monkeypatch.setattr(redis.client.Pipeline, "execute", execute)


def test_a_faq_message_costs_two_redis_round_trips(app, monkeypatch):
    v = Villager(app.test_client(), "o_trips")
    assert "法律依据" in v.say("老板拖欠工资不给怎么办")  # the first message loads the Lua script
    trips = RoundTrips(monkeypatch)
    assert "法律依据" in v.say("老板压着工资不发犯法不")
    assert trips.n == 2
    pufa = app.extensions["pufa"]
    session = pufa.responder.context("o_trips").session
    assert session["recent"][-1] == "老板压着工资不发犯法不"
    assert pufa.redis.ttl(pufa.keys("session", "o_trips")) > 23 * 3600
    month_stats = pufa.redis.hgetall(pufa.services.usage.stats_key(__import__("time").strftime("%Y-%m")))
    assert int(month_stats.get("labor", 0)) == 2


def test_text_functions_are_not_cached_across_messages(app, monkeypatch):
    calls = []
    orig = KnowledgeBase.scores

    def scores(self, query):
        calls.append(query)
        return orig(self, query)

    monkeypatch.setattr(KnowledgeBase, "scores", scores)
    v = Villager(app.test_client(), "o_nocache")
    first, second = v.say("宅基地被邻居占了怎么办"), v.say("宅基地被邻居占了怎么办")
    assert first == second
    assert calls == ["宅基地被邻居占了怎么办"] * 2  # matched once per message, every message


def test_concurrent_retries_of_a_question_answer_and_count_once(app, make_app):
    other = make_app(REDIS_PREFIX=app.extensions["pufa"].keys.prefix)  # a second worker, same Redis
    v = Villager(app.test_client(), "o_conc_faq")
    xml = v.sim.text("老板拖欠工资不给怎么办", msg_id=990001)
    results = []

    def post(c):
        params, body = v.sim.sign(xml)
        resp = c.post("/wechat", query_string=params, data=body, content_type="text/xml")
        assert resp.status_code == 200
        results.append(v.sim.unwrap(params, resp.get_data(as_text=True)))

    threads = [threading.Thread(target=post, args=(c,)) for c in (app.test_client(), other.test_client(),
                                                                   app.test_client())]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3 and all(r == results[0] for r in results) and "法律依据" in results[0]
    pufa = app.extensions["pufa"]
    assert pufa.redis.zscore(pufa.keys("faq", "answered"), "labor-001") == 1
    assert pufa.responder.context("o_conc_faq").session["recent"] == ["老板拖欠工资不给怎么办"]


def test_limiter_hooks_skip_the_webhook_only(make_app, monkeypatch):
    seen = []
    orig = flask_limiter.Limiter._check_request_limit

    def check(limiter, *a, **kw):
        from flask import request

        seen.append(request.path)
        return orig(limiter, *a, **kw)

    monkeypatch.setattr(flask_limiter.Limiter, "_check_request_limit", check)
    app = make_app()
    client = app.test_client()
    Villager(client, "o_limiter").say("你好")
    client.get("/healthz")
    client.get("/metrics")
    assert seen == []
    client.get("/console/login")
    assert seen == ["/console/login"]
