"""The draft as a PDF (reportlab), with page numbers (第 1 页 共 2 页).

The text is set in a CJK TrueType font from the distribution, found at run time
and embedded (subset) so the PDF prints the same everywhere: PUFA_PDF_FONT (a
.ttf, or a .ttc with TrueType outlines), else the first of SYSTEM_FONTS that is
installed (Debian: `apt-get install fonts-arphic-uming`, AR PL UMing, a 明体 like
宋体). Without one it falls back to Adobe's built-in STSong-Light CID font, which
every Chinese PDF reader has (not embedded). PUFA_PDF_FONT=STSong-Light forces
the built-in font. reportlab embeds TrueType outlines only: the OpenType/CFF
.ttc files of fonts-noto-cjk cannot be used (tried, and skipped with a warning)."""
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
from reportlab.pdfgen import canvas
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
from reportlab.lib import textsplit as _textsplit
from reportlab.platypus import paragraph as _paragraph

from .model import document

log = logging.getLogger(__name__)
CID_FONT = "STSong-Light"
SIZE = 14
SYSTEM_FONTS = (  # TrueType-outline CJK fonts of Debian packages, best for a court document first
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming (明体)
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback
)
# reportlab's CJK wrapping keeps only half-width and a few full-width marks off
# the start of a line; add the full-width ones a Chinese document uses.
_NO_LINE_START = "，：；？！）》」』”’、。】"
for _module in (_textsplit, _paragraph):
    _missing = "".join(ch for ch in _NO_LINE_START if ch not in _module.ALL_CANNOT_START)
    if _missing:
        _module.ALL_CANNOT_START = _module.ALL_CANNOT_START + _missing


@lru_cache(maxsize=8)
def font_name(path: str = "") -> str:
    """Register the font once; an unusable file falls back to the built-in CID font."""
    if path and path != CID_FONT:
        name = "PufaBody-" + os.path.basename(path).split(".")[0]
        try:
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
            return name
        except Exception as exc:  # noqa: BLE001 - any unusable font file: use the built-in one
            log.warning("PDF font unusable, using %s", CID_FONT, extra={"font": path, "reason": str(exc)[:120]})
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def find_font(candidates=SYSTEM_FONTS) -> str:
    """The font for the PDF: PUFA_PDF_FONT, else the first installed of `candidates` that
    reportlab can embed, else the built-in CID font."""
    chosen = os.environ.get("PUFA_PDF_FONT", "").strip()
    if chosen:
        return font_name(chosen)
    for path in candidates:
        if os.path.isfile(path):
            name = font_name(path)
            if name != CID_FONT:
                return name
    return font_name("")


def _numbered_canvas(font: str):
    """A canvas that writes 第 n 页 共 N 页 at the foot of each page once all are laid out."""

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, 10.5)
                self.drawCentredString(A4[0] / 2, 18 * mm, f"第 {self._pageNumber} 页 共 {total} 页")
                super().showPage()
            super().save()

    return NumberedCanvas


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
    font = find_font()
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
    doc.build(story, canvasmaker=_numbered_canvas(font))
    return out.getvalue()
