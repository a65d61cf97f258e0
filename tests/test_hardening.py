"""Hostile input, privacy and retention, metrics: a public webhook holding
villagers' phone numbers and case details."""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.queue import TicketError
from bot.webhook import url_signature
from bot.guards import RATE_PER_MINUTE
from tests.conftest import TOKEN, Villager
from tests.test_escalation import file_ticket


def signed(**extra):
    ts, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
    return {"timestamp": ts, "nonce": nonce, "signature": url_signature(TOKEN, ts, nonce), **extra}


def test_billion_laughs_is_refused(client):
    body = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            "<xml><Content>&lol2;</Content></xml>")
    assert client.post("/wechat", query_string=signed(), data=body).status_code == 400


def test_deeply_nested_xml_is_refused(client):
    body = "<xml>" + "<a>" * 500 + "x" + "</a>" * 500 + "</xml>"
    assert client.post("/wechat", query_string=signed(), data=body).status_code == 400


def test_replayed_signature_with_another_body_is_refused(client):
    v = Villager(client, "o_replay")
    params, body = v.sim.sign(v.sim.text("你好"))
    assert client.post("/wechat", query_string=params, data=body).status_code == 200
    assert client.post("/wechat", query_string=params, data=body).status_code == 200  # WeChat's own retry
    forged = body.replace("你好".encode(), "我要申请法律援助".encode())
    assert client.post("/wechat", query_string=params, data=forged).status_code == 403


def test_per_openid_rate_limit_answers_politely(client):
    v = Villager(client, "o_flood")
    replies = [v.say(f"问题{i}") for i in range(RATE_PER_MINUTE + 2)]
    assert "太快" not in replies[RATE_PER_MINUTE - 1] and "太快" in replies[RATE_PER_MINUTE]
    assert "太快" in replies[RATE_PER_MINUTE + 1]
    other = Villager(client, "o_calm")
    assert "太快" not in other.say("你好")


def test_open_tickets_per_openid_are_capped(app, client):
    v = Villager(client, "o_many")
    q = app.extensions["pufa"].services.queue
    q.max_open = 1
    file_ticket(v)
    reply = v.say("我要告他")
    assert "正在办理" in reply and len(q.for_openid("o_many")) == 1


@pytest.mark.parametrize("text", ["x]]><MsgType>evil</MsgType>", "测" * 10000,
                                  "🙂👍🏽 𠀀𪚥 emoji and rare characters", "<script>alert(1)</script>"])
def test_hostile_text_gets_a_valid_reply(villager, text):
    reply = villager.say(text)
    assert reply and len(reply.encode()) <= 2048


def test_text_echoed_into_a_dialog_cannot_break_the_reply(villager):
    """The intake echoes the villager's words (village not found, the summary)."""
    villager.say("我要申请法律援助")
    villager.say("同意")
    villager.say("赵]]><x>")
    villager.say("13812345678")
    reply = villager.say("火星村]]><x>")
    assert "火星村]]><x>" in reply


def test_control_characters_in_the_xml_are_refused_not_crashed(client):
    v = Villager(client, "o_ctrl")
    params, resp = v.post(v.sim.text("\x00\x01\x1b控制字符"))
    assert resp.status_code == 400


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=3000), params=st.dictionaries(
    st.sampled_from(["signature", "timestamp", "nonce", "encrypt_type", "msg_signature", "echostr", "openid"]),
    st.text(max_size=40), max_size=7))
def test_arbitrary_requests_never_5xx(client, body, params):
    for method in (client.post, client.get):
        resp = method("/wechat", query_string=params, data=body)
        assert resp.status_code < 500


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_arbitrary_villager_text_never_breaks_the_reply(client, text):
    v = Villager(client, "o_fuzz_" + uuid.uuid4().hex[:8])
    params, resp = v.post(v.sim.text(text))
    assert resp.status_code in (200, 400)  # 400 only for text XML cannot carry (e.g. NUL)
    if resp.status_code == 200:
        reply = v.sim.unwrap(params, resp.get_data(as_text=True))
        assert reply is None or len(reply.encode()) <= 2048


def test_logs_carry_no_personal_data(app, client, caplog):
    with caplog.at_level(logging.DEBUG):
        v = Villager(client, "o_privacy_check")
        number = file_ticket(v)
        app.extensions["pufa"].services.queue.reply(number, "司法所", "请带身份证来")
    text = "\n".join(json.dumps(vars(r), ensure_ascii=False, default=str) for r in caplog.records)
    for secret in ("o_privacy_check", "13812345678", "张三", "王五"):
        assert secret not in text, secret


def test_two_staff_claiming_at_once_one_wins(app, client):
    number = file_ticket(Villager(client, "o_race"))
    q = app.extensions["pufa"].services.queue
    results = []
    barrier = threading.Barrier(2)

    def claim(who):
        barrier.wait()
        try:
            q.claim(number, who)
            results.append(("ok", who))
        except TicketError as exc:
            results.append(("refused", str(exc)))

    threads = [threading.Thread(target=claim, args=(w,)) for w in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    winner = next(r[1] for r in results if r[0] == "ok")
    assert q.get(number).data["assignee"] == winner


def test_purge_removes_personal_fields_of_old_closed_tickets(app, client, runner):
    v = Villager(client, "o_purge")
    number = file_ticket(v)
    q = app.extensions["pufa"].services.queue
    q.reply(number, "司法所", "借条带来")
    q.close(number, "司法所", "提供法律咨询")
    assert "没有办结超过 3y" in runner.invoke(args=["purge", "--older-than", "3y"]).output
    q.clock = lambda: time.time() + 4 * 365 * 86400
    result = runner.invoke(args=["purge", "--older-than", "3y"])
    assert number in result.output and "已清除 1 件" in result.output
    data = q.get(number).data
    assert not {"name", "phone", "story", "other_party", "other_address", "facts"} & set(data)
    assert data["openid"].startswith("sha:") and q.context(number) == []
    assert data["outcome"] == "提供法律咨询" and data["category"] == "debt"  # figures stay for the report
    assert q.history(number)[-1]["what"] == "purge"
    assert q.for_openid("o_purge") == []


def test_metrics_endpoint(client, villager):
    villager.say("老板拖欠工资不给怎么办")
    body = client.get("/metrics").get_data(as_text=True)
    assert "pufa_webhook_requests_total" in body and "pufa_answers_total" in body
    assert "pufa_reply_seconds_bucket" in body and "pufa_outbox_depth" in body
