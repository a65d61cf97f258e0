"""The draft of the 年度法治政府建设工作报告 section the town writes itself, as a Word
document (python-docx), filled from the year's figures (stats.report_for + annual):

    一、主要举措和成效   the sentences of annual.sentences(), then the month-by-month
                         figures: a small bar chart for each of the top four (annual.CHARTED)
                         and a table of all of them
    二、存在的不足       （请填写）
    三、下一年度工作安排 （请填写）
    附：统计口径         what each number counts

The charts are PNGs drawn with Pillow. They carry only digits (the months 1–12 and the
values): the server has no Chinese font to draw with, so each chart's title is a Word
caption above it, and the table beside them holds every number exactly (and stays
editable). Figures only, never personal data.
"""
from __future__ import annotations

import datetime as dt
import io

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from PIL import Image, ImageDraw, ImageFont

from ..drafts.render_docx import _font, a4_document
from . import annual, charts

TITLE_FONT, HEADING_FONT, SUBHEADING_FONT, BODY_FONT = "宋体", "黑体", "楷体", "仿宋"
BODY = Pt(16)
TABLE = Pt(9)
FILL_IN = "（请填写）"
BAR = (31, 111, 178)


# -- the chart -------------------------------------------------------------------------------
def month_chart_png(values: list[int], labels: list[str], width: int = 1500, height: int = 330) -> bytes:
    """A bar per month, its value above it and the month's number below; nothing else
    written (see the module's docstring). labels: "1", "2", … (digits only)."""
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=26)
    small = ImageFont.load_default(size=22)
    left, right, top, bottom = 80, 20, 40, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    vmax = charts._nice_max(max(values or [0]))  # the console's SVG charts' scale
    for v in charts._ticks(vmax):  # gridlines at whole numbers, and their values
        y = top + plot_h - plot_h * v / vmax
        draw.line([(left, y), (width - right, y)], fill=(221, 221, 221), width=2)
        draw.text((left - 10, y), charts._fmt(v), fill=(85, 85, 85), font=small, anchor="rm")
    n = max(1, len(values))
    slot = plot_w / n
    for i, v in enumerate(values):
        x0 = left + i * slot + slot * 0.18
        x1 = left + (i + 1) * slot - slot * 0.18
        y = top + plot_h - plot_h * v / vmax
        if v:
            draw.rectangle([x0, y, x1, top + plot_h], fill=BAR)
            draw.text(((x0 + x1) / 2, y - 4), str(v), fill=(34, 34, 34), font=font, anchor="mb")
        draw.text(((x0 + x1) / 2, top + plot_h + 10), labels[i] if i < len(labels) else "", fill=(34, 34, 34),
                  font=font, anchor="mt")
    draw.line([(left, top + plot_h), (width - right, top + plot_h)], fill=(136, 136, 136), width=2)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


# -- the document ------------------------------------------------------------------------------
def _para(doc, text: str, kind: str = "body"):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.line_spacing = Pt(29)
    if kind == "title":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.space_after = Pt(12)
        _font(p.add_run(text), TITLE_FONT, Pt(22), bold=True)
    elif kind == "heading":
        fmt.first_line_indent = BODY * 2
        fmt.space_before = Pt(6)
        _font(p.add_run(text), HEADING_FONT, BODY)
    elif kind == "subheading":
        fmt.first_line_indent = BODY * 2
        _font(p.add_run(text), SUBHEADING_FONT, BODY, bold=True)
    elif kind == "caption":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.space_before = Pt(6)
        _font(p.add_run(text), BODY_FONT, Pt(12), bold=True)
    elif kind == "small":
        fmt.line_spacing = Pt(20)
        fmt.first_line_indent = Pt(12) * 2
        _font(p.add_run(text), BODY_FONT, Pt(12))
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = BODY * 2
        _font(p.add_run(text), BODY_FONT, BODY)
    return p


def _cell(cell, text: str, bold: bool = False) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), BODY_FONT, TABLE, bold=bold)


def _month_table(doc, report, series) -> None:
    months = [m[5:].lstrip("0") for m in report.months]
    table = doc.add_table(rows=1 + len(series), cols=len(months) + 2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _cell(table.rows[0].cells[0], "项目（月）", bold=True)
    for i, m in enumerate(months):
        _cell(table.rows[0].cells[i + 1], m, bold=True)
    _cell(table.rows[0].cells[-1], "合计", bold=True)
    for r, (_, label, unit, values) in enumerate(series, start=1):
        cells = table.rows[r].cells
        _cell(cells[0], f"{label}（{unit}）")
        for i, v in enumerate(values):
            _cell(cells[i + 1], str(v))
        _cell(cells[-1], str(sum(values)), bold=True)
    for row in table.rows:
        row.cells[0].width = Cm(3.4)
        for c in row.cells[1:]:
            c.width = Cm(0.95)


def render_report(report, town: str, today: dt.date | None = None) -> bytes:
    """report: stats.report_for(pufa, year) for the whole year (activities and outreach filled)."""
    today = today or dt.date.today()
    p = annual.sentences(report, town)
    doc = a4_document(BODY_FONT, BODY, f"{town}{report.year}年度法治政府建设工作报告（司法所部分）", f"{town}司法所")

    _para(doc, f"{town}{report.year}年度法治政府建设工作报告", "title")
    _para(doc, "（司法所部分·草稿）", "caption")
    _para(doc, f"本稿由“普法助手”根据{today.year}年{today.month}月{today.day}日系统中的数据生成，"
               f"数字请核对后使用；标有“{FILL_IN}”的地方由工作人员填写。", "small")

    _para(doc, "一、主要举措和成效", "heading")
    _para(doc, "（一）化解矛盾纠纷", "subheading")
    _para(doc, p["mediation"])
    _para(doc, "（二）法律援助和法律服务", "subheading")
    _para(doc, p["legal_aid"])
    _para(doc, "（三）普法宣传", "subheading")
    _para(doc, p["activities"])
    _para(doc, "（四）“互联网+”普法和法律咨询", "subheading")
    _para(doc, p["online"])
    _para(doc, "（五）每月主要工作数据", "subheading")
    series = annual.month_series(report)
    labels = [m[5:].lstrip("0") for m in report.months]
    charted = [s for s in series if s[0] in annual.CHARTED]
    for n, (_, label, unit, values) in enumerate(charted, start=1):
        _para(doc, f"图{n}  {report.period}每月{label}（{unit}），横轴为月份", "caption")
        doc.add_picture(io.BytesIO(month_chart_png(values, labels)), width=Cm(15.5))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, f"表1  {report.period}每月主要工作数据", "caption")
    _month_table(doc, report, series)

    _para(doc, "二、存在的不足", "heading")
    _para(doc, FILL_IN)
    _para(doc, "三、下一年度工作安排", "heading")
    _para(doc, FILL_IN)

    _para(doc, "附：统计口径", "heading")
    for rule in p["rules"]:
        _para(doc, rule, "small")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def report_docx(pufa, year: int) -> bytes:
    from . import stats

    return render_report(stats.report_for(pufa, year), pufa.settings.town)


def filename(town: str, year: int) -> str:
    return f"{town}{year}年度法治政府建设工作报告-草稿.docx"
