"""The figures of the town's annual rule-of-law report, from the ticket queue
and the bot's monthly answer counters.

Counting rules (also printed under the table):
- a request counts in the month it was filed (created);
- an outcome (调解成功, 代写文书, …) counts in the month the ticket was closed (closed_at);
- documents drafted: per ticket, the larger of its `drafts` field (court
  documents drafted for it, when present) and 1 if it was closed as 代写文书;
  counted in the month it was closed, or filed while still open;
- questions answered by the bot: {prefix}stats:answered:YYYY-MM (bot.store.Usage).
No personal data: only counts.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field

from knowledge.categories import CATEGORIES

from ..queue import OUTCOMES
from .present import category_name, kind_name

METRICS = [
    ("answered", "公众号解答法律咨询（次）"),
    ("consult_staff", "工作人员解答法律咨询（件）"),
    ("received", "收到求助申请（件）"),
    ("mediation", "受理矛盾纠纷调解（件）"),
    ("mediated", "调解成功（件）"),
    ("legal_aid", "法律援助申请（件）"),
    ("aid_referred", "转法律援助中心（件）"),
    ("litigation", "诉讼求助（件）"),
    ("filed_online", "协助网上立案（件）"),
    ("drafted", "代写法律文书（份）"),
    ("closed", "办结（件）"),
]
METRIC_NAMES = dict(METRICS)
CATEGORY_COLUMNS = ("answered", "received", "mediation", "mediated", "legal_aid", "drafted")
VILLAGE_COLUMNS = ("received", "mediation", "mediated", "legal_aid", "drafted")
OUTCOME_METRIC = {"调解成功": "mediated", "提供法律咨询": "consult_staff", "转法律援助中心": "aid_referred",
                  "协助网上立案": "filed_online"}
NO_VILLAGE = "（未填村）"


@dataclass
class Report:
    year: int
    first: int
    last: int
    months: list[str]
    by_month: dict[str, list[int]]
    by_category: dict[str, dict[str, int]]
    by_village: dict[str, dict[str, int]]
    aid_outcomes: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        return {k: sum(v) for k, v in self.by_month.items()}

    @property
    def period(self) -> str:
        return f"{self.year}年{self.first}月" + (f"至{self.last}月" if self.last != self.first else "")


def _month(ts) -> str | None:
    try:
        return dt.datetime.fromtimestamp(float(ts)).strftime("%Y-%m")
    except (TypeError, ValueError, OSError):
        return None


def _int(value) -> int:
    try:
        return max(0, int(float(value or 0)))
    except (TypeError, ValueError):
        return 0


def build_report(tickets, usage, year: int, first: int = 1, last: int = 12, villages=()) -> Report:
    """tickets: bot.queue.Ticket objects (all of them); usage: bot.store.Usage."""
    first, last = max(1, min(12, first)), max(1, min(12, last))
    if first > last:
        first, last = last, first
    months = [f"{year}-{m:02d}" for m in range(first, last + 1)]
    index = {m: i for i, m in enumerate(months)}
    by_month = {k: [0] * len(months) for k, _ in METRICS}
    by_category = {c: dict.fromkeys(CATEGORY_COLUMNS, 0) for c in CATEGORIES}
    by_village = {v: dict.fromkeys(VILLAGE_COLUMNS, 0) for v in villages}
    aid_outcomes = dict.fromkeys(OUTCOMES, 0)
    outcomes = dict.fromkeys(OUTCOMES, 0)
    kinds: dict[str, int] = {}

    def add(metric: str, month: str | None, category: str, village: str, n: int = 1) -> None:
        if month not in index or not n:
            return
        by_month[metric][index[month]] += n
        if metric in CATEGORY_COLUMNS:
            by_category.setdefault(category or "other", dict.fromkeys(CATEGORY_COLUMNS, 0))[metric] += n
        if metric in VILLAGE_COLUMNS:
            by_village.setdefault(village or NO_VILLAGE, dict.fromkeys(VILLAGE_COLUMNS, 0))[metric] += n

    for m in months:
        for category, n in usage.answered(m).items():
            add("answered", m, category, "", n)

    for t in tickets:
        d = t.data
        kind, category, village = d.get("kind", ""), d.get("category", ""), d.get("village", "")
        created = _month(d.get("created"))
        closed = _month(d.get("closed_at")) if d.get("status") == "closed" else None
        if created in index:
            add("received", created, category, village)
            kinds[kind] = kinds.get(kind, 0) + 1
            if kind in ("mediation", "legal_aid", "litigation"):
                add(kind, created, category, village)
        outcome = d.get("outcome", "")
        if closed in index:
            add("closed", closed, category, village)
            if outcome in OUTCOME_METRIC:
                add(OUTCOME_METRIC[outcome], closed, category, village)
            if outcome in outcomes:
                outcomes[outcome] += 1
                if kind == "legal_aid":
                    aid_outcomes[outcome] += 1
        docs = max(_int(d.get("drafts")), 1 if closed and outcome == "代写文书" else 0)
        add("drafted", closed or created, category, village, docs)

    by_category = {c: v for c, v in by_category.items() if c in CATEGORIES or any(v.values())}
    return Report(year, first, last, months, by_month, by_category, by_village, aid_outcomes, outcomes,
                  {kind_name(k): n for k, n in kinds.items()})


def report_for(app_pufa, year: int, first: int = 1, last: int = 12) -> Report:
    services = app_pufa.services
    return build_report(services.queue.list(limit=10**9), services.usage, year, first, last,
                        app_pufa.settings.villages)


# -- output --------------------------------------------------------------------------
def rows(report: Report) -> list[list[str]]:
    """The report as table rows (month table, then category, village, outcomes)."""
    out = [[f"{report.period} 普法助手工作统计"], [],
           ["项目", *[m[5:].lstrip("0") + "月" for m in report.months], "合计"]]
    totals = report.totals
    for key, label in METRICS:
        out.append([label, *map(str, report.by_month[key]), str(totals[key])])
    out += [[], ["按类别", *[METRIC_NAMES[c] for c in CATEGORY_COLUMNS]]]
    for code, values in report.by_category.items():
        out.append([category_name(code), *[str(values[c]) for c in CATEGORY_COLUMNS]])
    out += [[], ["按村（社区）", *[METRIC_NAMES[c] for c in VILLAGE_COLUMNS]]]
    for village, values in report.by_village.items():
        out.append([village, *[str(values[c]) for c in VILLAGE_COLUMNS]])
    out += [[], ["办结结果", "全部（件）", "其中法律援助申请（件）"]]
    for outcome in OUTCOMES:
        out.append([outcome, str(report.outcomes[outcome]), str(report.aid_outcomes[outcome])])
    return out


def to_csv(report: Report) -> str:
    buf = io.StringIO()
    buf.write("\ufeff")  # so Excel opens the Chinese text as UTF-8
    csv.writer(buf).writerows(rows(report))
    return buf.getvalue()


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def to_text(report: Report) -> str:
    """A terminal table (CJK-aware column widths), one block per section."""
    blocks, block = [], []
    for row in rows(report):
        if not row:
            if block:
                blocks.append(block)
            block = []
        else:
            block.append(row)
    blocks.append(block)
    lines = []
    for block in blocks:
        if len(block) == 1:
            lines += [block[0][0], ""]
            continue
        ncol = max(len(r) for r in block)
        widths = [max(_width(r[i]) if i < len(r) else 0 for r in block) for i in range(ncol)]
        for r in block:
            cells = []
            for i, cell in enumerate(r):
                pad = " " * (widths[i] - _width(cell))
                cells.append(cell + pad if i == 0 else pad + cell)
            lines.append("  ".join(cells).rstrip())
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
