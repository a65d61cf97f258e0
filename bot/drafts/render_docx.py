"""The draft as a Word document (python-docx): A4, 宋体 title, 仿宋 body,
the signature and date on the right. Staff open it in WPS or Word, print it
for the plaintiff to sign, or upload it to the online filing platform."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .model import Block, document

TITLE_FONT = "宋体"
BODY_FONT = "仿宋"
BODY_SIZE = Pt(15)


def a4_document(body_font: str, body_size, title: str, author: str) -> Document:
    """An empty A4 document with the margins of 党政机关公文 (37/35/28/26 mm) and the body font
    set for Chinese text too; shared by the court-document drafts and the annual report."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = body_font, body_size
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), body_font)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by, props.comments = title, author, author, ""
    return doc


def _font(run, name: str, size, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)


def _paragraph(doc, block: Block):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.line_spacing = Pt(28)
    if block.kind == "title":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.space_after = Pt(18)
        _font(p.add_run(block.text), TITLE_FONT, Pt(22), bold=True)
        return p
    if block.kind == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = Pt(30)
        if block.text.startswith("具状人"):
            fmt.space_before = Pt(24)
    elif block.kind in ("party", "para", "item"):
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = BODY_SIZE * 2
    elif block.kind == "heading":
        fmt.space_before = Pt(6)
    elif block.kind == "plain" and block.text == "此致":
        fmt.space_before = Pt(12)
        fmt.first_line_indent = BODY_SIZE * 2
    _font(p.add_run(block.text), BODY_FONT, BODY_SIZE, bold=block.kind == "heading")
    return p


def render_docx(draft: dict) -> bytes:
    doc = a4_document(BODY_FONT, BODY_SIZE, "民事起诉状", "司法所")
    for block in document(draft):
        _paragraph(doc, block)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
