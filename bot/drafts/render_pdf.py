"""The draft as a PDF (reportlab). By default the text is set in Adobe's
STSong-Light CID font, which every Chinese PDF reader has and nothing needs
to be downloaded for; set PUFA_PDF_FONT to a TrueType font file (.ttf, or
.ttc with TrueType outlines, e.g. Debian's fonts-arphic-uming
/usr/share/fonts/truetype/arphic/uming.ttc) to embed that font instead."""
from __future__ import annotations

import io
import logging
import os
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
from reportlab.lib import textsplit as _textsplit
from reportlab.platypus import paragraph as _paragraph

from .model import document

log = logging.getLogger(__name__)
CID_FONT = "STSong-Light"
SIZE = 14
# reportlab's CJK wrapping keeps only half-width and a few full-width marks off
# the start of a line; add the full-width ones a Chinese document uses.
_NO_LINE_START = "，：；？！）》」』”’、。】"
for _module in (_textsplit, _paragraph):
    _missing = "".join(ch for ch in _NO_LINE_START if ch not in _module.ALL_CANNOT_START)
    if _missing:
        _module.ALL_CANNOT_START = _module.ALL_CANNOT_START + _missing


@lru_cache(maxsize=4)
def font_name(path: str = "") -> str:
    """Register the font once; a broken PUFA_PDF_FONT falls back to the CID font."""
    if path:
        try:
            pdfmetrics.registerFont(TTFont("PufaBody", path, subfontIndex=0))
            return "PufaBody"
        except Exception:  # noqa: BLE001 - any unusable font file: use the built-in one
            log.warning("PUFA_PDF_FONT unusable, using %s", CID_FONT)
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def _styles(font: str) -> dict:
    base = dict(fontName=font, fontSize=SIZE, leading=SIZE * 1.9, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", **{**base, "fontSize": 22, "leading": 34}, alignment=TA_CENTER,
                                spaceAfter=14),
        "party": ParagraphStyle("party", **base, alignment=TA_JUSTIFY, firstLineIndent=SIZE * 2),
        "para": ParagraphStyle("para", **base, alignment=TA_JUSTIFY, firstLineIndent=SIZE * 2),
        "item": ParagraphStyle("item", **base, alignment=TA_JUSTIFY, firstLineIndent=SIZE * 2),
        "heading": ParagraphStyle("heading", **base, alignment=TA_LEFT, spaceBefore=4),
        "plain": ParagraphStyle("plain", **base, alignment=TA_LEFT),
        "greeting": ParagraphStyle("greeting", **base, alignment=TA_LEFT, firstLineIndent=SIZE * 2,
                                   spaceBefore=10),
        "right": ParagraphStyle("right", **base, alignment=TA_RIGHT, rightIndent=SIZE * 2),
    }


def render_pdf(draft: dict) -> bytes:
    font = font_name(os.environ.get("PUFA_PDF_FONT", "").strip())
    styles = _styles(font)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, topMargin=37 * mm, bottomMargin=35 * mm, leftMargin=28 * mm,
                            rightMargin=26 * mm, title="民事起诉状", author="司法所", subject="", creator="普法助手")
    story = []
    for block in document(draft):
        style = styles["greeting"] if block.kind == "plain" and block.text == "此致" else styles[block.kind]
        if block.kind == "right" and block.text.startswith("具状人"):
            story.append(Spacer(1, 18))
        story.append(Paragraph(escape(block.text), style))
    doc.build(story)
    return out.getvalue()
