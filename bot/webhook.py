"""The WeChat adapter: `/wechat`.

GET is WeChat's server-URL handshake. POST carries a message in plain,
compatible or safe (AES) mode. The adapter checks signatures, decrypts,
parses the XML into a plain handlers.base.Incoming, asks the Responder for
the reply text, and renders (and encrypts) WeChat's reply XML. Nothing
below this module sees XML or wechatpy.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from xml.parsers import expat

from flask import Blueprint, Response, current_app, g, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply

from handlers.base import EVENT, OTHER, TEXT, VOICE, Incoming

from . import metrics
from .dispatch import Replayed
from .guards import TooDeep, check_depth, replay_check

log = logging.getLogger(__name__)
bp = Blueprint("wechat", __name__)

REQUIRED_FIELDS = ("ToUserName", "FromUserName", "CreateTime", "MsgType")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Refused(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def url_signature(token: str, timestamp: str, nonce: str, *extra: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, *extra])).encode()).hexdigest()


def _check_timestamp(timestamp: str) -> None:
    window = current_app.config["SIGNATURE_WINDOW"]
    if not timestamp.isdigit():
        raise Refused(400, "timestamp is not a number")
    if window and abs(time.time() - int(timestamp)) > window:
        raise Refused(403, "timestamp outside the signature window")


def _check_url_signature(args) -> None:
    signature, timestamp, nonce = (args.get(k, "") for k in ("signature", "timestamp", "nonce"))
    if not (signature and timestamp and nonce):
        raise Refused(400, "missing signature, timestamp or nonce")
    _check_timestamp(timestamp)
    expected = url_signature(current_app.config["WECHAT_TOKEN"], timestamp, nonce)
    if not hmac.compare_digest(expected, signature.lower()):
        raise Refused(403, "bad signature")


def _crypto() -> WeChatCrypto | None:
    settings = current_app.extensions["pufa"].settings
    if not settings.wechat_aes_key:
        return None
    return WeChatCrypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_app_id)


def _refuse(exc: Refused) -> Response:
    log.warning("wechat request refused: %s", exc.reason,
                extra={"request_id": g.get("request_id", ""), "status": exc.status})
    return Response(exc.reason, status=exc.status, mimetype="text/plain")


@bp.get("/wechat")
def handshake():
    try:
        _check_url_signature(request.args)
        echostr = request.args.get("echostr")
        if echostr is None:
            raise Refused(400, "missing echostr")
    except Refused as exc:
        return _refuse(exc)
    return Response(echostr, mimetype="text/plain")


def _decode_body(body: bytes) -> str:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None
    head = text[:4096].upper()
    if "<!DOCTYPE" in head or "<!ENTITY" in text.upper():
        raise Refused(400, "DOCTYPE or entity declarations are not accepted")
    return text


def _parse(xml: str):
    try:
        check_depth(xml)
    except TooDeep:
        raise Refused(400, "XML nested too deeply") from None
    except expat.ExpatError:
        raise Refused(400, "not a WeChat message (ExpatError)") from None
    try:
        message = parse_message(xml)
    except Exception as exc:  # ExpatError, ValueError, KeyError… from the XML parser
        raise Refused(400, f"not a WeChat message ({type(exc).__name__})") from None
    data = getattr(message, "_data", {}) or {}
    missing = [f for f in REQUIRED_FIELDS if not data.get(f)]
    if missing:
        raise Refused(400, "missing " + ", ".join(missing))
    return message


def to_incoming(message) -> Incoming:
    """Plain message for the handlers."""
    created = int(message.create_time.timestamp()) if message.create_time else 0
    base = dict(openid=message.source, msg_id=str(message.id or ""), raw_type=message.type,
                create_time=created)
    if message.type == "text":
        return Incoming(kind=TEXT, text=message.content or "", **base)
    if message.type == "voice":
        return Incoming(kind=VOICE, text=(message.recognition or "").strip(), **base)
    if message.type == "event":
        key = getattr(message, "key", None) or getattr(message, "scene_id", None) or ""  # scene_id: QR scans
        return Incoming(kind=EVENT, event=(message.event or "").lower(), event_key=str(key), **base)
    return Incoming(kind=OTHER, **base)


def cdata_safe(text: str) -> str:
    """Text that cannot break wechatpy's CDATA writer or the XML around it."""
    return _XML_INVALID.sub("", text).replace("]]>", "]]]]><![CDATA[>")


def render(message, reply: str | None) -> str:
    if not reply:
        return "success"
    return TextReply(source=message.target, target=message.source, content=cdata_safe(reply)).render()


@bp.post("/wechat")
def receive():
    request_id = g.get("request_id", "")
    args = request.args
    app = current_app
    try:
        _check_url_signature(args)
        body = _decode_body(request.get_data(cache=False))
        encrypted = args.get("encrypt_type", "raw").lower() == "aes"
        crypto = _crypto()
        if encrypted:
            if crypto is None:
                raise Refused(400, "encrypted message but WECHAT_ENCODING_AES_KEY is not set")
            msg_signature = args.get("msg_signature", "")
            if not msg_signature:
                raise Refused(400, "missing msg_signature")
            try:
                xml = crypto.decrypt_message(body, msg_signature, args["timestamp"], args["nonce"])
            except InvalidSignatureException:
                raise Refused(403, "bad msg_signature") from None
            except InvalidAppIdException:
                raise Refused(403, "message for another app id") from None
            except Exception as exc:  # wrong key: padding / UnicodeDecodeError / XML errors
                raise Refused(400, f"cannot decrypt ({type(exc).__name__})") from None
            _decode_body(xml.encode("utf-8") if isinstance(xml, str) else xml)
        else:
            if crypto is not None and app.config["REQUIRE_ENCRYPTION"]:
                raise Refused(403, "unencrypted message refused: safe mode is required")
            xml = body
        message = _parse(xml)
        pufa = app.extensions["pufa"]
        # Plain mode: a (timestamp, nonce, signature) seen with another body is refused;
        # checked in the Responder's first Redis round trip, before anything else happens.
        replay = None if encrypted else replay_check(pufa.keys, args["timestamp"], args["nonce"],
                                                     args["signature"], body.encode("utf-8"),
                                                     app.config["SIGNATURE_WINDOW"])
        started = time.perf_counter()
        incoming = to_incoming(message)
        try:
            reply = pufa.responder.respond(incoming, request_id, replay=replay)
        except Replayed:
            raise Refused(403, "signature reused with a different body") from None
    except Refused as exc:
        metrics.REQUESTS.labels(kind="refused", outcome=str(exc.status)).inc()
        return _refuse(exc)

    xml_reply = render(message, reply)
    if encrypted and xml_reply != "success":
        xml_reply = crypto.encrypt_message(xml_reply, args["nonce"], args["timestamp"])
    metrics.REQUESTS.labels(kind=incoming.raw_type or incoming.kind, outcome="replied" if reply else "empty").inc()
    metrics.LATENCY.observe(time.perf_counter() - started)
    log.info("wechat message answered", extra={
        "request_id": request_id, "kind": incoming.kind, "raw_type": incoming.raw_type,
        "encrypted": encrypted, "replied": bool(reply)})
    return Response(xml_reply, mimetype="application/xml" if xml_reply != "success" else "text/plain")
