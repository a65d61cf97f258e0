"""Protections of the public webhook: nesting depth, and the keys of the two
checks that need Redis — replayed signatures in plain mode and a per-villager
message rate limit. The Responder runs both in its first Redis round trip
(bot.dispatch._BEGIN); they fail open (with a log line) when Redis is
unreachable, so villagers still get FAQ answers."""
from __future__ import annotations

import hashlib
import time
from xml.parsers import expat

MAX_DEPTH = 6  # WeChat's messages nest three levels at most
# A villager filing a lawsuit answers about 22 short questions (many of them a
# digit): 30 a minute leaves room for a quick typist and still stops a flood.
RATE_PER_MINUTE = 30
RATE_WINDOW = 120  # seconds a minute's counter is kept


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


def replay_check(keys, timestamp: str, nonce: str, signature: str, body: bytes,
                 window: int) -> tuple[str, str, int]:
    """(key, body digest, TTL) remembering a plain-mode signature with its body.
    Plain mode's URL signature does not cover the body; WeChat's own retries
    resend the same body, so only the same signature with another body is refused."""
    digest = hashlib.sha256(body).hexdigest()
    key = keys("sig", hashlib.sha1(f"{timestamp}:{nonce}:{signature}".encode()).hexdigest())
    return key, digest, max(window, 60) * 2


def rate_key(keys, openid: str, now: float | None = None) -> str:
    """The counter of this villager's messages in the current minute."""
    return keys("rate", openid, int((time.time() if now is None else now) // 60))
