"""The local chat simulator behind `flask chat`: each typed line is wrapped,
signed (and with --aes encrypted) exactly as WeChat does it, POSTed to the
webhook, and the reply is unwrapped for printing."""
from __future__ import annotations

import secrets
import string
import time

import xmltodict
from wechatpy.crypto import WeChatCrypto

from .webhook import url_signature


class WeChatSimulator:
    def __init__(self, token: str, app_id: str, openid: str, aes_key: str = "", to_user: str = "gh_pufa_demo"):
        self.token, self.app_id, self.openid, self.to_user = token, app_id, openid, to_user
        self.crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None
        self._msg_id = int(time.time() * 1000)

    def _xml(self, fields: dict) -> str:
        parts = [f"<ToUserName><![CDATA[{self.to_user}]]></ToUserName>",
                 f"<FromUserName><![CDATA[{self.openid}]]></FromUserName>",
                 f"<CreateTime>{fields.pop('CreateTime', int(time.time()))}</CreateTime>"]
        for key, value in fields.items():
            if isinstance(value, int):
                parts.append(f"<{key}>{value}</{key}>")
            else:
                parts.append(f"<{key}><![CDATA[{value}]]></{key}>")
        return "<xml>" + "".join(parts) + "</xml>"

    def text(self, content: str, msg_id: int | None = None) -> str:
        self._msg_id += 1
        return self._xml({"MsgType": "text", "Content": content.replace("]]>", "]]]]><![CDATA[>"),
                          "MsgId": msg_id or self._msg_id})

    def voice(self, recognition: str | None) -> str:
        self._msg_id += 1
        fields = {"MsgType": "voice", "MediaId": "media", "Format": "amr"}
        if recognition is not None:
            fields["Recognition"] = recognition
        fields["MsgId"] = self._msg_id
        return self._xml(fields)

    def event(self, event: str, key: str = "", create_time: int | None = None) -> str:
        fields = {"MsgType": "event", "Event": event}
        if create_time:
            fields["CreateTime"] = create_time
        if key:
            fields["EventKey"] = key
        return self._xml(fields)

    def sign(self, xml: str) -> tuple[dict, bytes]:
        """Query parameters and body for one POST, as WeChat sends them."""
        timestamp = str(int(time.time()))
        nonce = "".join(secrets.choice(string.digits) for _ in range(10))
        params = {"timestamp": timestamp, "nonce": nonce,
                  "signature": url_signature(self.token, timestamp, nonce), "openid": self.openid}
        if not self.crypto:
            return params, xml.encode()
        encrypted = self.crypto.encrypt_message(xml, nonce, timestamp)
        encrypt = xmltodict.parse(encrypted)["xml"]["Encrypt"]
        body = (f"<xml><ToUserName><![CDATA[{self.to_user}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
        params.update(encrypt_type="aes", msg_signature=url_signature(self.token, timestamp, nonce, encrypt))
        return params, body.encode()

    def unwrap(self, params: dict, body: str) -> str | None:
        """The reply text from WeChat reply XML (decrypted in safe mode)."""
        if not body or body == "success":
            return None
        if self.crypto and "<Encrypt>" in body:
            data = xmltodict.parse(body)["xml"]
            body = self.crypto.decrypt_message(body, data["MsgSignature"], data["TimeStamp"], data["Nonce"])
        data = xmltodict.parse(body)["xml"]
        return data.get("Content")
