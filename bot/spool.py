"""A local durable spool (SQLite under instance/) for confirmed requests that
could not be written to Redis. They move into Redis, idempotently, as soon as
it answers again, so a filed request survives a Redis outage."""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)


class Spool:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS pending (key TEXT PRIMARY KEY, payload TEXT NOT NULL, "
                       "created REAL NOT NULL)")
        self._last_check = 0.0
        self._maybe_pending = self.count() > 0

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        return db

    def save(self, key: str, payload: dict) -> None:
        with self._lock, self._connect() as db:
            db.execute("INSERT OR IGNORE INTO pending (key, payload, created) VALUES (?, ?, ?)",
                       (key, json.dumps(payload, ensure_ascii=False), time.time()))
        self._maybe_pending = True
        log.warning("request kept in the local spool until redis returns")

    def count(self) -> int:
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM pending").fetchone()[0]

    def drain(self, create, every: float = 5.0) -> int:
        """Move spooled requests with create(**payload); at most every few seconds."""
        now = time.monotonic()
        if not self._maybe_pending or now - self._last_check < every:
            return 0
        self._last_check = now
        moved = 0
        with self._lock, self._connect() as db:
            rows = db.execute("SELECT key, payload FROM pending ORDER BY created").fetchall()
            for key, payload in rows:
                create(**json.loads(payload))  # raises while redis is still down: rows stay
                db.execute("DELETE FROM pending WHERE key = ?", (key,))
                moved += 1
            self._maybe_pending = False
        if moved:
            log.info("spooled requests moved into redis", extra={"count": moved})
        return moved
