"""Writing Word documents in the layout of an official paper (公文): A4 with its margins, Times New Roman for
Latin text and the Chinese font each paragraph names, 28 pt line spacing, and a subset of the shipped Chinese
font embedded under every font name used (lib/docxfont.py), so the file reads the same where none is installed.
Text is cleaned of characters XML cannot carry."""

import io
from collections import defaultdict

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from minping.lib.docxfont import embed_fonts
from minping.lib.spreadsheet import clean

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY_FONT = "仿宋_GB2312"
CENTER, RIGHT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT


class OfficialDocument:
    def __init__(self):
        self.document = Document()
        section = self.document.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        normal = self.document.styles["Normal"]  # tables and anything without its own font
        normal.font.name = "Times New Roman"
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
        self.used = defaultdict(str)  # font name -> the text set in it, for the embedded fonts

    def paragraph(
        self,
        text: str,
        size: float = 16,
        font: str = BODY_FONT,
        bold: bool = False,
        align=None,
        colour: tuple | None = None,
        indent: bool = True,
    ):
        """A paragraph in one run; indented two characters unless `indent` is false."""
        text = clean(text)
        self.used[font] += text
        p = self.document.add_paragraph()
        p.paragraph_format.line_spacing = Pt(28)
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        if align is not None:
            p.alignment = align
        run = p.add_run(text)
        run.font.size, run.font.bold, run.font.name = Pt(size), bold, "Times New Roman"
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        if colour:
            run.font.color.rgb = RGBColor(*colour)
        return p

    def table(self, header: list[str], rows: list[list], size: float = 14) -> None:
        """A ruled table in the body font (四号 by default): its header row repeats on every page and keeps with
        the first row below it, and no row breaks across pages."""
        table = self.document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for row_values, cells in [(header, table.rows[0].cells)] + [(r, None) for r in rows]:
            cells = cells or table.add_row().cells
            for cell, value in zip(cells, row_values, strict=True):
                text = clean(str(value))
                self.used[BODY_FONT] += text
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.keep_with_next = row_values is header
                run = paragraph.add_run(text)
                run.font.size, run.font.bold, run.font.name = Pt(size), row_values is header, "Times New Roman"
                run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
        for position, row in enumerate(table.rows):
            properties = row._tr.get_or_add_trPr()
            properties.append(OxmlElement("w:cantSplit"))
            if position == 0:
                properties.append(OxmlElement("w:tblHeader"))

    def to_bytes(self) -> bytes:
        embed_fonts(self.document, self.used)
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()
