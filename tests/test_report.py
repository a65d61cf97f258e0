"""The annual report from the data: `flask report --year Y` (table), `--json` (every
figure in one object) and `--docx FILE` (the 年度法治政府建设工作报告 draft), and the
statistics page's activity and outreach figures and its download. Redis is real."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import docx
import pytest

from bot.queue import TicketQueue
from tests.test_activities import CLI_GOOD
from tests.test_console import NAME, PHONE, add_staff, login

YEAR = 2026


def _at(month, day=10):
    return dt.datetime(YEAR, month, day, 10, 0).timestamp()


@pytest.fixture
def year_of_work(app, runner):
    """A year of the town's work: tickets through the queue, two activities through the CLI,
    quiz rounds and exhibit scans through the outreach counters."""
    pufa = app.extensions["pufa"]
    q = pufa.services.queue

    def at(ts):
        tq = TicketQueue(q.r, q.k, q.settings, clock=lambda: ts)
        tq.outbox = None
        return tq

    def file(i, kind, village, month):
        return at(_at(month)).create(kind=kind, openid=f"o_report_{i}", fields={
            "name": NAME, "phone": PHONE, "village": village, "category": "neighbor", "story": "邻居占了我家宅基地"},
            context=[], idempotency_key=f"report-{i}")

    settled = file(1, "mediation", "和尚岭村", 3)            # settled in the village
    at(_at(3, 20)).close(settled.number, "李调解", "调解成功")
    file(2, "mediation", "林庄村", 5)                         # still open in the village
    up = file(3, "mediation", "和尚岭村", 6)                  # referred up to the town
    at(_at(6, 12)).refer(up.number, "李调解")
    at(_at(6, 20)).close(up.number, "王所长", "调解成功")
    aid = file(4, "legal_aid", "温汤村", 4)
    at(_at(4, 15)).close(aid.number, "王所长", "转法律援助中心")
    file(5, "legal_aid", "林庄村", 9)
    sued = file(6, "litigation", "温汤村", 7)
    at(_at(7, 15)).close(sued.number, "王所长", "协助网上立案")
    drafted = file(7, "litigation", "温汤村", 8)
    at(_at(8, 15)).close(drafted.number, "王所长", "代写文书")
    q.r.hset(pufa.services.usage.stats_key(f"{YEAR}-03"), "land", 40)

    assert runner.invoke(args=CLI_GOOD).exit_code == 0  # 2026-12-04: 12 boards, 800 leaflets, 200 books, 350
    second = ["activities", "add", "--date", "2026-03-15", "--village", "下汤镇", "--title", "防范电信诈骗讲座",
              "--organizers", "司法所、派出所", "--boards", "3", "--leaflets", "500", "--books", "0",
              "--participants", "120", "--kind", "讲座"]
    result = runner.invoke(args=second)
    assert result.exit_code == 0, result.output

    outreach = pufa.services.outreach
    for i, score in enumerate((5, 4, 3)):
        outreach.quiz_round(f"o_quiz_{i % 2}", score, 5, "和尚岭村", _at(12, 4))
    for _ in range(7):
        outreach.scan("heshangling-oath", _at(10, 2))
    return app


def _json(runner, year=YEAR):
    result = runner.invoke(args=["report", "--year", str(year), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_report_json_counts_the_activities_next_to_the_tickets(year_of_work, runner):
    figs = _json(runner)
    acts = figs["activities"]
    assert (acts["events"], acts["boards"], acts["leaflets"], acts["books"], acts["participants"]) == (2, 15, 1300, 200,
                                                                                                      470)
    assert acts["by_month"]["2026-12"] == {"events": 1, "boards": 12, "leaflets": 800, "books": 200,
                                           "participants": 350}
    assert acts["by_kind"]["宣讲/讲座"]["leaflets"] == 500 and acts["by_village"]["下汤镇"]["events"] == 1
    assert acts["by_organizer"]["司法所"] == 2 and acts["by_organizer"]["消防站"] == 1
    h = figs["report"]
    assert (h["mediation"], h["mediation_village"], h["mediation_town"], h["mediated"]) == (3, 2, 1, 2)
    assert (h["legal_aid"], h["aid_referred"], h["filed_online"], h["documents"]) == (2, 1, 1, 1)
    assert h["answered"] == 40 and h["boards"] == 15 and h["participants"] == 470
    assert figs["quiz"]["rounds"] == 3 and figs["quiz"]["people"] == 2 and figs["quiz"]["mean_score"] == 4.0
    assert figs["scans"]["total"] == 7 and figs["scans"]["by_month"] == {"2026-10": 7}
    assert figs["tickets"]["totals"]["received"] == 7
    assert figs["tickets"]["by_month"]["mediation_town"]["2026-06"] == 1
    assert PHONE not in json.dumps(figs, ensure_ascii=False) and NAME not in json.dumps(figs, ensure_ascii=False)
    # another year has none of it
    other = _json(runner, 2025)
    assert other["activities"]["events"] == 0 and other["report"]["mediation"] == 0


def test_report_table_shows_activities_quiz_and_scans(year_of_work, runner):
    out = runner.invoke(args=["report", "--year", str(YEAR)]).output
    line = next(l for l in out.splitlines() if l.startswith("宣传彩页（份）"))
    assert line.split()[1:] == ["0", "0", "500", "0", "0", "0", "0", "0", "0", "0", "0", "800", "1300"]
    assert "普法活动按形式" in out and "法治文化游园扫码（人次）" in out
    assert next(l for l in out.splitlines() if l.startswith("其中在村里调处")).split()[-1] == "2"
    csv_out = runner.invoke(args=["report", "--year", str(YEAR), "--csv"]).output
    assert "参与群众（人次）,0,0,120,0,0,0,0,0,0,0,0,350,470" in csv_out
    # --json and --docx are the whole year's; one output at a time
    assert runner.invoke(args=["report", "--json", "--from", "3"]).exit_code == 2
    assert runner.invoke(args=["report", "--json", "--csv"]).exit_code == 2


def _paragraphs(path_or_bytes) -> list[str]:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    return [p.text for p in docx.Document(source).paragraphs]


def test_docx_report_carries_the_figures_in_its_sentences(year_of_work, runner, tmp_path):
    path = tmp_path / "report.docx"
    result = runner.invoke(args=["report", "--year", str(YEAR), "--docx", str(path)])
    assert result.exit_code == 0, result.output
    text = _paragraphs(str(path))
    body = "\n".join(text)
    assert text[0] == f"下汤镇{YEAR}年度法治政府建设工作报告"
    assert "调处各类矛盾纠纷共3起，其中在村里调处2起、由镇司法所调处1起；调解成功2起" in body
    assert "对群众提供无偿法律援助共2人次，其中转县法律援助中心1件；帮助撰写诉讼文书1份、网上立案1件" in body
    assert "开展各类普法活动2次，制作普法宣传版面15块，发放宣传彩页1300份，发放法治书籍200本，参与群众470人次" in body
    assert "公众号解答法律咨询40次" in body and "线上普法答题3人次（2人参加，平均每轮答对4题）" in body
    assert "法治文化游园扫码7人次" in body
    # the sections staff write, each with a visible prompt
    for heading in ("一、主要举措和成效", "二、存在的不足", "三、下一年度工作安排"):
        assert heading in text
    for heading in ("二、存在的不足", "三、下一年度工作安排"):
        assert text[text.index(heading) + 1] == "（请填写）"
    document = docx.Document(str(path))
    assert len(document.inline_shapes) == 4  # the month-by-month charts
    table = document.tables[0]
    row = next(r for r in table.rows if r.cells[0].text.startswith("普法活动"))
    assert [c.text for c in row.cells][1:] == ["0", "0", "1", *["0"] * 8, "1", "2"]
    with zipfile.ZipFile(path) as z:  # figures only: no villager's name or phone anywhere in the file
        xml = "".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist() if n.endswith(".xml"))
        pngs = [n for n in z.namelist() if n.endswith(".png")]
    assert NAME not in xml and PHONE not in xml and len(pngs) == 4


def test_report_chart_is_a_png_with_the_month_bars():
    from PIL import Image

    from bot.console.report_docx import month_chart_png

    data = month_chart_png([0, 3, 0, 10, 0, 0, 0, 0, 0, 0, 0, 25], [str(m) for m in range(1, 13)])
    img = Image.open(io.BytesIO(data))
    assert img.format == "PNG" and img.size == (1500, 330)
    bar = (31, 111, 178)
    colours = [img.getpixel((x, 270)) for x in range(img.size[0])]
    runs = sum(1 for a, b in zip(colours, colours[1:]) if b == bar and a != bar)
    assert runs == 3  # one bar for each month with a value


def test_statistics_page_shows_the_activities_and_downloads_the_report(year_of_work, client):
    add_staff(year_of_work)
    login(client)
    page = client.get(f"/console/stats?year={YEAR}").get_data(as_text=True)
    assert "<b>2</b>普法活动（次）" in page and "<b>470</b>普法参与群众（人次）" in page
    assert "<b>3</b>线上普法答题（人次）" in page and "<b>7</b>游园扫码（人次）" in page
    assert "其中在村里调处（件）" in page
    link = re.search(r'href="(/console/stats/report\.docx\?year=\d+)"', page)
    assert link
    resp = client.get(link.group(1))
    assert resp.status_code == 200 and resp.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in resp.headers["Content-Disposition"] and ".docx" in resp.headers["Content-Disposition"]
    body = "\n".join(_paragraphs(resp.data))
    assert "发放宣传彩页1300份" in body and "调处各类矛盾纠纷共3起" in body
    # a partial period on the page: the activities follow it
    page = client.get(f"/console/stats?year={YEAR}&from=1&to=6").get_data(as_text=True)
    assert "<b>1</b>普法活动（次）" in page and "<b>0</b>游园扫码（人次）" in page
