"""The judicial-office ticket queue, all in Redis, all through this module.

A ticket is a hash  {prefix}ticket:{number}  (number like SF-2026-0042) with
the intake fields, kind (legal_aid | litigation | mediation), queue ("town",
or "village:<name>" for mediation), status (new → claimed → answered →
closed, or referred when a village case goes up to the town), timestamps,
assignee and SLA times. Beside it:
  {prefix}ticket:{number}:context   the last messages of the conversation (list)
  {prefix}ticket:{number}:audit     every change: who, what, when (stream)
  {prefix}ticket:{number}:replies   staff replies and their delivery (list of ids)
  {prefix}ticket:{number}:messages  the villager's messages after filing (stream: text, ts)
  {prefix}idx:status:{s} / idx:queue:{q} / idx:village:{v} / idx:openid:{o} / idx:all
                                     sorted sets scored by creation time
  {prefix}idx:referred:{q}          tickets referred up from village queue q (the mediator
                                     keeps read access and follows their progress)
  {prefix}idx:arrived:{q}           tickets by the time they arrived in queue q (filed, or
                                     referred to the town): the console's new-ticket indicator
  {prefix}stream:tickets            new tickets, read by the "notify" consumer group
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

import redis

from . import metrics
from .privacy import hash_openid
from .store import Keys, Record

log = logging.getLogger(__name__)

KINDS = {"legal_aid": "法律援助", "litigation": "诉讼/起诉", "mediation": "纠纷调解", "consult": "法律咨询"}
STATUSES = {"new": "待处理", "claimed": "处理中", "answered": "已答复", "closed": "已办结", "referred": "已转司法所"}


@dataclass(frozen=True)
class Outcome:
    """How a ticket may end: for which kinds and roles ("town" staff, "village"
    mediators), the statistics figure it counts in (bot/console/stats.py), and
    what the villager is told (我的申请/进度: "已办结，<villager>")."""

    name: str
    kinds: frozenset
    roles: frozenset
    metric: str = ""
    villager: str = ""


_ALL_KINDS = frozenset(KINDS)
_TOWN, _BOTH = frozenset({"town"}), frozenset({"town", "village"})
# The one table of outcomes: the console offers, the queue accepts, the statistics
# count and the villager reads only these.
OUTCOME_TABLE = (
    Outcome("调解成功", frozenset({"mediation"}), _BOTH, "mediated", "调解成功"),
    Outcome("双方自行和解", frozenset({"mediation"}), _BOTH, "", "双方已经自行和解"),
    Outcome("调解不成已告知可以起诉", frozenset({"mediation"}), _TOWN, "",
            "调解没有成功，您可以到法院起诉；需要帮忙写起诉状，请回复【人工】"),
    Outcome("协助网上立案", frozenset({"litigation"}), _TOWN, "filed_online", "已协助您向法院立案"),
    Outcome("代写文书", frozenset({"litigation", "legal_aid", "mediation"}), _TOWN, "drafted",
            "已帮您写好法律文书，请按工作人员说的时间到司法所核对签字"),
    Outcome("建议自行起诉", frozenset({"litigation"}), _TOWN, "consult_staff",
            "工作人员已告诉您怎么自己到法院起诉"),
    Outcome("提供法律咨询", frozenset({"consult", "litigation", "legal_aid"}), _TOWN, "consult_staff",
            "工作人员已解答您的问题"),
    Outcome("转法律援助中心", frozenset({"legal_aid"}), _TOWN, "aid_referred",
            "已把您的申请转到县法律援助中心，他们会联系您"),
    Outcome("不符合条件已告知", frozenset({"legal_aid"}), _TOWN, "",
            "经审查不符合法律援助条件，工作人员已告诉您原因和别的办法"),
    Outcome("不予受理转其他部门", _ALL_KINDS, _TOWN, "", "这件事不归司法所办，工作人员已告诉您该找哪个部门"),
    Outcome("当事人撤回", _ALL_KINDS, _BOTH, "", "您已撤回申请"),
    Outcome("联系不上当事人", _ALL_KINDS, _BOTH, "", "工作人员联系不上您，申请先办结了；还需要帮忙请回复【人工】"),
)
OUTCOMES = tuple(o.name for o in OUTCOME_TABLE)
# Outcomes no longer offered that stored tickets may still carry (counted, never accepted).
LEGACY_OUTCOMES = {"其他": Outcome("其他", frozenset(), frozenset(), "", "")}
_BY_NAME = {o.name: o for o in OUTCOME_TABLE} | LEGACY_OUTCOMES


def outcomes_for(kind: str, role: str) -> list[Outcome]:
    """The outcomes a staff member of this role may choose for a ticket of this kind."""
    return [o for o in OUTCOME_TABLE if kind in o.kinds and role in o.roles]


def outcome(name: str) -> Outcome | None:
    """The table row of a stored outcome (current or legacy), None if unknown."""
    return _BY_NAME.get(name or "")


def villager_outcome(name: str) -> str:
    """What the villager reads after "已办结，"."""
    o = outcome(name)
    return (o.villager if o and o.villager else name) or ""
TOWN = "town"
SLA_DUE = 24 * 3600  # inside WeChat's 48-hour customer-service window
SLA_OVERDUE = 36 * 3600
CONTEXT_KEEP = 20
MAX_OPEN_PER_OPENID = 3  # so one account cannot flood the queue
MESSAGES_KEEP = 200  # villager messages kept per ticket
SUPPLEMENT_LINE = "村民补充："  # a 补充 as added to the conversation context
STREAM = "stream:tickets"
GROUP = "notify"
INTAKE_FIELDS = ("name", "phone", "village", "category", "story", "other_party", "other_kind", "other_address",
                 "facts", "hardship", "deadline", "urgent", "incomplete")


# KEYS: ticket hash, its messages stream, … (pairs); ARGV: text, ts, how many to keep.
# A message joins the timeline of the villager's open tickets only.
_RECORD = """
for i = 1, #KEYS, 2 do
  local status = redis.call('HGET', KEYS[i], 'status')
  if status and status ~= 'closed' then
    redis.call('XADD', KEYS[i + 1], 'MAXLEN', '~', ARGV[3], '*', 'text', ARGV[1], 'ts', ARGV[2])
  end
end
return 0
"""


class TicketError(Exception):
    """A refused queue operation; the message is for the staff member."""


class Ticket(Record):
    """A ticket as stored (its Redis hash)."""

    @property
    def number(self) -> str:
        return self.data["number"]

    @property
    def status_name(self) -> str:
        return STATUSES.get(self.data.get("status", ""), self.data.get("status", ""))

    @property
    def kind_name(self) -> str:
        return KINDS.get(self.data.get("kind", ""), self.data.get("kind", ""))

    @property
    def is_open(self) -> bool:
        return self.data.get("status") != "closed"

    @property
    def villager_outcome(self) -> str:
        """The outcome as the villager reads it (after "已办结，")."""
        return villager_outcome(self.data.get("outcome", ""))


PHONE_TAIL = 4


def person_match(data: dict, query: str) -> str:
    """How a search matches the villager's own personal data: "phone" (the full
    number, or its last 4 digits), "name" (the name, or 2+ characters of it), or ""."""
    query = (query or "").strip()
    phone, name = data.get("phone", ""), data.get("name", "")
    digits = "".join(ch for ch in query if ch.isdigit())
    if digits and len(digits) == len(query.replace(" ", "").replace("-", "")):
        if phone and (digits == phone or len(digits) == PHONE_TAIL and phone.endswith(digits)):
            return "phone"
        return ""
    if len(query) >= 2 and name and query in name:
        return "name"
    return ""


def queue_for(kind: str, village: str) -> str:
    """小事不出村，大事不出镇: mediation stays in the village, the rest goes to the town."""
    if kind == "mediation" and village:
        return f"village:{village}"
    return TOWN


class TicketQueue:
    def __init__(self, r: redis.Redis, keys: Keys, settings=None, clock=time.time):
        self.r, self.k, self.settings, self.clock = r, keys, settings, clock
        self.outbox = None  # set by the app: bot.outbox.Outbox
        self.max_open = MAX_OPEN_PER_OPENID
        self.spool = None  # set by the app: bot.spool.Spool
        self._record = r.register_script(_RECORD)

    # -- keys ---------------------------------------------------------------
    def _t(self, number: str, *rest: str) -> str:
        return self.k("ticket", number, *rest)

    def _idx(self, kind: str, value: str) -> str:
        return self.k("idx", kind, value)

    # -- create ---------------------------------------------------------------
    def create(self, *, kind: str, openid: str, fields: dict, context: list[str], idempotency_key: str) -> Ticket:
        """File a ticket once per idempotency key (an intake draft id). With
        Redis unreachable the request goes to the local spool instead and the
        returned ticket has status "spooled" and no number yet."""
        if kind not in KINDS:
            raise TicketError(f"unknown kind {kind}")
        try:
            return self._create(kind=kind, openid=openid, fields=fields, context=context,
                                idempotency_key=idempotency_key)
        except (redis.ConnectionError, redis.TimeoutError):
            if self.spool is None:
                raise
            self.spool.save(idempotency_key, {"kind": kind, "openid": openid, "fields": fields, "context": context,
                                              "idempotency_key": idempotency_key, "created": self.clock()})
            return Ticket({"number": "", "status": "spooled", "kind": kind})

    def drain_spool(self) -> int:
        """Move requests spooled during a Redis outage into Redis (idempotent)."""
        return self.spool.drain(self._create) if self.spool is not None else 0

    def _create(self, *, kind: str, openid: str, fields: dict, context: list[str], idempotency_key: str,
                created: float | None = None) -> Ticket:
        claim_key = self.k("ticket-by-draft", idempotency_key)
        existing = self.r.get(claim_key)
        if existing:
            return self.get(existing)
        now = created or self.clock()
        year = dt.datetime.fromtimestamp(now).year
        # Reserve the draft first so a concurrent duplicate returns this number.
        seq = self.r.incr(self.k("ticket-seq", year))
        number = f"SF-{year}-{seq:04d}"
        if not self.r.set(claim_key, number, nx=True):
            return self.get(self.r.get(claim_key))
        village = fields.get("village", "")
        data = {
            "number": number, "kind": kind, "queue": queue_for(kind, village), "status": "new",
            "openid": openid, "created": now, "updated": now, "due": now + SLA_DUE,
            "overdue_at": now + SLA_OVERDUE, "last_villager_msg": now, "assignee": "", "outcome": "",
            **{f: fields.get(f, "") for f in INTAKE_FIELDS},
        }
        data["urgent"] = "1" if fields.get("urgent") else "0"
        data["incomplete"] = "1" if fields.get("incomplete") else "0"  # handed over before the last question
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(self._t(number), mapping={k: str(v) for k, v in data.items()})
        for line in context[-CONTEXT_KEEP:]:
            pipe.rpush(self._t(number, "context"), line)
        self._index(pipe, data, now)
        pipe.xadd(self._t(number, "audit"), {"who": "villager", "what": "filed", "detail": KINDS[kind],
                                              "ts": str(now)})
        pipe.xadd(self.k(STREAM), {"number": number, "kind": kind, "queue": data["queue"]}, maxlen=100000)
        pipe.execute()
        metrics.ESCALATIONS.labels(kind=kind).inc()
        log.info("ticket filed", extra={"ticket": number, "kind": kind, "openid_hash": hash_openid(openid)})
        return Ticket({k: str(v) for k, v in data.items()})

    def _index(self, pipe, data: dict, score: float) -> None:
        pipe.zadd(self._idx("all", "tickets"), {data["number"]: score})
        pipe.zadd(self._idx("status", data["status"]), {data["number"]: score})
        pipe.zadd(self._idx("queue", data["queue"]), {data["number"]: score})
        if data.get("village"):
            pipe.zadd(self._idx("village", data["village"]), {data["number"]: score})
        pipe.zadd(self._idx("openid", data["openid"]), {data["number"]: score})
        pipe.zadd(self._idx("arrived", data["queue"]), {data["number"]: score})

    # -- read -------------------------------------------------------------------
    def get(self, number: str) -> Ticket:
        data = self.r.hgetall(self._t(number.strip().upper()))
        if not data:
            raise TicketError(f"没有这个编号的申请：{number}")
        return Ticket(data)

    def context(self, number: str) -> list[str]:
        return self.r.lrange(self._t(number, "context"), 0, -1)

    def history(self, number: str) -> list[dict]:
        return [dict(fields, id=entry_id) for entry_id, fields in self.r.xrange(self._t(number, "audit"))]

    def list(self, status: str | None = None, queue: str | None = None, village: str | None = None,
             kind: str | None = None, category: str | None = None, text: str | None = None,
             limit: int = 500, referred_from: str | None = None, person: bool = False) -> list[Ticket]:
        """Tickets by index and filters, urgent first. text: in the number, story, other
        party or village; with person=True also the villager's phone or name (person_match)."""
        if referred_from:
            numbers = self.r.zrange(self._idx("referred", referred_from), 0, -1)
        elif status:
            numbers = self.r.zrange(self._idx("status", status), 0, -1)
        elif queue:
            numbers = self.r.zrange(self._idx("queue", queue), 0, -1)
        elif village:
            numbers = self.r.zrange(self._idx("village", village), 0, -1)
        else:
            numbers = self.r.zrange(self._idx("all", "tickets"), 0, -1)
        pipe = self.r.pipeline(transaction=False)
        for n in numbers:
            pipe.hgetall(self._t(n))
        tickets = [Ticket(d) for d in pipe.execute() if d]
        out = []
        for t in tickets:
            d = t.data
            if queue and d.get("queue") != queue or village and d.get("village") != village:
                continue
            if kind and d.get("kind") != kind or category and d.get("category") != category:
                continue
            if text and text not in " ".join(d.get(f, "") for f in ("number", "story", "other_party", "village")) \
                    and not (person and person_match(d, text)):
                continue
            out.append(t)
        out.sort(key=lambda t: (t.data.get("urgent") != "1", float(t.data.get("created", 0))))
        return out[:limit]

    def for_openid(self, openid: str) -> list[Ticket]:
        numbers = self.r.zrange(self._idx("openid", openid), 0, -1)
        return [self.get(n) for n in numbers]

    def open_numbers(self, openid: str) -> list[str]:
        """The villager's open tickets; empty (fail open) while Redis is unreachable."""
        try:
            return [t.number for t in self.for_openid(openid) if t.is_open]
        except redis.RedisError:
            log.warning("open-ticket cap not checked: redis unavailable")
            return []

    def arrived_since(self, queues: list[str], since: float) -> int:
        """Tickets that arrived in these queues after `since` (filed there, or referred to the town)."""
        pipe = self.r.pipeline(transaction=False)
        for q in queues:
            pipe.zcount(self._idx("arrived", q), f"({since}", "+inf")
        return sum(pipe.execute())

    def counts(self) -> dict[str, int]:
        return {s: self.r.zcard(self._idx("status", s)) for s in STATUSES}

    # -- change -------------------------------------------------------------------
    def _audit(self, pipe, number: str, who: str, what: str, detail: str = "") -> None:
        pipe.xadd(self._t(number, "audit"), {"who": who, "what": what, "detail": detail[:500],
                                              "ts": str(self.clock())})

    def _transition(self, number: str, who: str, what: str, allowed_from: set[str], to: str,
                    updates: dict | None = None, detail: str = "") -> Ticket:
        """Change status atomically: WATCH the ticket, refuse if another change won."""
        key = self._t(number)
        with self.r.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    data = pipe.hgetall(key)
                    if not data:
                        raise TicketError(f"没有这个编号的申请：{number}")
                    if data["status"] not in allowed_from:
                        raise TicketError(
                            f"{number} 现在是“{STATUSES.get(data['status'], data['status'])}”"
                            + (f"（{data.get('assignee')}）" if data.get("assignee") else "") + "，不能" + what)
                    now = self.clock()
                    new = {**(updates or {}), "status": to, "updated": str(now)}
                    pipe.multi()
                    pipe.hset(key, mapping=new)
                    if to != data["status"]:
                        pipe.zrem(self._idx("status", data["status"]), number)
                        pipe.zadd(self._idx("status", to), {number: float(data["created"])})
                    if "queue" in new and new["queue"] != data["queue"]:
                        pipe.zrem(self._idx("queue", data["queue"]), number)
                        pipe.zadd(self._idx("queue", new["queue"]), {number: float(data["created"])})
                    self._audit(pipe, number, who, what, detail)
                    pipe.execute()
                    return Ticket({**data, **new})
                except redis.WatchError:
                    continue

    def claim(self, number: str, who: str) -> Ticket:
        return self._transition(number, who, "认领", {"new", "referred"}, "claimed", {"assignee": who})

    def reply(self, number: str, who: str, text: str) -> Ticket:
        text = (text or "").replace("\r\n", "\n").strip()  # browsers send a textarea's lines as CRLF
        if not text:
            raise TicketError("回复内容是空的")
        ticket = self._transition(number, who, "答复", {"new", "claimed", "answered", "referred"}, "answered",
                                  {"assignee": who}, detail=text[:200])
        if self.outbox is not None:
            delivery = self.outbox.send(ticket.data["openid"], number, text)
            self.r.rpush(self._t(number, "replies"), delivery)
        return ticket

    def deliveries(self, number: str) -> list[dict]:
        ids = self.r.lrange(self._t(number, "replies"), 0, -1)
        return [self.outbox.get(i) for i in ids] if self.outbox else []

    def audit(self, number: str, who: str, what: str, detail: str = "") -> None:
        """Record something done to a ticket that changes nothing in it (e.g. the
        staff console's "show phone and name")."""
        self.get(number)
        pipe = self.r.pipeline()
        self._audit(pipe, number, who, what, detail)
        pipe.execute()

    def note(self, number: str, who: str, text: str) -> None:
        self.get(number)
        pipe = self.r.pipeline()
        self._audit(pipe, number, who, "note", text)
        pipe.execute()

    def refer(self, number: str, who: str) -> Ticket:
        """A village case goes up to the town: it waits there as 待处理 with a fresh
        SLA clock, marked with who referred it; the village keeps it in idx:referred."""
        ticket = self.get(number)
        source = ticket.data["queue"]
        if not source.startswith("village:"):
            raise TicketError(f"{number} 已经在司法所队列里")
        now = self.clock()
        after = self._transition(number, who, "转司法所", {"new", "claimed", "answered"}, "referred",
                                 {"queue": TOWN, "assignee": "", "referred_by": who, "referred_from": source,
                                  "referred_at": str(now), "due": str(now + SLA_DUE),
                                  "overdue_at": str(now + SLA_OVERDUE)})
        pipe = self.r.pipeline()
        pipe.zadd(self._idx("referred", source), {number: float(after.data["created"])})
        pipe.zadd(self._idx("arrived", TOWN), {number: now})
        pipe.execute()
        return after

    def close(self, number: str, who: str, outcome: str, role: str | None = None) -> Ticket:
        """Close with an outcome that fits the ticket's kind (and the closer's role, when given)."""
        kind = self.get(number).data.get("kind", "")
        fitting = [o.name for o in (outcomes_for(kind, role) if role else
                                    [o for o in OUTCOME_TABLE if kind in o.kinds])]
        if outcome not in fitting:
            raise TicketError(f"办结结果必须是：{'、'.join(fitting)}")
        return self._transition(number, who, "办结", {"new", "claimed", "answered", "referred"}, "closed",
                                {"outcome": outcome, "closed_at": str(self.clock())}, detail=outcome)

    def reopen(self, number: str, who: str, reason: str = "") -> Ticket:
        """A closed ticket is worked on again by `who`, with a fresh SLA clock. Its
        outcome and closing time go (the statistics count a ticket closed once, by its
        last closing); the audit keeps the earlier outcome."""
        old = self.get(number).data.get("outcome", "")
        now = self.clock()
        return self._transition(number, who, "重新打开", {"closed"}, "claimed",
                                {"assignee": who, "outcome": "", "closed_at": "", "due": str(now + SLA_DUE),
                                 "overdue_at": str(now + SLA_OVERDUE)},
                                detail=f"原办结结果：{old}" + (f"；{reason}" if reason else ""))

    def assign(self, number: str, who: str, to: str) -> Ticket:
        """Hand an open ticket to a colleague (`to`), who becomes its assignee."""
        if not to:
            raise TicketError("请选择要交给谁")
        status = self.get(number).data["status"]
        return self._transition(number, who, "转交", {"new", "claimed", "answered", "referred"},
                                "claimed" if status in ("new", "referred") else status,
                                {"assignee": to}, detail=f"交给 {to}")

    def append(self, number: str, openid: str, text: str) -> Ticket:
        """The villager's 补充: added to the conversation context and the audit trail."""
        ticket = self.get(number)
        if ticket.data["openid"] != openid:
            raise TicketError("not your ticket")
        pipe = self.r.pipeline()
        pipe.rpush(self._t(number, "context"), SUPPLEMENT_LINE + text)
        pipe.ltrim(self._t(number, "context"), -CONTEXT_KEEP, -1)
        pipe.hset(self._t(number), mapping={"updated": str(self.clock()), "last_villager_msg": str(self.clock())})
        self._audit(pipe, number, "villager", "supplement", text)
        pipe.execute()
        return ticket

    def touch_villager(self, openid: str) -> None:
        """The villager wrote: their open tickets' 48-hour reply window restarts."""
        numbers = self.r.zrange(self._idx("openid", openid), 0, -1)
        if numbers:
            pipe = self.r.pipeline()
            self.touch_tickets(numbers, pipe)
            pipe.execute()

    def openid_index_key(self, openid: str) -> str:
        """The sorted set of a villager's ticket numbers."""
        return self._idx("openid", openid)

    def touch_tickets(self, numbers, pipe, text: str = "") -> None:
        """touch_villager's writes for tickets already read (the Responder reads
        the numbers in its first round trip and writes in its last). With text (what
        the villager wrote), it joins the timeline of each of their open tickets."""
        now = str(self.clock())
        for number in numbers:
            pipe.hset(self._t(number), "last_villager_msg", now)
        if text and numbers:
            keys = [k for n in numbers for k in (self._t(n), self._t(n, "messages"))]
            self._record(keys=keys, args=[text[:1000], now, MESSAGES_KEEP], client=pipe)

    def messages(self, number: str) -> list[dict]:
        """The villager's messages after the ticket was filed: [{text, ts}], oldest first."""
        return [dict(f, id=i) for i, f in self.r.xrange(self._t(number, "messages"))]

    # -- data retention -------------------------------------------------------------
    PERSONAL_FIELDS = ("name", "phone", "story", "other_party", "other_kind", "other_address", "facts", "hardship",
                       "deadline")

    def purge_personal(self, age_seconds: float) -> list[str]:
        """Remove the personal data of tickets closed more than age_seconds ago: the
        intake fields, the conversation, reply texts, complaint drafts, audit
        details and the openid (kept only as a hash). Figures for the statistics stay."""
        purged = []
        closed_before = self.clock() - age_seconds
        for number in self.r.zrange(self._idx("status", "closed"), 0, -1):
            data = self.r.hgetall(self._t(number))
            if not data or data.get("purged_at") or float(data.get("closed_at") or data.get("updated", 0)) >= closed_before:
                continue
            audit = self.history(number)
            pipe = self.r.pipeline(transaction=True)
            pipe.hdel(self._t(number), *self.PERSONAL_FIELDS)
            pipe.hset(self._t(number), mapping={"openid": "sha:" + hash_openid(data.get("openid", "")),
                                                "purged_at": str(self.clock())})
            pipe.zrem(self._idx("openid", data.get("openid", "")), number)
            pipe.delete(self._t(number, "context"))
            pipe.delete(self._t(number, "messages"))
            pipe.delete(self._t(number, "drafts"))  # complaint drafts: names, phones, ID numbers
            for item_id in self.r.lrange(self._t(number, "replies"), 0, -1):
                pipe.hdel(self.k("outbox", "item", item_id), "text", "openid")
            pipe.delete(self._t(number, "audit"))
            for h in audit:
                pipe.xadd(self._t(number, "audit"), {"who": h["who"], "what": h["what"], "ts": h["ts"],
                                                      "detail": "" if h["what"] in ("note", "supplement", "答复") else h.get("detail", "")})
            self._audit(pipe, number, "system", "purge", "个人信息已按保存期限清除")
            pipe.execute()
            purged.append(number)
        return purged

    # -- the new-ticket stream -------------------------------------------------------
    def ensure_group(self) -> None:
        try:
            self.r.xgroup_create(self.k(STREAM), GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def read_new(self, consumer: str, count: int = 10, block_ms: int | None = None,
                 reclaim_idle_ms: int = 60000) -> list[tuple[str, dict]]:
        """Entries for this consumer: first any left pending too long by a
        crashed consumer (XAUTOCLAIM), then new ones. Ack each with ack()."""
        self.ensure_group()
        _, claimed, *_ = self.r.xautoclaim(self.k(STREAM), GROUP, consumer, reclaim_idle_ms, "0-0", count=count)
        if claimed:
            return [(i, f) for i, f in claimed if f]
        got = self.r.xreadgroup(GROUP, consumer, {self.k(STREAM): ">"}, count=count, block=block_ms)
        return [(i, f) for _, entries in (got or []) for i, f in entries]

    def ack(self, entry_id: str) -> None:
        self.r.xack(self.k(STREAM), GROUP, entry_id)
