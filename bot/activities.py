"""The 普法 activity register: what the town and its villages did to popularise the
law (a lecture, the 宪法宣传周, door-to-door visits, the 法治文化游园, online), with
the boards made, leaflets and books handed out and the people who took part.

One place for the rules: validate() is used by the staff console and by
`flask activities add`; bad input raises ActivityError (the messages are for the
person at the keyboard) and nothing is stored.

Keys (under the app's prefix):
  {prefix}activity:{id}          hash: id, date (YYYY-MM-DD), title, village, place,
                                 organizers (JSON list), kind, boards, leaflets, books,
                                 participants, note, created_by, created, updated;
                                 deleted, deleted_by once deleted (the hash is kept)
  {prefix}activity:{id}:audit    stream: who, what (添加 | 修改 | 删除), detail, ts
  {prefix}activity-seq           the last id given
  {prefix}idx:activities         sorted set of the live ids, scored by the date (YYYYMMDD)
  {prefix}idx:activities:deleted sorted set of deleted ids, scored by the time of deletion
Only figures and what staff typed about an activity; no villager's personal data.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import time
import unicodedata

import cn2an
import redis

from .store import Keys, Record

KINDS = ("宣讲/讲座", "宣传周", "进村入户", "法治文化阵地", "线上")
KIND_ALIASES = {"宣讲": "宣讲/讲座", "讲座": "宣讲/讲座", "宣讲讲座": "宣讲/讲座", "宣传": "宣传周",
                "入户": "进村入户", "进村": "进村入户", "阵地": "法治文化阵地", "法治文化": "法治文化阵地",
                "游园": "法治文化阵地", "网上": "线上", "在线": "线上"}
DEFAULT_KIND = "宣讲/讲座"
ORGANIZERS = ("司法所", "派出所", "国土资源所", "应急办", "消防站", "村委会")
COUNTS = {"boards": "宣传版面（块）", "leaflets": "宣传彩页（份）", "books": "法治书籍（本）",
          "participants": "参与群众（人次）"}
FIELD_NAMES = {"date": "日期", "title": "活动名称", "village": "村（社区）", "place": "地点", "organizers": "组织单位",
               "kind": "活动形式", "note": "备注", **COUNTS}
MAX_COUNT = 1_000_000
MAX_TITLE, MAX_PLACE, MAX_NOTE, MAX_ORGANIZER, MAX_ORGANIZERS = 100, 60, 1000, 20, 12
_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UNIT_RE = re.compile(r"(块|份|本|人次|人|张|个|次)$")
_SPLIT_RE = re.compile(r"[,，、;；\s]+")


class ActivityError(ValueError):
    """Input that cannot be stored; .errors maps a field to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("；".join(errors.values()))


class Activity(Record):
    """An activity as stored (its Redis hash)."""

    @property
    def month(self) -> str:
        return self.data["date"][:7]

    @property
    def year(self) -> int:
        return int(self.data["date"][:4])

    @property
    def deleted(self) -> bool:
        return bool(self.data.get("deleted"))

    def public(self) -> dict:
        """The activity as `flask activities list --json` prints it."""
        d = self.data
        return {"id": d["id"], "date": d["date"], "title": d["title"], "village": d["village"],
                "place": d.get("place", ""), "organizers": d["organizers"], "kind": d["kind"],
                **{k: d[k] for k in COUNTS}, "note": d.get("note", ""), "created_by": d.get("created_by", "")}


# -- validation: the one place ---------------------------------------------------------
def parse_count(value) -> int:
    """A count as staff type it: 12, "1,200", "１２", "2000份", "两千"; None/"" is 0.
    Raises ValueError for anything else, a negative number or one over MAX_COUNT."""
    if value is None:
        return 0
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        n = value
    else:
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
        if not text:
            return 0
        text = _UNIT_RE.sub("", text)
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+|-?\d+", text):
            n = int(text.replace(",", ""))
        elif re.fullmatch(r"[零〇一二两三四五六七八九十百千万]+", text):
            n = int(cn2an.cn2an(text, "smart"))
        else:
            raise ValueError(value)
    if n < 0 or n > MAX_COUNT:
        raise ValueError(value)
    return n


def parse_day(value, today: dt.date | None = None) -> dt.date:
    """YYYY-MM-DD (as the date field and the CLI give it), from 2000 to next year."""
    m = _DATE_RE.match(unicodedata.normalize("NFKC", str(value or "")).strip())
    if not m:
        raise ValueError(value)
    day = dt.date(*map(int, m.groups()))  # ValueError for 2026-02-30
    today = today or dt.date.today()
    if not 2000 <= day.year <= today.year + 1:
        raise ValueError(value)
    return day


def split_organizers(value) -> list[str]:
    items = value if isinstance(value, (list, tuple)) else _SPLIT_RE.split(str(value or ""))
    out: list[str] = []
    for item in items:
        for part in _SPLIT_RE.split(unicodedata.normalize("NFKC", str(item or ""))):
            if part and part not in out:
                out.append(part)
    return out


def normalize_kind(value) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text:
        return DEFAULT_KIND
    if text in KINDS:
        return text
    return KIND_ALIASES.get(text.replace("/", "").replace("／", ""), "") or KIND_ALIASES.get(text, "")


def validate(fields: dict, places: list[str], today: dt.date | None = None) -> dict:
    """The stored form of an activity from what was typed, or ActivityError naming every
    field that is wrong. places: the villages (and the town) an activity may belong to."""
    errors: dict[str, str] = {}
    out: dict = {}
    try:
        out["date"] = parse_day(fields.get("date"), today).isoformat()
    except (TypeError, ValueError):
        errors["date"] = f"日期要写成 年-月-日，例如 2026-12-04，而且是真实的日期（您填的是“{fields.get('date') or ''}”）"
    title = " ".join(str(fields.get("title") or "").split())
    if not title:
        errors["title"] = "请填写活动名称"
    elif len(title) > MAX_TITLE:
        errors["title"] = f"活动名称最多 {MAX_TITLE} 个字"
    out["title"] = title
    village = str(fields.get("village") or "").strip()
    if village not in places:
        errors["village"] = (f"村（社区）“{village}”不在名单里，请从名单中选：{'、'.join(places)}" if village
                             else "请选择村（社区）；全镇的活动选“" + (places[0] if places else "") + "”")
    out["village"] = village
    place = " ".join(str(fields.get("place") or "").split())
    if len(place) > MAX_PLACE:
        errors["place"] = f"地点最多 {MAX_PLACE} 个字"
    out["place"] = place
    organizers = split_organizers(fields.get("organizers"))
    if not organizers:
        errors["organizers"] = "请至少填一个组织单位（例如 司法所）"
    elif len(organizers) > MAX_ORGANIZERS or any(len(o) > MAX_ORGANIZER for o in organizers):
        errors["organizers"] = f"组织单位最多 {MAX_ORGANIZERS} 个，每个最多 {MAX_ORGANIZER} 个字"
    out["organizers"] = organizers
    kind = normalize_kind(fields.get("kind"))
    if not kind:
        errors["kind"] = f"活动形式“{fields.get('kind')}”不认识，请从这些里选：{'、'.join(KINDS)}"
    out["kind"] = kind
    for key, label in COUNTS.items():
        try:
            out[key] = parse_count(fields.get(key))
        except (TypeError, ValueError):
            errors[key] = f"{label.split('（')[0]}要填 0 到 {MAX_COUNT} 之间的整数（您填的是“{fields.get(key)}”）"
    note = str(fields.get("note") or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = f"备注最多 {MAX_NOTE} 个字"
    out["note"] = note
    if errors:
        raise ActivityError(errors)
    return out


def _shown(key: str, value) -> str:
    if key == "organizers":
        return "、".join(value) or "（无）"
    return str(value) if value not in ("", None) else "（空）"


def changes(old: dict, new: dict) -> str:
    """What an edit changed, for the audit line: "宣传版面（块）：3 → 5；备注：（空） → 雨天改在村委会"."""
    parts = [f"{FIELD_NAMES[k]}：{_shown(k, old.get(k))} → {_shown(k, new[k])}"
             for k in FIELD_NAMES if k in new and old.get(k) != new[k]]
    return "；".join(parts)


# -- the store --------------------------------------------------------------------------
class ActivityStore:
    def __init__(self, r: redis.Redis, keys: Keys, places: list[str], clock=time.time):
        """places: the villages and, first, the town (an activity for the whole town)."""
        self.r, self.k, self.places, self.clock = r, keys, list(places), clock

    def _a(self, activity_id: str, *rest: str) -> str:
        return self.k("activity", activity_id, *rest)

    @property
    def _index(self) -> str:
        return self.k("idx", "activities")

    @property
    def _deleted(self) -> str:
        return self.k("idx", "activities", "deleted")

    @staticmethod
    def _score(date: str) -> int:
        return int(date.replace("-", ""))

    @staticmethod
    def _encode(values: dict) -> dict:
        return {k: json.dumps(v, ensure_ascii=False) if k == "organizers" else str(v) for k, v in values.items()}

    @staticmethod
    def _decode(raw: dict) -> Activity:
        data = dict(raw)
        data["organizers"] = json.loads(data.get("organizers") or "[]")
        for k in COUNTS:
            data[k] = int(data.get(k) or 0)
        return Activity(data)

    def _audit(self, pipe, activity_id: str, who: str, what: str, detail: str = "") -> None:
        pipe.xadd(self._a(activity_id, "audit"), {"who": who, "what": what, "detail": detail[:1000],
                                                  "ts": str(self.clock())})

    def add(self, fields: dict, who: str) -> Activity:
        values = validate(fields, self.places)
        activity_id = str(self.r.incr(self.k("activity-seq")))
        now = self.clock()
        data = {"id": activity_id, **values, "created_by": who, "created": now, "updated": now}
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(self._a(activity_id), mapping=self._encode(data))
        pipe.zadd(self._index, {activity_id: self._score(values["date"])})
        self._audit(pipe, activity_id, who, "添加",
                    f"{values['date']} {values['title']}（{values['village']}）")
        pipe.execute()
        return self.get(activity_id)

    def get(self, activity_id: str, deleted: bool = False) -> Activity | None:
        """The activity, None if there is none (or it was deleted, unless deleted=True)."""
        if not re.fullmatch(r"\d{1,12}", str(activity_id or "")):
            return None
        raw = self.r.hgetall(self._a(activity_id))
        if not raw:
            return None
        activity = self._decode(raw)
        return activity if deleted or not activity.deleted else None

    def update(self, activity_id: str, fields: dict, who: str) -> Activity:
        """Change an activity; the audit line names each changed field, old → new."""
        values = validate(fields, self.places)
        key = self._a(activity_id)
        with self.r.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.hgetall(key)
                    if not raw or raw.get("deleted"):
                        raise ActivityError({"id": f"没有这个活动记录：{activity_id}"})
                    old = self._decode(raw).data
                    detail = changes(old, values)
                    pipe.multi()
                    if detail:
                        pipe.hset(key, mapping=self._encode({**values, "updated": self.clock()}))
                        pipe.zadd(self._index, {activity_id: self._score(values["date"])})
                        self._audit(pipe, activity_id, who, "修改", detail)
                    pipe.execute()
                    return self.get(activity_id)
                except redis.WatchError:
                    continue

    def delete(self, activity_id: str, who: str) -> Activity:
        """Take an activity out of the register and the figures; its record and audit stay."""
        activity = self.get(activity_id)
        if activity is None:
            raise ActivityError({"id": f"没有这个活动记录：{activity_id}"})
        now = self.clock()
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(self._a(activity_id), mapping={"deleted": str(now), "deleted_by": who})
        pipe.zrem(self._index, activity_id)
        pipe.zadd(self._deleted, {activity_id: now})
        d = activity.data
        self._audit(pipe, activity_id, who, "删除",
                    f"{d['date']} {d['title']}（{d['village']}）：版面{d['boards']}块、彩页{d['leaflets']}份、"
                    f"书籍{d['books']}本、参与{d['participants']}人次")
        pipe.execute()
        return activity

    def history(self, activity_id: str) -> list[dict]:
        return [dict(f, id=i) for i, f in self.r.xrange(self._a(activity_id, "audit"))]

    def _load(self, ids: list[str]) -> list[Activity]:
        pipe = self.r.pipeline(transaction=False)
        for i in ids:
            pipe.hgetall(self._a(i))
        return [self._decode(raw) for raw in pipe.execute() if raw]

    def list(self, year: int | None = None, village: str | None = None, kind: str | None = None,
             first: int = 1, last: int = 12) -> list[Activity]:
        """Live activities, oldest first; year (and months first..last) by the activity's date."""
        if year:
            lo, hi = year * 10000 + first * 100, year * 10000 + last * 100 + 99
            ids = self.r.zrangebyscore(self._index, lo, hi)
        else:
            ids = self.r.zrange(self._index, 0, -1)
        out = [a for a in self._load(ids) if not a.deleted]
        if village:
            out = [a for a in out if a.data["village"] == village]
        if kind:
            out = [a for a in out if a.data["kind"] == kind]
        return out

    def deleted(self, year: int | None = None, village: str | None = None) -> list[Activity]:
        out = self._load(self.r.zrange(self._deleted, 0, -1))
        return [a for a in out if (not year or a.year == year) and (not village or a.data["village"] == village)]

    def years(self) -> list[int]:
        """The years that have activities, newest first."""
        first = self.r.zrange(self._index, 0, 0, withscores=True)
        last = self.r.zrange(self._index, -1, -1, withscores=True)
        if not first:
            return []
        return list(range(int(last[0][1]) // 10000, int(first[0][1]) // 10000 - 1, -1))


# -- figures ----------------------------------------------------------------------------
FIGURES = ("events", *COUNTS)


def _zero() -> dict:
    return dict.fromkeys(FIGURES, 0)


def totals(activities: list[Activity]) -> dict:
    out = _zero()
    for a in activities:
        out["events"] += 1
        for k in COUNTS:
            out[k] += a.data[k]
    return out


def figures(activities: list[Activity], months: list[str]) -> dict:
    """The year's activity figures: totals, by month (every month of the period), by kind,
    by village and by organiser (events)."""
    by_month = {m: _zero() for m in months}
    by_kind: dict[str, dict] = {}
    by_village: dict[str, dict] = {}
    by_organizer: dict[str, int] = {}
    for a in activities:
        for bucket in (by_month.setdefault(a.month, _zero()), by_kind.setdefault(a.data["kind"], _zero()),
                       by_village.setdefault(a.data["village"], _zero())):
            bucket["events"] += 1
            for k in COUNTS:
                bucket[k] += a.data[k]
        for o in a.data["organizers"]:
            by_organizer[o] = by_organizer.get(o, 0) + 1
    return {**totals(activities), "by_month": by_month,
            "by_kind": {k: by_kind[k] for k in (*KINDS, *sorted(set(by_kind) - set(KINDS))) if k in by_kind},
            "by_village": dict(sorted(by_village.items(), key=lambda kv: -kv[1]["events"])),
            "by_organizer": dict(sorted(by_organizer.items(), key=lambda kv: -kv[1]))}
