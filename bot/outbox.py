"""Staff replies on their way to the villager, delivered exactly once.

A reply is first tried with WeChat's customer-service API. On 45015 (the
villager last wrote over 48 hours ago), 45047 (quota), any other API error
or a network failure it waits here, and goes out either by `flask outbox
run` (a retrying sender with backoff) or at the top of the bot's next reply
to that villager, whichever comes first. Each delivery is one hash whose
state moves waiting → sending → sent / passive, changed atomically so two
paths never both deliver it.

  {prefix}outbox:item:{id}       hash: openid, ticket, text, state, attempts, error, …
  {prefix}outbox:due             sorted set of waiting ids by next attempt time
  {prefix}outbox:openid:{openid} sorted set of that villager's waiting ids
"""
from __future__ import annotations

import logging
import time
import uuid

import redis
import requests
from wechatpy.exceptions import WeChatClientException

from .privacy import hash_openid

log = logging.getLogger(__name__)

LEASE = 60  # a sender that claimed an item and died gives it back after this
BACKOFF = (5, 15, 60, 300, 900, 3600)
PREFIX = "司法所回复您（{ticket}）：\n{text}"

# Move an item from one state to another only if it is still in the first.
_CAS = """
if redis.call('HGET', KEYS[1], 'state') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'state', ARGV[2], 'state_at', ARGV[3])
  return 1
end
return 0
"""


class Outbox:
    def __init__(self, r: redis.Redis, keys, client_factory, can_send=None, clock=time.time):
        self.r, self.k, self.client_factory, self.clock = r, keys, client_factory, clock
        self.can_send = can_send or (lambda: True)
        self._cas = r.register_script(_CAS)

    def _item(self, item_id: str) -> str:
        return self.k("outbox", "item", item_id)

    def get(self, item_id: str) -> dict:
        return dict(self.r.hgetall(self._item(item_id)), id=item_id)

    def openid_key(self, openid: str) -> str:
        """The sorted set of this villager's waiting replies."""
        return self.k("outbox", "openid", openid)

    def depth(self) -> int:
        return self.r.zcard(self.k("outbox", "due"))

    def send(self, openid: str, ticket: str, text: str) -> str:
        """Record the reply and try it at once; returns the delivery id."""
        item_id = uuid.uuid4().hex
        now = self.clock()
        pipe = self.r.pipeline()
        pipe.hset(self._item(item_id), mapping={"openid": openid, "ticket": ticket, "text": text,
                                                "state": "waiting", "attempts": 0, "created": now,
                                                "state_at": now, "error": ""})
        pipe.zadd(self.k("outbox", "due"), {item_id: now})
        pipe.zadd(self.openid_key(openid), {item_id: now})
        pipe.execute()
        if self.can_send():
            self.attempt(item_id)
        return item_id

    def _claim(self, item_id: str, src: str, dst: str) -> bool:
        return bool(self._cas(keys=[self._item(item_id)], args=[src, dst, self.clock()]))

    def _done(self, item: dict, state: str) -> None:
        pipe = self.r.pipeline()
        pipe.zrem(self.k("outbox", "due"), item["id"])
        pipe.zrem(self.k("outbox", "openid", item["openid"]), item["id"])
        pipe.hset(self._item(item["id"]), mapping={"state": state, "delivered_at": self.clock()})
        pipe.execute()

    def attempt(self, item_id: str) -> bool:
        """One delivery try through the API; True when sent."""
        if not self._claim(item_id, "waiting", "sending"):
            return False
        item = self.get(item_id)
        try:
            client = self.client_factory()
            client.message.send_text(item["openid"], PREFIX.format(ticket=item["ticket"], text=item["text"]))
        except (WeChatClientException, requests.RequestException, OSError) as exc:
            code = getattr(exc, "errcode", None)
            attempts = int(item.get("attempts", 0)) + 1
            delay = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
            pipe = self.r.pipeline()
            pipe.hset(self._item(item_id), mapping={"state": "waiting", "attempts": attempts,
                                                    "error": f"{code or type(exc).__name__}"})
            pipe.zadd(self.k("outbox", "due"), {item_id: self.clock() + delay})
            pipe.execute()
            log.warning("reply not delivered, waiting in outbox",
                        extra={"ticket": item["ticket"], "errcode": code, "attempts": attempts,
                               "openid_hash": hash_openid(item["openid"])})
            return False
        self._done(item, "sent")
        log.info("reply delivered", extra={"ticket": item["ticket"], "openid_hash": hash_openid(item["openid"])})
        return True

    def take_for_reply(self, openid: str) -> list[str]:
        """Waiting replies for this villager, claimed for the bot's passive reply."""
        texts = []
        for item_id in self.r.zrange(self.openid_key(openid), 0, -1):
            if self._claim(item_id, "waiting", "passive"):
                item = self.get(item_id)
                self._done(item, "passive")
                texts.append(PREFIX.format(ticket=item["ticket"], text=item["text"]))
        return texts

    def run_once(self) -> int:
        """Try every item that is due (and take back items whose sender died)."""
        now = self.clock()
        sent = 0
        for item_id in self.r.zrangebyscore(self.k("outbox", "due"), 0, now):
            item = self.get(item_id)
            if item.get("state") == "sending" and now - float(item.get("state_at", 0)) > LEASE:
                self._claim(item_id, "sending", "waiting")
            sent += self.attempt(item_id)
        return sent
