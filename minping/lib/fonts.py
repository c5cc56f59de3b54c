"""The Chinese font embedded in every PDF Minping writes (see minping/fonts/README.md). Registered once with
reportlab, which embeds only the characters a document uses."""

import functools
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph

from minping.lib.spreadsheet import clean

CJK = "MinpingCJK"
FONT_FILE = Path(__file__).resolve().parent.parent / "fonts" / "wqy-microhei.ttc"


@functools.cache
def cjk_font() -> str:
    pdfmetrics.registerFont(TTFont(CJK, str(FONT_FILE), subfontIndex=0))
    return CJK


def paragraph(text, style):
    """A reportlab Paragraph of plain text: cleaned of what XML cannot carry, its markup characters escaped."""
    return Paragraph(clean(str(text)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), style)
