"""The outbound WeChat API client; the access token is shared in Redis."""
from __future__ import annotations

from wechatpy import WeChatClient
from wechatpy.session.redisstorage import RedisStorage


class PufaWeChatClient(WeChatClient):
    """wechatpy's client, with the token endpoint under API_BASE_URL too
    (wechatpy hard-codes api.weixin.qq.com there), so that WECHAT_API_BASE_URL
    moves every call to a local fake or a proxy."""

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=self.API_BASE_URL + "token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


def make_client(settings, r, keys) -> WeChatClient:
    client = PufaWeChatClient(settings.wechat_app_id, settings.wechat_app_secret,
                              session=RedisStorage(r, prefix=keys("wechat")), timeout=5)
    if settings.wechat_api_base_url:
        client.API_BASE_URL = settings.wechat_api_base_url.rstrip("/") + "/cgi-bin/"
    return client


def can_send(settings) -> bool:
    """Demo credentials cannot reach WeChat: replies then wait for the villager's next message."""
    return bool(settings.wechat_api_base_url) or "WECHAT_APP_SECRET" not in settings.demo_values
