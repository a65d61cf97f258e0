"""From a plain incoming message to the reply text: session, router, paging,
apology on failure, and WeChat's retries answered once (dedup).

Redis is asked twice per ordinary message:
  1. one Lua script (_BEGIN) that checks a plain-mode signature for replay,
     claims the message for dedup (SET NX), counts the villager's rate, and
     reads the session, the villager's ticket numbers and whether staff
     replies wait in the outbox;
  2. one pipeline at the end that saves the session (24 h TTL), sends what
     the handlers left in ctx.writes (usage counters, the knowledge-gap log),
     restarts the tickets' 48-hour window, and stores the reply for WeChat's
     retries — in that order on one connection, so a retry that sees the
     stored reply also sees the saved session.
Everything else (the intake's ticket, waiting staff replies) goes to Redis
only when it is needed. While Redis is unreachable every check fails open
with a log line and the dialog continues from this process's session copy.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from collections import OrderedDict

import redis

from handlers.base import EVENT, Context, Incoming, Services
from handlers.conversation import Router
from handlers.paging import paginate
from handlers.texts import APOLOGY, RATE_LIMITED
from knowledge.memo import message_scope

from . import metrics
from .guards import RATE_PER_MINUTE, RATE_WINDOW, rate_key
from .privacy import hash_openid
from .store import Keys

log = logging.getLogger(__name__)

SESSION_TTL = 24 * 3600
DEDUP_TTL = 600  # WeChat retries within ~15 s; keep replies a while longer
PENDING = "__pending__"
RETRY_WAIT = 4.5  # a concurrent retry waits this long for the first try's reply
RECENT_KEEP = 5
LOCAL_SESSIONS = 5000

# KEYS: replay, dedup, rate, session, the villager's tickets, the villager's waiting staff replies
# ARGV: body digest ("" = no replay check), replay TTL, dedup TTL, PENDING, count the rate (1/0), rate TTL
_BEGIN = """
if ARGV[1] ~= '' and not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  if redis.call('GET', KEYS[1]) ~= ARGV[1] then
    return {'replayed'}
  end
end
if not redis.call('SET', KEYS[2], ARGV[4], 'NX', 'EX', ARGV[3]) then
  return {'duplicate', redis.call('GET', KEYS[2]) or ''}
end
local count = 0
if ARGV[5] == '1' then
  count = redis.call('INCR', KEYS[3])
  redis.call('EXPIRE', KEYS[3], ARGV[6])
end
local session = redis.call('GET', KEYS[4]) or ''
local waiting = redis.call('ZCARD', KEYS[6])
local tickets = redis.call('ZRANGE', KEYS[5], 0, -1)
return {'new', session, count, waiting, unpack(tickets)}
"""


class Replayed(Exception):
    """A plain-mode (timestamp, nonce, signature) seen before with another body."""


def dedup_key(msg: Incoming) -> str:
    if msg.msg_id and msg.msg_id != "0":
        return f"msg:{msg.msg_id}"
    # The key too: two exhibits scanned in the same second are two events (a retry repeats it).
    return f"evt:{msg.openid}:{msg.create_time}:{msg.event}:{msg.event_key}"


class Responder:
    def __init__(self, r: redis.Redis, keys: Keys, router: Router, services: Services, outbox=None):
        self.r, self.keys, self.router, self.services, self.outbox = r, keys, router, services, outbox
        self._local: OrderedDict[str, str] = OrderedDict()  # last sessions, for Redis outages
        self._unsaved: set[str] = set()  # sessions changed while Redis was unreachable
        self._begin = r.register_script(_BEGIN)

    # -- public -------------------------------------------------------------
    def respond(self, msg: Incoming, request_id: str = "", replay: tuple[str, str, int] | None = None) -> str | None:
        """The reply for this message; a retry of a message gets the first reply.
        `replay` = (key, body digest, TTL) of a plain-mode signature
        (bot.guards.replay_check): raises Replayed when it was used with another body."""
        request_id = request_id or uuid.uuid4().hex[:12]
        key = self.keys("dedup", dedup_key(msg))
        counted = msg.kind != EVENT
        queue = self.services.queue
        try:
            result = self._begin(
                keys=[replay[0] if replay else "", key, rate_key(self.keys, msg.openid),
                      self.keys("session", msg.openid),
                      queue.openid_index_key(msg.openid) if queue is not None else "",
                      self.outbox.openid_key(msg.openid) if self.outbox is not None else ""],
                args=[replay[1] if replay else "", replay[2] if replay else 0, DEDUP_TTL, PENDING,
                      1 if counted else 0, RATE_WINDOW])
        except redis.RedisError:
            log.warning("redis unavailable: dedup, rate limit and replay check skipped, session from the "
                        "local copy", extra={"request_id": request_id})
            return self._answer(msg, request_id, None, claimed=None)
        if result[0] == "replayed":
            raise Replayed()
        if result[0] == "duplicate":
            return self._await_first(key, result[1], request_id)
        return self._answer(msg, request_id, result, claimed=key)

    def context(self, openid: str, request_id: str = "") -> Context:
        return Context(openid=openid, session=self._load_session(openid), services=self.services,
                       request_id=request_id)

    # -- internals ------------------------------------------------------------
    def _await_first(self, key: str, value: str, request_id: str) -> str | None:
        deadline = time.monotonic() + RETRY_WAIT
        while True:
            if value and value != PENDING:
                log.info("retry answered from dedup", extra={"request_id": request_id})
                return json.loads(value)["reply"]
            if time.monotonic() >= deadline:
                # The first try is still working; WeChat's next retry will get its reply.
                return None
            time.sleep(0.05)
            try:
                value = self.r.get(key)
            except redis.RedisError:
                value = None

    def _answer(self, msg: Incoming, request_id: str, state: list | None, claimed: str | None) -> str | None:
        """state: what _BEGIN read (None while Redis is unreachable); claimed: the dedup key."""
        if state is not None:
            raw_session, count, waiting, tickets = state[1], int(state[2]), int(state[3]), state[4:]
        else:
            raw_session, count, waiting, tickets = None, 0, 0, []
        if count == RATE_PER_MINUTE + 1:
            log.warning("villager over the message rate limit", extra={"openid_hash": hash_openid(msg.openid)})
        if count > RATE_PER_MINUTE:
            self._finish(msg.openid, claimed, RATE_LIMITED, None, request_id)
            return RATE_LIMITED
        ctx = Context(openid=msg.openid, session=self._session_from(msg.openid, raw_session),
                      services=self.services, request_id=request_id, writes=[])
        in_dialog = "conv" in ctx.session
        touch, said = [], ""
        try:
            with message_scope(ctx.memo):  # text functions computed once for this message
                reply = self.router.dispatch(msg, ctx)
            reply = paginate(reply, ctx)
            if "confidence" in ctx.trace:
                metrics.CONFIDENCE.labels(band=ctx.trace["confidence"]).inc()
            if msg.kind != EVENT and msg.text and not in_dialog:
                # The last few questions, as context for a ticket filed next.
                ctx.session["recent"] = [*ctx.session.get("recent", []), msg.text[:300]][-RECENT_KEEP:]
            if msg.kind != EVENT and self.services.queue is not None:
                touch = tickets  # their 48-hour reply window restarts (written with the session)
                said = msg.text if not in_dialog else ""  # joins their open tickets' timeline
                self._drain_spool()
        except Exception:
            log.exception("handler failed", extra={"request_id": request_id})
            self._finish(msg.openid, claimed, APOLOGY, None, request_id, writes=ctx.writes)
            return APOLOGY
        if not (msg.kind == EVENT and msg.event == "unsubscribe") and (waiting or state is None):
            reply = self._with_pending_replies(msg.openid, reply, ctx)
        self._finish(msg.openid, claimed, reply, ctx.session, request_id, writes=ctx.writes, touch=touch, said=said)
        return reply

    def _drain_spool(self) -> None:
        """Requests spooled during an outage go into Redis (no Redis call unless some wait)."""
        try:
            self.services.queue.drain_spool()
        except redis.RedisError:
            log.warning("redis unavailable: spool drain postponed")

    def _finish(self, openid: str, claimed: str | None, reply: str | None, session: dict | None,
                request_id: str, writes=(), touch=(), said: str = "") -> None:
        """The end-of-message transaction: session, deferred writes, tickets' window, the dedup reply."""
        raw = self._remember(openid, session) if session is not None else None
        pipe = self.r.pipeline(transaction=False)  # ordered; nothing here needs MULTI's isolation
        if session is not None:
            self._queue_session(pipe, openid, raw, session)
        for write in writes or ():
            write(pipe)
        if touch:
            self.services.queue.touch_tickets(touch, pipe, text=said)
        if claimed:
            pipe.set(claimed, json.dumps({"reply": reply}, ensure_ascii=False), ex=DEDUP_TTL)
        try:
            pipe.execute()
        except redis.RedisError:
            if session is not None:
                self._unsaved.add(openid)
            log.warning("redis unavailable: session, counters and dedup reply not stored",
                        extra={"request_id": request_id})
            return
        if session is not None:
            self._unsaved.discard(openid)

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

    def _session_from(self, openid: str, raw: str | None) -> dict:
        """The session read by _BEGIN (raw; None = Redis unreachable)."""
        if openid in self._unsaved or raw is None:
            if raw is None and openid not in self._unsaved:
                log.warning("session read from the local copy: redis unavailable")
            # Redis holds an older copy than this process (or none is reachable): carry on
            # with this process's last copy, so a dialog in progress can still be confirmed.
            return json.loads(self._local.get(openid, "{}"))
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return {}

    def _load_session(self, openid: str) -> dict:
        raw = None
        if openid not in self._unsaved:  # otherwise Redis holds an older copy than this process
            try:
                raw = self.r.get(self.keys("session", openid)) or ""
            except redis.RedisError:
                pass
        return self._session_from(openid, raw)

    def _remember(self, openid: str, session: dict) -> str:
        """This process's copy of the session (used while Redis is unreachable)."""
        raw = self._local[openid] = json.dumps(session, ensure_ascii=False)
        self._local.move_to_end(openid)
        while len(self._local) > LOCAL_SESSIONS:
            self._unsaved.discard(self._local.popitem(last=False)[0])
        return raw

    def _queue_session(self, pipe, openid: str, raw: str, session: dict) -> None:
        key = self.keys("session", openid)
        if session:
            pipe.set(key, raw, ex=SESSION_TTL)
        else:
            pipe.delete(key)

    def _save_session(self, openid: str, session: dict) -> None:
        raw = self._remember(openid, session)
        pipe = self.r.pipeline(transaction=False)
        self._queue_session(pipe, openid, raw, session)
        try:
            pipe.execute()
            self._unsaved.discard(openid)
        except redis.RedisError:
            self._unsaved.add(openid)
            log.warning("session not saved: redis unavailable")
