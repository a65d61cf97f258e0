"""The figures of the town's annual rule-of-law report, from the ticket queue
and the bot's monthly answer counters.

Counting rules (also printed under the table):
- a request counts in the month it was filed (created);
- an outcome (调解成功, 代写文书, …) counts in the month the ticket was closed (closed_at);
- documents drafted: per ticket, documents not versions: 1 for a complaint drafted
  in the console (draft_status, however often it was edited), else its `drafts`
  field when present, and at least 1 if it was closed as 代写文书;
  counted in the month it was closed, or filed while still open;
- questions answered by the bot: {prefix}stats:answered:YYYY-MM (bot.store.Usage);
- mediation requests split 小事不出村，大事不出镇: still in a village's queue, or at the
  town (referred up by the village, or filed with no village), by the month filed;
- report_for() adds the 普法 activities (by the activity's date) and the quiz and
  exhibit-scan figures (bot/outreach.py): see annual.py.
No personal data: only counts.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field

from knowledge.categories import CATEGORIES

from ..queue import LEGACY_OUTCOMES, OUTCOME_TABLE, OUTCOMES
from .present import category_name, kind_name

METRICS = [
    ("answered", "公众号解答法律咨询（次）"),
    ("consult_staff", "工作人员解答法律咨询（件）"),
    ("received", "收到求助申请（件）"),
    ("mediation", "受理矛盾纠纷调解（件）"),
    ("mediation_village", "其中在村里调处（件）"),
    ("mediation_town", "其中由镇司法所调处（件）"),
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
# From the one outcome table (bot/queue.py); documents drafted are counted per ticket below.
OUTCOME_METRIC = {o.name: o.metric for o in OUTCOME_TABLE if o.metric and o.metric != "drafted"}
REPORTED_OUTCOMES = (*OUTCOMES, *LEGACY_OUTCOMES)  # legacy ones: stored tickets closed before the table
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
    activities: dict = field(default_factory=dict)  # annual.activities_for (set by report_for)
    outreach: dict = field(default_factory=dict)  # annual.outreach_for: quiz and exhibit scans

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
    aid_outcomes = dict.fromkeys(REPORTED_OUTCOMES, 0)
    outcomes = dict.fromkeys(REPORTED_OUTCOMES, 0)
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
            if kind == "mediation":  # 小事不出村，大事不出镇: still in the village queue, or at the town
                village_queue = d.get("queue", "").startswith("village:")
                add("mediation_village" if village_queue else "mediation_town", created, category, village)
        outcome = d.get("outcome", "")
        if closed in index:
            add("closed", closed, category, village)
            if outcome in OUTCOME_METRIC:
                add(OUTCOME_METRIC[outcome], closed, category, village)
            if outcome in outcomes:
                outcomes[outcome] += 1
                if kind == "legal_aid":
                    aid_outcomes[outcome] += 1
        # A complaint drafted in the console is one document however many versions it has
        # (tickets drafted before draft_versions existed kept the version count in `drafts`).
        drafted = 1 if d.get("draft_status") == "drafted" else _int(d.get("drafts"))
        docs = max(drafted, 1 if closed and outcome == "代写文书" else 0)
        add("drafted", closed or created, category, village, docs)

    by_category = {c: v for c, v in by_category.items() if c in CATEGORIES or any(v.values())}
    return Report(year, first, last, months, by_month, by_category, by_village, aid_outcomes, outcomes,
                  {kind_name(k): n for k, n in kinds.items()})


def report_for(app_pufa, year: int, first: int = 1, last: int = 12) -> Report:
    from . import annual

    services = app_pufa.services
    report = build_report(services.queue.list(limit=10**9), services.usage, year, first, last,
                          app_pufa.settings.villages)
    report.activities = annual.activities_for(app_pufa, year, report.months)
    report.outreach = annual.outreach_for(app_pufa, year, report.months)
    return report


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
    for outcome in report.outcomes:
        out.append([outcome, str(report.outcomes[outcome]), str(report.aid_outcomes[outcome])])
    from .annual import extra_rows

    return out + extra_rows(report)  # 普法 activities, quiz and scans (when report_for filled them)


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
