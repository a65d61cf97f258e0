"""The plain message, the per-villager context, and the handler interface."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

# Message kinds the adapter produces.
TEXT, VOICE, EVENT, OTHER = "text", "voice", "event", "other"


@dataclass(frozen=True)
class Incoming:
    """One message from a villager, free of any platform detail."""

    openid: str
    kind: str  # text | voice | event | other
    text: str = ""  # typed text, or the speech recognition of a voice message
    msg_id: str = ""  # platform message id ("" for events)
    event: str = ""  # subscribe | unsubscribe | click | scan | … (kind == event)
    event_key: str = ""
    raw_type: str = ""  # the platform's own type name: image, location, …
    create_time: int = 0


@dataclass
class Services:
    """What handlers may use; built once by the app."""

    kb: Any = None  # knowledge.search.KnowledgeBase
    queue: Any = None  # bot.queue.TicketQueue
    villages: list[str] = field(default_factory=list)
    town: str = ""
    statutes: Any = None  # knowledge.statutes.Statutes
    usage: Any = None  # bot.store.Usage: how often each FAQ entry was answered
    gaps: Any = None  # bot.store.GapLog: questions without a confident answer
    outreach: Any = None  # bot.outreach.Outreach: quiz rounds and exhibit scans (no personal data)


@dataclass
class Context:
    """What a handler knows about the villager it is answering.

    `session` is a JSON-able dict persisted in Redis per openid after the
    handler returns (so it changes once per message, retries included).
    """

    openid: str
    session: dict
    services: Services
    now: float = field(default_factory=time.time)
    request_id: str = ""
    # What the handlers decided (intent, category, matches…), for `flask kb ask
    # --json`, metrics and the knowledge-gap log.
    trace: dict = field(default_factory=dict)
    # Redis writes that may wait for the end of the message (counters, the gap
    # log): callables taking a pipeline, sent by the Responder in the one
    # pipeline that also saves the session. None: write at once.
    writes: list | None = None
    # Per-message memo of pure text functions (knowledge.memo): this message only.
    memo: dict = field(default_factory=dict)

    def write_later(self, fn, *args) -> None:
        """fn(*args, pipe=…) in the end-of-message pipeline; without one, fn(*args) at once."""
        if self.writes is None:
            fn(*args)
        else:
            self.writes.append(lambda pipe: fn(*args, pipe=pipe))


class Handler(Protocol):
    name: str

    def match(self, msg: Incoming, ctx: Context) -> bool:
        """Whether this handler takes the message."""

    def handle(self, msg: Incoming, ctx: Context) -> str | None:
        """The reply text, or None for no reply."""
