"""Protections of the public webhook that need Redis: replayed signatures in
plain mode, and a per-villager message rate limit. Both fail open (with a log
line) when Redis is unreachable, so villagers still get FAQ answers."""
from __future__ import annotations

import hashlib
import logging
import time
from xml.parsers import expat

import redis

from .privacy import hash_openid

log = logging.getLogger(__name__)

MAX_DEPTH = 6  # WeChat's messages nest three levels at most
RATE_PER_MINUTE = 20


class TooDeep(Exception):
    pass


def check_depth(xml: str, limit: int = MAX_DEPTH) -> None:
    """Refuse deeply nested XML before anything builds it into objects."""
    depth = 0

    def start(name, attrs):
        nonlocal depth
        depth += 1
        if depth > limit:
            raise TooDeep()

    def end(name):
        nonlocal depth
        depth -= 1

    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.Parse(xml, True)


def signature_reused(r: redis.Redis, keys, timestamp: str, nonce: str, signature: str, body: bytes,
                     window: int) -> bool:
    """True when this (timestamp, nonce, signature) was seen with a different body.
    Plain mode's URL signature does not cover the body; WeChat's own retries
    resend the same body, so only a forged body is refused."""
    digest = hashlib.sha256(body).hexdigest()
    key = keys("sig", hashlib.sha1(f"{timestamp}:{nonce}:{signature}".encode()).hexdigest())
    try:
        if r.set(key, digest, nx=True, ex=max(window, 60) * 2):
            return False
        return r.get(key) != digest
    except redis.RedisError:
        log.warning("replay check skipped: redis unavailable")
        return False


def over_rate(r: redis.Redis, keys, openid: str, limit: int = RATE_PER_MINUTE) -> bool:
    """Count this villager's new messages in the current minute."""
    minute = int(time.time() // 60)
    key = keys("rate", openid, minute)
    try:
        pipe = r.pipeline()
        pipe.incr(key)
        pipe.expire(key, 120)
        count = pipe.execute()[0]
    except redis.RedisError:
        return False
    if count == limit + 1:
        log.warning("villager over the message rate limit", extra={"openid_hash": hash_openid(openid)})
    return count > limit
