"""The WeChat adapter: handshake, the three modes, the real protocol samples,
and bad input refused with a 4xx and a log line, storing nothing."""
from __future__ import annotations

import json
import logging
import time
import uuid
from pathlib import Path

import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.crypto.base import BasePrpCrypto

from bot.webhook import url_signature
from tests.conftest import AES_KEY, APP_ID, TOKEN, Villager

WECHAT = Path(__file__).parent / "wechat"
SAMPLES = sorted((WECHAT / "inbound").glob("*.xml"))
VECTORS = json.loads((WECHAT / "crypto_vectors.json").read_text(encoding="utf-8"))["vectors"]


def signed(token=TOKEN, **extra):
    ts, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
    return {"timestamp": ts, "nonce": nonce, "signature": url_signature(token, ts, nonce), **extra}


def stored_keys(app):
    pufa = app.extensions["pufa"]
    return [k for k in pufa.redis.scan_iter(match=pufa.keys.prefix + "*")]


# -- handshake -------------------------------------------------------------------------
def test_handshake_echoes_echostr_when_signed(client):
    resp = client.get("/wechat", query_string=signed(echostr="hello123"))
    assert resp.status_code == 200 and resp.get_data(as_text=True) == "hello123"


def test_handshake_refuses_bad_signature(client, caplog):
    params = signed(echostr="x")
    params["signature"] = "0" * 40
    with caplog.at_level(logging.WARNING):
        resp = client.get("/wechat", query_string=params)
    assert resp.status_code == 403
    assert any("bad signature" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("missing", ["signature", "timestamp", "nonce", "echostr"])
def test_handshake_missing_parameter_is_400(client, missing):
    params = signed(echostr="x")
    params.pop(missing)
    assert client.get("/wechat", query_string=params).status_code == 400


def test_old_timestamp_is_refused(client):
    ts, nonce = str(int(time.time()) - 3600), "1"
    params = {"timestamp": ts, "nonce": nonce, "signature": url_signature(TOKEN, ts, nonce), "echostr": "x"}
    assert client.get("/wechat", query_string=params).status_code == 403


# -- conformance: the real inbound samples --------------------------------------------------
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_every_inbound_sample_gets_a_valid_reply(client, sample):
    body = sample.read_bytes()
    resp = client.post("/wechat", query_string=signed(), data=body, content_type="text/xml")
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    msg = xmltodict.parse(body)["xml"]
    if msg.get("Event") == "unsubscribe":
        assert text == "success"
        return
    reply = xmltodict.parse(text)["xml"]
    assert reply["ToUserName"] == msg["FromUserName"] and reply["FromUserName"] == msg["ToUserName"]
    assert reply["MsgType"] == "text" and reply["Content"].strip()
    assert "该公众号暂时无法提供服务" not in reply["Content"]


def _reply_text(client, name):
    body = (WECHAT / "inbound" / name).read_bytes()
    resp = client.post("/wechat", query_string=signed(), data=body, content_type="text/xml")
    return xmltodict.parse(resp.get_data(as_text=True))["xml"]["Content"]


def test_subscribe_welcome_says_what_the_bot_does(client):
    for name in ("wechatpy_event_subscribe.xml", "werobot_event_subscribe_qrscene.xml"):
        text = _reply_text(client, name)
        assert "菜单" in text and "司法所" in text and len(text.splitlines()) <= 4


def test_voice_without_recognition_asks_again(client):
    assert "没听清" in _reply_text(client, "wechatpy_voice_no_recognition.xml")


def test_voice_with_recognition_is_answered_like_the_same_text(app, client):
    v1, v2 = Villager(client, "o_voice"), Villager(client, "o_typed")
    assert v1.send(v1.sim.voice("老板拖欠工资不给怎么办")) == v2.say("老板拖欠工资不给怎么办")


def test_image_and_location_get_a_friendly_text(villager):
    for kind in ("image", "location", "link", "video", "shortvideo"):
        xml = villager.sim._xml({"MsgType": kind, "MsgId": int(time.time() * 1000) + hash(kind) % 1000})
        reply = villager.send(xml)
        assert "文字和语音" in reply


def test_click_menu_shows_categories(villager):
    reply = villager.send(villager.sim.event("CLICK", key="MENU"))
    assert "婚姻家庭" in reply and "行政村务与信访" in reply


# -- conformance: crypto vectors --------------------------------------------------------------
@pytest.mark.parametrize("vector", [v for v in VECTORS if "post_body" in v], ids=lambda v: v["id"])
def test_crypto_vectors_decrypt(vector):
    crypto = WeChatCrypto(vector["token"], vector["encoding_aes_key"], vector["appid"])
    plain = crypto.decrypt_message(vector["post_body"], vector["msg_signature"], vector["timestamp"],
                                   vector["nonce"])
    assert plain == vector["expected_plaintext_derived"]


@pytest.mark.parametrize("vector", [v for v in VECTORS if "expected_encrypt" in v], ids=lambda v: v["id"])
def test_crypto_vectors_encrypt(vector, monkeypatch):
    monkeypatch.setattr(BasePrpCrypto, "get_random_string", lambda self: vector["random16"])
    crypto = WeChatCrypto(vector["token"], vector["encoding_aes_key"], vector["appid"])
    out = xmltodict.parse(crypto.encrypt_message(vector["plaintext"], vector.get("nonce", "n"),
                                                 vector.get("timestamp", "1")))["xml"]
    assert out["Encrypt"] == vector["expected_encrypt"]
    if "expected_msg_signature" in vector:
        assert out["MsgSignature"] == vector["expected_msg_signature"]


def test_echostr_vector_signature_and_negative_case():
    v = next(v for v in VECTORS if v["id"] == "wechatpy_wecom_verify_url_echostr")
    assert url_signature(v["token"], v["timestamp"], v["nonce"], v["echostr"]) == v["msg_signature"]
    assert url_signature(v["token"], v["timestamp"], "437374424", v["echostr"]) != v["msg_signature"]


def test_safe_mode_reply_is_encrypted_and_decrypts_with_the_same_key(client):
    v = Villager(client, "o_safe", aes=True)
    params, resp = v.post(v.sim.text("菜单"))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<Encrypt>" in body and "婚姻家庭" not in body
    data = xmltodict.parse(body)["xml"]
    plain = WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message(body, data["MsgSignature"], data["TimeStamp"],
                                                                 data["Nonce"])
    assert "婚姻家庭" in xmltodict.parse(plain)["xml"]["Content"]


def test_compatible_mode_message_is_read(client):
    """Compatible mode: plain fields and Encrypt side by side, encrypt_type=aes."""
    v = Villager(client, "o_compat", aes=True)
    xml = v.sim.text("今日普法")
    params, body = v.sim.sign(xml)
    encrypt = xmltodict.parse(body)["xml"]["Encrypt"]
    compat = xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
    resp = client.post("/wechat", query_string=params, data=compat, content_type="text/xml")
    assert resp.status_code == 200 and "<Encrypt>" in resp.get_data(as_text=True)


# -- bad input ------------------------------------------------------------------------------------
def test_wrong_signature_on_post_is_403_and_stores_nothing(app, client, caplog):
    v = Villager(client, "o_bad")
    params, body = v.sim.sign(v.sim.text("你好"))
    params["signature"] = "f" * 40
    with caplog.at_level(logging.WARNING):
        resp = client.post("/wechat", query_string=params, data=body)
    assert resp.status_code == 403
    assert stored_keys(app) == []
    assert any(r.getMessage().startswith("wechat request refused") for r in caplog.records)


@pytest.mark.parametrize("body", [b"this is not xml", b"<xml><ToUserName>a</ToUserName></xml>",
                                  b"<xml><FromUserName><![CDATA[x]]></FromUserName><CreateTime>1</CreateTime>"
                                  b"<ToUserName>y</ToUserName><Content>hi</Content></xml>",
                                  b"\xff\xfe\x00garbage", b""])
def test_non_wechat_bodies_are_400_and_store_nothing(app, client, body):
    resp = client.post("/wechat", query_string=signed(), data=body)
    assert resp.status_code == 400
    assert stored_keys(app) == []


def test_doctype_and_entities_are_refused(app, client):
    body = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime>"
            b"<MsgType>text</MsgType><Content>&e;</Content><MsgId>1</MsgId></xml>")
    resp = client.post("/wechat", query_string=signed(), data=body)
    assert resp.status_code == 400 and b"root:" not in resp.data
    assert stored_keys(app) == []


def test_body_over_64k_is_413(client):
    resp = client.post("/wechat", query_string=signed(), data=b"<xml>" + b"a" * 70000 + b"</xml>")
    assert resp.status_code == 413


def test_wrong_aes_key_is_refused(app, client):
    other = Villager(client, "o_wrongkey", aes=True)
    other.sim.crypto = WeChatCrypto(TOKEN, "B" * 43, APP_ID)
    params, resp = other.post(other.sim.text("你好"))
    assert resp.status_code in (400, 403)
    assert stored_keys(app) == []


def test_wrong_app_id_is_refused(app, client):
    other = Villager(client, "o_wrongapp", aes=True)
    other.sim.crypto = WeChatCrypto(TOKEN, AES_KEY, "wx0000000000000000")
    params, resp = other.post(other.sim.text("你好"))
    assert resp.status_code == 403
    assert stored_keys(app) == []


def test_encrypted_post_without_msg_signature_is_400(client):
    v = Villager(client, "o_nomsgsig", aes=True)
    params, body = v.sim.sign(v.sim.text("你好"))
    params.pop("msg_signature")
    assert client.post("/wechat", query_string=params, data=body).status_code == 400


def test_production_with_aes_key_refuses_plain_posts(make_app):
    app = make_app({"PUFA_ENV": "production", "SECRET_KEY": "a-real-production-secret"})
    v = Villager(app.test_client(), "o_prod")
    params, resp = v.post(v.sim.text("你好"))
    assert resp.status_code == 403


def test_reply_cannot_be_broken_by_cdata_end_in_user_text(villager):
    # A statute look-up echoes nothing, but an unknown law number echoes the text back in some replies;
    # the renderer must keep any "]]>" from closing the CDATA section.
    from bot.webhook import cdata_safe
    from wechatpy.replies import TextReply

    xml = TextReply(source="a", target="b", content=cdata_safe("x]]><MsgType>evil</MsgType>\x01")).render()
    assert xmltodict.parse(xml)["xml"]["Content"] == "x]]><MsgType>evil</MsgType>"


def test_handler_exception_gives_apology_and_valid_reply(app, client, monkeypatch, caplog):
    from handlers.faq import FaqHandler

    def boom(self, msg, ctx):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(FaqHandler, "handle", boom)
    v = Villager(client, "o_boom")
    with caplog.at_level(logging.ERROR):
        reply = v.say("随便问一个没有关键词的问题")
    assert "抱歉" in reply and "kaboom" not in reply
    failed = [r for r in caplog.records if r.getMessage() == "handler failed"]
    assert failed and failed[0].request_id


def test_healthz(client, app):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["redis"] == "ok" and data["knowledge"]["entries"] >= 1


def test_healthz_503_when_redis_unreachable(make_app):
    app = make_app({"REDIS_URL": "redis://127.0.0.1:1/0"})
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503 and resp.get_json()["redis"].startswith("unreachable")
