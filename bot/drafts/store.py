"""Draft versions in Redis, beside the ticket:

  {prefix}ticket:{number}:drafts   list of JSON {version, who, ts, what, changed_sections, draft}

Every save appends a version (nothing is overwritten); the ticket hash gets
draft_status = "drafted", drafts = 1 (the documents drafted for the ticket: one
complaint, however often it is edited or re-drafted; the statistics count it
once) and draft_versions = the version count, and the ticket's audit
stream says who drafted or changed which sections (never the values: names,
phones and ID numbers stay out of the audit detail and the logs).
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

import redis

from ..queue import TicketError
from . import court as court_mod
from . import model

log = logging.getLogger(__name__)


class DraftConflict(Exception):
    """Someone saved a newer version since this form was opened (or the form names a
    version that does not exist, or none at all)."""

    def __init__(self, latest: int):
        super().__init__(f"latest version is {latest}")
        self.latest = latest


@dataclass
class Version:
    version: int
    who: str
    ts: float
    what: str
    changed: list[str]
    draft: dict

    @property
    def changed_labels(self) -> list[str]:
        return [model.SECTION_LABELS.get(k, k) for k in self.changed]

    @classmethod
    def from_json(cls, raw: str) -> "Version":
        try:
            data = json.loads(raw)
        except (TypeError, ValueError):
            data = {}
        return cls(version=int(data.get("version") or 0), who=str(data.get("who") or ""),
                   ts=float(data.get("ts") or 0), what=str(data.get("what") or ""),
                   changed=list(data.get("changed_sections") or []), draft=model.normalize(data.get("draft")))


class Drafts:
    """The drafting service: templates, the court map, and the version store."""

    def __init__(self, queue, town: str, villages, clock=time.time):
        self.q, self.r, self.k, self.clock = queue, queue.r, queue.k, clock
        self.town = town
        self.templates = model.load_templates()
        self.courts = court_mod.load_courts(town, tuple(villages or ()))
        self.home = court_mod.home_of(self.courts)

    def key(self, number: str) -> str:
        return self.k("ticket", number, "drafts")

    # -- read ------------------------------------------------------------------------
    def ticket(self, number: str):
        return self.q.get(number)

    def count(self, number: str) -> int:
        return self.r.llen(self.key(number))

    def latest(self, number: str) -> Version | None:
        raw = self.r.lindex(self.key(number), -1)
        return Version.from_json(raw) if raw else None

    def version(self, number: str, version: int) -> Version | None:
        if version < 1:
            return None
        raw = self.r.lindex(self.key(number), version - 1)
        return Version.from_json(raw) if raw else None

    def versions(self, number: str) -> list[Version]:
        return [Version.from_json(raw) for raw in self.r.lrange(self.key(number), 0, -1)]

    def template_of(self, draft: dict) -> model.Template:
        return self.templates.get(draft.get("template", "generic"))

    def hint(self, draft: dict) -> court_mod.CourtHint:
        return court_mod.suggest(draft, self.template_of(draft), self.templates.jurisdiction, self.courts)

    def with_court(self, draft: dict) -> dict:
        """Until staff set or confirm the court, it follows the hint."""
        d = model.normalize(draft)
        if not d["court"]["confirmed"] and not d["court"]["manual"]:
            hint = self.hint(d)
            d["court"]["name"] = hint.court if hint.known else ""
        return d

    # -- build -------------------------------------------------------------------------
    def build(self, ticket_data: dict, template_id: str | None = None) -> dict:
        draft = model.build_draft(ticket_data, self.templates, town=self.town, home=self.home,
                                  template_id=template_id)
        return self.with_court(draft)

    def regenerate(self, draft: dict, ticket_data: dict, template_id: str | None = None) -> dict:
        return model.regenerate(draft, self.templates, ticket_data, town=self.town, home=self.home,
                                template_id=template_id)

    def create(self, number: str, who: str, template_id: str | None = None) -> Version:
        """A new draft from the ticket (a first draft, or 重新起草 over an existing one)."""
        ticket = self.ticket(number)
        draft = self.build(ticket.data, template_id)
        what = "起草起诉状" if not self.count(ticket.number) else "重新起草起诉状"
        version, _ = self.save(ticket.number, who, draft, base=None, what=what)
        return version

    def ensure(self, number: str, who: str) -> Version:
        return self.latest(self.ticket(number).number) or self.create(number, who)

    # -- write ----------------------------------------------------------------------------
    def save(self, number: str, who: str, draft: dict, base: int | None, what: str = "修改起诉状"
             ) -> tuple[Version, list[str]]:
        """Append a version. base: the version the edit started from (None: a new draft or
        a re-draft, not checked); anything but the latest version is a conflict.
        Returns (the latest version, the sections changed); no change saves nothing."""
        ticket = self.ticket(number)
        number = ticket.number
        draft = self.with_court(draft)
        key, tkey = self.key(number), self.k("ticket", number)
        with self.r.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key, tkey)
                    if not pipe.exists(tkey):
                        raise TicketError(f"没有这个编号的申请：{number}")
                    count = pipe.llen(key)
                    if base is not None and count != base:
                        raise DraftConflict(count)
                    raw = pipe.lindex(key, -1) if count else None
                    previous = Version.from_json(raw) if raw else None
                    changed = model.changed_sections(previous.draft if previous else None, draft)
                    if previous and not changed:
                        pipe.unwatch()
                        return previous, []
                    entry = {"version": count + 1, "who": who, "ts": self.clock(), "what": what,
                             "changed_sections": changed, "draft": draft}
                    pipe.multi()
                    pipe.rpush(key, json.dumps(entry, ensure_ascii=False))
                    pipe.hset(tkey, mapping={"draft_status": "drafted", "drafts": "1",
                                             "draft_versions": str(count + 1)})
                    pipe.execute()
                    break
                except redis.WatchError:
                    continue
        labels = "、".join(model.SECTION_LABELS.get(k, k) for k in changed) if previous else "全部"
        self.q.audit(number, who, what, f"第{count + 1}版：{labels}")
        log.info("complaint draft saved", extra={"ticket": number, "version": count + 1})
        return Version.from_json(json.dumps(entry, ensure_ascii=False)), changed

    def record_export(self, number: str, who: str, version: int, fmt: str) -> None:
        self.q.audit(number, who, "下载起诉状", f"第{version}版 .{fmt}")
        log.info("complaint draft exported", extra={"ticket": number, "version": version, "format": fmt})
