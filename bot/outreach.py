"""普法 outreach figures, without personal data: quiz rounds and exhibit scans.

Keys (under the app's prefix), one set per month (China time, YYYY-MM):
    outreach:quiz:{month}           hash: rounds, score (sum of right answers), questions
    outreach:quiz:people:{month}    HyperLogLog of HMAC-SHA256(secret, openid) — never the openid
    outreach:quiz:village:{month}   hash: village -> rounds (when the villager's tickets name one)
    outreach:scan:{month}           hash: exhibit scene -> scans

Read by the statistics page and `flask report` through figures(year).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


def month_of(when: float) -> str:
    return dt.datetime.fromtimestamp(when, TZ).strftime("%Y-%m")


class Outreach:
    def __init__(self, redis, prefix: str, secret: str | bytes = b""):
        self.r, self.prefix = redis, prefix
        self._secret = secret.encode() if isinstance(secret, str) else secret

    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(("outreach", *parts))

    def _person(self, openid: str) -> str:
        return hmac.new(self._secret or b"pufa-outreach", openid.encode(), hashlib.sha256).hexdigest()

    def _write(self, fn, pipe) -> None:
        if pipe is not None:
            fn(pipe)
            return
        own = self.r.pipeline(transaction=False)
        fn(own)
        own.execute()

    # -- writes ------------------------------------------------------------------
    def quiz_round(self, openid: str, score: int, total: int, village: str | None, when: float,
                   pipe=None) -> None:
        """One finished round: score right answers out of total."""
        month = month_of(when)

        def write(p):
            key = self._key("quiz", month)
            p.hincrby(key, "rounds", 1)
            p.hincrby(key, "score", int(score))
            p.hincrby(key, "questions", int(total))
            p.pfadd(self._key("quiz", "people", month), self._person(openid))
            if village:
                p.hincrby(self._key("quiz", "village", month), village, 1)

        self._write(write, pipe)

    def scan(self, scene: str, when: float, pipe=None) -> None:
        """One scan of an exhibit's QR code."""
        month = month_of(when)
        self._write(lambda p: p.hincrby(self._key("scan", month), scene, 1), pipe)

    # -- reads -------------------------------------------------------------------
    def figures(self, year: int) -> dict:
        months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
        pipe = self.r.pipeline(transaction=False)
        for month in months:
            pipe.hgetall(self._key("quiz", month))
            pipe.pfcount(self._key("quiz", "people", month))
            pipe.hgetall(self._key("quiz", "village", month))
            pipe.hgetall(self._key("scan", month))
        pipe.pfcount(*[self._key("quiz", "people", m) for m in months])  # the year's distinct people
        results = pipe.execute()
        year_people = int(results.pop())
        quiz_by_month, by_village, scans_by_month, by_exhibit = {}, {}, {}, {}
        rounds = score = questions = 0
        for i, month in enumerate(months):
            quiz, people, villages, scans = results[4 * i:4 * i + 4]
            n = int(quiz.get("rounds", 0))
            if n:
                s = int(quiz.get("score", 0))
                quiz_by_month[month] = {"rounds": n, "people": int(people), "mean_score": round(s / n, 2)}
                rounds, score, questions = rounds + n, score + s, questions + int(quiz.get("questions", 0))
            for village, count in villages.items():
                by_village[village] = by_village.get(village, 0) + int(count)
            month_scans = 0
            for scene, count in scans.items():
                exhibit = by_exhibit.setdefault(scene, {"title": _title(scene), "total": 0, "by_month": {}})
                exhibit["total"] += int(count)
                exhibit["by_month"][month] = int(count)
                month_scans += int(count)
            if month_scans:
                scans_by_month[month] = month_scans
        return {
            "quiz": {"rounds": rounds, "people": year_people, "mean_score": round(score / rounds, 2) if rounds else 0.0,
                     "total_questions": questions, "by_month": quiz_by_month, "by_village": by_village},
            "scans": {"total": sum(scans_by_month.values()), "by_month": scans_by_month, "by_exhibit": by_exhibit},
        }


def _title(scene: str) -> str:
    from knowledge.exhibits import load_exhibits

    exhibit = load_exhibits().get(scene)
    return exhibit.title if exhibit else scene
