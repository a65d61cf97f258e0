"""The year's figures in one place, beside the ticket statistics (stats.py): the 普法
activity register (bot/activities.py) and the quiz and exhibit-scan counters
(bot/outreach.py); and the sentences of the 年度法治政府建设工作报告 draft
(report_docx.py) filled from them. Only counts: no personal data.

    figures(pufa, year)     -> the JSON object of `flask report --year Y --json`
    extra_rows(report)      -> the activity and outreach blocks of the statistics table
    sentences(figs)         -> the report's paragraphs, with the counting rules
"""
from __future__ import annotations

import datetime as dt

from ..activities import COUNTS, FIGURES, KINDS
from ..activities import figures as activity_figures

ACTIVITY_NAMES = {"events": "普法活动（次）", **COUNTS}
MONTH_FIGURES = (  # the report's month-by-month chart and table: (key, label, unit)
    ("mediation", "调处矛盾纠纷", "起"),
    ("legal_aid", "法律援助", "人次"),
    ("drafted", "代写诉讼文书", "份"),
    ("events", "普法活动", "次"),
    ("answered", "公众号解答法律咨询", "次"),
    ("quiz", "线上普法答题", "人次"),
    ("scans", "法治文化游园扫码", "人次"),
)
CHARTED = ("mediation", "legal_aid", "events", "answered")  # the report's charts: its top figures


def _month_label(month: str) -> str:
    return month[5:].lstrip("0") + "月"


# -- gathering ---------------------------------------------------------------------------
def activities_for(pufa, year: int, months: list[str]) -> dict:
    first, last = int(months[0][5:]), int(months[-1][5:])
    return activity_figures(pufa.services.activities.list(year, first=first, last=last), months)


def outreach_for(pufa, year: int, months: list[str]) -> dict:
    """Outreach.figures(year) cut to the period's months. The distinct number of people
    is known only for the whole year (a month's people are counted apart)."""
    figs = pufa.services.outreach.figures(year)
    quiz, scans = figs["quiz"], figs["scans"]
    whole_year = len(months) == 12
    q_months = {m: quiz["by_month"][m] for m in months if m in quiz["by_month"]}
    rounds = sum(v["rounds"] for v in q_months.values())
    score = sum(v["rounds"] * v["mean_score"] for v in q_months.values())
    s_months = {m: scans["by_month"][m] for m in months if m in scans["by_month"]}
    by_exhibit = {}
    for scene, ex in scans["by_exhibit"].items():
        cut = {m: n for m, n in ex["by_month"].items() if m in months}
        if cut:
            by_exhibit[scene] = {"title": ex["title"], "total": sum(cut.values()), "by_month": cut}
    return {
        "quiz": {"rounds": rounds, "people": quiz["people"] if whole_year else None,
                 "mean_score": quiz["mean_score"] if whole_year else (round(score / rounds, 2) if rounds else 0.0),
                 "total_questions": quiz["total_questions"] if whole_year else None,
                 "by_month": q_months, "by_village": quiz["by_village"] if whole_year else {}},
        "scans": {"total": sum(s_months.values()), "by_month": s_months,
                  "by_exhibit": dict(sorted(by_exhibit.items(), key=lambda kv: -kv[1]["total"]))},
    }


def figures(pufa, year: int) -> dict:
    """All of the year's figures as one JSON-able object."""
    from . import stats

    report = stats.report_for(pufa, year)
    totals = report.totals
    months = report.months
    by_month = {key: dict(zip(months, values)) for key, values in report.by_month.items()}
    acts, outreach = report.activities, report.outreach
    return {
        "year": year,
        "town": pufa.settings.town,
        "generated": dt.datetime.now().isoformat(timespec="seconds"),
        "tickets": {
            "labels": dict(stats.METRICS),
            "totals": totals,
            "by_month": by_month,
            "by_category": report.by_category,
            "by_village": report.by_village,
            "kinds": report.kinds,
            "outcomes": report.outcomes,
            "legal_aid_outcomes": report.aid_outcomes,
        },
        "activities": acts,
        "quiz": outreach["quiz"],
        "scans": outreach["scans"],
        "report": headline(report),
    }


def headline(report) -> dict:
    """The numbers the report's sentences use, by name."""
    t = report.totals
    acts, outreach = report.activities, report.outreach
    return {
        "mediation": t["mediation"], "mediation_village": t["mediation_village"],
        "mediation_town": t["mediation_town"], "mediated": t["mediated"],
        "legal_aid": t["legal_aid"], "aid_referred": t["aid_referred"],
        "documents": t["drafted"], "filed_online": t["filed_online"],
        **{k: acts[k] for k in FIGURES},
        "answered": t["answered"], "consult_staff": t["consult_staff"],
        "quiz": outreach["quiz"]["rounds"], "quiz_people": outreach["quiz"]["people"],
        "quiz_mean_score": outreach["quiz"]["mean_score"], "scans": outreach["scans"]["total"],
    }


def month_series(report) -> list[tuple[str, str, str, list[int]]]:
    """(key, label, unit, one value per month of the period) for the report's chart and table."""
    acts, outreach = report.activities, report.outreach
    values = {
        **{k: report.by_month[k] for k in ("mediation", "legal_aid", "drafted", "answered")},
        "events": [acts["by_month"].get(m, {}).get("events", 0) for m in report.months],
        "quiz": [outreach["quiz"]["by_month"].get(m, {}).get("rounds", 0) for m in report.months],
        "scans": [outreach["scans"]["by_month"].get(m, 0) for m in report.months],
    }
    return [(key, label, unit, values[key]) for key, label, unit in MONTH_FIGURES]


# -- the statistics table's extra blocks ------------------------------------------------------
def extra_rows(report) -> list[list[str]]:
    """Rows for stats.rows(): activities by month, kind and village; quiz and scans."""
    acts, outreach = report.activities, report.outreach
    if not acts or not outreach:
        return []
    months = report.months
    out = [[], ["普法活动", *[_month_label(m) for m in months], "合计"]]
    for key in FIGURES:
        out.append([ACTIVITY_NAMES[key], *[str(acts["by_month"].get(m, {}).get(key, 0)) for m in months],
                    str(acts[key])])
    out += [[], ["普法活动按形式", *[ACTIVITY_NAMES[k] for k in FIGURES]]]
    for kind in (*KINDS, *[k for k in acts["by_kind"] if k not in KINDS]):
        values = acts["by_kind"].get(kind, dict.fromkeys(FIGURES, 0))
        out.append([kind, *[str(values[k]) for k in FIGURES]])
    out += [[], ["普法活动按村（社区）", *[ACTIVITY_NAMES[k] for k in FIGURES]]]
    for village, values in acts["by_village"].items():
        out.append([village, *[str(values[k]) for k in FIGURES]])
    quiz, scans = outreach["quiz"], outreach["scans"]
    out += [[], ["线上普法答题和游园扫码", *[_month_label(m) for m in months], "合计"],
            ["线上普法答题（人次）", *[str(quiz["by_month"].get(m, {}).get("rounds", 0)) for m in months],
             str(quiz["rounds"])],
            ["法治文化游园扫码（人次）", *[str(scans["by_month"].get(m, 0)) for m in months], str(scans["total"])]]
    if quiz["people"] is not None:
        out.append(["答题人数（全年去重）", *[""] * len(months), str(quiz["people"])])
    out.append(["平均每轮答对（题）", *[str(quiz["by_month"].get(m, {}).get("mean_score", "")) for m in months],
                str(quiz["mean_score"])])
    if scans["by_exhibit"]:
        out += [[], ["游园展点", "扫码（人次）"]]
        for ex in scans["by_exhibit"].values():
            out.append([ex["title"], str(ex["total"])])
    return out


# -- the report's sentences ---------------------------------------------------------------
def _kinds_phrase(acts: dict) -> str:
    parts = [f"{kind}{v['events']}次" for kind, v in acts["by_kind"].items() if v["events"]]
    return "其中" + "、".join(parts) if parts else ""


def sentences(report, town: str) -> dict:
    """The paragraphs of 一、主要举措和成效 (filled from the data) and the counting rules."""
    h = headline(report)
    acts = report.activities
    year = report.year
    p = {}
    p["mediation"] = (f"坚持“小事不出村，大事不出镇”，{year}年调处各类矛盾纠纷共{h['mediation']}起，"
                      f"其中在村里调处{h['mediation_village']}起、由镇司法所调处{h['mediation_town']}起；"
                      f"调解成功{h['mediated']}起。")
    p["legal_aid"] = (f"对群众提供无偿法律援助共{h['legal_aid']}人次，其中转县法律援助中心{h['aid_referred']}件；"
                      f"帮助撰写诉讼文书{h['documents']}份、网上立案{h['filed_online']}件。")
    kinds = _kinds_phrase(acts)
    organizers = "、".join(f"{o}{n}次" for o, n in acts["by_organizer"].items())
    p["activities"] = (f"开展各类普法活动{h['events']}次，制作普法宣传版面{h['boards']}块，"
                       f"发放宣传彩页{h['leaflets']}份，发放法治书籍{h['books']}本，"
                       f"参与群众{h['participants']}人次。" + (kinds + "。" if kinds else "")
                       + (f"参与组织的单位：{organizers}。" if organizers else ""))
    people = f"（{h['quiz_people']}人参加，平均每轮答对{h['quiz_mean_score']:g}题）" \
        if h["quiz_people"] and h["quiz"] else ""
    p["online"] = (f"依托“普法助手”微信公众号，公众号解答法律咨询{h['answered']}次，"
                   f"工作人员在线解答法律咨询{h['consult_staff']}件；线上普法答题{h['quiz']}人次{people}；"
                   f"法治文化游园扫码{h['scans']}人次。")
    p["rules"] = [
        "矛盾纠纷：通过公众号提出的纠纷调解申请，按提交月份计；“在村里调处”是一直由村调解员办理的，"
        "“由镇司法所调处”是村调解员转到司法所的和直接由司法所受理的；调解成功按办结月份计。",
        "法律援助：通过公众号提出的法律援助申请，每件按1人次计；转县法律援助中心按办结月份计。",
        "诉讼文书：统计页的“代写法律文书（份）”，即为申请写好的法律文书份数；网上立案：办结结果为“协助网上立案”的申请。",
        "普法活动：工作台“普法活动”登记的活动，按活动日期计；版面、彩页、书籍、参与人次是登记时填写的数字。",
        "公众号解答：机器人自动答复法律问题的次数；工作人员在线解答：办结结果为“提供法律咨询”或“建议自行起诉”的申请。",
        "线上普法答题：答完一轮（5题）计1人次；人数按微信用户去重（不保存个人信息）；游园扫码：扫一次展点二维码计1人次。",
    ]
    return p
