"""From a plain incoming message to the reply text: session, router, paging,
apology on failure, and WeChat's retries answered once (dedup)."""
from __future__ import annotations

import json
import logging
from collections import OrderedDict
import time
import uuid

import redis

from handlers.base import EVENT, Context, Incoming, Services
from handlers.conversation import Router
from handlers.paging import paginate
from handlers.texts import APOLOGY, RATE_LIMITED

from . import metrics
from .guards import over_rate
from .store import Keys

log = logging.getLogger(__name__)

SESSION_TTL = 24 * 3600
DEDUP_TTL = 600  # WeChat retries within ~15 s; keep replies a while longer
PENDING = "__pending__"
RETRY_WAIT = 4.5
RECENT_KEEP = 5
LOCAL_SESSIONS = 5000  # a concurrent retry waits this long for the first try's reply


def dedup_key(msg: Incoming) -> str:
    if msg.msg_id and msg.msg_id != "0":
        return f"msg:{msg.msg_id}"
    return f"evt:{msg.openid}:{msg.create_time}:{msg.event}"


class Responder:
    def __init__(self, r: redis.Redis, keys: Keys, router: Router, services: Services, outbox=None):
        self.r, self.keys, self.router, self.services, self.outbox = r, keys, router, services, outbox
        self._local: OrderedDict[str, str] = OrderedDict()  # last sessions, for Redis outages
        self._unsaved: set[str] = set()  # sessions changed while Redis was unreachable

    # -- public -------------------------------------------------------------
    def respond(self, msg: Incoming, request_id: str = "") -> str | None:
        """The reply for this message; a retry of a message gets the first reply."""
        request_id = request_id or uuid.uuid4().hex[:12]
        key = self.keys("dedup", dedup_key(msg))
        try:
            claimed = self.r.set(key, PENDING, nx=True, ex=DEDUP_TTL)
        except redis.RedisError:
            log.warning("dedup unavailable, answering without it", extra={"request_id": request_id})
            return self._answer(msg, request_id)
        if not claimed:
            return self._await_first(key, request_id)
        reply = self._answer(msg, request_id)
        try:
            self.r.set(key, json.dumps({"reply": reply}, ensure_ascii=False), ex=DEDUP_TTL)
        except redis.RedisError:
            log.warning("dedup reply not stored", extra={"request_id": request_id})
        return reply

    def context(self, openid: str, request_id: str = "") -> Context:
        return Context(openid=openid, session=self._load_session(openid), services=self.services,
                       request_id=request_id)

    # -- internals ------------------------------------------------------------
    def _await_first(self, key: str, request_id: str) -> str | None:
        deadline = time.monotonic() + RETRY_WAIT
        while True:
            try:
                value = self.r.get(key)
            except redis.RedisError:
                value = None
            if value and value != PENDING:
                log.info("retry answered from dedup", extra={"request_id": request_id})
                return json.loads(value)["reply"]
            if time.monotonic() >= deadline:
                # The first try is still working; WeChat's next retry will get its reply.
                return None
            time.sleep(0.05)

    def _answer(self, msg: Incoming, request_id: str) -> str | None:
        if msg.kind != EVENT and over_rate(self.r, self.keys, msg.openid):
            return RATE_LIMITED
        ctx = self.context(msg.openid, request_id)
        in_dialog = "conv" in ctx.session
        try:
            reply = self.router.dispatch(msg, ctx)
            reply = paginate(reply, ctx)
            if "confidence" in ctx.trace:
                metrics.CONFIDENCE.labels(band=ctx.trace["confidence"]).inc()
            if msg.kind != EVENT and msg.text and not in_dialog:
                # The last few questions, as context for a ticket filed next.
                ctx.session["recent"] = [*ctx.session.get("recent", []), msg.text[:300]][-RECENT_KEEP:]
            if msg.kind != EVENT and self.services.queue is not None:
                self._after_redis_work(msg.openid)
        except Exception:
            log.exception("handler failed", extra={"request_id": request_id})
            return APOLOGY
        if not (msg.kind == EVENT and msg.event == "unsubscribe"):
            reply = self._with_pending_replies(msg.openid, reply, ctx)
        self._save_session(msg.openid, ctx.session)
        return reply

    def _after_redis_work(self, openid: str) -> None:
        """Upkeep that needs Redis and must never cost the villager the answer."""
        try:
            self.services.queue.touch_villager(openid)
            self.services.queue.drain_spool()
        except redis.RedisError:
            log.warning("redis unavailable: 48-hour window and spool drain postponed")

    def _with_pending_replies(self, openid: str, reply: str | None, ctx: Context) -> str | None:
        if self.outbox is None:
            return reply
        try:
            pending = self.outbox.take_for_reply(openid)
        except redis.RedisError:
            return reply
        if not pending:
            return reply
        return paginate("\n\n".join([*pending, reply] if reply else pending), ctx)

    def _load_session(self, openid: str) -> dict:
        if openid in self._unsaved:  # Redis holds an older copy than this process
            return json.loads(self._local[openid])
        try:
            raw = self.r.get(self.keys("session", openid))
        except redis.RedisError:
            # Redis is down: carry on with this process's last copy, so a dialog
            # in progress can still be confirmed (and spooled).
            log.warning("session read from the local copy: redis unavailable")
            return json.loads(self._local.get(openid, "{}"))
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return {}

    def _save_session(self, openid: str, session: dict) -> None:
        key = self.keys("session", openid)
        self._local[openid] = json.dumps(session, ensure_ascii=False)
        self._local.move_to_end(openid)
        while len(self._local) > LOCAL_SESSIONS:
            self._unsaved.discard(self._local.popitem(last=False)[0])
        try:
            if session:
                self.r.set(key, self._local[openid], ex=SESSION_TTL)
            else:
                self.r.delete(key)
            self._unsaved.discard(openid)
        except redis.RedisError:
            self._unsaved.add(openid)
            log.warning("session not saved: redis unavailable")
